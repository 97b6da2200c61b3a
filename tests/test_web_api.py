"""The web app's endpoints in-process (Starlette TestClient): a real upload, a real offline run, browsing,
curation, exports, and bad inputs (oversized, wrong type, traversal names, missing CSRF, foreign Host)."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from factories import CORPUS
from segscribe.web.app import create_app
from segscribe.web.settings import WebSettings
from web_fixtures import PNG, XSS, research_folder

BASE = "http://127.0.0.1:8000"


def _settings(ws: Path, **kw: Any) -> WebSettings:
    limits = {"max_upload_mb": 3, "max_files": 14, "max_file_mb": 0.5, "max_unzipped_mb": 1}
    return WebSettings(workspace=ws, port=8000, user="tester", **{**limits, **kw})


def _csrf(c: TestClient) -> dict[str, str]:
    if "segscribe_csrf" not in c.cookies:
        c.get("/healthz")
    return {"X-CSRF-Token": c.cookies["segscribe_csrf"]}


def _files(folder: Path) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (f"study/{p.name}", p.read_bytes())) for p in sorted(folder.iterdir())]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A workspace with the study folder uploaded and one finished offline run (with fixture findings)."""
    root = tmp_path_factory.mktemp("web")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANONYMIZED_TELEMETRY", "False")
        folder = research_folder(root, CORPUS)
        c = TestClient(create_app(_settings(root / "ws")), base_url=BASE, follow_redirects=False)
        up = c.post("/upload", files=_files(folder), headers={**_csrf(c), "accept": "application/json"})
        assert up.status_code == 200, up.text
        uploads = root / "ws" / "uploads" / up.json()["batch"] / "study"
        res = c.post("/runs", data={"input": str(uploads), "provider": "offline"}, headers=_csrf(c))
        assert res.status_code == 303, res.text
        run_id = res.headers["location"].rsplit("/", 1)[1]
        deadline = time.time() + 180
        while (p := c.get(f"/runs/{run_id}/progress")).status_code == 200 and time.time() < deadline:
            time.sleep(0.5)
        assert p.status_code == 286 and 'data-state="finished"' in p.text, p.text
        run = root / "ws" / "runs" / run_id
        assert (run / "findings.json").is_file(), "the run's own findings stage wrote them"
        yield {"c": c, "root": root, "ws": root / "ws", "run_id": run_id, "run": run, "upload": up.json(),
               "uploads": uploads}


def _evidence(run: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (run / "evidence.jsonl").read_text().splitlines() if x.strip()]


def test_upload_reports_every_file(site: dict[str, Any]) -> None:
    files = {f["name"]: f for f in site["upload"]["files"]}
    assert files["study/p01_whitfield.txt"]["status"] == "ingested"
    assert files["study/p02_bellini.vtt"]["voices"]["participant"] > 0.3
    dup = files["study/whitfield-copy.txt"]
    assert dup["status"] == "duplicate" and dup["duplicate_of"] == "study/p01_whitfield.txt"
    bad = files["study/photo-of-whiteboard.txt"]
    assert bad["status"] == "failed" and "PNG image" in bad["reason"]
    assert files["study/p99_quinn.txt"]["status"] == "ingested"
    assert sum(f["status"] == "ingested" for f in files.values()) == 5


def test_run_finished_and_cannot_be_resumed(site: dict[str, Any]) -> None:
    c, run_id = site["c"], site["run_id"]
    page = c.get(f"/runs/{run_id}")
    assert page.status_code == 200 and "Open the findings" in page.text
    for stage in ("load", "extract", "themes", "report"):
        assert f'<li class="done">{stage}</li>' in page.text
    assert c.post(f"/runs/{run_id}/resume", headers=_csrf(c)).status_code == 409
    assert c.get("/runs").status_code == 200 and run_id in c.get("/").text


def test_an_interrupted_run_can_be_resumed(site: dict[str, Any]) -> None:
    """A run left `running` with no live job (the server stopped mid-run) offers Resume, which finishes it."""
    from segscribe.store.workspace import Workspace

    c, run_id = site["c"], site["run_id"]
    c.app.state.shared.jobs.jobs.pop(run_id)  # as after a server restart: no job in memory
    with Workspace.open(site["ws"]).connect() as con:
        con.execute("UPDATE runs SET status = 'running' WHERE id = ?", (run_id,))
    page = c.get(f"/runs/{run_id}").text
    assert 'data-state="interrupted"' in page and 'id="resume"' in page
    r = c.post(f"/runs/{run_id}/resume", headers=_csrf(c))
    assert r.status_code == 303 and r.headers["location"] == f"/runs/{run_id}"
    deadline = time.time() + 120
    while (p := c.get(f"/runs/{run_id}/progress")).status_code == 200 and time.time() < deadline:
        time.sleep(0.2)
    assert 'data-state="finished"' in p.text, p.text
    with Workspace.open(site["ws"]).connect() as con:
        assert con.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()[0] == "finished"


def test_a_failing_run_shows_why(site: dict[str, Any]) -> None:
    c = site["c"]
    r = c.post("/runs", data={"input": str(site["uploads"]), "provider": "anthropic:claude-test"},
               headers={**_csrf(c), "accept": "application/json"})
    assert r.status_code == 202
    run_id = r.json()["run_id"]
    deadline = time.time() + 60
    while (p := c.get(f"/runs/{run_id}/progress")).status_code == 200 and time.time() < deadline:
        time.sleep(0.2)
    assert 'data-state="failed"' in p.text and "ANTHROPIC_API_KEY" in p.text and 'id="resume"' in p.text


def test_pages_send_strict_headers(site: dict[str, Any]) -> None:
    r = site["c"].get(f"/runs/{site['run_id']}/findings")
    policy = r.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and "unsafe-inline" not in policy and "default-src 'none'" in policy
    assert f'nonce="{nonce.group(1)}"' in r.text and "<script>" not in r.text
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    assert site["c"].get("/").headers["content-security-policy"] != policy  # a fresh nonce per response


@pytest.mark.parametrize("path", ["/", "/upload", "/runs", "/search?q=month-end", "/runs/{run}/findings",
                                  "/runs/{run}/findings/f1", "/runs/{run}/themes", "/runs/{run}/themes/t1",
                                  "/runs/{run}/personas", "/runs/{run}/segments", "/runs/{run}/evidence",
                                  "/runs/{run}/evidence?kind=pain&voice=participant", "/runs/{run}/curation",
                                  "/runs/{run}/report", "/healthz", "/static/htmx.min.js", "/login"])
def test_every_page_renders(site: dict[str, Any], path: str) -> None:
    r = site["c"].get(path.format(run=site["run_id"]))
    assert r.status_code == 200, (path, r.text[:300])


@pytest.mark.parametrize("path,status", [
    ("/runs/..%2F..%2Fetc/findings", 404), ("/runs/nope/findings", 404), ("/runs/{run}/findings/f999", 404),
    ("/runs/{run}/themes/t999", 404), ("/runs/{run}/cite/e-missing", 404), ("/runs/{run}/evidence?page=x", 400),
    ("/runs/{run}/export/exe", 404), ("/source/nope?start=0&end=1", 404), ("/runs/nope/progress", 404)])
def test_bad_reads_are_refused(site: dict[str, Any], path: str, status: int) -> None:
    assert site["c"].get(path.format(run=site["run_id"])).status_code == status


def test_citation_highlights_the_exact_quote(site: dict[str, Any]) -> None:
    c = site["c"]
    for e in _evidence(site["run"])[:5]:
        r = c.get(f"/runs/{site['run_id']}/cite/{e['id']}", headers={"HX-Request": "true"})
        assert r.status_code == 200 and "<html" not in r.text  # a fragment for the panel
        mark = re.search(r'<mark id="highlight">(.*?)</mark>', r.text, re.S)
        assert mark and unescape(mark.group(1)) == e["citations"][0]["quote"]
        assert f'<dd id="cite-speaker">{e["speaker"]}</dd>' in r.text or e["speaker"] in r.text
    doc = _evidence(site["run"])[0]["doc_id"]
    assert c.get(f"/source/{doc}?start=5&end=2").status_code == 400
    assert c.get(f"/source/{doc}?start=0&end=99999999").status_code == 400
    assert c.get(f"/source/{doc}?start=a&end=2").status_code == 400


def test_notes_are_never_shown_as_quotes(site: dict[str, Any]) -> None:
    c, run = site["c"], site["run_id"]
    notes = [e for e in _evidence(site["run"]) if e["voice"] == "notes"]
    assert notes, "the study folder's notes files should yield notes evidence"
    page = c.get(f"/runs/{run}/evidence", params={"voice": "notes"}).text
    assert '<q class="verbatim">' not in page and page.count('class="paraphrase"') == min(len(notes), 100)
    for f in json.loads((site["run"] / "findings.json").read_text()):
        detail = c.get(f"/runs/{run}/findings/{f['id']}").text
        quoted = re.findall(r'<q class="verbatim">(.*?)</q>', detail, re.S)
        assert not {n["citations"][0]["quote"] for n in notes} & {unescape(q) for q in quoted}
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(c.get(f"/runs/{run}/export/csv").text))}
    assert all(rows[n["id"]]["verbatim"] == "False" for n in notes)


def test_source_text_is_escaped_everywhere(site: dict[str, Any]) -> None:
    c = site["c"]
    hits = c.get("/search", params={"q": "export breaks vendor name frustrating"}).text
    assert "&lt;script&gt;alert(" in hits and XSS not in hits
    quinn = [e for e in _evidence(site["run"]) if "Mallory" in e["speaker"]]
    for e in quinn:
        page = c.get(f"/runs/{site['run_id']}/cite/{e['id']}").text
        assert "<script>alert" not in page and "<img src=x" not in page
    evidence_page = c.get(f"/runs/{site['run_id']}/evidence").text
    assert "<script>alert" not in evidence_page and "onerror=alert(1)>" not in evidence_page


def test_missing_or_wrong_csrf_is_refused(site: dict[str, Any]) -> None:
    c, run = site["c"], site["run_id"]
    form = {"theme_id": "t1", "label": "x"}
    assert c.post(f"/runs/{run}/curate/rename_theme", data=form).status_code == 403
    assert c.post(f"/runs/{run}/curate/rename_theme", data={**form, "csrf_token": "forged" * 8}).status_code == 403
    assert c.post("/upload", files=[("files", ("a.txt", b"P1: hi"))]).status_code == 403
    assert c.post("/runs", data={"input": "x"}, headers={"X-CSRF-Token": "nope"}).status_code == 403
    cross = {**_csrf(c), "Origin": "http://evil.example"}
    assert c.post(f"/runs/{run}/curate/rename_theme", data=form, headers=cross).status_code == 403
    fetch = {**_csrf(c), "Sec-Fetch-Site": "cross-site"}
    assert c.post(f"/runs/{run}/curate/rename_theme", data=form, headers=fetch).status_code == 403


def test_foreign_host_header_is_refused(site: dict[str, Any]) -> None:
    r = site["c"].get("/", headers={"host": "rebind.example:8000"})
    assert r.status_code == 400 and "Host" in r.text


def test_upload_refuses_bad_names_types_and_sizes(site: dict[str, Any]) -> None:
    c, ws = site["c"], site["ws"]
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("../../escaped.txt", "Ann: hello there, this is a test")
        z.writestr("ok/p5.txt", "Interviewer: Hi\nAnn: Month end takes us far too long every single month.\n")
        z.writestr("bomb.txt", "a" * 2_000_000)  # deflates to a few KB, unpacks past the 1 MB limit
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w") as z:
        z.writestr("../../escaped2.txt", "Ann: hello")
        z.writestr("fine.md", "Interviewer: Hi\nAnn: Approvals sit in inboxes for a week.\n")
    files = [("files", ("../../../evil.txt", b"Ann: hi")), ("files", ("/etc/passwd.txt", b"Ann: hi")),
             ("files", ("..\\..\\win.txt", b"Ann: hi")), ("files", ("notes/.hidden.txt", b"Ann: hi")),
             ("files", ("report.docx", b"Ann: I am text, not Word")), ("files", ("tool.exe", b"MZ\x90\x00")),
             ("files", ("scan.pdf.txt", b"%PDF-1.7 ...")), ("files", ("img.vtt", PNG)),
             ("files", ("big.txt", b"Ann: " + b"x" * 600_000)), ("files", ("bomb.zip", zbuf.getvalue())),
             ("files", ("archive.zip", small.getvalue()))]
    r = c.post("/upload", files=files, headers={**_csrf(c), "accept": "application/json"})
    assert r.status_code == 200, r.text
    got = {f["name"]: f for f in r.json()["files"]}
    for name in ("../../../evil.txt", "/etc/passwd.txt", "..\\..\\win.txt"):
        assert got[name]["status"] == "failed" and "unsafe file name" in got[name]["reason"]
    assert "hidden" in got["notes/.hidden.txt"]["reason"]
    assert "zip archive" not in got["report.docx"]["reason"] and "content is text" in got["report.docx"]["reason"]
    assert "unsupported file type .exe" in got["tool.exe"]["reason"]
    assert "PDF" in got["scan.pdf.txt"]["reason"] and "PNG" in got["img.vtt"]["reason"]
    assert "per-file limit" in got["big.txt"]["reason"]
    assert "unpacks to" in got["bomb.zip"]["reason"]
    assert got["archive/../../escaped2.txt"]["status"] == "failed"
    assert got["archive/fine.md"]["status"] == "ingested", got["archive/fine.md"]
    assert not list(site["root"].rglob("evil.txt")) and not list(ws.parent.rglob("escaped*.txt"))
    assert not Path("/etc/passwd.txt").exists()


def test_upload_limits_on_request_size_and_file_count(site: dict[str, Any]) -> None:
    c = site["c"]
    big = [("files", (f"f{i}.txt", b"Ann: " + b"y" * 450_000)) for i in range(8)]  # 3.6 MB > 3 MB
    assert c.post("/upload", files=big, headers=_csrf(c)).status_code == 413
    many = [("files", (f"n{i}.txt", b"Ann: hello")) for i in range(15)]  # 15 > 14 files
    assert c.post("/upload", files=many, headers=_csrf(c)).status_code == 400
    assert c.post("/upload", data={"x": "1"}, headers=_csrf(c)).status_code == 400  # no files at all


def test_start_run_validates_its_form(site: dict[str, Any]) -> None:
    c = site["c"]
    assert c.post("/runs", data={"input": "/etc"}, headers=_csrf(c)).status_code == 400
    ok_input = str(site["uploads"])
    assert c.post("/runs", data={"input": ok_input, "provider": "evil;rm"}, headers=_csrf(c)).status_code == 400
    assert c.post("/runs", data={"input": ok_input, "preset": "nope"}, headers=_csrf(c)).status_code == 400
    bad_url = {"input": ok_input, "provider": "openai-compat:x", "base_url": "file:///etc"}
    assert c.post("/runs", data=bad_url, headers=_csrf(c)).status_code == 400


def _curate(c: TestClient, run: str, op: str, data: dict[str, Any]) -> Any:
    return c.post(f"/runs/{run}/curate/{op}", data=data, headers={**_csrf(c), "accept": "application/json"})


def test_curation_changes_pages_report_and_exports(site: dict[str, Any]) -> None:
    c, run = site["c"], site["run_id"]
    themes = json.loads((site["run"] / "themes.json").read_text())
    r = _curate(c, run, "rename_theme", {"theme_id": themes[0]["id"], "label": "Month-end <close> pain"})
    assert r.status_code == 201 and r.json()["who"] == "tester" and r.json()["at"] > 0
    assert "Month-end &lt;close&gt; pain" in c.get(f"/runs/{run}/themes").text
    assert "Month-end &lt;close&gt; pain" in c.get(f"/runs/{run}/report").text
    report = c.get(f"/runs/{run}/export/json").json()
    assert report["themes"][0]["label"] == "Month-end <close> pain"
    assert "Month-end" in c.get(f"/runs/{run}/export/md").text

    finding = json.loads((site["run"] / "findings.json").read_text())[0]
    r = _curate(c, run, "edit_finding", {"finding_id": finding["id"], "statement": "Closing takes too long."})
    assert r.status_code == 201
    exported = {f["id"]: f for f in c.get(f"/runs/{run}/export/json").json()["findings"]}
    assert exported[finding["id"]]["statement_source"] == "human"
    assert exported[finding["id"]]["evidence_ids"] == finding["evidence_ids"]
    assert "edited by a curator" in c.get(f"/runs/{run}/findings").text

    victim = finding["evidence_ids"][0]
    reject = {"evidence_id": victim, "reason": "interviewer's words"}
    assert _curate(c, run, "reject_evidence", reject).status_code == 201
    assert _curate(c, run, "reject_evidence", {"evidence_id": victim, "reason": "again"}).status_code == 400
    assert victim not in c.get(f"/runs/{run}/findings/{finding['id']}").text.split("From the notes")[0]
    rows = list(csv.DictReader(io.StringIO(c.get(f"/runs/{run}/export/csv").text)))
    assert {r["id"]: r["status"] for r in rows}[victim] == "rejected"
    assert victim not in json.dumps(c.get(f"/runs/{run}/export/json").json()["evidence"])

    log = c.get(f"/runs/{run}/curation").text
    assert "interviewer&#39;s words" in log and "tester" in log


def test_merge_split_and_pin(site: dict[str, Any]) -> None:
    c, run = site["c"], site["run_id"]
    themes = json.loads((site["run"] / "themes.json").read_text())
    a, b = themes[-2], themes[-1]
    r = c.post(f"/runs/{run}/curate/merge_themes", data={"theme_id": a["id"], "other": [b["id"]], "label": "Merged",
                                                        "next": f"/runs/{run}/themes"}, headers=_csrf(c))
    assert r.status_code == 303 and r.headers["location"] == f"/runs/{run}/themes"
    page = c.get(f"/runs/{run}/themes").text
    assert "Merged" in page and f'id="theme-{b["id"]}"' not in page
    moving = a["evidence_ids"][:1]
    assert _curate(c, run, "split_theme", {"theme_id": a["id"], "evidence": moving, "label": "Split off"}
                   ).status_code == 201
    assert "Split off" in c.get(f"/runs/{run}/themes").text

    personas = json.loads((site["run"] / "personas.json").read_text())
    quote = next(e for e in _evidence(site["run"]) if e["voice"] == "participant" and
                 e["id"] not in {q["evidence_id"] for q in personas[0]["quotes"]})
    assert _curate(c, run, "pin_quote", {"persona_id": personas[0]["id"], "evidence_id": quote["id"]}
                   ).status_code == 201
    first = c.get(f"/runs/{run}/export/json").json()["personas"][0]["quotes"][0]
    assert first["evidence_id"] == quote["id"]


@pytest.mark.parametrize("op,data,status", [
    ("rename_theme", {"theme_id": "t999", "label": "x"}, 400), ("rename_theme", {"theme_id": "t1", "label": ""}, 400),
    ("merge_themes", {"theme_id": "t1"}, 400), ("split_theme", {"theme_id": "t1", "label": "x"}, 400),
    ("split_theme", {"theme_id": "t1", "label": "x", "evidence": ["e-not-there"]}, 400),
    ("reject_evidence", {"evidence_id": "e-not-there", "reason": "x"}, 400),
    ("reject_evidence", {"evidence_id": "e-not-there", "reason": ""}, 400),
    ("pin_quote", {"persona_id": "nobody", "evidence_id": "e-x"}, 400),
    ("edit_finding", {"finding_id": "f999", "statement": "x"}, 400), ("drop_tables", {}, 404)])
def test_bad_curation_is_refused_and_not_logged(site: dict[str, Any], op: str, data: dict[str, Any],
                                                status: int) -> None:
    from segscribe.store.curation_log import CurationLog
    from segscribe.store.workspace import Workspace

    log = CurationLog(Workspace.open(site["ws"]))
    before = len(log.actions())
    assert _curate(site["c"], site["run_id"], op, data).status_code == status
    assert len(log.actions()) == before


def test_csv_export_neutralises_formulas(site: dict[str, Any]) -> None:
    from segscribe.web.export import neutralise

    assert [neutralise(v) for v in ("=1+1", "+x", "-2", "@SUM(A1)", "\tx", "fine", None, 3)] == [
        "'=1+1", "'+x", "'-2", "'@SUM(A1)", "'\tx", "fine", "", "3"]
    fake = site["ws"] / "runs" / "20990101-000000-csv"
    fake.mkdir()
    row = {"id": "e-f1", "kind": "pain", "summary": "=HYPERLINK(\"http://x\")", "doc_id": "d", "passage_id": "d:0",
           "speaker": "@ann", "citations": [{"doc_id": "d", "start": 0, "end": 12, "quote": "=cmd|' /C calc"}]}
    (fake / "evidence.jsonl").write_text(json.dumps(row) + "\n")
    text = site["c"].get(f"/runs/{fake.name}/export/csv").text
    rec = next(csv.DictReader(io.StringIO(text)))
    assert rec["text"] == "'=cmd|' /C calc" and rec["summary"].startswith("'=") and rec["speaker"] == "'@ann"
    assert site["c"].get(f"/runs/{fake.name}/export/html").status_code == 404  # no report yet
    (fake / "themes.json").write_text('[{"id": 1}]')
    damaged = site["c"].get(f"/runs/{fake.name}/themes")
    assert damaged.status_code == 500 and "themes.json is damaged" in damaged.text


def test_set_curator_name(site: dict[str, Any]) -> None:
    c = site["c"]
    r = c.post("/user", data={"name": "Ana <b>", "next": "//evil.example"}, headers=_csrf(c))
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert 'name="name" value="Ana b"' in c.get("/").text
    c.cookies.delete("segscribe_user")


def test_token_protects_a_public_bind(tmp_path: Path) -> None:
    from segscribe.web.settings import ServeError, check_bind

    with pytest.raises(ServeError, match="without an access token"):
        check_bind(_settings(tmp_path, host="0.0.0.0"))
    with pytest.raises(ServeError, match="at least 12"):
        check_bind(_settings(tmp_path, host="0.0.0.0", token="short"))
    check_bind(_settings(tmp_path, host="::1"))
    token = "correct-horse-battery"
    c = TestClient(create_app(_settings(tmp_path / "ws", host="0.0.0.0", token=token)), base_url="http://10.0.0.5:8000",
                   follow_redirects=False)
    r = c.get("/runs")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert c.post("/upload", headers=_csrf(c)).status_code == 401
    assert c.post("/login", data={"token": "wrong-wrong-wrong", "next": "/runs"}, headers=_csrf(c)).status_code == 401
    assert c.get("/runs", headers={"authorization": f"Bearer {token}"}).status_code == 200
    r = c.post("/login", data={"token": token, "next": "/runs"}, headers=_csrf(c))
    assert r.status_code == 303 and r.headers["location"] == "/runs"
    assert token not in c.cookies["segscribe_auth"]
    assert c.get("/runs").status_code == 200


def test_serve_refuses_public_bind_without_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from segscribe.cli.main import app

    monkeypatch.delenv("SEGSCRIBE_WEB_TOKEN", raising=False)
    res = CliRunner().invoke(app, ["serve", "--workspace", str(tmp_path / "ws"), "--host", "0.0.0.0"])
    assert res.exit_code == 2 and "refusing to serve on 0.0.0.0 without an access token" in res.output


def test_projects_each_get_their_own_workspace(tmp_path: Path) -> None:
    root = tmp_path / "projects"
    c = TestClient(create_app(_settings(tmp_path / "unused", projects=root)), base_url=BASE, follow_redirects=False)
    assert "No projects yet" in c.get("/").text
    for bad in ("../escape", "a/b", "", ".hidden", "x" * 70):
        assert c.post("/projects", data={"name": bad}, headers=_csrf(c)).status_code == 400, bad
    assert c.post("/projects", data={"name": "acme"}).status_code == 403  # CSRF here too
    r = c.post("/projects", data={"name": "acme"}, headers=_csrf(c))
    assert r.status_code == 303 and r.headers["location"] == "/p/acme/"
    assert c.post("/projects", data={"name": "globex"}, headers=_csrf(c)).status_code == 303
    assert c.get("/p/acme").status_code == 307 and c.get("/p/nope/").status_code == 404
    home = c.get("/p/acme/")
    assert home.status_code == 200 and 'href="/p/acme/upload"' in home.text and str(root / "acme") in home.text
    assert c.get("/p/acme/static/app.css").status_code == 200
    files = [("files", ("notes/a.txt", b"Interviewer: Hi\nAnn: Month end takes us eleven days every month.\n"))]
    up = c.post("/p/acme/upload", files=files, headers={**_csrf(c), "accept": "application/json"})
    assert up.status_code == 200 and up.json()["files"][0]["status"] == "ingested"
    assert list((root / "acme" / "uploads").rglob("a.txt")) and not (root / "globex" / "uploads").exists()
    assert "acme" in c.get("/").text and "globex" in c.get("/").text
    assert c.get("/p/globex/runs").status_code == 200


def test_sign_in_with_projects(tmp_path: Path) -> None:
    """The projects list has its own /login (no workspace behind it): the token signs in there too."""
    token = "correct-horse-battery"
    c = TestClient(create_app(_settings(tmp_path / "unused", projects=tmp_path / "projects", token=token)),
                   base_url=BASE, follow_redirects=False)
    assert c.get("/").status_code == 303
    assert c.post("/login", data={"token": "wrong-wrong-wrong"}, headers=_csrf(c)).status_code == 401
    r = c.post("/login", data={"token": token, "next": "/"}, headers=_csrf(c))
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert c.get("/").status_code == 200


EDITOR_TOKEN, READ_TOKEN = "editor-token-0123456789", "reader-token-0123456789"
READ_ONLY = "this is a read-only link: ask the owner for the access token to change anything"


def _shared_client(ws: Path, **kw: Any) -> TestClient:
    app = create_app(_settings(ws, token=EDITOR_TOKEN, read_token=READ_TOKEN, **kw))
    return TestClient(app, base_url=BASE, follow_redirects=False)


def _post_forms(html: str) -> list[str]:
    return re.findall(r'<form[^>]* method="post" action="([^"]*)"', html)


@pytest.fixture(scope="module")
def reader(site: dict[str, Any]) -> TestClient:
    """A browser that opened the share link of the study workspace (served again with both tokens)."""
    c = _shared_client(site["ws"])
    assert c.get(f"/share/{READ_TOKEN}").status_code == 200
    return c


def test_share_link_signs_in_a_reader_with_a_keyed_cookie(site: dict[str, Any]) -> None:
    from segscribe.web.security import read_session_value, session_value

    c = _shared_client(site["ws"])
    r = c.get(f"/share/{READ_TOKEN}")
    target = f"/runs/{site['run_id']}/findings"
    assert r.status_code == 200 and f'http-equiv="refresh" content="0; url={target}"' in r.text
    assert f'id="open-shared" href="{target}"' in r.text
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("segscribe_read="))
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    value = c.cookies["segscribe_read"]
    assert READ_TOKEN not in value and EDITOR_TOKEN not in value
    assert value == read_session_value(READ_TOKEN) != session_value(READ_TOKEN)
    assert "segscribe_auth" not in c.cookies
    page = c.get(target)
    assert page.status_code == 200 and 'id="read-only"' in page.text
    assert 'href="/upload"' not in page.text and _post_forms(page.text) == ["/logout"]


def test_read_token_signs_in_at_login_and_the_access_token_switches_to_editor(site: dict[str, Any]) -> None:
    c = _shared_client(site["ws"])
    r = c.post("/login", data={"token": READ_TOKEN, "next": "/runs"}, headers=_csrf(c))
    assert r.status_code == 303 and r.headers["location"] == "/runs"
    runs = c.get("/runs").text
    assert 'id="read-only"' in runs and 'id="start-run"' not in runs and READ_TOKEN not in runs
    assert c.post("/login", data={"token": EDITOR_TOKEN, "next": "/runs"}, headers=_csrf(c)).status_code == 303
    assert "segscribe_read" not in c.cookies  # one role per browser
    runs = c.get("/runs").text
    assert 'id="read-only"' not in runs and 'id="start-run"' in runs


@pytest.mark.parametrize("path", [
    "/", "/runs", "/upload", "/runs/{run}", "/runs/{run}/findings", "/runs/{run}/findings/f1", "/runs/{run}/themes",
    "/runs/{run}/themes/t1", "/runs/{run}/personas", "/runs/{run}/segments", "/runs/{run}/evidence",
    "/runs/{run}/evidence?kind=pain&voice=participant", "/runs/{run}/cite/{ev}", "/runs/{run}/curation",
    "/search?q=month-end", "/runs/{run}/report"])
def test_reader_reads_every_page_without_controls(site: dict[str, Any], reader: TestClient, path: str) -> None:
    ev = _evidence(site["run"])[0]["id"]
    r = reader.get(path.format(run=site["run_id"], ev=ev))
    assert r.status_code == 200, (path, r.text[:300])
    if path.endswith("/report"):
        return  # the report's own page, no app header
    assert 'id="read-only"' in r.text and 'href="/upload"' not in r.text, path
    assert _post_forms(r.text) == ["/logout"], path  # no upload, run, resume, curation or name form
    assert READ_TOKEN not in r.text and "share-link" not in r.text


def test_reader_downloads_exports(site: dict[str, Any], reader: TestClient) -> None:
    run = site["run_id"]
    for fmt in ("html", "md", "json", "csv"):
        r = reader.get(f"/runs/{run}/export/{fmt}")
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"], fmt
    assert reader.get(f"/runs/{run}/export/json").json()["findings"]


def test_reader_changes_nothing(site: dict[str, Any], reader: TestClient) -> None:
    from segscribe.store.curation_log import CurationLog
    from segscribe.store.workspace import Workspace

    run = site["run_id"]
    log = CurationLog(Workspace.open(site["ws"]))
    before, batches = len(log.actions()), sorted((site["ws"] / "uploads").iterdir())
    posts = [("/upload", {"files": [("files", ("a.txt", b"Ann: Month end takes too long every month."))]}),
             ("/runs", {"data": {"input": str(site["uploads"]), "provider": "offline"}}),
             (f"/runs/{run}/resume", {}),
             (f"/runs/{run}/curate/rename_theme", {"data": {"theme_id": "t1", "label": "Reader was here"}}),
             (f"/runs/{run}/curate/reject_evidence", {"data": {"evidence_id": "e1", "reason": "nope"}}),
             ("/user", {"data": {"name": "Reader"}})]
    for path, kw in posts:
        r = reader.post(path, headers=_csrf(reader), **kw)
        assert r.status_code == 403 and r.text == READ_ONLY, path
    bearer = {**_csrf(reader), "authorization": f"Bearer {READ_TOKEN}"}
    assert reader.post(f"/runs/{run}/curate/rename_theme", data={"theme_id": "t1", "label": "x"},
                       headers=bearer).text == READ_ONLY
    assert len(log.actions()) == before and sorted((site["ws"] / "uploads").iterdir()) == batches
    assert "segscribe_user" not in reader.cookies


def test_a_reader_can_sign_out(site: dict[str, Any]) -> None:
    c = _shared_client(site["ws"])
    c.get(f"/share/{READ_TOKEN}")
    r = c.post("/logout", headers=_csrf(c))
    assert r.status_code == 303 and "segscribe_read" not in c.cookies
    assert c.get("/runs").status_code == 303  # back to the sign-in page


def test_editor_keeps_full_access_and_sees_the_share_link(site: dict[str, Any]) -> None:
    c = _shared_client(site["ws"])
    assert c.post("/login", data={"token": EDITOR_TOKEN, "next": "/"}, headers=_csrf(c)).status_code == 303
    for path in ("/", "/runs"):
        page = c.get(path).text
        assert f"<code>/share/{READ_TOKEN}</code>" in page and 'id="read-only"' not in page, path
    findings = c.get(f"/runs/{site['run_id']}/findings").text
    assert 'href="/upload"' in findings and "/user" in _post_forms(findings)
    r = c.post("/user", data={"name": "Editor"}, headers=_csrf(c))
    assert r.status_code == 303 and c.cookies["segscribe_user"] == "Editor"
    assert c.get("/upload").text.count('id="upload-form"') == 1
    bearer = {"authorization": f"Bearer {EDITOR_TOKEN}"}
    fresh = _shared_client(site["ws"])
    assert fresh.post("/runs", data={"input": "/etc"}, headers={**_csrf(fresh), **bearer}).status_code == 400


def test_wrong_share_token_is_refused_without_a_hint(site: dict[str, Any], tmp_path: Path) -> None:
    from segscribe.web.security import FAILED_LOGIN_DELAY

    c = _shared_client(site["ws"])
    for wrong in ("reader-token-0123456788", EDITOR_TOKEN, READ_TOKEN[:-1], "x"):
        start = time.monotonic()
        r = c.get(f"/share/{wrong}")
        assert time.monotonic() - start >= FAILED_LOGIN_DELAY * 0.9, wrong
        main = re.search(r"<main>(.*)</main>", r.text, re.S)
        assert r.status_code == 404 and main and "Not Found" in main.group(1), wrong
        assert not re.search("token|share|read", main.group(1), re.I), wrong
        assert "segscribe_read" not in c.cookies and "segscribe_auth" not in c.cookies
    assert c.get("/runs").status_code == 303
    plain = TestClient(create_app(_settings(tmp_path / "ws", token=EDITOR_TOKEN)), base_url=BASE,
                       follow_redirects=False)
    assert plain.get(f"/share/{READ_TOKEN}").status_code == 404  # no read token configured


def test_share_link_of_a_project(tmp_path: Path) -> None:
    c = _shared_client(tmp_path / "unused", projects=tmp_path / "projects")
    assert c.post("/login", data={"token": EDITOR_TOKEN, "next": "/"}, headers=_csrf(c)).status_code == 303
    assert c.post("/projects", data={"name": "acme"}, headers=_csrf(c)).status_code == 303
    assert f"<code>/p/acme/share/{READ_TOKEN}</code>" in c.get("/p/acme/").text
    reader = _shared_client(tmp_path / "unused", projects=tmp_path / "projects")
    r = reader.get(f"/p/acme/share/{READ_TOKEN}")
    assert r.status_code == 200 and 'url=/p/acme/"' in r.text  # no run yet: the project's start page
    home = reader.get("/p/acme/")
    assert home.status_code == 200 and 'id="read-only"' in home.text and 'href="/p/acme/upload"' not in home.text
    assert _post_forms(reader.get("/").text) == ["/logout"]  # no "new project" form
    assert reader.post("/projects", data={"name": "evil"}, headers=_csrf(reader)).text == READ_ONLY
    assert reader.post("/p/acme/upload", files=[("files", ("a.txt", b"Ann: hi"))],
                       headers=_csrf(reader)).status_code == 403
    assert not (tmp_path / "projects" / "evil").exists()


def test_read_token_is_checked_at_startup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from segscribe.cli.main import app
    from segscribe.web.settings import ServeError, check_bind

    with pytest.raises(ServeError, match="needs an access token too: set --token"):
        check_bind(_settings(tmp_path, read_token=READ_TOKEN))
    with pytest.raises(ServeError, match="must differ from the access token"):
        check_bind(_settings(tmp_path, token=READ_TOKEN, read_token=READ_TOKEN))
    for bad, why in (("short", "12 to 200 characters"), ("r" * 201, "12 to 200 characters"),
                     ("has/a/slash-in-it", "letters, digits"), ("has spaces in it", "letters, digits")):
        with pytest.raises(ServeError, match=why):
            check_bind(_settings(tmp_path, token=EDITOR_TOKEN, read_token=bad))
    check_bind(_settings(tmp_path, host="0.0.0.0", token=EDITOR_TOKEN, read_token=READ_TOKEN))
    monkeypatch.delenv("SEGSCRIBE_WEB_TOKEN", raising=False)
    monkeypatch.setenv("SEGSCRIBE_WEB_READ_TOKEN", READ_TOKEN)
    res = CliRunner().invoke(app, ["serve", "--workspace", str(tmp_path / "ws")])
    assert res.exit_code == 2 and "set --token (or SEGSCRIBE_WEB_TOKEN) as well" in res.output
    res = CliRunner().invoke(app, ["serve", "--workspace", str(tmp_path / "ws"), "--token", READ_TOKEN])
    assert res.exit_code == 2 and "must differ" in res.output

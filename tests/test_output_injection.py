"""Hostile ids, file names and text cannot inject Markdown/HTML into reports or escapes into terminals."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from markdown_it import MarkdownIt
from typer.testing import CliRunner

from report_fixtures import sample_report
from segscribe.cli.common import safe_terminal_text
from segscribe.cli.main import app
from segscribe.report.html import JS, render_html
from segscribe.report.markdown import render_markdown

ESCAPES = ("\x1b]0;pwned title\x07", "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\",
           "\x1b[2J\x1b[31m", "\x9b31m", "\x1b]52;c;cGF5bG9hZA==\x07", "\u202e")


def _has_control(text: str) -> bool:
    return bool(re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text))


# ---------------------------------------------------------------- item 13: Markdown


def test_backticks_and_html_in_ids_and_file_names_stay_inside_code_spans() -> None:
    report = sample_report()
    hostile = "tickets/a`b``<img src=x onerror=alert(1)>`.csv"
    sources = [s.model_copy(update={"source": hostile}) for s in report.sources]
    persona = report.personas[0].model_copy(update={"data_sources": ["`<script>alert(2)</script>`"]})
    report = report.model_copy(update={"sources": sources, "personas": [persona, *report.personas[1:]],
                                       "run_id": "run``<b>bold</b>`"})
    html = MarkdownIt("commonmark").enable("table").render(render_markdown(report))
    for tag in ("<img", "<script", "<b>"):
        assert tag not in html, tag
    assert html.count("<code>tickets/a`b``&lt;img src=x onerror=alert(1)&gt;`.csv</code>") == len(sources)
    assert "<code>run``&lt;b&gt;bold&lt;/b&gt;`</code>" in html


# ---------------------------------------------------------------- item 15: CSP


def test_csp_allows_only_the_report_script_by_hash() -> None:
    page = render_html(sample_report())
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    directives = dict(d.strip().split(" ", 1) for d in csp.group(1).split(";") if d.strip())
    digest = base64.b64encode(hashlib.sha256(JS.encode("utf-8")).digest()).decode()
    assert directives["script-src"] == f"'sha256-{digest}'"
    assert "unsafe-inline" not in directives["script-src"]
    assert f"<script>{JS}</script>" in page
    assert directives["default-src"] == "'none'"


# ---------------------------------------------------------------- item 13: terminals


def test_safe_terminal_text_strips_escape_sequences() -> None:
    for esc in ESCAPES:
        cleaned = safe_terminal_text(f"before {esc} after")
        assert not _has_control(cleaned), repr(cleaned)
        assert cleaned.startswith("before ") and cleaned.endswith(" after")
    assert safe_terminal_text("tabs\tand\nnewlines — “quotes” ünïcode") == "tabs\tand\nnewlines — “quotes” ünïcode"
    assert "click here" in safe_terminal_text(ESCAPES[1])


def test_search_and_evidence_print_no_escape_sequences(tmp_path: Path) -> None:
    hostile = " ".join(ESCAPES)
    src = tmp_path / "in" / "int.txt"
    src.parent.mkdir()
    src.write_text(f"Interviewer: What breaks?\nDana: The invoice export breaks every month {hostile} and "
                   "I rebuild the spreadsheet by hand.\n", encoding="utf-8")
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "-w", str(ws), str(src)]).exit_code == 0
    res = runner.invoke(app, ["search", "-w", str(ws), "invoice export"])
    assert res.exit_code == 0 and "rebuild the spreadsheet" in res.output
    assert not _has_control(res.output.replace("\n", " ")), repr(res.output)

    from segscribe import artifacts as A
    from segscribe.artifacts import RunDir
    from segscribe.pipeline import gate
    from segscribe.schemas.evidence import DraftEvidence, EvidenceKind
    from segscribe.store.workspace import Workspace

    (doc,) = Workspace.open(ws).documents()
    voice = doc.evidence_passages()[0]
    draft = DraftEvidence(kind=EvidenceKind.pain, passage_id=voice.id, quote=voice.text, summary="export breaks")
    evidence = gate.check(doc, [draft], "test", "x").accepted
    assert evidence and any(ch in evidence[0].quote for ch in "\x1b\x9b\u202e")
    RunDir(ws / "runs" / "r1").write(A.EVIDENCE, evidence)
    res = runner.invoke(app, ["evidence", "-w", str(ws), "--run", "r1"])
    assert res.exit_code == 0 and "invoice export breaks" in res.output
    assert not _has_control(res.output.replace("\n", " ")), repr(res.output)

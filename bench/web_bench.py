"""Benchmark `segscribe serve`: upload-to-first-finding on corpus/, findings page with 5,000 evidence items, RSS.

Usage: python bench/web_bench.py [--out bench/results/web.json] [--skip-corpus]

Each figure is measured against the real server (a `segscribe serve` subprocess on a free 127.0.0.1 port):
- `corpus`: every file of corpus/ uploaded in one multipart request (as a browser sends a dropped folder), then
  an offline run on the uploaded corpus folder; times from the start of the upload to the upload's answer, to
  the first finding (runs/<id>/findings.json; until the findings stage exists, the first themes.json is
  timed instead and `first_finding_file` says which), and to the finished run.
- `findings_5000`: a synthetic run with 5,000 evidence items (80 % participants' words, 20 % notes) in 20
  findings and 20 themes, with 20 curation actions in the log; the findings page loaded in headless Chromium
  (navigation start to the load event), cold (first parse) and warm, and the evidence page (first 100 of 5,000).
- `rss_mb`: the server's resident memory (VmRSS) idle after start, and idle again after the corpus run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEGSCRIBE = str(Path(sys.executable).parent / "segscribe")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


class Server:
    def __init__(self, ws: Path) -> None:
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        env.pop("SEGSCRIBE_WEB_TOKEN", None)
        self.proc = subprocess.Popen([SEGSCRIBE, "serve", "-w", str(ws), "--port", str(self.port),
                                      "--max-upload-mb", "500", "--max-files", "2000"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = httpx.Client(base_url=self.url, timeout=600)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        self.client.get("/")
        self.csrf = {"X-CSRF-Token": self.client.cookies["segscribe_csrf"]}

    def rss(self) -> float:
        time.sleep(2)  # let the allocator settle after the last request
        return _rss_mb(self.proc.pid)

    def stop(self) -> None:
        self.client.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)


def bench_corpus(srv: Server, ws: Path) -> dict[str, Any]:
    files = [("files", (f"corpus/{p.relative_to(CORPUS).as_posix()}", p.read_bytes()))
             for p in sorted(CORPUS.rglob("*")) if p.is_file()]
    t0 = time.perf_counter()
    up = srv.client.post("/upload", files=files, headers={**srv.csrf, "accept": "application/json"})
    t_upload = time.perf_counter() - t0
    up.raise_for_status()
    folder = ws.resolve() / "uploads" / up.json()["batch"] / "corpus"
    run = srv.client.post("/runs", data={"input": str(folder)}, headers={**srv.csrf, "accept": "application/json"})
    run.raise_for_status()
    run_dir = ws / "runs" / run.json()["run_id"]
    first: tuple[str, float] | None = None
    while True:
        for name in ("findings.json", "themes.json"):
            if first is None and (run_dir / name).exists():
                first = (name, time.perf_counter() - t0)
        state = srv.client.get(f"/runs/{run_dir.name}/progress")
        if state.status_code == 286:
            break
        time.sleep(0.2)
    counts: dict[str, int] = {}
    for f in up.json()["files"]:
        counts[f["status"]] = counts.get(f["status"], 0) + 1
    return {"files": len(files), "upload_results": counts, "upload_s": round(t_upload, 2),
            "first_finding_file": first[0] if first else None, "first_finding_s": round(first[1], 2) if first else None,
            "run_finished_s": round(time.perf_counter() - t0, 2), "finished": 'data-state="finished"' in state.text}


def synthetic_run(ws: Path, n: int = 5000, groups: int = 20) -> str:
    """A run folder with n evidence items in `groups` findings and themes (text generated here)."""
    from segscribe.schemas.curation import GroupRef, RejectEvidence, RenameTheme
    from segscribe.schemas.finding import Coverage, Finding, StatementPart
    from segscribe.store.curation_log import CurationLog
    from segscribe.store.workspace import Workspace

    run_id = "20990101-000000-bench"
    run = ws / "runs" / run_id
    run.mkdir(parents=True)
    rows, themes, findings = [], [], []
    for i in range(n):
        quote = f"Item {i}: closing the month takes us {i % 17 + 2} days because approvals wait in inboxes."
        rows.append({"id": f"e-{i:05d}", "kind": ["pain", "goal", "workaround", "objection"][i % 4],
                     "summary": quote[:60], "doc_id": f"d{i % 200}", "passage_id": f"d{i % 200}:1",
                     "speaker": f"P{i % 200}", "participant_id": f"p{i % 200}",
                     "voice": "notes" if i % 5 == 0 else "participant",
                     "citations": [{"doc_id": f"d{i % 200}", "start": 10, "end": 10 + len(quote), "quote": quote}]})
    (run / "evidence.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    per = n // groups
    for g in range(groups):
        ids = [r["id"] for r in rows[g * per:(g + 1) * per]]
        themes.append({"id": f"t{g + 1}", "label": f"theme {g + 1}", "evidence_ids": ids, "doc_share": 0.5,
                       "representative_id": ids[0]})
        finding = Finding(id=f"f{g + 1}", rank=g + 1, label=f"finding {g + 1}", statement=rows[g * per]["summary"],
                          parts=[StatementPart(text="s", evidence_ids=ids[:2])], evidence_ids=ids,
                          coverage=Coverage(sessions=per // 2, total_sessions=200))
        findings.append(finding.model_dump(mode="json"))
    (run / "themes.json").write_text(json.dumps(themes))
    (run / "findings.json").write_text(json.dumps(findings))
    (run / "inputs.json").write_text(json.dumps({f"d{i}": {"source": f"d{i}.txt", "content_hash": "0" * 64}
                                                 for i in range(200)}))
    log = CurationLog(Workspace.open(ws))
    for g in range(10):
        log.append(RenameTheme(theme=GroupRef(id=themes[g]["id"], evidence_ids=themes[g]["evidence_ids"]),
                               label=f"renamed {g}", who="bench", run_id=run_id))
        log.append(RejectEvidence(evidence_id=rows[g * 7]["id"], reason="bench", who="bench", run_id=run_id))
    return run_id


def bench_findings(srv: Server, run_id: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page()
        for label, path in (("findings_cold", "findings"), ("findings_warm", "findings"),
                            ("findings_warm_2", "findings"), ("evidence_page", "evidence")):
            page.goto(f"{srv.url}/runs/{run_id}/{path}", wait_until="load")
            timing = page.evaluate("() => { const t = performance.getEntriesByType('navigation')[0];"
                                   " return [t.responseStart, t.loadEventEnd]; }")
            out[f"{label}_ttfb_ms"] = round(timing[0])
            out[f"{label}_load_ms"] = round(timing[1])
        page.goto(f"{srv.url}/runs/{run_id}/findings")
        out["findings_on_page"] = page.locator(".finding").count()
        out["evidence_items_on_findings_page"] = page.locator(".finding .ev").count()
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "web.json"))
    ap.add_argument("--skip-corpus", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="web-bench-"))
    figures: dict[str, Any] = {"loadavg_start": os.getloadavg()[0]}
    try:
        ws = tmp / "ws"
        srv = Server(ws)
        figures["rss_mb_idle_start"] = srv.rss()
        if not args.skip_corpus:
            figures["corpus"] = bench_corpus(srv, ws)
            figures["rss_mb_idle_after_run"] = srv.rss()
        srv.stop()
        ws2 = tmp / "ws-5000"
        run_id = synthetic_run(ws2)
        srv = Server(ws2)
        figures["findings_5000"] = bench_findings(srv, run_id)
        srv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    figures["loadavg_end"] = os.getloadavg()[0]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

"""End-to-end scale benchmark: `segscribe run` (offline) on 25k, 50k and 100k generated tickets.

For each size: tickets from bench/ticketgen.py (exports of 25,000 rows), a fresh workspace, then
`segscribe run` in a child process whose resident memory is sampled every 0.2 s and attributed to the stage
running at that moment (read from the files the run has written so far). The child wraps the MiniLM
embedder to add up the time spent embedding. Afterwards the raw embedder (MiniLMEmbedder.embed in chunks of
1,024) is timed on an even sample of the same customer windows, to compare ingest throughput with it.

Reports wall time, peak RSS per stage, embedding share, duplicates found vs the generator's truth, theme
ARI/NMI against the Bitext categories, and the log-log slope of time vs tickets.

Usage: python bench/bench_scale.py [--sizes 25000,50000,100000] [--out bench/results/scale.json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

STAGE_FILES = [("ingest.json", "load"), ("extract", "index"), ("evidence.jsonl", "extract+verify"),
               ("findings.json", "findings"), ("themes.json", "themes"), ("segments.json", "segment"),
               ("personas.json", "draft"), ("scoring.json", "score"), ("report.html", "report")]
RAW_SAMPLE = 10_000


def _stage(ws: Path) -> str:
    runs = [p for p in (ws / "runs").glob("*") if p.is_dir()] if (ws / "runs").exists() else []
    if not runs:
        return "start"
    run = runs[0]
    stage = "load"
    for name, before in STAGE_FILES:
        if not (run / name).exists():
            return before
        stage = "done"
    return stage


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child_run(tickets: str, ws: str, out: str) -> None:
    """In the child: wrap the embedder with a stopwatch, then run the CLI exactly as a user would."""
    from segscribe.cli.main import app
    from segscribe.embed import onnx_minilm

    spent = {"seconds": 0.0, "texts": 0, "calls": 0}
    inner = onnx_minilm.MiniLMEmbedder.embed

    def timed(self: Any, texts: list[str]) -> Any:
        t0 = time.perf_counter()
        try:
            return inner(self, texts)
        finally:
            spent["seconds"] += time.perf_counter() - t0
            spent["texts"] += len(texts)
            spent["calls"] += 1

    onnx_minilm.MiniLMEmbedder.embed = timed  # type: ignore[method-assign]
    try:
        app(["-w", ws, "run", tickets, "--json"], standalone_mode=False)
    finally:
        Path(out).write_text(json.dumps(spent), encoding="utf-8")


def _run(tickets: Path, ws: Path, tmp: Path) -> dict[str, Any]:
    embed_out = tmp / "embed.json"
    cmd = [sys.executable, __file__, "--child", str(tickets), str(ws), str(embed_out)]
    t0 = time.perf_counter()
    load0 = os.getloadavg()[0]
    proc = subprocess.Popen(cmd, stdout=(tmp / "run.out").open("wb"), stderr=(tmp / "run.err").open("wb"))
    peaks: dict[str, float] = {}
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        stage, rss = _stage(ws), _rss_mb(proc.pid)
        peaks[stage] = round(max(peaks.get(stage, 0.0), rss), 1)
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"run failed: {(tmp / 'run.err').read_text()[-2000:]}")
    record = json.loads((tmp / "run.out").read_text())
    # CPU seconds are what a busy, shared machine changes least (wall time stretches with the load).
    return {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "loadavg_start_end": [round(load0, 2), round(os.getloadavg()[0], 2)],
            "peak_rss_mb_by_stage": peaks, "peak_rss_mb": max(peaks.values()), "run": record,
            "embedding": json.loads(embed_out.read_text())}


def _raw_rate(ws: Path) -> dict[str, Any]:
    """Raw embedder windows/s on an even sample of the indexed customer windows of this workspace."""
    from segscribe.embed.onnx_minilm import MiniLMEmbedder
    from segscribe.ingest.indexer import DEFAULT_INDEX_ROLES
    from segscribe.store.vectors import windows
    from segscribe.store.workspace import Workspace

    w = Workspace.open(ws)
    texts: list[str] = []
    for chunk in w.iter_documents():
        texts += [win.text for d in chunk for p in d.passages if p.role.value in DEFAULT_INDEX_ROLES
                  for win in windows(d, p)]
    step = max(1, len(texts) // RAW_SAMPLE)
    sample = texts[::step][:RAW_SAMPLE]
    emb = MiniLMEmbedder()
    emb.embed(["warm up"])
    t0 = time.perf_counter()
    for b in range(0, len(sample), 1024):
        emb.embed(sample[b : b + 1024])
    secs = time.perf_counter() - t0
    return {"windows": len(sample), "seconds": round(secs, 2), "windows_per_s": round(len(sample) / secs, 1)}


def _ticket_docs(ws: Path) -> list[str]:
    from segscribe.store.workspace import Workspace

    return [d.id for d in Workspace.open(ws).documents("ticket")]


def _quality(ws: Path, truth_path: Path, record: dict[str, Any]) -> dict[str, Any]:
    """Duplicates found vs the generator's truth; theme ARI/NMI vs category (ticket evidence only)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    truth = {}
    for line in truth_path.open(encoding="utf-8"):
        t = json.loads(line)
        truth[t["ticket_id"]] = t
    run_dir = Path(record["report"]).parent
    ingest = json.loads((run_dir / "ingest.json").read_text())
    flagged = [d["document"] for f in ingest["files"] for d in f["duplicates"]]
    flagged_tids = {d.split("-")[1].upper() for d in flagged}
    planted = {k for k, t in truth.items() if t["dup"]}
    themes = json.loads((run_dir / "themes.json").read_text())
    theme_of = {eid: t["id"] for t in themes for eid in t["evidence_ids"]}
    ticket_of = {}
    for line in (run_dir / "evidence.jsonl").open(encoding="utf-8"):
        e = json.loads(line)
        ticket_of[e["id"]] = e["doc_id"].split("-")[1].upper()
    pairs = [(truth[ticket_of[eid]]["category"], theme) for eid, theme in theme_of.items()
             if ticket_of.get(eid) in truth]
    cats, labs = zip(*pairs, strict=True) if pairs else ((), ())
    named = {ticket_of[eid] for t in themes if t["id"] != "t-other" for eid in t["evidence_ids"] if eid in ticket_of}
    kept = {d.split("-")[1].upper() for d in _ticket_docs(ws)}
    return {"tickets_kept": len(kept), "tickets_in_named_theme": len(named & kept),
            "share_in_named_theme": round(len(named & kept) / len(kept), 4) if kept else None,
            "duplicates_flagged": len(flagged), "planted": len(planted),
            "planted_found": len(planted & flagged_tids), "flagged_not_planted": len(flagged_tids - planted),
            "themes": len(themes), "theme_items": len(pairs),
            "theme_ari_vs_category": round(float(adjusted_rand_score(cats, labs)), 4) if pairs else None,
            "theme_nmi_vs_category": round(float(normalized_mutual_info_score(cats, labs)), 4) if pairs else None}


def measure(n: int, keep: Path | None) -> dict[str, Any]:
    from ticketgen import write

    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"segscribe-scale-{n}-", dir=keep))
    t0 = time.perf_counter()
    files = write(n, tmp / "data", seed=0, per_file=25_000)
    gen_s = time.perf_counter() - t0
    out = _run(files[0].parent, tmp / "ws", tmp)
    stats = out["run"]["stats"]
    windows = stats.get("indexed_windows", 0)
    raw = _raw_rate(tmp / "ws")
    ingest_s = stats.get("time_load", 0) + stats.get("time_index", 0)
    out.update({
        "tickets": n, "generate_s": round(gen_s, 1), "raw_embedder": raw,
        "ingest_windows_per_s": round(windows / ingest_s, 1) if ingest_s else None,
        "index_windows_per_s": round(windows / stats["time_index"], 1) if stats.get("time_index") else None,
        "quality": _quality(tmp / "ws", tmp / "data" / "truth.jsonl", out["run"]),
    })
    out["ingest_vs_raw"] = round(out["ingest_windows_per_s"] / raw["windows_per_s"], 3) if ingest_s else None
    out["embedding_share"] = round(out["embedding"]["seconds"] / out["wall_s"], 3)
    out["seconds_by_stage"] = {k[5:]: v for k, v in stats.items() if k.startswith("time_")}
    out["run"] = {k: out["run"][k] for k in ("run_id", "stats", "seconds")}
    if keep is None:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(out), flush=True)
    return out


def slope(results: list[dict[str, Any]], key: str = "wall_s") -> float | None:
    """Least-squares slope of log(time) against log(tickets)."""
    pts = [(math.log(r["tickets"]), math.log(r[key])) for r in results]
    if len(pts) < 2:
        return None
    mx, my = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return round(sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts), 3)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_run(*sys.argv[2:5])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="25000,50000,100000")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "scale.json")
    ap.add_argument("--keep", type=Path, help="keep the generated data and workspaces under this folder")
    args = ap.parse_args()
    results = [measure(int(n), args.keep) for n in args.sizes.split(",")]
    summary = {"sizes": results, "loglog_slope": slope(results), "loglog_slope_cpu": slope(results, "cpu_s"),
               "cpus": os.cpu_count()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"loglog_slope": summary["loglog_slope"], "loglog_slope_cpu": summary["loglog_slope_cpu"]}))


if __name__ == "__main__":
    main()

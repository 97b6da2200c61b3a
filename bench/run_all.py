"""Run every segscribe benchmark and write one JSON of figures.

Usage: python bench/run_all.py [--quick] [--out bench/results/figures.json]

Every measurement runs in its own fresh subprocess (``--child NAME ARGS_JSON``) so its peak RSS
(``ru_maxrss``) is not polluted by earlier ones. Needs ../shared/data; a set that is absent is
reported as ``skipped: absent``. See bench/README.md for what each figure means and the targets.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CREATIVES = DATA / "interviews_creatives" / "transcripts.csv"
BITEXT = DATA / "bitext_support" / "tickets.csv"
CORPUS = ROOT / "corpus"
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _subset(src: Path, dest_dir: Path, rows: int | None, copies: int = 1, name: str | None = None) -> Path:
    """A copy of a CSV (first `rows` rows, `copies` times with new ids and slightly varied text)."""
    import pandas as pd

    dest = dest_dir / (name or src.name)
    if not rows and copies == 1:
        shutil.copy(src, dest)
        return dest
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    if rows:
        df = df.head(rows)
    if copies > 1:
        parts = []
        text_col = "instruction" if "instruction" in df else "text"
        for n in range(copies):
            part = df.copy()
            if n:
                part[text_col] = part[text_col] + f" (ref {n})"
                if "transcript_id" in part:
                    part["transcript_id"] = part["transcript_id"] + f"_c{n}"
            parts.append(part)
        df = pd.concat(parts, ignore_index=True)
    df.to_csv(dest, index=False)
    return dest


# --------------------------------------------------------------------------- child measurements


def child_ingest_embed(args: dict[str, Any]) -> dict[str, Any]:
    """Ingest + embed + persist one file into a fresh workspace, then raw-embed the same windows."""
    from segscribe.embed.onnx_minilm import MiniLMEmbedder
    from segscribe.ingest.indexer import DEFAULT_INDEX_ROLES
    from segscribe.ingest.service import ingest_paths
    from segscribe.store.vectors import windows
    from segscribe.store.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="segscribe-bench-") as tmp:
        src = _subset(Path(args["path"]), Path(tmp), args.get("rows"))
        t0 = time.perf_counter()
        emb = MiniLMEmbedder()
        emb.embed(["warm up"])
        load_s = time.perf_counter() - t0
        ws = Workspace.open(Path(tmp) / "ws")
        t0 = time.perf_counter()
        rep = ingest_paths(ws, [src], index=True, embedder=emb)
        ingest_s = time.perf_counter() - t0
        peak_ingest = _peak_mb()
        docs = ws.documents()
        passages = sum(len(d.passages) for d in docs)
        texts = [
            w.text
            for d in docs
            for p in d.passages
            if p.role.value in DEFAULT_INDEX_ROLES
            for w in windows(d, p)
        ]
        t0 = time.perf_counter()
        for i in range(0, len(texts), 256):  # the indexer's chunk size
            emb.embed(texts[i : i + 256])
        raw_s = time.perf_counter() - t0
    wps_ingest = rep.indexed_windows / ingest_s if ingest_s else 0.0
    wps_raw = len(texts) / raw_s if raw_s else 0.0
    return {
        "file": Path(args["path"]).name,
        "documents": rep.indexed_documents,
        "passages": passages,
        "windows": rep.indexed_windows,
        "model_load_seconds": round(load_s, 2),
        "ingest_embed_persist_seconds": round(ingest_s, 2),
        "passages_per_s": round(passages / ingest_s, 1),
        "windows_per_s": round(wps_ingest, 1),
        "raw_embed_seconds": round(raw_s, 2),
        "raw_windows_per_s": round(wps_raw, 1),
        "throughput_ratio": round(wps_ingest / wps_raw, 3) if wps_raw else None,
        "target_ratio": 0.8,
        "peak_rss_mb_after_ingest": peak_ingest,
    }


def child_extract(args: dict[str, Any]) -> dict[str, Any]:
    """Offline extraction of every document after ingest (ingest without embedding, not timed)."""
    from segscribe.embed.onnx_minilm import MiniLMEmbedder
    from segscribe.extractors.offline import OfflineExtractor
    from segscribe.ingest.service import ingest_paths
    from segscribe.pipeline.extract import extract_document
    from segscribe.store.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="segscribe-bench-") as tmp:
        src = _subset(Path(args["path"]), Path(tmp), args.get("rows"), args.get("copies", 1))
        emb = MiniLMEmbedder()
        emb.embed(["warm up"])
        ws = Workspace.open(Path(tmp) / "ws")
        t0 = time.perf_counter()
        ingest_paths(ws, [src], index=bool(args.get("index", False)), embedder=emb)
        ingest_s = time.perf_counter() - t0
        docs = ws.documents()
        extractor = OfflineExtractor(emb)
        t0 = time.perf_counter()
        n_ev = sum(len(extract_document(d, extractor).evidence) for d in docs)
        extract_s = time.perf_counter() - t0
    return {
        "file": Path(args["path"]).name,
        "documents": len(docs),
        "evidence": n_ev,
        "ingest_seconds": round(ingest_s, 2),
        "extract_seconds": round(extract_s, 2),
        "total_seconds": round(ingest_s + extract_s, 2),
    }


def child_pipeline(args: dict[str, Any]) -> dict[str, Any]:
    """End-to-end run_pipeline from a fresh workspace (model load included)."""
    from segscribe.runner import RunOptions, run_pipeline
    from segscribe.store.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="segscribe-bench-") as tmp:
        inputs = [Path(p) for p in args["paths"]]
        if args.get("rows") or len(inputs) > 1:
            folder = Path(tmp) / "inputs"
            folder.mkdir()
            inputs = [folder] if all(p.is_file() for p in inputs) else inputs
            for p in args["paths"]:
                _subset(Path(p), folder, args.get("rows"))
        ws = Workspace.open(Path(tmp) / "ws")
        t0 = time.perf_counter()
        out: dict[str, Any] = {"inputs": [Path(p).name for p in args["paths"]]}
        try:
            res = run_pipeline(ws, RunOptions(inputs=inputs))
            out["status"] = "ok"
            if isinstance(res, dict):
                out["result_keys"] = sorted(map(str, res))[:20]
                out["run_status"] = str(res.get("status", ""))
        except Exception as exc:
            out["status"] = "error"
            out["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def child_external(args: dict[str, Any]) -> dict[str, Any]:
    from segscribe.evals.external import run_external_checks

    return run_external_checks()


CHILDREN = {
    "ingest_embed": child_ingest_embed,
    "extract": child_extract,
    "pipeline": child_pipeline,
    "external": child_external,
}


def run_child(name: str, args: dict[str, Any], timeout: float = 1800) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its JSON is the last stdout line."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, json.dumps(args)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout} s", "wall_seconds": round(time.perf_counter() - t0, 1)}
    wall = round(time.perf_counter() - t0, 2)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        return {
            "error": (proc.stderr or proc.stdout)[-800:],
            "returncode": proc.returncode,
            "wall_seconds": wall,
        }
    res = json.loads(lines[-1])
    res["wall_seconds_subprocess"] = wall
    print(f"  {name}: {json.dumps(res)[:300]}", file=sys.stderr)
    return res


def _slope(sizes: list[float], times: list[float]) -> float | None:
    pts = [(math.log(s), math.log(t)) for s, t in zip(sizes, times, strict=True) if s > 0 and t > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return round(sum((x - mx) * (y - my) for x, y in pts) / den, 3) if den else None


def _absent(*paths: Path) -> dict[str, Any] | None:
    missing = [str(p) for p in paths if not p.exists()]
    return {"skipped": "absent", "missing": missing} if missing else None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller subsets (about 2 minutes)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "figures.json")
    ap.add_argument(
        "--skip",
        default="",
        help="comma list of sections to skip: ingest,extract,pipeline,scaling,quant,external",
    )
    ap.add_argument("--child", nargs=2, metavar=("NAME", "ARGS_JSON"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        res = CHILDREN[a.child[0]](json.loads(a.child[1]))
        res["peak_rss_mb"] = _peak_mb()
        print(json.dumps(res, default=str))
        return
    skip = set(filter(None, a.skip.split(",")))
    q = a.quick
    t_start = time.perf_counter()
    figs: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "mode": "quick" if q else "full",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        },
    }
    creatives_rows = 30 if q else None
    bitext_rows = 1000 if q else None

    if "ingest" not in skip:
        print("ingest + embed + persist", file=sys.stderr)
        figs["ingest_embed"] = {
            "creatives": _absent(CREATIVES)
            or run_child("ingest_embed", {"path": str(CREATIVES), "rows": creatives_rows}),
            "bitext": _absent(BITEXT)
            or run_child("ingest_embed", {"path": str(BITEXT), "rows": bitext_rows}),
        }
    if "extract" not in skip:
        print("offline extraction", file=sys.stderr)
        figs["extract_creatives"] = _absent(CREATIVES) or {
            **run_child("extract", {"path": str(CREATIVES), "rows": creatives_rows}),
            "target_seconds": 60,
        }
    if "pipeline" not in skip:
        print("end-to-end pipeline", file=sys.stderr)
        figs["pipeline_corpus"] = {**run_child("pipeline", {"paths": [str(CORPUS)]}), "target_seconds": 60}
        figs["pipeline_creatives_bitext"] = _absent(CREATIVES, BITEXT) or {
            **run_child("pipeline", {"paths": [str(CREATIVES), str(BITEXT)], "rows": bitext_rows and 500}),
            "target_seconds": 300,
            "target_peak_rss_mb": 1536,
        }
    if "scaling" not in skip:
        print("scaling (ingest + extract of 1x, 2x, 4x tickets)", file=sys.stderr)
        if _absent(BITEXT):
            figs["scaling_bitext"] = _absent(BITEXT)
        else:
            base = 300 if q else None
            runs = {
                f"{c}x": run_child("extract", {"path": str(BITEXT), "rows": base, "copies": c, "index": True})
                for c in (1, 2, 4)
            }
            sizes = [r.get("documents", 0) for r in runs.values()]
            times = [r.get("total_seconds", 0) for r in runs.values()]
            figs["scaling_bitext"] = {
                "runs": runs,
                "documents": sizes,
                "seconds": times,
                "loglog_slope": _slope(sizes, times),
                "target_slope": "about 1 (linear)",
            }
    if "quant" not in skip:
        print("quant bench", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "quant.json"
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, str(ROOT / "bench" / "bench_quant.py"), str(out)],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            figs["quant"] = (
                json.loads(out.read_text())
                if out.is_file()
                else {"error": proc.stderr[-800:], "returncode": proc.returncode}
            )
            figs["quant"]["wall_seconds_subprocess"] = round(time.perf_counter() - t0, 2)
    if "external" not in skip and not q:
        print("external acceptance checks", file=sys.stderr)
        figs["external_checks"] = run_child("external", {})
    figs["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    figs["total_seconds"] = round(time.perf_counter() - t_start, 1)
    text = json.dumps(figs, indent=2, default=str)
    print(text)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

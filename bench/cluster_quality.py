"""Exact Ward vs micro-cluster Ward against the Bitext categories: ARI/NMI, time and peak memory, side by side.

Texts are the Bitext ``instruction`` (subsets of the shared file) and, for sizes above the file, tickets made
by bench/ticketgen.py (their ``category`` is in truth.jsonl). Every text is embedded with the project's
MiniLM embedder; both methods then cluster the same vectors, with k by silhouette (2..16) and at the true k.

With --scale N,..., times the clustering alone (k by silhouette 3..12, the themes default range) on N
synthetic unit vectors (12 noisy directions in 384 dimensions): seconds and traced peak memory only, to show
how time and memory grow with the number of evidence items.

Usage: python bench/cluster_quality.py [--sizes 1000,2000,4514] [--generated 9000,18000] [--scale 25000,100000]
       [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ticketgen import BITEXT, write  # noqa: E402


def _bitext(n: int) -> tuple[list[str], list[str]]:
    with BITEXT.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:n]
    return [r["instruction"] for r in rows], [r["category"] for r in rows]


def _generated(n: int) -> tuple[list[str], list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        paths = write(n, Path(tmp), seed=0, per_file=n)
        with paths[0].open(encoding="utf-8", newline="") as f:
            texts = [r["description"] for r in csv.DictReader(f)]
        truth = [json.loads(line)["category"] for line in (Path(tmp) / "truth.jsonl").open(encoding="utf-8")]
    return texts, truth


def _measure(vecs: np.ndarray, truth: list[str], method: str, k_min: int, k_max: int, seed: int = 0,
             micro: int | None = None) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from segscribe.pipeline.clustering import cluster_rows

    keys = [f"{i:08d}" for i in range(len(vecs))]
    tracemalloc.start()
    t0 = time.perf_counter()
    extra = {"micro": micro} if micro else {}
    res = cluster_rows(vecs, keys, k_min, k_max, method=method, seed=seed, **extra)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"k": res.k, "silhouette": round(res.silhouette, 4), "seconds": round(seconds, 2),
            "peak_traced_mb": round(peak, 1), "ari": round(float(adjusted_rand_score(truth, res.labels)), 4),
            "nmi": round(float(normalized_mutual_info_score(truth, res.labels)), 4)}


def _vectors(texts: list[str], cache: Path | None) -> np.ndarray:
    """MiniLM vectors of the texts, kept in `cache` (a folder outside the repo) by a hash of the texts."""
    import hashlib

    from segscribe.embed import default_embedder

    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"vectors-{key}.npy" if cache else None
    if path and path.exists():
        return np.load(path)
    vecs = default_embedder().embed(texts)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vecs)
    return vecs


def compare(texts: list[str], truth: list[str], source: str, cache: Path | None = None, methods: str = "exact,micro",
            seeds: str = "0", micros: str = "") -> dict[str, Any]:
    vecs = _vectors(texts, cache)
    true_k = len(set(truth))
    out: dict[str, Any] = {"source": source, "rows": len(texts), "true_k": true_k}
    for method in methods.split(","):
        for seed in map(int, seeds.split(",")):
            for micro in [int(m) for m in micros.split(",") if m] or [None]:
                name = method + (f"@seed{seed}" if seed else "") + (f"@m{micro}" if micro else "")
                out[name] = {"k_by_silhouette": _measure(vecs, truth, method, 2, 16, seed, micro),
                             "true_k": _measure(vecs, truth, method, true_k, true_k, seed, micro)}
    print(json.dumps(out), flush=True)
    return out


def scale(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(12, 384))
    x = (centres[rng.integers(0, 12, n)] + rng.normal(size=(n, 384)) * 1.5).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    truth = [str(v) for v in np.argmax(x @ (centres / np.linalg.norm(centres, axis=1, keepdims=True)).T, axis=1)]
    out = {"source": "synthetic unit vectors", "rows": n, "micro": _measure(x, truth, "auto", 3, 12)}
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,2000,4514")
    ap.add_argument("--generated", default="")
    ap.add_argument("--scale", default="")
    ap.add_argument("--cache", type=Path, help="keep embeddings here (outside the repo) for the next run")
    ap.add_argument("--methods", default="exact,micro")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--micro", default="", help="micro-cluster counts to try, e.g. 1000,2000")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    opts = {"cache": args.cache, "methods": args.methods, "seeds": args.seeds, "micros": args.micro}
    results = [compare(*_bitext(int(n)), "bitext instruction", **opts) for n in args.sizes.split(",") if n]
    results += [compare(*_generated(int(n)), "ticketgen description", **opts) for n in args.generated.split(",") if n]
    results += [scale(int(n)) for n in args.scale.split(",") if n]
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

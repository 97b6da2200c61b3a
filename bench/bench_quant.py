"""Benchmark the table side: RFM on Online Retail, Telco clustering + bootstrap, the scorer.

Usage: python bench/bench_quant.py [OUT.json]   (default bench/results/quant.json)

Needs ../shared/data for the first two figures (skipped, and said so, when absent).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def bench_rfm() -> dict[str, object]:
    from segscribe.quant.rfm import rfm_from_file

    path = DATA / "online_retail" / "transactions_all.csv.gz"
    if not path.is_file():
        return {"skipped": f"missing {path}"}
    t0 = time.perf_counter()
    res = rfm_from_file(path)
    secs = time.perf_counter() - t0
    return {
        "seconds_incl_load": round(secs, 3),
        "target_seconds": 5.0,
        "rows": res.report.rows_read,
        "customers": res.report.customers,
        "segments": res.segment_sizes(),
    }


def bench_cluster(rounds: int = 50) -> dict[str, object]:
    import pandas as pd

    from segscribe.quant.cluster import ClusterConfig, cluster_customers, infer_features
    from segscribe.quant.tables import load_customers

    path = DATA / "telco_churn" / "customers.csv"
    if not path.is_file():
        return {"skipped": f"missing {path}"}
    df, id_col = load_customers(path)
    numeric, categorical = infer_features(df, exclude=[id_col, "Churn"])
    cfg = ClusterConfig(
        id_column=id_col,
        numeric=numeric,
        categorical=categorical,
        bootstrap_rounds=rounds,
        impute={"TotalCharges": 0.0},
    )
    import sklearn.cluster  # noqa: F401  (import time is not clustering time)

    t0 = time.perf_counter()
    res = cluster_customers(df, cfg)
    secs = time.perf_counter() - t0
    churn = df.set_index(id_col)["Churn"].eq("Yes").loc[res.labels.index]
    rates = churn.groupby(res.labels.to_numpy()).mean()
    return {
        "seconds": round(secs, 3),
        "target_seconds": 30.0,
        "rows": len(df),
        "k": res.k,
        "k_range": [cfg.k_min, cfg.k_max],
        "bootstrap_rounds": rounds,
        "silhouette": round(res.silhouette, 4),
        "k_silhouettes": {str(k): round(v, 4) for k, v in res.k_scores.items()},
        "stability": {str(k): round(v, 4) for k, v in res.stability.items()},
        "churn_by_cluster": {str(k): round(float(v), 4) for k, v in rates.items()},
        "churn_spread": round(float(rates.max() - rates.min()), 4),
        "base_churn": round(float(churn.mean()), 4),
        "sizes": {str(k): int(v) for k, v in pd.Series(res.labels).value_counts().sort_index().items()},
    }


def bench_scorer(n_segments: int = 10, samples: int = 1000) -> dict[str, object]:
    import numpy as np

    from segscribe.schemas.scoring import SensitivityConfig
    from segscribe.scoring import inputs_from_table, score

    rng = np.random.default_rng(0)
    factors = ["attractiveness", "fit", "accessibility", "strategic_value"]
    table = {
        f"Segment {i:02d}": {f: int(v) for f, v in zip(factors, rng.integers(1, 11, 4), strict=True)}
        for i in range(n_segments)
    }
    inputs = inputs_from_table(table)
    score(inputs, "matrix4", sensitivity_cfg=SensitivityConfig(samples=10))  # warm-up (imports)
    t0 = time.perf_counter()
    res = score(inputs, "matrix4", sensitivity_cfg=SensitivityConfig(samples=samples))
    secs = time.perf_counter() - t0
    return {
        "seconds": round(secs, 4),
        "target_seconds": 1.0,
        "segments": n_segments,
        "samples": samples,
        "top": res.ranked[0].name,
    }


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results" / "quant.json"
    results = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "rfm_online_retail": bench_rfm(),
        "cluster_telco": bench_cluster(),
        "scorer": bench_scorer(),
    }
    text = json.dumps(results, indent=2, sort_keys=True)
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

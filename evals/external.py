"""Acceptance checks on the external data sets in ../shared/data (see its README.md).

Each check returns a dict of figures, or ``{"skipped": "absent", ...}`` when its file is missing, so
the whole run works on machines without the shared data. Nothing here tunes anything: the numbers
are reported as they come out of segscribe's own methods.

    python -m segscribe.evals.external [DATA_DIR]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def default_data_dir() -> Path:
    """`SEGSCRIBE_SHARED_DATA`, else `../shared/data` from the current folder (the project root in a checkout)."""
    import os

    return Path(os.environ.get("SEGSCRIBE_SHARED_DATA") or Path("..") / "shared" / "data")


DATA_DIR = default_data_dir()

BITEXT = Path("bitext_support") / "tickets.csv"
TELCO = Path("telco_churn") / "customers.csv"
RETAIL_ALL = Path("online_retail") / "transactions_all.csv.gz"
RETAIL_SAMPLE = Path("online_retail") / "transactions_sample.csv"
CREATIVES = Path("interviews_creatives") / "transcripts.csv"


def _skip(path: Path) -> dict[str, Any]:
    return {"skipped": "absent", "path": str(path)}


def _embedder(embedder: Any) -> Any:
    if embedder is not None:
        return embedder
    from segscribe.embed.onnx_minilm import MiniLMEmbedder

    return MiniLMEmbedder()


def _r(x: float, nd: int = 4) -> float:
    return round(float(x), nd)


# --------------------------------------------------------------------------- (a) Bitext tickets


def check_bitext(
    data_dir: Path | None = None,
    *,
    embedder: Any = None,
    limit: int | None = None,
    k_min: int = 2,
    k_max: int = 16,
) -> dict[str, Any]:
    """Ward themes (k by silhouette, and at the true k) and seeded k-means vs `category`: ARI, NMI."""
    path = (data_dir or DATA_DIR) / BITEXT
    if not path.is_file():
        return _skip(path)
    import numpy as np
    import pandas as pd
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from segscribe.pipeline.themes import choose_k_ward

    df = pd.read_csv(path, usecols=["instruction", "category"], dtype=str).dropna()
    if limit:
        df = df.head(limit)
    texts = df["instruction"].tolist()
    truth = df["category"].to_numpy()
    true_k = int(len(set(truth)))
    emb = _embedder(embedder)
    t0 = time.perf_counter()
    vecs = np.asarray(emb.embed(texts), dtype=np.float32)
    embed_s = time.perf_counter() - t0

    def score(labels: np.ndarray) -> dict[str, float]:
        return {
            "ari": _r(adjusted_rand_score(truth, labels)),
            "nmi": _r(normalized_mutual_info_score(truth, labels)),
        }

    t0 = time.perf_counter()
    labels_sil, k_sil, sil = choose_k_ward(vecs, k_min, k_max, seed=0)
    ward_s = time.perf_counter() - t0
    # The same Ward tree cut at the true k (choose_k_ward with k_min = k_max = true k).
    tree = linkage(vecs.astype(np.float64), method="ward")
    labels_true_k = fcluster(tree, t=true_k, criterion="maxclust") - 1
    km = KMeans(n_clusters=true_k, n_init=10, random_state=0).fit(vecs)
    return {
        "rows": len(texts),
        "categories": true_k,
        "embed_seconds": _r(embed_s, 2),
        "ward_silhouette": {
            "k": int(k_sil),
            "silhouette": _r(sil),
            "k_range": [k_min, k_max],
            "seconds": _r(ward_s, 2),
            **score(labels_sil),
        },
        "ward_true_k": {"k": true_k, **score(labels_true_k)},
        "kmeans_true_k_baseline": {"k": true_k, "n_init": 10, "random_state": 0, **score(km.labels_)},
    }


# --------------------------------------------------------------------------- (b) Telco churn


def check_telco(data_dir: Path | None = None, *, bootstrap_rounds: int = 10) -> dict[str, Any]:
    """k-means segmentation (k by silhouette), churn excluded from features: churn rate per segment."""
    path = (data_dir or DATA_DIR) / TELCO
    if not path.is_file():
        return _skip(path)
    import pandas as pd

    from segscribe.quant.profile import build_segmentation
    from segscribe.quant.tables import load_customers
    from segscribe.schemas.segment import SegmentConfig

    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    blank_total = int(raw["TotalCharges"].str.strip().eq("").sum()) if "TotalCharges" in raw else 0
    df, id_col = load_customers(path)
    cfg = SegmentConfig(
        method="kmeans",
        id_column=id_col,
        churn_column="Churn",
        value_column="MonthlyCharges",
        bootstrap_rounds=bootstrap_rounds,
        seed=0,
    )
    t0 = time.perf_counter()
    seg = build_segmentation(df, cfg)
    secs = time.perf_counter() - t0
    rates = {p.name: p.churn_rate for p in seg.segments}
    known = [r for r in rates.values() if r is not None]
    churn = raw["Churn"].str.strip().str.lower().eq("yes")
    base_rate = float(churn.mean())
    return {
        "rows": len(df),
        "k": seg.parameters.get("k"),
        "silhouette": seg.parameters.get("silhouette"),
        "bootstrap_rounds": bootstrap_rounds,
        "seconds": _r(secs, 2),
        "sizes": {p.name: p.size for p in seg.segments},
        "churn_rate_by_segment": {k: (None if v is None else _r(v)) for k, v in rates.items()},
        "stability_by_segment": {p.name: p.stability for p in seg.segments},
        "base_churn_rate": _r(base_rate),
        "churn_spread": _r(max(known) - min(known)) if known else None,
        "spread_over_base": _r((max(known) - min(known)) / base_rate) if known and base_rate else None,
        "blank_total_charges_rows": blank_total,
        "quality": dict(seg.quality),
    }


# --------------------------------------------------------------------------- (c) Online retail


def check_retail(data_dir: Path | None = None) -> dict[str, Any]:
    """Counts on the full file; raw R/F/M of the sample customers equal to the full file's."""
    d = data_dir or DATA_DIR
    full_p, sample_p = d / RETAIL_ALL, d / RETAIL_SAMPLE
    if not full_p.is_file():
        return _skip(full_p)
    from segscribe.quant.rfm import rfm_from_file

    t0 = time.perf_counter()
    full = rfm_from_file(full_p)
    out: dict[str, Any] = {
        "rows": full.report.rows_read,
        "customers": full.report.customers,
        "expected_rows": 541_909,
        "expected_customers": 4_372,
        "rows_blank_customer": full.report.rows_blank_customer,
        "cancellation_rows": full.report.cancellation_rows,
        "analysis_date": str(full.report.analysis_date),
        "seconds_full": _r(time.perf_counter() - t0, 2),
    }
    if not sample_p.is_file():
        out["sample"] = _skip(sample_p)
        return out
    sample = rfm_from_file(sample_p, analysis_date=full.report.analysis_date)
    cols = ["recency_days", "frequency", "monetary"]
    s = sample.customers[cols]
    f = full.customers[cols].reindex(s.index)
    missing = int(f.isna().any(axis=1).sum())
    equal = (s == f).all(axis=1)
    out["sample"] = {
        "customers": len(s),
        "missing_in_full": missing,
        "raw_rfm_equal": int(equal.sum()),
        "raw_rfm_equal_share": _r(equal.mean()) if len(s) else None,
        "mismatches": [str(i) for i in s.index[~equal][:10]],
    }
    return out


# --------------------------------------------------------------------------- (d) Creative interviews


def check_creatives(
    data_dir: Path | None = None, *, embedder: Any = None, limit: int | None = None
) -> dict[str, Any]:
    """Offline extraction on every interview: evidence count, strict quote exactness, participant share."""
    path = (data_dir or DATA_DIR) / CREATIVES
    if not path.is_file():
        return _skip(path)
    from segscribe.evals.metrics import quote_exactness, speaker_attribution
    from segscribe.extractors.offline import OfflineExtractor
    from segscribe.ingest.service import ingest_paths
    from segscribe.pipeline.extract import extract_document
    from segscribe.store.workspace import Workspace

    emb = _embedder(embedder)
    with tempfile.TemporaryDirectory(prefix="segscribe-ext-") as tmp:
        src = path
        if limit:
            import pandas as pd

            src = Path(tmp) / "transcripts.csv"
            pd.read_csv(path, dtype=str).head(limit).to_csv(src, index=False)
        ws = Workspace.open(Path(tmp) / "ws")
        t0 = time.perf_counter()
        rep = ingest_paths(ws, [src], index=False)
        ingest_s = time.perf_counter() - t0
        docs = {d.id: d for d in ws.documents()}
        extractor = OfflineExtractor(emb)
        t0 = time.perf_counter()
        evidence = []
        for doc in docs.values():
            evidence.extend(extract_document(doc, extractor).evidence)
        extract_s = time.perf_counter() - t0
    qe = quote_exactness(evidence, docs)
    n_part = n_cits = 0
    for e in evidence:
        for c in e.citations:
            n_cits += 1
            p = docs[c.doc_id].passage_at(c.start, c.end)
            n_part += int(p is not None and p.role.value == "participant")
    sa = speaker_attribution(evidence, docs)
    return {
        "documents": len(docs),
        "ingest_counts": rep.counts(),
        "ingest_seconds": _r(ingest_s, 2),
        "evidence": len(evidence),
        "citations": n_cits,
        "quote_exactness_strict": qe.strict_rate,
        "quote_exactness_normalised": qe.normalised_rate,
        "participant_citation_share": _r(n_part / n_cits) if n_cits else None,
        "speaker_attribution_rate": sa.rate,
        "extraction_seconds": _r(extract_s, 2),
    }


def run_external_checks(data_dir: Path | None = None, *, embedder: Any = None) -> dict[str, Any]:
    """All four checks; a check whose file is absent reports ``skipped: absent``."""
    d = Path(data_dir) if data_dir is not None else DATA_DIR
    out: dict[str, Any] = {"data_dir": str(d)}
    needs_embedder = (d / BITEXT).is_file() or (d / CREATIVES).is_file()
    emb = _embedder(embedder) if needs_embedder else embedder
    for name, fn in (
        ("bitext", lambda: check_bitext(d, embedder=emb)),
        ("telco", lambda: check_telco(d)),
        ("retail", lambda: check_retail(d)),
        ("creatives", lambda: check_creatives(d, embedder=emb)),
    ):
        t0 = time.perf_counter()
        try:
            out[name] = fn()
        except Exception as exc:  # a broken check is a figure too; the others still run
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
        out[name]["check_seconds"] = _r(time.perf_counter() - t0, 2)
    return out


if __name__ == "__main__":
    print(json.dumps(run_external_checks(Path(sys.argv[1]) if len(sys.argv) > 1 else None), indent=2))

"""Behavioural/value clustering: k-means or Ward on standardised numeric + one-hot features.

Determinism: rows are sorted by customer id before encoding, every random step is seeded, and
clusters are relabelled canonically (largest first, ties by centroid in lexicographic order),
so shuffling the input rows gives identical labels. Stability is Hennig's clusterboot: for each
bootstrap resample the data are re-clustered; each original cluster's Jaccard similarity is its
best match among the bootstrap clusters over the (distinct) resampled customers, averaged over
rounds. Clusters below ``stability_threshold`` (0.6) are flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from segscribe.schemas.segment import CategoricalFeature, FeatureSpace, NumericFeature

MISSING_LEVEL = "(missing)"
_WARD_MAX_ROWS = 20_000  # Ward needs n^2/2 distances in memory


@dataclass(frozen=True)
class ClusterConfig:
    """Clustering parameters; see ``segscribe.schemas.segment.SegmentConfig`` for the meaning of each."""

    id_column: str
    numeric: Sequence[str] = ()
    categorical: Sequence[str] = ()
    method: Literal["kmeans", "ward"] = "kmeans"
    k: int | None = None
    k_min: int = 2
    k_max: int = 8
    seed: int = 0
    n_init: int = 10
    silhouette_sample: int = 3000
    bootstrap_rounds: int = 50
    stability_threshold: float = 0.6
    impute: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterResult:
    """Labels 1..k (index: sorted customer ids) and the figures that justify them."""

    labels: pd.Series
    k: int
    method: str
    silhouette: float
    silhouette_per_cluster: dict[int, float]
    k_scores: dict[int, float]
    stability: dict[int, float]
    unstable: list[int]
    centroids: np.ndarray
    space: FeatureSpace
    missing: dict[str, int]


def infer_features(df: pd.DataFrame, exclude: Sequence[str],
                   max_levels: int = 30) -> tuple[list[str], list[str]]:
    """Numeric and categorical feature columns, in table order.

    Text columns that are numbers apart from a few blanks (like Telco's ``TotalCharges``) count
    as numeric; other text columns with at most ``max_levels`` levels are categorical.
    """
    numeric: list[str] = []
    categorical: list[str] = []
    for col in df.columns:
        if col in exclude:
            continue
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            categorical.append(col)
        elif pd.api.types.is_numeric_dtype(s):
            numeric.append(col)
        else:
            text = s.astype("string").str.strip()
            filled = text[text.notna() & (text != "")]
            as_num = pd.to_numeric(filled, errors="coerce")
            if len(filled) and as_num.notna().mean() >= 0.95:
                numeric.append(col)
            elif filled.nunique() <= max_levels:
                categorical.append(col)
    return numeric, categorical


def sort_by_id(df: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """Rows in customer-id order; duplicate or blank ids are an error (one row per customer)."""
    if id_column not in df.columns:
        raise ValueError(f"no id column {id_column!r}; columns are: {', '.join(map(str, df.columns))}")
    ids = df[id_column]
    if ids.isna().any():
        raise ValueError(f"{int(ids.isna().sum())} rows have a blank {id_column!r}; drop or fill them first")
    dup = int(ids.duplicated().sum())
    if dup:
        raise ValueError(f"{dup} duplicate ids in {id_column!r}; aggregate to one row per customer first")
    return df.sort_values(id_column, kind="mergesort").reset_index(drop=True)


def fit_space(df: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str],
              impute: Mapping[str, float] | None = None) -> tuple[FeatureSpace, dict[str, int]]:
    """Learn scaling, fill values and levels; also count blank/non-numeric cells per column."""
    impute = impute or {}
    nums, missing = [], {}
    for col in numeric:
        values = pd.to_numeric(df[col], errors="coerce").astype("float64")
        missing[col] = int(values.isna().sum())
        median = float(values.median()) if values.notna().any() else 0.0
        fill = float(impute[col]) if col in impute else median
        filled = values.fillna(fill)
        std = float(filled.std(ddof=0))
        nums.append(NumericFeature(name=col, mean=float(filled.mean()), scale=std if std > 0 else 1.0,
                                   fill_value=fill))
    cats = []
    for col in categorical:
        levels = sorted(_as_levels(df[col]).unique().tolist())
        cats.append(CategoricalFeature(name=col, levels=levels))
    return FeatureSpace(numeric=nums, categorical=cats), {k: v for k, v in missing.items() if v}


def _as_levels(s: pd.Series) -> pd.Series:
    text = s.astype("string").str.strip()
    return text.mask(text.isna() | (text == ""), MISSING_LEVEL).astype(str)


def transform(space: FeatureSpace, rows: pd.DataFrame) -> np.ndarray:
    """Encode rows into the feature space (blanks filled, unseen levels all zero)."""
    blocks = []
    for f in space.numeric:
        if f.name not in rows.columns:
            raise ValueError(f"new rows lack the feature column {f.name!r}")
        v = pd.to_numeric(rows[f.name], errors="coerce").astype("float64").fillna(f.fill_value)
        blocks.append(((v.to_numpy() - f.mean) / f.scale)[:, None])
    for c in space.categorical:
        if c.name not in rows.columns:
            raise ValueError(f"new rows lack the feature column {c.name!r}")
        levels = _as_levels(rows[c.name]).to_numpy()
        blocks.append((levels[:, None] == np.asarray(c.levels, dtype=object)[None, :]).astype(float))
    if not blocks:
        raise ValueError("no features to cluster on; give numeric and/or categorical columns")
    return np.hstack(blocks)


def nearest_centroid(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid per row (ties: lowest index)."""
    d = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return np.argmin(d, axis=1)


def _fit(X: np.ndarray, k: int, method: str, seed: int, n_init: int,
         weights: np.ndarray | None = None) -> np.ndarray:
    if method == "kmeans":
        from sklearn.cluster import KMeans

        model = KMeans(n_clusters=k, n_init=n_init, random_state=seed)
        return model.fit(X, sample_weight=weights).labels_
    return _ward_labels(X, [k])[k]


def _ward_labels(X: np.ndarray, ks: Sequence[int]) -> dict[int, np.ndarray]:
    """Ward's tree once, cut at every k (same partitions as AgglomerativeClustering(linkage='ward'))."""
    from scipy.cluster.hierarchy import cut_tree, fcluster, linkage

    tree = linkage(X, method="ward")
    out = {}
    for k in ks:
        labels = fcluster(tree, k, criterion="maxclust") - 1
        # fcluster is fast but can return fewer than k clusters when merge heights tie.
        out[k] = labels if labels.max() + 1 == k else cut_tree(tree, n_clusters=k).ravel()
    return out


def canonical_labels(X: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relabel to 0..k-1 by descending size, then centroid (rounded) in lexicographic order."""
    uniq = np.unique(labels)
    cents = np.vstack([X[labels == u].mean(axis=0) for u in uniq])
    sizes = np.array([(labels == u).sum() for u in uniq])
    keys = [(-int(sizes[i]), tuple(np.round(cents[i], 9))) for i in range(len(uniq))]
    order = sorted(range(len(uniq)), key=lambda i: keys[i])
    remap = np.empty(int(uniq.max()) + 1, dtype=np.int64)
    remap[uniq[order]] = np.arange(len(uniq))
    return remap[labels], cents[order]


def _sample_idx(n: int, size: int, seed: int) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def _silhouette(X: np.ndarray, labels: np.ndarray, idx: np.ndarray) -> tuple[float, dict[int, float]]:
    from sklearn.metrics import silhouette_samples

    lab = labels[idx]
    if len(np.unique(lab)) < 2:
        return float("nan"), {}
    s = silhouette_samples(X[idx], lab)
    per = {int(c) + 1: float(s[lab == c].mean()) for c in np.unique(lab)}
    return float(s.mean()), per


def bootstrap_stability(X: np.ndarray, labels: np.ndarray, k: int, cfg: ClusterConfig) -> dict[int, float]:
    """Mean Jaccard per original cluster (1-based) over ``cfg.bootstrap_rounds`` resamples."""
    n = len(X)
    rng = np.random.default_rng(cfg.seed + 1)
    sums = np.zeros(k)
    counts = np.zeros(k)
    onehot = np.eye(k, dtype=np.int64)[labels]
    for b in range(cfg.bootstrap_rounds):
        draw = rng.integers(0, n, size=n)
        uniq, weight = np.unique(draw, return_counts=True)
        if cfg.method == "kmeans":
            # Distinct points weighted by multiplicity = k-means on the resample, faster.
            boot = _fit(X[uniq], k, "kmeans", cfg.seed + b, cfg.n_init, weights=weight.astype(float))
        else:
            order = np.argsort(draw, kind="stable")
            lab_all = _fit(X[draw[order]], k, "ward", cfg.seed + b, cfg.n_init)
            boot = lab_all[np.searchsorted(draw[order], uniq)]
        inter = onehot[uniq].T @ np.eye(int(boot.max()) + 1, dtype=np.int64)[boot]
        size_orig = inter.sum(axis=1, keepdims=True)
        size_boot = inter.sum(axis=0, keepdims=True)
        jac = inter / np.maximum(size_orig + size_boot - inter, 1)
        present = size_orig.ravel() > 0
        sums[present] += jac.max(axis=1)[present]
        counts[present] += 1
    return {c + 1: float(sums[c] / counts[c]) if counts[c] else float("nan") for c in range(k)}


def _select_k(X: np.ndarray, cfg: ClusterConfig,
              idx: np.ndarray) -> tuple[int, dict[int, np.ndarray], dict[int, float]]:
    ks = [cfg.k] if cfg.k else list(range(cfg.k_min, min(cfg.k_max, len(X) - 1) + 1))
    if not ks:
        raise ValueError(f"too few customers ({len(X)}) to cluster; need at least 3")
    if cfg.method == "ward":
        candidates = _ward_labels(X, ks)
    else:
        candidates = {k: _fit(X, k, "kmeans", cfg.seed, cfg.n_init) for k in ks}
    scores = {k: _silhouette(X, candidates[k], idx)[0] for k in ks}
    # Highest silhouette wins; ties go to the smaller k (simpler segmentation).
    best = max(ks, key=lambda k: (np.nan_to_num(scores[k], nan=-2.0), -k))
    return best, candidates, scores


def cluster_customers(df: pd.DataFrame, cfg: ClusterConfig) -> ClusterResult:
    """Cluster one-row-per-customer data; labels are 1..k with 1 the largest cluster."""
    import sklearn.cluster  # noqa: F401  (load libgomp first: limits only reach loaded libraries)
    from threadpoolctl import threadpool_limits

    # One thread: on small matrices OpenMP/BLAS threads fight each other (about 10x slower on a
    # 2-core machine, measured) and single-threaded sums are reproducible bit for bit.
    with threadpool_limits(limits=1):
        return _cluster(df, cfg)


def _cluster(df: pd.DataFrame, cfg: ClusterConfig) -> ClusterResult:
    if cfg.method not in ("kmeans", "ward"):
        raise ValueError(f"unknown clustering method {cfg.method!r}; use 'kmeans' or 'ward'")
    data = sort_by_id(df, cfg.id_column)
    if cfg.method == "ward" and len(data) > _WARD_MAX_ROWS:
        raise ValueError(f"Ward needs n^2 memory; {len(data)} rows is too many, use method 'kmeans'")
    space, missing = fit_space(data, cfg.numeric, cfg.categorical, cfg.impute)
    X = transform(space, data)
    idx = _sample_idx(len(X), cfg.silhouette_sample, cfg.seed)
    k, candidates, scores = _select_k(X, cfg, idx)
    labels, cents = canonical_labels(X, candidates[k])
    k = len(cents)
    sil, per = _silhouette(X, labels, idx)
    stab = bootstrap_stability(X, labels, k, cfg) if cfg.bootstrap_rounds > 0 else {}
    unstable = sorted(c for c, j in stab.items() if not j >= cfg.stability_threshold)
    return ClusterResult(
        labels=pd.Series(labels + 1, index=pd.Index(data[cfg.id_column], name=cfg.id_column), name="cluster"),
        k=k, method=cfg.method, silhouette=sil, silhouette_per_cluster=per, k_scores=scores,
        stability=stab, unstable=unstable, centroids=cents, space=space, missing=missing,
    )

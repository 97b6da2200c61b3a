"""Segment profiles (size, value, churn, lifts, definition), whole segmentations, and assignment.

Lift of a categorical level = share in segment / share in base; of a numeric column = mean in
segment / mean in base. Attributes are ranked by |standardised difference| against the base
(numeric: (mean_seg - mean_base) / sd_base; level: (p_seg - p_base) / sqrt(p_base (1 - p_base))),
ties by name. Only over-represented categorical levels are listed: an under-represented level of a
yes/no column is the other level over-represented, so listing both would repeat one fact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from segscribe.quant import cluster as clu
from segscribe.quant.rfm import RFM_SEGMENTS, RFMResult, segment_for, segment_rule
from segscribe.quant.rules import apply_rules, evaluate
from segscribe.quant.tables import Roles, detect_columns, to_flag
from segscribe.quant.validate import validate_segmentation
from segscribe.schemas.segment import (
    AssignmentSummary,
    AttributeLift,
    FeatureSpace,
    Param,
    Segmentation,
    SegmentConfig,
    SegmentDefinition,
    SegmentProfile,
    ValidationConfig,
)


def _r(x: float) -> float:
    return round(float(x), 6)


def _finite(x: float) -> float | None:
    # NaN cannot round-trip through JSON; an undefined figure is stored as null instead.
    return None if x is None or not np.isfinite(x) else _r(x)


def attribute_lifts(df: pd.DataFrame, mask: np.ndarray, numeric: Sequence[str],
                    categorical: Sequence[str], top_n: int) -> list[AttributeLift]:
    """Top ``top_n`` attributes setting the rows in ``mask`` apart from all rows of ``df``."""
    found: list[AttributeLift] = []
    for col in numeric:
        v = pd.to_numeric(df[col], errors="coerce").astype("float64")
        base, sd, seg = v.mean(), v.std(ddof=0), v[mask].mean()
        if np.isnan(seg) or np.isnan(base):
            continue
        found.append(AttributeLift(feature=col, kind="numeric", segment_value=_r(seg), base_value=_r(base),
                                   lift=_r(seg / base) if base else None,
                                   std_diff=_r((seg - base) / sd) if sd > 0 else 0.0))
    for col in categorical:
        levels = clu._as_levels(df[col])
        base_share = levels.value_counts(normalize=True)
        seg_share = levels[mask].value_counts(normalize=True)
        for level, p_seg in seg_share.items():
            p_base = float(base_share[level])
            if p_seg <= p_base or p_base >= 1.0:
                continue
            found.append(AttributeLift(
                feature=col, level=str(level), kind="categorical", segment_value=_r(p_seg),
                base_value=_r(p_base), lift=_r(p_seg / p_base),
                std_diff=_r((p_seg - p_base) / np.sqrt(p_base * (1 - p_base)))))
    found.sort(key=lambda a: (-abs(a.std_diff), a.feature, a.level or ""))
    return found[:top_n]


def _share(part: float, whole: float) -> float | None:
    # Net refunds can make a total negative; a share is then meaningless, so it is left out.
    if whole <= 0 or not 0 <= part <= whole:
        return None
    return _r(part / whole)


def profile_segments(df: pd.DataFrame, labels: pd.Series, order: Sequence[str], roles: Roles,
                     numeric: Sequence[str], categorical: Sequence[str],
                     definitions: Mapping[str, SegmentDefinition], top_n: int = 5,
                     metrics: Sequence[str] = ()) -> list[SegmentProfile]:
    """One profile per name in ``order``; ``labels`` is aligned with ``df`` (None = unassigned)."""
    lab = labels.to_numpy()
    n = len(df)
    value = pd.to_numeric(df[roles.value_column], errors="coerce") if roles.value_column else None
    churn = to_flag(df[roles.churn_column], roles.churn_column) if roles.churn_column else None
    keep = to_flag(df[roles.retention_column], roles.retention_column) if roles.retention_column else None
    total_value = float(value.sum()) if value is not None else 0.0
    out = []
    for name in order:
        mask = lab == name
        size = int(mask.sum())
        lifts = attribute_lifts(df, mask, numeric, categorical, top_n) if size else []
        means = {m: _r(pd.to_numeric(df[m], errors="coerce")[mask].mean()) for m in metrics if size}
        prof = SegmentProfile(name=name, size=size, share=_r(size / n) if n else None,
                              definition=definitions[name], top_lifts=lifts, metrics=means)
        if value is not None and size:
            seg_total = float(value[mask].sum())
            prof.revenue_total = _r(seg_total)
            prof.avg_value = _r(value[mask].mean())
            prof.revenue_share = _share(seg_total, total_value)
        if churn is not None and size and churn[mask].notna().any():
            prof.churn_rate = _r(churn[mask].mean())
        if keep is not None and size and keep[mask].notna().any():
            prof.retention_rate = _r(keep[mask].mean())
        out.append(prof)
    return out


def _base(df: pd.DataFrame, roles: Roles) -> dict[str, float]:
    base: dict[str, float] = {"customers": float(len(df))}
    if roles.value_column:
        base["revenue_total"] = _r(pd.to_numeric(df[roles.value_column], errors="coerce").sum())
    if roles.churn_column:
        base["churn_rate"] = _r(to_flag(df[roles.churn_column], roles.churn_column).mean())
    return base


def _summary(labels: pd.Series, order: Sequence[str], overlapping: int = 0) -> AssignmentSummary:
    counts = labels.value_counts()
    assigned = int(labels.notna().sum())
    return AssignmentSummary(total=len(labels), assigned=assigned, unassigned=len(labels) - assigned,
                             overlapping=overlapping, counts={n: int(counts.get(n, 0)) for n in order})


def _features(df: pd.DataFrame, cfg: SegmentConfig, id_col: str) -> tuple[list[str], list[str]]:
    if cfg.numeric is not None or cfg.categorical is not None:
        return list(cfg.numeric or []), list(cfg.categorical or [])
    outcomes = [c for c in (cfg.churn_column, cfg.retention_column) if c]
    return clu.infer_features(df, exclude=[id_col, *outcomes, *cfg.exclude])


@dataclass
class _Labelled:
    """Labels from one method plus what the Segmentation records about them."""

    labels: pd.Series
    order: list[str]
    defs: dict[str, SegmentDefinition]
    overlapping: int = 0
    space: FeatureSpace | None = None
    stats: dict[str, dict[str, float | None]] = field(default_factory=dict)
    quality: dict[str, int | float | str] = field(default_factory=dict)
    params: dict[str, Param] = field(default_factory=dict)


    def renamed(self, names: dict[str, str]) -> _Labelled:
        """The same labels under new segment names."""
        return _Labelled(labels=self.labels.map(lambda x: names.get(x, x)), order=[names[n] for n in self.order],
                         defs={names[k]: v for k, v in self.defs.items()}, overlapping=self.overlapping,
                         space=self.space, stats={names[k]: v for k, v in self.stats.items()},
                         quality=self.quality, params=self.params)


#: A numeric attribute names a segment when it is at least this many base standard deviations off the mean.
NAME_MIN_STD_DIFF = 0.3


def _lift_words(lift: AttributeLift) -> str | None:
    if lift.kind == "categorical":
        return f"{lift.level}" if lift.level and lift.std_diff > 0 else None
    if abs(lift.std_diff) < NAME_MIN_STD_DIFF:
        return None
    return f"{'high' if lift.std_diff > 0 else 'low'} {str(lift.feature).replace('_', ' ')}"


def cluster_names(profiles: Sequence[SegmentProfile], parts: int = 2) -> dict[str, str]:
    """Names from what sets each cluster apart (its strongest lifts), never "Cluster 1"; unique."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for p in profiles:
        words = [w for w in (_lift_words(lift) for lift in p.top_lifts) if w]
        name = " · ".join(words[:parts]) or "mixed profile"
        extra = parts
        while name in taken and extra < len(words):
            extra += 1
            name = " · ".join(words[:extra])
        base, n = name, 2
        while name in taken:
            name, n = f"{base} ({n})", n + 1
        taken.add(name)
        out[p.name] = name[:1].upper() + name[1:]
    return out


def _by_rules(data: pd.DataFrame, cfg: SegmentConfig) -> _Labelled:
    res = apply_rules(data, cfg.rules, cfg.catch_all)
    defs = {r.name: SegmentDefinition(kind="rule", rule=r.text) for r in res.rules}
    if cfg.catch_all:
        defs[cfg.catch_all] = SegmentDefinition(kind="none")
    # Empty rules stay: first-match assignment of new rows needs every rule.
    return _Labelled(res.labels, list(defs), defs, overlapping=res.overlapping)


def _by_clusters(data: pd.DataFrame, cfg: SegmentConfig, id_col: str, numeric: list[str],
                 categorical: list[str]) -> _Labelled:
    method: Literal["kmeans", "ward"] = "ward" if cfg.method == "ward" else "kmeans"
    ccfg = clu.ClusterConfig(
        id_column=id_col, numeric=numeric, categorical=categorical, method=method, k=cfg.k,
        k_min=cfg.k_min, k_max=cfg.k_max, seed=cfg.seed, n_init=cfg.n_init,
        silhouette_sample=cfg.silhouette_sample, bootstrap_rounds=cfg.bootstrap_rounds,
        stability_threshold=cfg.validation.min_stability, impute=cfg.impute)
    res = clu.cluster_customers(data, ccfg)
    order = [f"Cluster {c}" for c in range(1, res.k + 1)]
    return _Labelled(
        labels=pd.Series([f"Cluster {c}" for c in res.labels.to_numpy()], index=data.index, dtype=object),
        order=order,
        defs={name: SegmentDefinition(kind="centroid", centroid=[_r(x) for x in res.centroids[i]])
              for i, name in enumerate(order)},
        space=res.space,
        stats={name: {"silhouette": res.silhouette_per_cluster.get(i + 1),
                      "stability": res.stability.get(i + 1)} for i, name in enumerate(order)},
        quality={f"blank_{col}_filled": cnt for col, cnt in res.missing.items()},
        params={"k": res.k, "silhouette": _finite(res.silhouette), "k_tried": sorted(res.k_scores),
                "k_silhouettes": [_finite(res.k_scores[k]) for k in sorted(res.k_scores)],
                "bootstrap_rounds": cfg.bootstrap_rounds})


def _check_roles(df: pd.DataFrame, cfg: SegmentConfig) -> Roles:
    id_col = cfg.id_column or detect_columns(df.columns, ["customer_id"]).get("customer_id")
    if id_col is None:
        raise ValueError("cannot find the customer id column; set id_column in the config (or --id-column)")
    for col in (cfg.value_column, cfg.churn_column, cfg.retention_column):
        if col and col not in df.columns:
            raise ValueError(f"column {col!r} is not in the table; "
                             f"columns are: {', '.join(map(str, df.columns))}")
    return Roles(id_col, cfg.value_column, cfg.churn_column, cfg.retention_column)


def build_segmentation(df: pd.DataFrame, cfg: SegmentConfig) -> Segmentation:
    """Segment a one-row-per-customer table by k-means, Ward or rules, then profile and validate."""
    roles = _check_roles(df, cfg)
    numeric, categorical = _features(df, cfg, roles.id_column)
    leaked = {cfg.churn_column, cfg.retention_column} & set(numeric + categorical) - {None}
    if leaked:
        raise ValueError(f"outcome column(s) {sorted(map(str, leaked))} cannot be clustering features")
    data = clu.sort_by_id(df, roles.id_column)
    lab = (_by_rules(data, cfg) if cfg.method == "rules"
           else _by_clusters(data, cfg, roles.id_column, numeric, categorical))
    profiles = profile_segments(data, lab.labels, lab.order, roles, numeric, categorical, lab.defs,
                                cfg.top_lifts)
    if cfg.method != "rules":
        names = cluster_names(profiles)
        lab = lab.renamed(names)
        profiles = [p.model_copy(update={"name": names[p.name]}) for p in profiles]
    for p in profiles:
        for key, val in lab.stats.get(p.name, {}).items():
            setattr(p, key, None if val is None or np.isnan(val) else _r(val))
    base = _base(data, roles)
    rates = [p.churn_rate for p in profiles if p.churn_rate is not None]
    if rates:
        base["churn_spread"] = _r(max(rates) - min(rates))  # max - min churn rate across segments
    sil = lab.params.get("silhouette")
    if isinstance(sil, float):
        base["silhouette"] = sil
    seg = Segmentation(method=cfg.method, segments=profiles,
                       assignment=_summary(lab.labels, lab.order, lab.overlapping), feature_space=lab.space,
                       id_column=roles.id_column, base=base, quality=lab.quality,
                       parameters={"seed": cfg.seed, **lab.params},
                       catch_all=cfg.catch_all if cfg.method == "rules" else None)
    seg.validation = validate_segmentation(seg, data, lab.labels, cfg.validation, roles)
    return seg


def segmentation_from_rfm(result: RFMResult, validation: ValidationConfig | None = None,
                          top_n: int = 5) -> Segmentation:
    """A Segmentation of the named RFM segments (empty segments left out)."""
    data = result.customers.reset_index()
    roles = Roles("customer_id", value_column="monetary")
    order = [n for n in RFM_SEGMENTS if (data["segment"] == n).any()]
    defs = {n: SegmentDefinition(kind="rule", rule=segment_rule(n)) for n in order}
    numeric = ["recency_days", "frequency", "monetary"]
    labels = data["segment"].astype(object)
    profiles = profile_segments(data, labels, order, roles, numeric, [], defs, top_n, metrics=numeric)
    report = result.report.as_dict()
    seg = Segmentation(method="rfm", segments=profiles, assignment=_summary(labels, order),
                       id_column="customer_id", base=_base(data, roles),
                       quality={k: v for k, v in report.items() if isinstance(v, int | float | str)},
                       parameters={"analysis_date": str(report["analysis_date"])})
    vcfg = validation or ValidationConfig()
    if vcfg.key_metrics is None:
        vcfg = vcfg.model_copy(update={"key_metrics": numeric})
    seg.validation = validate_segmentation(seg, data, labels, vcfg, roles)
    return seg


def assign(segmentation: Segmentation, new_rows: pd.DataFrame) -> pd.Series:
    """Segment name per new row from the stored definitions (None when nothing matches).

    Rule segmentations evaluate the rules in order; RFM uses the grid on ``r_score`` and
    ``fm_score`` columns (e.g. from ``compute_rfm(..., edges_from=...)``); clusterings take the nearest
    centroid in the stored feature space (exact for k-means, the usual approximation for Ward).
    """
    segs = segmentation.segments
    if segmentation.method == "rfm":
        for col in ("r_score", "fm_score"):
            if col not in new_rows.columns:
                raise ValueError(f"RFM assignment needs a {col!r} column; score rows with compute_rfm first")
        cells = zip(new_rows["r_score"], new_rows["fm_score"], strict=True)
        return pd.Series([segment_for(int(r), int(f)) for r, f in cells], index=new_rows.index, dtype=object)
    if segmentation.method in ("kmeans", "ward") and segmentation.feature_space is not None:
        X = clu.transform(segmentation.feature_space, new_rows)
        cents = np.array([s.definition.centroid for s in segs], dtype=float)
        names = np.array([s.name for s in segs], dtype=object)
        return pd.Series(names[clu.nearest_centroid(X, cents)], index=new_rows.index, dtype=object)
    out = pd.Series(None, index=new_rows.index, dtype=object)
    for s in segs:
        if s.definition.kind == "rule" and s.definition.rule:
            hit = evaluate(s.definition.rule, new_rows) & out.isna()
            out[hit] = s.name
    if segmentation.catch_all:
        out[out.isna()] = segmentation.catch_all
    return out

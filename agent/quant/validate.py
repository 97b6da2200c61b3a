"""Segment validation: MECE coverage and the five criteria. Unknowns are never guessed.

Each criterion gives ``pass``, ``fail`` or ``analyst_input_needed`` with the figure and the
threshold it was judged on:

- measurable: the segment's size was computed from data;
- substantial: share >= ``min_share`` and, when configured, revenue potential (segment total of
  the value column) >= ``min_revenue``;
- accessible: a defining column (rule columns) or a top-lift attribute is in the configured
  ``reachable_attributes``; no list configured -> analyst input needed;
- differentiable: clusterings need mean silhouette >= ``min_silhouette`` and bootstrap
  Jaccard >= ``min_stability``; rules/RFM need |standardised difference| >= ``min_effect`` against
  the rest of the base on at least one key metric;
- actionable: analyst verdict only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from segscribe.quant.rules import parse_rule
from segscribe.quant.tables import Roles, to_flag
from segscribe.schemas.segment import (
    CriterionResult,
    MeceCheck,
    Segmentation,
    SegmentProfile,
    SegmentValidation,
    Status,
    ValidationConfig,
    ValidationReport,
)

_ANALYST: Status = "analyst_input_needed"


def mece_check(labels: pd.Series, names: Sequence[str], overlapping: int = 0) -> MeceCheck:
    """Every row carries at most one label by construction; count rows with none or an unknown one."""
    known = labels.isin(list(names)) & labels.notna()
    total = len(labels)
    once = int(known.sum())
    unassigned = total - once
    ok = unassigned == 0
    detail = (f"{once} of {total} customers in exactly one segment, {unassigned} unassigned"
              + (f"; {overlapping} matched several rules (first match kept)" if overlapping else ""))
    return MeceCheck(ok=ok, total=total, assigned_once=once, unassigned=unassigned,
                     overlapping=overlapping, detail=detail)


def _measurable(p: SegmentProfile) -> CriterionResult:
    if p.size is None:
        return CriterionResult(status="fail", detail="size is not computed from data")
    return CriterionResult(status="pass", value=p.size, detail=f"sized from data: {p.size} customers")


def _substantial(p: SegmentProfile, cfg: ValidationConfig) -> CriterionResult:
    if p.share is None:
        return CriterionResult(status=_ANALYST, detail="no data share; the analyst must size the segment")
    if p.share < cfg.min_share:
        return CriterionResult(status="fail", value=p.share,
                               detail=f"share {p.share:.1%} is below the minimum {cfg.min_share:.1%}")
    if cfg.min_revenue is None:
        return CriterionResult(status="pass", value=p.share,
                               detail=f"share {p.share:.1%} >= {cfg.min_share:.1%} (no revenue minimum set)")
    if p.revenue_total is None:
        return CriterionResult(status=_ANALYST, value=p.share,
                               detail="share passes but there is no value column to check revenue >= "
                                      f"{cfg.min_revenue:,.0f}")
    ok = p.revenue_total >= cfg.min_revenue
    return CriterionResult(status="pass" if ok else "fail", value=p.revenue_total,
                           detail=f"share {p.share:.1%}; revenue {p.revenue_total:,.0f} "
                                  f"{'>=' if ok else '<'} minimum {cfg.min_revenue:,.0f}")


def _defining_columns(p: SegmentProfile) -> list[str]:
    cols = parse_rule(p.definition.rule, p.name).columns if p.definition.rule else []
    return sorted(set(cols) | {a.feature for a in p.top_lifts})


def _accessible(p: SegmentProfile, cfg: ValidationConfig) -> CriterionResult:
    if cfg.reachable_attributes is None:
        return CriterionResult(status=_ANALYST, detail="no reachable attributes configured "
                                                       "(validation.reachable_attributes)")
    cols = _defining_columns(p)
    hit = [c for c in cols if c in cfg.reachable_attributes]
    if hit:
        return CriterionResult(status="pass", value=", ".join(hit),
                               detail=f"defined by reachable {', '.join(hit)}")
    return CriterionResult(status="fail", value=None,
                           detail=f"none of its defining attributes ({', '.join(cols) or 'none'}) "
                                  "is reachable")


def _cluster_diff(p: SegmentProfile, cfg: ValidationConfig) -> CriterionResult:
    if p.silhouette is None:
        return CriterionResult(status=_ANALYST, detail="no silhouette computed for this cluster")
    parts = [f"silhouette {p.silhouette:.3f} {'>=' if p.silhouette >= cfg.min_silhouette else '<'} "
             f"{cfg.min_silhouette}"]
    ok = p.silhouette >= cfg.min_silhouette
    if p.stability is not None:
        stable = p.stability >= cfg.min_stability
        ok = ok and stable
        parts.append(f"bootstrap Jaccard {p.stability:.3f} {'>=' if stable else '<'} {cfg.min_stability}")
    return CriterionResult(status="pass" if ok else "fail", value=p.silhouette, detail="; ".join(parts))


def _var(x: np.ndarray) -> float:
    return float(x.var(ddof=1)) if len(x) > 1 else 0.0


def effect_size(x: np.ndarray, in_seg: np.ndarray) -> float:
    """Standardised mean difference (pooled SD) of the segment vs the rest; NaN if undefined."""
    a, b = x[in_seg & ~np.isnan(x)], x[~in_seg & ~np.isnan(x)]
    if len(a) < 1 or len(b) < 1 or len(a) + len(b) < 3:
        return float("nan")
    pooled = (len(a) - 1) * _var(a) + (len(b) - 1) * _var(b)
    sd = np.sqrt(pooled / (len(a) + len(b) - 2))
    diff = float(a.mean() - b.mean())
    if sd == 0:
        return 0.0 if diff == 0 else float("inf") * np.sign(diff)
    return diff / float(sd)


def _metric_values(df: pd.DataFrame, col: str, roles: Roles) -> np.ndarray:
    if col == roles.churn_column or col == roles.retention_column:
        return to_flag(df[col], col).to_numpy(dtype=float)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)


def _rule_diff(p: SegmentProfile, in_seg: np.ndarray, metrics: dict[str, np.ndarray],
               cfg: ValidationConfig) -> CriterionResult:
    if not metrics:
        return CriterionResult(status=_ANALYST, detail="no key metric (value/churn column or "
                                                       "validation.key_metrics) to compare segments on")
    effects = {m: effect_size(x, in_seg) for m, x in metrics.items()}
    effects = {m: e for m, e in effects.items() if not np.isnan(e)}
    if not effects:
        return CriterionResult(status=_ANALYST, detail="segment or rest too small to compare key metrics")
    best = max(sorted(effects), key=lambda m: abs(effects[m]))
    d = effects[best]
    ok = abs(d) >= cfg.min_effect
    shown = round(d, 3) if np.isfinite(d) else str(d)
    return CriterionResult(status="pass" if ok else "fail", value=shown,
                           detail=f"largest difference vs the rest: {best} d={d:.2f} "
                                  f"({'>=' if ok else '<'} {cfg.min_effect} in absolute value)")


def _actionable(p: SegmentProfile, cfg: ValidationConfig) -> CriterionResult:
    if p.name not in cfg.actionable:
        return CriterionResult(status=_ANALYST, detail="needs an analyst verdict (validation.actionable)")
    ok = cfg.actionable[p.name]
    note = cfg.actionable_notes.get(p.name, "analyst verdict")
    return CriterionResult(status="pass" if ok else "fail", value=ok, detail=note)


def validate_segmentation(seg: Segmentation, df: pd.DataFrame, labels: pd.Series, cfg: ValidationConfig,
                          roles: Roles) -> ValidationReport:
    """MECE plus the five criteria for every segment of ``seg`` (``labels`` aligned with ``df``)."""
    names = [p.name for p in seg.segments]
    mece = mece_check(labels, names, seg.assignment.overlapping)
    keys = cfg.key_metrics
    if keys is None:
        keys = [c for c in (roles.value_column, roles.churn_column) if c]
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise ValueError(f"key metric column(s) {missing} not in the table; fix validation.key_metrics")
    metrics = {k: _metric_values(df, k, roles) for k in keys}
    lab = labels.to_numpy()
    out = []
    for p in seg.segments:
        if seg.method in ("kmeans", "ward"):
            diff = _cluster_diff(p, cfg)
        else:
            diff = _rule_diff(p, lab == p.name, metrics, cfg)
        out.append(SegmentValidation(
            segment=p.name, measurable=_measurable(p), substantial=_substantial(p, cfg),
            accessible=_accessible(p, cfg), differentiable=diff, actionable=_actionable(p, cfg)))
    return ValidationReport(mece=mece, segments=out)

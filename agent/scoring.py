"""Deterministic, explainable segment prioritisation (rules in docs/scoring.md).

total = multiplier x sum(weight_f x score_f), computed in ``Decimal`` from the weights' shortest
decimal form, so 5.85 stays 5.85 and rounds half-up to 5.9 for display. Ranks: higher total first,
equal totals by name. Sensitivity multiplies every weight by an independent U(0.8, 1.2) factor,
renormalises to sum 1 and re-ranks, vectorised over all samples with a seeded numpy RNG.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

from segscribe.errors import ScoringError
from segscribe.schemas.scoring import (
    AnalystSheet,
    Band,
    FactorContribution,
    FactorValue,
    Preset,
    ScoredSegment,
    ScoringResult,
    SegmentInput,
    SensitivityConfig,
    SensitivityEntry,
    SensitivityReport,
)
from segscribe.schemas.segment import Segmentation, SegmentProfile

WEIGHT_TOLERANCE = 1e-9

PRESETS: dict[str, Preset] = {
    "matrix4": Preset(
        name="matrix4", factors=["attractiveness", "fit", "accessibility", "strategic_value"],
        scale_min=1, scale_max=10, weights=dict.fromkeys(["attractiveness", "fit", "accessibility",
                                                          "strategic_value"], 0.25),
        multiplier=4, data_factors={"attractiveness": "revenue_share"},
        bands=[Band(label="Tier 1", min_total=30, allocation="60-70%"),
               Band(label="Tier 2", min_total=20, allocation="25-35%"),
               Band(label="Tier 3", min_total=4, allocation="5-10%")],
        description="Four dimensions on 1-10, summed (4-40): Tier 1 >= 30, Tier 2 >= 20, Tier 3 < 20.",
    ),
    "weighted5": Preset(
        name="weighted5",
        factors=["market_size", "revenue_potential", "fit", "acquisition_ease", "strategic_value"],
        scale_min=1, scale_max=10, multiplier=1,
        weights={"market_size": 0.25, "revenue_potential": 0.25, "fit": 0.20, "acquisition_ease": 0.15,
                 "strategic_value": 0.15},
        data_factors={"market_size": "share", "revenue_potential": "revenue_share"},
        description="Five weighted factors on 1-10 -> weighted total on 1-10 (ranking only).",
    ),
    "workshop4": Preset(
        name="workshop4", factors=["business_value", "size", "data_availability", "differentiation"],
        scale_min=1, scale_max=5, multiplier=4,
        weights=dict.fromkeys(["business_value", "size", "data_availability", "differentiation"], 0.25),
        data_factors={"size": "share"},
        bands=[Band(label="High", min_total=15), Band(label="Medium", min_total=10),
               Band(label="Low", min_total=4)],
        description="Four criteria on 1-5, summed (4-20): High >= 15, Medium 10-14, Low < 10.",
    ),
}




def get_preset(preset: str | Preset) -> Preset:
    if isinstance(preset, Preset):
        return preset
    if preset not in PRESETS:
        raise ScoringError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[preset]


def resolve_weights(preset: Preset, weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Preset weights, or custom ones checked: same factor names, finite, >= 0, sum 1 +- 1e-9."""
    if weights is None:
        return dict(preset.weights)
    missing = [f for f in preset.factors if f not in weights]
    unknown = [f for f in weights if f not in preset.factors]
    if missing or unknown:
        raise ScoringError(f"weights must name exactly the {preset.name} factors {preset.factors}: "
                           f"missing {missing}, unknown {unknown}")
    for f, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
            raise ScoringError(f"weight {f}={w!r} must be a finite number >= 0")
    total = math.fsum(weights.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise ScoringError(f"weights sum to {total!r}; they must sum to 1 (tolerance {WEIGHT_TOLERANCE})")
    return {f: float(weights[f]) for f in preset.factors}


def _half_up(x: Decimal, places: str = "1") -> Decimal:
    return x.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def band_index(preset: Preset, total: float | Decimal) -> int | None:
    """0 for the best band; the first band whose minimum the total reaches (monotone in total)."""
    if not preset.bands:
        return None
    for i, band in enumerate(preset.bands[:-1]):
        if total >= Decimal(repr(band.min_total)):
            return i
    return len(preset.bands) - 1


def _metric(p: SegmentProfile, metric: str) -> float | None:
    if metric == "share":
        return p.share
    if metric == "retention":
        if p.retention_rate is not None:
            return p.retention_rate
        return None if p.churn_rate is None else 1.0 - p.churn_rate
    return getattr(p, metric)


def map_to_scale(value: float, top: float, lo: int, hi: int) -> int:
    """Linear in proportion to the largest value: lo + half-up((hi - lo) x value / top), clipped."""
    if top <= 0 or value <= 0:
        return lo
    step = _half_up(Decimal(hi - lo) * Decimal(repr(value)) / Decimal(repr(top)), "1")
    return int(min(hi, max(lo, lo + int(step))))


def _data_scores(profiles: Sequence[SegmentProfile], preset: Preset,
                 data_factors: Mapping[str, str]) -> dict[str, dict[str, FactorValue]]:
    out: dict[str, dict[str, FactorValue]] = {p.name: {} for p in profiles}
    for factor, metric in data_factors.items():
        if factor not in preset.factors:
            raise ScoringError(f"data_factors names {factor!r}, not a {preset.name} factor {preset.factors}")
        values = {p.name: _metric(p, metric) for p in profiles}
        known = [v for v in values.values() if v is not None]
        top = max(known) if known else 0.0
        for name, v in values.items():
            if v is None:
                continue
            score = map_to_scale(v, top, preset.scale_min, preset.scale_max)
            out[name][factor] = FactorValue(value=score, source="data",
                                            detail=f"{metric} {v:.4g} vs largest {top:.4g} -> {score}")
    return out


def build_inputs(profiles: Sequence[SegmentProfile], sheet: AnalystSheet,
                 preset: str | Preset) -> list[SegmentInput]:
    """Combine data-derived and analyst scores; precedence analyst > data > configured default."""
    pre = get_preset(preset)
    names = [p.name for p in profiles]
    unknown = [s for s in sheet.segments if s not in names]
    if unknown:
        raise ScoringError(f"analyst sheet scores unknown segment(s) {unknown}; segments are {names}")
    mapping = sheet.data_factors if sheet.data_factors is not None else pre.data_factors
    data = _data_scores(profiles, pre, mapping)
    inputs = []
    for name in names:
        given = sheet.segments.get(name, {})
        bad = [f for f in given if f not in pre.factors]
        if bad:
            raise ScoringError(f"segment {name!r}: unknown factor(s) {bad}; "
                               f"{pre.name} factors are {pre.factors}")
        factors: dict[str, FactorValue] = {}
        for f in pre.factors:
            if f in given:
                note = f"overrides data score {data[name][f].value}" if f in data[name] else ""
                factors[f] = FactorValue(value=given[f], source="analyst", detail=note)
            elif f in data[name]:
                factors[f] = data[name][f]
            elif f in sheet.defaults:
                factors[f] = FactorValue(value=sheet.defaults[f], source="default",
                                         detail="configured default")
        inputs.append(SegmentInput(name=name, factors=factors))
    return inputs


def inputs_from_table(table: Mapping[str, Mapping[str, int]], source: str = "analyst") -> list[SegmentInput]:
    """Inputs from a plain {segment: {factor: score}} table (e.g. a workshop sheet)."""
    return [SegmentInput(name=n, factors={f: FactorValue.model_validate({"value": v, "source": source})
                                          for f, v in fs.items()}) for n, fs in table.items()]


def _check(inputs: Sequence[SegmentInput], pre: Preset) -> None:
    if not inputs:
        raise ScoringError("no segments to score")
    names = [s.name for s in inputs]
    if len(set(names)) != len(names):
        raise ScoringError(f"segment names must be unique, got {names}")
    for s in inputs:
        for f in pre.factors:
            if f not in s.factors:
                raise ScoringError(f"segment {s.name!r}: missing score for factor {f!r} (give it in the "
                                   f"analyst sheet, or set an explicit default under 'defaults')")
            v = s.factors[f].value
            if not pre.scale_min <= v <= pre.scale_max:
                raise ScoringError(f"segment {s.name!r}: factor {f!r} = {v} is outside "
                                   f"{pre.scale_min}..{pre.scale_max}")
        extra = [f for f in s.factors if f not in pre.factors]
        if extra:
            raise ScoringError(f"segment {s.name!r}: unknown factor(s) {extra}; "
                               f"{pre.name} factors are {pre.factors}")


def _ranked(inputs: Sequence[SegmentInput], pre: Preset, weights: dict[str, float]) -> list[ScoredSegment]:
    dw = {f: Decimal(repr(w)) for f, w in weights.items()}
    mult = Decimal(repr(pre.multiplier))
    rows = []
    for s in inputs:
        parts = [(f, s.factors[f], mult * dw[f] * s.factors[f].value) for f in pre.factors]
        total = sum((c for _, _, c in parts), Decimal(0))
        rows.append((total, s.name, parts))
    rows.sort(key=lambda r: (-r[0], r[1]))
    out = []
    for rank, (total, name, parts) in enumerate(rows, start=1):
        band = band_index(pre, total)
        out.append(ScoredSegment(
            rank=rank, name=name, total=float(total), total_display=str(_half_up(total, "0.1")),
            tier=pre.bands[band].label if band is not None else None,
            allocation=pre.bands[band].allocation if band is not None else None,
            factors=[FactorContribution(factor=f, value=fv.value, source=fv.source, weight=weights[f],
                                        contribution=float(c), detail=fv.detail) for f, fv, c in parts]))
    return out


def sensitivity(ranked: Sequence[ScoredSegment], pre: Preset, weights: dict[str, float],
                cfg: SensitivityConfig) -> SensitivityReport:
    """Share of perturbed weight vectors under which each segment's rank / band changes."""
    if cfg.high < cfg.low:
        raise ScoringError(f"sensitivity high ({cfg.high}) must be >= low ({cfg.low})")
    by_name = sorted(ranked, key=lambda r: r.name)  # row order = tie-break order
    values = np.array([[f.value for f in r.factors] for r in by_name], dtype=float)
    base_w = np.array([weights[f] for f in pre.factors], dtype=float)
    rng = np.random.default_rng(cfg.seed)
    w = base_w * rng.uniform(cfg.low, cfg.high, size=(cfg.samples, len(base_w)))
    w /= w.sum(axis=1, keepdims=True)
    totals = pre.multiplier * values @ w.T  # segments x samples
    order = np.argsort(-totals, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, len(by_name) + 1)[:, None].repeat(cfg.samples, 1), axis=0)
    base_rank = np.array([r.rank for r in by_name])[:, None]
    rank_change = (ranks != base_rank).mean(axis=1)
    tier_change: np.ndarray | None = None
    if pre.bands:
        mins = np.array([b.min_total for b in pre.bands[:-1]])
        idx = (totals[:, :, None] < mins[None, None, :]).sum(axis=2)  # 0 = best band
        labels = [b.label for b in pre.bands]
        base_idx = np.array([labels.index(r.tier or "") for r in by_name])[:, None]
        tier_change = (idx != base_idx).mean(axis=1)
    entries = [SensitivityEntry(
        name=r.name, base_rank=r.rank, rank_change_share=round(float(rank_change[i]), 6),
        tier_change_share=None if tier_change is None else round(float(tier_change[i]), 6),
        min_rank=int(ranks[i].min()), max_rank=int(ranks[i].max())) for i, r in enumerate(by_name)]
    entries.sort(key=lambda e: e.base_rank)
    return SensitivityReport(samples=cfg.samples, seed=cfg.seed, low=cfg.low, high=cfg.high, segments=entries)


def score(inputs: Sequence[SegmentInput], preset: str | Preset = "matrix4",
          weights: Mapping[str, float] | None = None,
          sensitivity_cfg: SensitivityConfig | None = None) -> ScoringResult:
    """Rank segments under a preset; ``sensitivity_cfg=None`` runs the default 1000 samples."""
    pre = get_preset(preset)
    w = resolve_weights(pre, weights)
    _check(inputs, pre)
    ranked = _ranked(inputs, pre, w)
    cfg = sensitivity_cfg if sensitivity_cfg is not None else SensitivityConfig()
    sens = sensitivity(ranked, pre, w, cfg) if cfg.samples > 0 else None
    return ScoringResult(preset=pre.name, weights=w, multiplier=pre.multiplier,
                         scale=(pre.scale_min, pre.scale_max), ranked=ranked, sensitivity=sens)


def score_segmentation(segmentation: Segmentation | Sequence[SegmentProfile], sheet: AnalystSheet,
                       preset: str | None = None) -> ScoringResult:
    """Score the segments of a segmentation with an analyst sheet (preset: argument > sheet > matrix4)."""
    profiles = segmentation.segments if isinstance(segmentation, Segmentation) else list(segmentation)
    name = preset or sheet.preset or "matrix4"
    return score(build_inputs(profiles, sheet, name), name, sheet.weights, sheet.sensitivity)


def load_analyst_sheet(path: str | Path) -> AnalystSheet:
    """Read and validate an analyst YAML sheet (empty file = empty sheet); ConfigError on any problem."""
    from segscribe.config import read_model

    p = Path(path)
    if not p.is_file():
        raise ScoringError(f"no such analyst sheet: {p} (write a YAML with 'segments: {{name: {{fit: 8}}}}')")
    return read_model(p, AnalystSheet, "analyst sheet")

"""Deterministic segment prioritisation: presets, inputs, ranked output and sensitivity.

All score rules are documented in docs/scoring.md; the arithmetic lives in agent/scoring.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

Score10 = Annotated[int, Field(ge=1, le=10)]
"""A factor score on the 1-10 scale (matrix4, weighted5)."""
Score5 = Annotated[int, Field(ge=1, le=5)]
"""A factor score on the 1-5 scale (workshop4)."""
Source = Literal["data", "analyst", "default"]
PresetName = Literal["matrix4", "weighted5", "workshop4"]
DataMetric = Literal["share", "revenue_share", "avg_value", "retention"]


class _Model(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True, extra="forbid")


class Band(_Model):
    """A tier or priority band: totals >= ``min_total`` (and below the band above) get ``label``."""

    label: str
    """Tier or priority name, e.g. ``Tier 1`` or ``High``."""
    min_total: float
    """Lowest total in the band (inclusive); the last band uses the scale's minimum."""
    allocation: str | None = None
    """Share of resources the band as a whole should get, e.g. ``60-70%``."""


class Preset(_Model):
    """A prioritisation framework."""

    name: str
    """Preset name."""
    factors: list[str]
    """Factor names, in display order."""
    scale_min: int
    """Lowest allowed factor score."""
    scale_max: int
    """Highest allowed factor score."""
    weights: dict[str, float]
    """Default weights (sum to 1)."""
    multiplier: float
    """total = multiplier x sum(weight x score): the factor count for summed presets, so equal
    weights give the plain sum; 1 for a weighted average."""
    bands: list[Band] = Field(default_factory=list)
    """Tiers from best to worst; empty = ranking only."""
    data_factors: dict[str, DataMetric] = Field(default_factory=dict)
    """Factors filled from segment data by default, with the metric each is mapped from."""
    description: str = ""
    """One-line description."""


class FactorValue(_Model):
    """One factor score for one segment, with where it came from."""

    value: StrictInt
    """The score on the preset's scale (checked against it when scoring)."""
    source: Source
    """``data`` (mapped from a segment metric), ``analyst`` (score sheet) or ``default`` (configured)."""
    detail: str = ""
    """How a data score was mapped, or a note."""


class SegmentInput(_Model):
    """All factor scores of one segment."""

    name: str
    """Segment name."""
    factors: dict[str, FactorValue]
    """Factor name -> score."""


class SensitivityConfig(_Model):
    """Weight-perturbation settings."""

    samples: int = Field(default=1000, ge=0, le=100_000)
    """Weight vectors sampled (0 = skip)."""
    seed: int = 0
    """RNG seed."""
    low: float = Field(default=0.8, gt=0)
    """Lowest multiplier applied to each weight."""
    high: float = Field(default=1.2, gt=0)
    """Highest multiplier applied to each weight."""


class AnalystSheet(_Model):
    """The analyst's YAML score sheet."""

    preset: PresetName | None = None
    """Framework to use; the CLI option wins when given."""
    weights: dict[str, float] | None = None
    """Custom weights for the preset's factors (must sum to 1); ``None`` = preset weights."""
    defaults: dict[str, StrictInt] = Field(default_factory=dict)
    """Explicit default scores per factor, used when neither data nor analyst gives one."""
    data_factors: dict[str, DataMetric] | None = None
    """Which factors come from data and from which metric; ``None`` = preset defaults."""
    segments: dict[str, dict[str, StrictInt]] = Field(default_factory=dict)
    """Segment name -> {factor: score}; analyst scores override data scores."""
    sensitivity: SensitivityConfig = Field(default_factory=SensitivityConfig)
    """Weight-perturbation settings."""


class FactorContribution(_Model):
    """A factor's part in a segment's total."""

    factor: str
    """Factor name."""
    value: int
    """Score on the preset's scale."""
    source: Source
    """Where the score came from."""
    weight: float
    """Weight of the factor."""
    contribution: float
    """multiplier x weight x value: the points this factor adds to the total."""
    detail: str = ""
    """How a data score was mapped, or a note."""


class ScoredSegment(_Model):
    """One row of the ranked table."""

    rank: int
    """1 = highest total; equal totals are ordered by name."""
    name: str
    """Segment name."""
    total: float
    """Exact total (computed in decimal arithmetic)."""
    total_display: str
    """Total rounded half-up to one decimal."""
    tier: str | None
    """Band label (``Tier 1``, ``High`` ...); ``None`` for presets without bands."""
    allocation: str | None
    """Resource allocation of the band, when the preset defines one."""
    factors: list[FactorContribution]
    """Per-factor scores and contributions, in preset order."""


class SensitivityEntry(_Model):
    """How robust one segment's place is to weight changes."""

    name: str
    """Segment name."""
    base_rank: int
    """Rank with the given weights."""
    rank_change_share: float
    """Share of sampled weight vectors under which its rank differs from ``base_rank``."""
    tier_change_share: float | None
    """Share of samples under which its band changes (``None`` without bands)."""
    min_rank: int
    """Best rank seen over the samples."""
    max_rank: int
    """Worst rank seen over the samples."""


class SensitivityReport(_Model):
    """Weight perturbation: each weight x U(low, high) independently, then renormalised to sum 1."""

    samples: int
    """Weight vectors sampled."""
    seed: int
    """RNG seed (numpy default_rng)."""
    low: float
    """Lowest multiplier."""
    high: float
    """Highest multiplier."""
    segments: list[SensitivityEntry]
    """One entry per segment, in rank order."""


class ScoringResult(_Model):
    """The ranked table plus the sensitivity report. Same input -> byte-identical JSON."""

    preset: str
    """Preset name."""
    weights: dict[str, float]
    """Weights used."""
    multiplier: float
    """total = multiplier x sum(weight x score)."""
    scale: tuple[int, int]
    """Allowed factor scores (min, max)."""
    ranked: list[ScoredSegment]
    """Segments from highest to lowest total."""
    sensitivity: SensitivityReport | None = None
    """Rank and tier robustness; ``None`` when skipped."""

"""Segments from customer tables: profiles, definitions, validation and the segmenting config.

A :class:`Segmentation` is what ``segscribe segment`` writes and what the scorer and the
report read. Research fields (``top_themes``, ``evidence_ids``) start empty and are filled later
by the research side.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from segscribe.schemas.evidence import EvidenceBase

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Method = Literal["rfm", "kmeans", "ward", "rules", "needs"]
Status = Literal["pass", "fail", "analyst_input_needed"]
Param = int | float | str | list[int] | list[float | None] | None


class _Model(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True, extra="forbid")


class NumericFeature(_Model):
    """A numeric clustering feature: standardised as (x - mean) / scale after filling blanks."""

    name: str
    """Column name."""
    mean: float
    """Mean of the filled column over the clustered customers."""
    scale: float
    """Standard deviation used for scaling (1.0 when the column is constant)."""
    fill_value: float
    """Value put in place of blank or non-numeric cells."""


class CategoricalFeature(_Model):
    """A categorical clustering feature, one-hot encoded over known levels."""

    name: str
    """Column name."""
    levels: list[str]
    """Known levels in encoding order; an unseen level encodes as all zeros."""


class FeatureSpace(_Model):
    """How rows are turned into the vectors that centroids live in."""

    numeric: list[NumericFeature] = Field(default_factory=list)
    """Standardised numeric features, in encoding order."""
    categorical: list[CategoricalFeature] = Field(default_factory=list)
    """One-hot categorical features, encoded after the numeric ones."""

    def feature_names(self) -> list[str]:
        """Names of the encoded dimensions: numeric names, then ``column=level``."""
        names = [f.name for f in self.numeric]
        names += [f"{c.name}={level}" for c in self.categorical for level in c.levels]
        return names


class SegmentDefinition(_Model):
    """What defines a segment, so that a new customer can be assigned to it."""

    kind: Literal["rule", "centroid", "none"]
    """``rule`` (an expression, first match wins), ``centroid`` (nearest centroid) or ``none``."""
    rule: str | None = None
    """The rule expression (for ``rule``), e.g. ``employees >= 500 and industry in ["Finance"]``."""
    centroid: list[float] | None = None
    """Centroid in the standardised feature space (for ``centroid``), ordered as the feature names."""

    @model_validator(mode="after")
    def _complete(self) -> SegmentDefinition:
        if self.kind == "rule" and not self.rule:
            raise ValueError("a rule definition needs a non-empty rule")
        if self.kind == "centroid" and not self.centroid:
            raise ValueError("a centroid definition needs a centroid")
        return self


class AttributeLift(_Model):
    """One attribute that sets a segment apart from the whole base."""

    feature: str
    """Column name."""
    level: str | None = None
    """The categorical level (``None`` for numeric columns)."""
    kind: Literal["categorical", "numeric"]
    """Type of the column."""
    segment_value: float
    """Share of the level in the segment (categorical) or mean in the segment (numeric)."""
    base_value: float
    """The same figure over the whole base."""
    lift: float | None
    """segment_value / base_value (``None`` when the base value is 0)."""
    std_diff: float
    """(segment_value - base_value) / base standard deviation; ranks attributes across types."""


class CriterionResult(_Model):
    """One validation criterion for one segment. Never guessed: unknown means analyst input."""

    status: Status
    """``pass``, ``fail`` or ``analyst_input_needed``."""
    value: bool | int | float | str | None = None
    """The figure the status was decided on (share, silhouette, matched attribute ...)."""
    detail: str
    """Why, in one sentence, including the threshold used."""


class SegmentValidation(_Model):
    """The five segment criteria: measurable, substantial, accessible, differentiable, actionable."""

    segment: str
    """Segment name."""
    measurable: CriterionResult
    """Can it be sized with data."""
    substantial: CriterionResult
    """Is it big enough (min share and optional min revenue)."""
    accessible: CriterionResult
    """Is it defined by, or stands out on, an attribute the business can reach."""
    differentiable: CriterionResult
    """Is it separated from the rest (silhouette/stability, or key-metric differences for rules)."""
    actionable: CriterionResult
    """Can the business act on it (analyst input only)."""


class MeceCheck(_Model):
    """Mutually exclusive, collectively exhaustive: every customer in exactly one segment."""

    ok: bool
    """True when every customer ends up in exactly one segment."""
    total: int
    """Customers segmented."""
    assigned_once: int
    """Customers in exactly one segment."""
    unassigned: int
    """Customers in no segment."""
    overlapping: int
    """Customers whose row matched more than one definition (resolved by rule order)."""
    detail: str
    """One-line summary."""


class ValidationReport(_Model):
    """MECE check plus the five criteria per segment."""

    mece: MeceCheck
    """Coverage and exclusivity over all customers."""
    segments: list[SegmentValidation]
    """One entry per segment, in segment order."""


class AssignmentSummary(_Model):
    """How customers were assigned to segments."""

    total: int
    """Customers in the table (after excluding rows without an id)."""
    assigned: int
    """Customers placed in a segment."""
    unassigned: int
    """Customers in no segment (rules without a catch-all)."""
    overlapping: int = 0
    """Customers matching more than one rule; the first matching rule wins."""
    counts: dict[str, int]
    """Customers per segment, in segment order."""


class SegmentProfile(_Model):
    """One segment: size, value, churn, what sets it apart, and how to assign new customers."""

    name: str
    """Segment name (unique within a segmentation)."""
    size: int | None
    """Customers in the segment (``None`` when not sized from data, e.g. needs segments)."""
    share: Share | None
    """size / all customers."""
    revenue_share: Share | None = None
    """Share of total value (value column) held by the segment; ``None`` without a value column.
    Bounded to [0, 1]: when refunds make the base or a segment net negative it is ``None`` too."""
    revenue_total: float | None = None
    """Sum of the value column in the segment."""
    avg_value: float | None = None
    """Mean of the value column per customer."""
    churn_rate: Share | None = None
    """Share of churned customers (churn column), ``None`` without one."""
    retention_rate: Share | None = None
    """Share of retained customers (retention column), ``None`` without one."""
    metrics: dict[str, float] = Field(default_factory=dict)
    """Extra per-segment means (e.g. recency_days, frequency, monetary for RFM)."""
    top_lifts: list[AttributeLift] = Field(default_factory=list)
    """Attributes that set it apart, strongest first."""
    definition: SegmentDefinition
    """The rule or centroid that defines it."""
    silhouette: float | None = None
    """Mean silhouette of its members (clustering only)."""
    stability: float | None = None
    """Mean bootstrap Jaccard (Hennig's clusterboot; clustering only); below 0.6 is unstable."""
    top_themes: list[str] = Field(default_factory=list)
    """Research themes linked to the segment (filled by the research side)."""
    evidence_ids: list[str] = Field(default_factory=list)
    """Ids of evidence items supporting the segment (filled by the research side)."""


class Segmentation(_Model):
    """A complete segmentation of one customer table."""

    method: Method
    """``rfm``, ``kmeans``, ``ward``, ``rules`` or ``needs``."""
    segments: list[SegmentProfile]
    """Segments in report order."""
    assignment: AssignmentSummary
    """Counts of assigned, unassigned and overlapping customers."""
    validation: ValidationReport | None = None
    """MECE and the five criteria; ``None`` until validated."""
    feature_space: FeatureSpace | None = None
    """Encoding for centroid assignment (clustering only)."""
    id_column: str
    """Customer id column of the source table."""
    base: dict[str, float] = Field(default_factory=dict)
    """Whole-base figures: customers, churn_rate, revenue_total, churn_spread (max - min segment churn
    rate), silhouette (clusterings) ..."""
    quality: dict[str, int | float | str] = Field(default_factory=dict)
    """Data-quality counts (blank ids, blank values filled, cancellations ...)."""
    parameters: dict[str, Param] = Field(default_factory=dict)
    """Parameters that produced it (k, seed, k scores ...), for reproducibility."""
    catch_all: str | None = None
    """Name of the catch-all segment of a rule segmentation, if any."""


class RuleSpec(_Model):
    """One named rule; rules are tried in order and the first match wins."""

    name: str
    """Segment name."""
    rule: str
    """Expression over columns: and/or/not, comparisons, in/not in, string/number/list literals."""


class ValidationConfig(_Model):
    """Thresholds and analyst inputs for the five criteria."""

    min_share: Share = 0.05
    """Substantial: minimum share of customers."""
    min_revenue: float | None = None
    """Substantial: minimum revenue potential (segment total of the value column), e.g. 1,000,000;
    ``None`` = not checked."""
    reachable_attributes: list[str] | None = None
    """Accessible: columns the business can target on; ``None`` = analyst input needed."""
    min_silhouette: float = 0.25
    """Differentiable (clustering): minimum mean silhouette of the segment."""
    min_stability: float = 0.6
    """Differentiable (clustering): minimum bootstrap Jaccard."""
    min_effect: float = 0.2
    """Differentiable (rules, RFM): minimum |standardised difference| vs the rest on a key metric."""
    key_metrics: list[str] | None = None
    """Columns compared for rules/RFM differentiability; default = value and churn columns."""
    actionable: dict[str, bool] = Field(default_factory=dict)
    """Analyst verdicts: segment name -> actionable or not."""
    actionable_notes: dict[str, str] = Field(default_factory=dict)
    """Analyst notes shown as the detail of the actionable verdict."""


class SegmentConfig(_Model):
    """How to segment a customer table (YAML-friendly)."""

    method: Literal["kmeans", "ward", "rules"] = "kmeans"
    """Segmentation method for a customer table (RFM is built from transactions)."""
    columns: dict[str, str] = Field(default_factory=dict)
    """Column mapping for loading tables: {role: column}, roles customer_id, invoice, date, quantity,
    price, amount; unmapped roles are auto-detected from common names."""
    analysis_date: date | None = None
    """RFM analysis date; ``None`` = the day after the last transaction."""
    id_column: str | None = None
    """Customer id column; auto-detected when ``None``."""
    value_column: str | None = None
    """Column holding customer value (revenue) for revenue share and average value."""
    churn_column: str | None = None
    """Churn flag column (bool, 1/0 or Yes/No). Never used as a clustering feature."""
    retention_column: str | None = None
    """Retention flag column (bool, 1/0 or Yes/No)."""
    numeric: list[str] | None = None
    """Numeric clustering features; inferred when both feature lists are ``None``."""
    categorical: list[str] | None = None
    """Categorical clustering features (one-hot encoded)."""
    exclude: list[str] = Field(default_factory=list)
    """Columns never used as features (besides id, churn and retention)."""
    impute: dict[str, float] = Field(default_factory=dict)
    """Fill values for blank numeric cells per column; other columns use the median."""
    k: int | None = Field(default=None, ge=2, le=50)
    """Fixed number of clusters; ``None`` = choose by silhouette over k_min..k_max."""
    k_min: int = Field(default=2, ge=2)
    """Smallest k tried."""
    k_max: int = Field(default=8, ge=2)
    """Largest k tried."""
    seed: int = 0
    """Seed for k-means, silhouette sampling and bootstrap."""
    n_init: int = Field(default=10, ge=1)
    """k-means restarts."""
    silhouette_sample: int = Field(default=3000, ge=10)
    """Silhouette is computed on a deterministic sample of at most this many rows."""
    bootstrap_rounds: int = Field(default=50, ge=0, le=1000)
    """Bootstrap resamples for cluster stability (0 = skip)."""
    rules: list[RuleSpec] = Field(default_factory=list)
    """Ordered rules for ``method: rules``."""
    catch_all: str | None = None
    """Segment name for rows no rule matches (e.g. ``Other``); ``None`` leaves them unassigned."""
    top_lifts: int = Field(default=5, ge=0)
    """How many distinguishing attributes to keep per segment."""
    validation: ValidationConfig = Field(default_factory=ValidationConfig)
    """Criteria thresholds and analyst inputs."""

    @model_validator(mode="after")
    def _consistent(self) -> SegmentConfig:
        if self.k_max < self.k_min:
            raise ValueError(f"k_max ({self.k_max}) must be >= k_min ({self.k_min})")
        if self.method == "rules" and not self.rules:
            raise ValueError("method 'rules' needs a non-empty 'rules' list of {name, rule}")
        return self


class SegmentsResult(_Model):
    """`segments.json` of a run: table and needs segmentations, who is in which, and which one leads."""

    primary: Literal["table", "needs"] = "needs"
    """Which segmentation personas and targeting follow."""
    table: Segmentation | None = None
    """Segments of the customer table, when the inputs have one."""
    needs: Segmentation | None = None
    """Needs-based segments of research participants, from their evidence."""
    customer_segment: dict[str, str] = Field(default_factory=dict)
    """Customer id -> table segment name."""
    owner_need: dict[str, str] = Field(default_factory=dict)
    """Evidence owner (`EvidenceBase.who`) -> needs segment name."""

    @property
    def primary_segmentation(self) -> Segmentation | None:
        return self.table if self.primary == "table" else self.needs

    def segment_of(self, e: EvidenceBase) -> str | None:
        """The primary segment an evidence item belongs to: the one definition used everywhere."""
        return self.segment_in("table" if self.primary == "table" else "needs", e)

    def segment_in(self, segmentation: Literal["table", "needs"], e: EvidenceBase) -> str | None:
        """The segment of `e` in the table segmentation (by its customer) or the needs one (by who said it)."""
        if segmentation == "table":
            return self.customer_segment.get(e.customer_id or "")
        return self.owner_need.get(e.who)

    def group(self, evidence: Iterable[EvidenceBase]) -> dict[str, list[EvidenceBase]]:
        """Evidence by primary segment (items in no segment are left out), in input order."""
        out: dict[str, list[EvidenceBase]] = {}
        for e in evidence:
            seg = self.segment_of(e)
            if seg:
                out.setdefault(seg, []).append(e)
        return out

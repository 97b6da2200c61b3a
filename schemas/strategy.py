"""Strategy content: targeting matrix, migration pathways, KPIs, roadmap, data gaps, and the report.

Anything that is a recommendation rather than evidence says so (`recommendation=True`)
and links to the evidence ids or data figures that motivate it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from segscribe.schemas.curation import CurationNote
from segscribe.schemas.finding import Finding
from segscribe.schemas.persona import Persona
from segscribe.schemas.scoring import ScoringResult
from segscribe.schemas.segment import Segmentation
from segscribe.schemas.theme import Theme


class _M(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)


class Basis(_M):
    """What motivates a statement: evidence ids and/or data figures."""

    evidence_ids: list[str] = Field(default_factory=list)
    """Evidence items behind it."""
    data: list[str] = Field(default_factory=list)
    """Data figures behind it, e.g. `churn_rate=0.41 (segment) vs 0.18 (base)`."""


class Statement(_M):
    """A sentence of the report with what it rests on."""

    text: str
    """The sentence."""
    recommendation: bool = False
    """True for advice (a recommendation, not a finding)."""
    basis: Basis = Field(default_factory=Basis)
    """Evidence or data that motivates it."""


class TargetingRow(_M):
    """The targeting matrix row of one segment. All cells are recommendations."""

    segment: str
    """Segment name."""
    marketing_focus: Statement
    """Marketing focus."""
    product_priority: Statement
    """Product priority."""
    service_model: Statement
    """Service model."""
    pricing_strategy: Statement
    """Pricing strategy."""
    channels: dict[str, Statement] = Field(default_factory=dict)
    """Personalisation tactics by channel: email, web, in_app, sales."""


class MigrationPathway(_M):
    """A way to move customers from one segment towards a more valuable one."""

    source: str
    """From segment."""
    target: str
    """To segment."""
    trigger: str
    """A measurable trigger (a usage threshold or score change)."""
    intervention: Statement
    """What to do (a recommendation)."""
    success_metric: str
    """How to tell it worked."""
    basis: Basis = Field(default_factory=Basis)
    """The data that motivates the pathway (differences between the segments)."""


class KPI(_M):
    """A metric to track for a segment."""

    segment: str
    """Segment name."""
    metric: str
    """Metric name."""
    baseline: float | None = None
    """Current value from the data, when known."""
    target: str
    """Target (a recommendation)."""


class RoadmapPhase(_M):
    """A phase of the implementation roadmap."""

    name: str
    """Phase name."""
    weeks: str
    """Time box, e.g. `1-4`."""
    actions: list[Statement]
    """What happens in the phase."""


class DataGap(_M):
    """Data that would raise confidence."""

    need: str
    """What data is missing or thin."""
    why: str
    """What it would change."""


class CitedSource(_M):
    """A cited document's text, embedded so the HTML report works offline."""

    doc_id: str
    """Document id."""
    title: str
    """Human label."""
    kind: str
    """interview, notes, ticket or survey."""
    source: str
    """Source path."""
    text: str
    """Canonical text (citations index into it)."""
    passages: list[dict[str, Any]] = Field(default_factory=list)
    """Passages: id, speaker, role, start, end, timestamp."""


class StudySummary(_M):
    """What the report was made from: real counts, so every share in it has a stated denominator."""

    sessions: int = 0
    """Research sessions (interviews, note files of one session, tickets...) with usable text."""
    documents: dict[str, int] = Field(default_factory=dict)
    """Documents by kind (interview, notes, ticket, survey)."""
    files: int = 0
    """Input files read."""
    evidence: int = 0
    """Evidence items that passed the grounding gate."""
    voices: dict[str, float] = Field(default_factory=dict)
    """Share of the study's text per voice (participant, customer, notes, interviewer, template)."""
    duplicates: list[dict[str, str]] = Field(default_factory=list)
    """Documents left out as duplicates: `document`, `kept` (the file kept instead), `similarity`."""
    failed: list[dict[str, str]] = Field(default_factory=list)
    """Files that could not be read: `path`, `reason`."""
    skipped: list[dict[str, str]] = Field(default_factory=list)
    """Files read and left out, with nothing to analyse (an unfilled notes template, a customer table): `path`,
    `reason`."""
    warnings: list[str] = Field(default_factory=list)
    """Ingest warnings (e.g. a file with little usable text)."""
    tables: bool = False
    """True when the inputs include a customer table (segments can be sized; strategy sections apply)."""


class StrategyReport(_M):
    """Everything `segscribe report` renders, and the JSON other tools read."""

    title: str
    """Report title."""
    kind: Literal["research", "strategy"] = "strategy"
    """research: findings-first report of a study without customer tables; strategy: with segments and tables."""
    study: StudySummary = Field(default_factory=StudySummary)
    """Inputs and their real counts."""
    findings: list[Finding] = Field(default_factory=list)
    """Key findings, ranked (coverage, then intensity)."""
    jobs: list[Statement] = Field(default_factory=list)
    """Jobs-to-be-done stated in the research, each cited."""
    recommendations: list[Statement] = Field(default_factory=list)
    """Recommendations tied to findings (always marked as recommendations)."""
    open_questions: list[Statement] = Field(default_factory=list)
    """What the research leaves open: contested or thinly held findings, kinds of evidence missing."""
    personas_note: str | None = None
    """Why there are no personas (or fewer than expected), and what would make them possible."""
    curation: list[CurationNote] = Field(default_factory=list)
    """What a researcher's curation changed in this report, and which actions no longer apply."""
    rejected: dict[str, str] = Field(default_factory=dict)
    """Evidence a researcher rejected (id -> reason); left out of every section."""
    run_id: str
    """Run that produced it."""
    provider: str
    """Provider used for extraction and drafting."""
    generated_from: dict[str, Any] = Field(default_factory=dict)
    """Inputs: corpus path, document counts, content hashes."""
    executive_summary: list[Statement] = Field(default_factory=list)
    """The executive summary, sentence by sentence."""
    model_description: list[Statement] = Field(default_factory=list)
    """The segmentation model and criteria."""
    segmentation: Segmentation | None = None
    """Segments with profiles and validation."""
    needs_segmentation: Segmentation | None = None
    """Needs-based segments from the research, when there is one."""
    scoring: ScoringResult | None = None
    """Prioritisation with tiers and sensitivity."""
    themes: list[Theme] = Field(default_factory=list)
    """Themes across the research."""
    theme_by_segment: dict[str, dict[str, int]] = Field(default_factory=dict)
    """Theme id -> segment -> evidence count (for the chart)."""
    personas: list[Persona] = Field(default_factory=list)
    """Personas, 1-2 per segment."""
    targeting: list[TargetingRow] = Field(default_factory=list)
    """The targeting matrix."""
    migrations: list[MigrationPathway] = Field(default_factory=list)
    """Migration pathways."""
    kpis: list[KPI] = Field(default_factory=list)
    """The measurement framework."""
    roadmap: list[RoadmapPhase] = Field(default_factory=list)
    """Implementation roadmap in phases."""
    data_gaps: list[DataGap] = Field(default_factory=list)
    """Data requirements and gaps."""
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    """Every evidence item the report cites (model_dump of segscribe.schemas.evidence items): a list of evidence
    ids is cited up to its first few items and the rest counted (`segscribe.report.citing`); every item of the
    run is in its evidence.jsonl."""
    sources: list[CitedSource] = Field(default_factory=list)
    """Documents of the cited evidence, with their text."""

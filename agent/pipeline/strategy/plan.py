"""Roadmap, data gaps and executive summary, built deterministically from data (no LLM).

Roadmap phases (fixed): Foundation (weeks 1-4), Operationalise (5-8), Activate (9-12),
Optimise (ongoing); top-tier segments come first in every phase, lower tiers follow.

Data gaps (each computed, never guessed):
  - segments with research from fewer than 3 distinct participants;
  - no validation report; MECE not met; criteria marked `analyst_input_needed`;
  - persona fields that say "not in the data";
  - no value column (no revenue share / average value anywhere); no churn or retention column;
  - research documents without a `customer_id`, whose evidence cannot be tied to a table segment.

Executive summary (findings unless stated): largest segment, highest value share, highest
churn vs base, the top-tier segments (a recommendation), the top themes by participants
(citing their evidence), and the top pain of each top-tier segment (citing its evidence).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from segscribe.pipeline.personas.claims import count_participants
from segscribe.pipeline.strategy.facts import baseline, fmt, pct, tier_groups, top_pain, top_tier_names
from segscribe.schemas.document import DocKind, Document
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.persona import Persona
from segscribe.schemas.scoring import ScoredSegment, ScoringResult
from segscribe.schemas.segment import SegmentProfile, ValidationReport
from segscribe.schemas.strategy import Basis, DataGap, RoadmapPhase, Statement
from segscribe.schemas.theme import Theme

MIN_PARTICIPANTS = 3
MAX_THEMES = 3
CRITERIA = ("measurable", "substantial", "accessible", "differentiable", "actionable")


def _names(group: Sequence[ScoredSegment]) -> str:
    return ", ".join(s.name for s in group)


def _rank_data(group: Sequence[ScoredSegment]) -> list[str]:
    return [f"{s.name}: rank {s.rank}, total {s.total_display}, tier {s.tier or 'none'}"
            + (f", allocation {s.allocation}" if s.allocation else "") for s in group]


def _rec(text: str, data: list[str], ids: Sequence[str] = ()) -> Statement:
    return Statement(text=text, recommendation=True, basis=Basis(evidence_ids=list(ids), data=data))


def roadmap(scoring: ScoringResult | None) -> list[RoadmapPhase]:
    """Four phases; top tier first (see module doc). Without scoring, one generic action per phase."""
    groups = tier_groups(scoring)
    all_ranked = [s for _, g in groups for s in g]
    every = _rank_data(all_ranked) or ["no scoring result: segments not prioritised yet"]
    top = groups[0] if groups else None
    rest = groups[1:]
    foundation = [
        _rec("Tag every customer with its segment in the CRM and reporting.", every),
        _rec("Baseline the KPIs (churn, retention, average value, customer share) for every segment.", every),
        _rec("Close the data gaps that block the top-tier segments first.",
             _rank_data(top[1]) if top else every),
    ]
    operationalise, activate, optimise = [], [], []
    if top is not None:
        label, group = top
        operationalise.append(_rec(f"Build the {label} playbooks first ({_names(group)}): targeting, offer, "
                                   "service model and channel tactics.", _rank_data(group)))
        activate.append(_rec(f"Launch the {label} campaigns and service model ({_names(group)}); measure "
                             "against the baselines.", _rank_data(group)))
    for label, group in rest[:1]:
        operationalise.append(_rec(f"Prepare the {label} playbooks ({_names(group)}) reusing the top-tier "
                                   "assets.", _rank_data(group)))
        activate.append(_rec(f"Extend to {label} ({_names(group)}) once the top-tier launch is measured.",
                             _rank_data(group)))
    for label, group in rest[1:]:
        optimise.append(_rec(f"Serve {label} ({_names(group)}) through low-cost, automated programmes.",
                             _rank_data(group)))
    sens = scoring.sensitivity if scoring is not None else None
    sens_data = ([f"sensitivity: {e.name} rank changes in {pct(e.rank_change_share)} of {sens.samples} "
                  "weight samples" for e in sens.segments] if sens is not None else [])
    optimise.insert(0, _rec("Review segment KPIs monthly; re-score and re-validate segments quarterly.",
                            sens_data or every))
    if not operationalise:
        operationalise.append(_rec("Build segment playbooks once segments are scored.", every))
        activate.append(_rec("Launch segment campaigns once playbooks exist.", every))
    return [RoadmapPhase(name="Foundation", weeks="1-4", actions=foundation),
            RoadmapPhase(name="Operationalise", weeks="5-8", actions=operationalise),
            RoadmapPhase(name="Activate", weeks="9-12", actions=activate),
            RoadmapPhase(name="Optimise", weeks="ongoing", actions=optimise)]


def data_gaps(profiles: Sequence[SegmentProfile], evidence: Mapping[str, Sequence[EvidenceBase]],
              docs: Mapping[str, Document], validation: ValidationReport | None, *,
              personas: Sequence[Persona] = ()) -> list[DataGap]:
    """Computed data gaps (see module doc). `evidence` maps segment name -> that segment's evidence."""
    gaps: list[DataGap] = []
    for p in profiles:
        n = count_participants(evidence.get(p.name, ()))
        if n < MIN_PARTICIPANTS:
            gaps.append(DataGap(need=f"More research with {p.name}: {n} participant(s) so far "
                                     f"(fewer than {MIN_PARTICIPANTS})",
                                why="Personas, pain rankings and confidence for this segment rest on too few "
                                    "voices; at least 3 participants would raise confidence."))
    if validation is None:
        gaps.append(DataGap(need="Segment validation (MECE and the five criteria)",
                            why="Without it, segment size, reach and separation are unconfirmed."))
    else:
        if not validation.mece.ok:
            gaps.append(DataGap(need="Complete, exclusive segment assignment (MECE)",
                                why=validation.mece.detail))
        for sv in validation.segments:
            for name in CRITERIA:
                crit = getattr(sv, name)
                if crit.status == "analyst_input_needed":
                    gaps.append(DataGap(need=f"Analyst input: {name} for {sv.segment}", why=crit.detail))
    for persona in personas:
        empty = [n for n, cf in persona.claim_fields().items() if cf.not_in_data]
        if empty:
            gaps.append(DataGap(need=f"Evidence on {', '.join(empty)} for {persona.name} ({persona.segment})",
                                why="These persona fields say 'not in the data'; research that covers them "
                                    "would complete the persona."))
    if profiles and all(p.revenue_share is None and p.avg_value is None for p in profiles):
        gaps.append(DataGap(need="A customer value column (revenue, MRR or spend)",
                            why="Value share, average value and value-based prioritisation cannot be "
                                "computed."))
    if profiles and all(p.churn_rate is None and p.retention_rate is None for p in profiles):
        gaps.append(DataGap(need="A churn or retention flag per customer",
                            why="Churn-based targeting, retention KPIs and their baselines cannot be "
                                "computed."))
    research = [d for d in docs.values() if d.kind in (DocKind.interview, DocKind.notes, DocKind.survey)]
    unlinked = sorted(d.id for d in research if not d.metadata.get("customer_id"))
    if unlinked:
        shown = ", ".join(unlinked[:5]) + (" ..." if len(unlinked) > 5 else "")
        gaps.append(DataGap(need=f"Customer ids for {len(unlinked)} research document(s) ({shown})",
                            why="Their evidence cannot be tied to a segment of the customer table."))
    return gaps


def executive_summary(profiles: Sequence[SegmentProfile], scoring: ScoringResult | None = None,
                      themes: Sequence[Theme] = (), *, base: Mapping[str, float] | None = None,
                      evidence_by_segment: Mapping[str, Sequence[EvidenceBase]] | None = None,
                      ) -> list[Statement]:
    """Findings with their basis, sentence by sentence (see module doc)."""
    out: list[Statement] = []
    b = baseline(profiles, base)
    sized = [p for p in profiles if p.share is not None]
    if sized:
        p = max(sized, key=lambda x: (x.share or 0.0, x.name))
        size = f" ({p.size} customers)" if p.size is not None else ""
        out.append(Statement(text=f"{p.name} is the largest segment: {pct(p.share or 0)} of customers{size}.",
                             basis=Basis(data=[f"share={pct(p.share or 0)}", f"size={p.size}"])))
    valued = [p for p in profiles if p.revenue_share is not None]
    if valued:
        p = max(valued, key=lambda x: (x.revenue_share or 0.0, x.name))
        share = f" from {pct(p.share)} of customers" if p.share is not None else ""
        text = f"{p.name} holds the largest share of value: {pct(p.revenue_share or 0)}{share}."
        out.append(Statement(text=text,
                             basis=Basis(data=[f"revenue_share={pct(p.revenue_share or 0)}"]
                                         + ([f"share={pct(p.share)}"] if p.share is not None else []))))
    churned = [p for p in profiles if p.churn_rate is not None]
    if churned:
        p = max(churned, key=lambda x: (x.churn_rate or 0.0, x.name))
        vs = f" vs {pct(b.churn)} across the base" if b.churn is not None else ""
        out.append(Statement(text=f"{p.name} has the highest churn: {pct(p.churn_rate or 0)}{vs}.",
                             basis=Basis(data=[f"churn_rate={pct(p.churn_rate or 0)}"]
                                         + ([f"base churn_rate={pct(b.churn)}"] if b.churn is not None
                                            else []))))
    top = top_tier_names(scoring)
    if scoring is not None and top:
        group = [s for s in scoring.ranked if s.name in top]
        label = group[0].tier or "the top third"
        out.append(_rec(f"Prioritise {', '.join(top)} ({label}).", _rank_data(group)))
    ranked_themes = sorted(themes, key=lambda t: (-t.participants, -len(t.evidence_ids), t.id))[:MAX_THEMES]
    for t in ranked_themes:
        ids = ([t.representative_id] if t.representative_id else []) + [
            i for i in t.evidence_ids if i != t.representative_id][:4]
        out.append(Statement(text=f"Research theme: {t.label} ({t.participants} participants, "
                                  f"{len(t.evidence_ids)} evidence items).",
                             basis=Basis(evidence_ids=ids, data=[f"doc_share={fmt(t.doc_share)}"])))
    for name in top:
        pain = top_pain((evidence_by_segment or {}).get(name, ()), themes)
        if pain is not None:
            people = "participant" if pain.participants == 1 else "participants"
            text = f'{name}\'s most shared pain: "{pain.summary}" ({pain.participants} {people}).'
            out.append(Statement(text=text, basis=Basis(evidence_ids=pain.evidence_ids)))
    return out

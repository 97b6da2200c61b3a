"""Strategy builders: documented rules, recommendations with a basis, thresholds from data, determinism."""

from __future__ import annotations

from typing import Any

import pytest

import factories
from segscribe.pipeline import gate
from segscribe.pipeline.strategy.plan import data_gaps, executive_summary, roadmap
from segscribe.pipeline.strategy.targeting import between, kpis, migration_pathways, targeting_rows
from segscribe.schemas.document import DocKind, Document
from segscribe.schemas.evidence import DraftEvidence, EvidenceBase, EvidenceKind
from segscribe.schemas.persona import Claim, ClaimField, Persona
from segscribe.schemas.scoring import ScoredSegment, ScoringResult
from segscribe.schemas.segment import (
    AttributeLift,
    CriterionResult,
    MeceCheck,
    SegmentDefinition,
    SegmentProfile,
    SegmentValidation,
    ValidationReport,
)
from segscribe.schemas.strategy import Statement
from segscribe.schemas.theme import Theme

BASE = {"customers": 1200.0, "churn_rate": 0.1975, "revenue_total": 3_600_000.0}


def lift(feature: str, seg: float, base: float, sd: float, level: str | None = None) -> AttributeLift:
    return AttributeLift(
        feature=feature,
        level=level,
        kind="categorical" if level else "numeric",
        segment_value=seg,
        base_value=base,
        lift=round(seg / base, 4),
        std_diff=round((seg - base) / sd, 4),
    )


def profiles() -> list[SegmentProfile]:
    none = SegmentDefinition(kind="none")
    return [
        SegmentProfile(
            name="Enterprise",
            size=300,
            share=0.25,
            revenue_share=0.6,
            avg_value=7200.0,
            churn_rate=0.08,
            retention_rate=0.92,
            definition=none,
            metrics={"weekly_active_users": 16.3, "invoices_per_month": 410.0, "mrr": 600.0},
            top_lifts=[
                lift("industry", 0.62, 0.3, 0.46, "Manufacturing"),
                lift("weekly_active_users", 16.3, 10.0, 5.0),
            ],
        ),
        SegmentProfile(
            name="Growth",
            size=600,
            share=0.5,
            revenue_share=0.32,
            avg_value=1920.0,
            churn_rate=0.18,
            retention_rate=0.82,
            definition=none,
            metrics={"weekly_active_users": 8.1, "invoices_per_month": 260.0, "mrr": 160.0},
            top_lifts=[lift("invoices_per_month", 260.0, 240.0, 100.0)],
        ),
        SegmentProfile(
            name="Dormant",
            size=300,
            share=0.25,
            revenue_share=0.08,
            avg_value=960.0,
            churn_rate=0.41,
            retention_rate=0.59,
            definition=none,
            metrics={"weekly_active_users": 2.0, "invoices_per_month": 40.0, "mrr": 80.0},
            top_lifts=[lift("days_since_login", 64.0, 22.0, 20.0)],
        ),
    ]


def scoring() -> ScoringResult:
    def row(rank: int, name: str, total: float, tier: str, alloc: str) -> ScoredSegment:
        return ScoredSegment(
            rank=rank,
            name=name,
            total=total,
            total_display=f"{total:.1f}",
            tier=tier,
            allocation=alloc,
            factors=[],
        )

    return ScoringResult(
        preset="matrix4",
        weights={"a": 1.0},
        multiplier=4,
        scale=(1, 10),
        ranked=[
            row(1, "Enterprise", 32.0, "Tier 1", "60-70%"),
            row(2, "Growth", 26.0, "Tier 2", "25-35%"),
            row(3, "Dormant", 12.0, "Tier 3", "5-10%"),
        ],
    )


def make_doc(doc_id: str, meta: dict[str, Any], said: list[str], kind: DocKind = DocKind.interview) -> Document:
    return factories.make_doc(doc_id, [("P", "participant", x) for x in said], kind, metadata=meta, source=doc_id)


def pains(doc: Document, quotes: list[tuple[str, dict[str, Any]]]) -> list[EvidenceBase]:
    drafts = [
        DraftEvidence(kind=EvidenceKind.pain, passage_id=f"{doc.id}:{i}", quote=q, summary=q, **extra)
        for i, (q, extra) in enumerate(quotes)
    ]
    result = gate.check(doc, drafts, "offline", "x")
    assert not result.failures
    return result.accepted


@pytest.fixture(scope="module")
def research() -> tuple[dict[str, Document], dict[str, list[EvidenceBase]]]:
    a = make_doc(
        "int-a",
        {"participant_id": "p1", "customer_id": "C1"},
        ["Closing the books takes nine days.", "Approvals sit for a week."],
    )
    b = make_doc(
        "int-b", {"participant_id": "p2", "customer_id": "C2"}, ["Approvals sit in an inbox for a week."]
    )
    c = make_doc("int-c", {"participant_id": "p3"}, ["Nobody logs in after the trial ends."])
    ent = pains(
        a,
        [
            ("Closing the books takes nine days.", {}),
            ("Approvals sit for a week.", {"intensity": "for a week"}),
        ],
    ) + pains(b, [("Approvals sit in an inbox for a week.", {})])
    dormant = pains(c, [("Nobody logs in after the trial ends.", {})])
    return {d.id: d for d in (a, b, c)}, {"Enterprise": ent, "Dormant": dormant}


def themes(research: Any) -> list[Theme]:
    _, by_seg = research
    approvals = [e.id for e in by_seg["Enterprise"] if "Approvals" in e.quote]
    return [
        Theme(
            id="t1",
            label="approvals / week",
            evidence_ids=approvals,
            participants=2,
            doc_share=0.67,
            representative_id=approvals[0],
        ),
        Theme(id="t2", label="close / days", evidence_ids=[by_seg["Enterprise"][0].id], participants=1),
    ]


def _recommended(st: Statement) -> None:
    assert st.recommendation is True
    assert st.basis.data or st.basis.evidence_ids


def test_targeting_rules_give_recommendations_with_a_basis(research: Any) -> None:
    _, by_seg = research
    rows = targeting_rows(profiles(), scoring(), by_seg, themes=themes(research), base=BASE)
    assert [r.segment for r in rows] == ["Enterprise", "Growth", "Dormant"]
    for r in rows:
        for st in (
            r.marketing_focus,
            r.product_priority,
            r.service_model,
            r.pricing_strategy,
            *r.channels.values(),
        ):
            _recommended(st)
        assert set(r.channels) == {"email", "web", "in_app", "sales"}
    ent, growth, dormant = rows
    # high value share (0.60 / 0.25 = 2.4) -> expansion; tier 1 -> dedicated CSM; value-based pricing
    assert ent.marketing_focus.text.startswith("Expansion and advocacy")
    assert "on industry=Manufacturing" in ent.marketing_focus.text
    assert ent.service_model.text.startswith("Dedicated CSM")
    assert ent.pricing_strategy.text.startswith("Value-based")
    assert ent.channels["sales"].text.startswith("Account-based")
    assert any("value index 2.4" in d for d in ent.service_model.basis.data)
    # top pain = the approvals theme (2 participants), cited by id
    approvals = sorted(e.id for e in by_seg["Enterprise"] if "Approvals" in e.quote)
    assert sorted(ent.product_priority.basis.evidence_ids) == approvals
    assert "(2 participants)" in ent.product_priority.text
    # high churn (0.41 vs 0.1975) -> retention-focused marketing, service and win-back email
    assert dormant.marketing_focus.text.startswith("Retention first")
    assert any(d == "churn_rate=41.0% vs 19.8% base" for d in dormant.marketing_focus.basis.data)
    assert dormant.service_model.text.startswith("Proactive, retention-focused")
    assert dormant.channels["email"].text.startswith("Risk-triggered win-back")
    assert dormant.channels["in_app"].text.startswith("Usage nudges to sustain days_since_login")
    # no research evidence -> product priority falls back on the numeric lift
    assert growth.product_priority.text.startswith("Invest in the workflows behind invoices_per_month")
    assert growth.channels["sales"].text.startswith("No sales assist")


def test_migration_trigger_is_the_midpoint_of_segment_means() -> None:
    paths = migration_pathways(profiles(), BASE)
    assert [(p.source, p.target) for p in paths] == [("Dormant", "Growth"), ("Growth", "Enterprise")]
    up = paths[1]
    # weekly_active_users has a known base sd (from the Enterprise lift), so it wins over invoices_per_month;
    # mrr is a value column and never a trigger.
    assert up.trigger == "weekly_active_users >= 12 (midpoint between segment means 8.1 and 16.3)"
    assert "weekly_active_users: 8.1 (Growth) vs 16.3 (Enterprise)" in up.basis.data
    assert "avg_value: 1920 (Growth) vs 7200 (Enterprise)" in up.basis.data
    # Dormant -> Growth: both usage attributes have a known sd; invoices_per_month differs most (2.2 sd).
    assert paths[0].trigger == "invoices_per_month >= 150 (midpoint between segment means 40 and 260)"
    assert "standardised difference 2.2" in paths[0].basis.data
    for p in paths:
        _recommended(p.intervention)
        assert p.success_metric and "mrr" not in p.trigger


def test_migration_without_known_sd_uses_relative_difference_and_direction() -> None:
    none = SegmentDefinition(kind="none")
    low = SegmentProfile(
        name="Low",
        size=10,
        share=0.5,
        avg_value=100.0,
        definition=none,
        metrics={"days_since_login": 40.0, "seats": 3.0},
    )
    high = SegmentProfile(
        name="High",
        size=10,
        share=0.5,
        avg_value=900.0,
        definition=none,
        metrics={"days_since_login": 5.0, "seats": 4.0},
    )
    (p,) = migration_pathways([high, low])
    assert p.source == "Low" and p.target == "High"
    assert p.trigger == "days_since_login <= 22 (midpoint between segment means 40 and 5)"
    assert "relative difference 0.875" in p.basis.data


def test_between_keeps_the_threshold_strictly_inside() -> None:
    assert between(8.1, 16.3) == 12
    assert between(1.0, 1.2) == 1.1
    assert between(3, 4) == 3.5
    assert between(10, 2) == 6


def test_kpis_have_data_baselines_and_rule_targets() -> None:
    rows = kpis(profiles(), BASE)
    by = {(k.segment, k.metric): k for k in rows}
    assert by[("Dormant", "churn_rate")].baseline == 0.41
    assert by[("Dormant", "churn_rate")].target.startswith("-20% relative churn (to 32.8%)")
    assert by[("Enterprise", "churn_rate")].target == "hold at or below 8.0%"
    assert by[("Growth", "churn_rate")].target.startswith("-10% relative churn")
    assert by[("Enterprise", "avg_value")].target.startswith("+5% (to 7560)")
    assert by[("Dormant", "avg_value")].target.startswith("+15%")
    assert by[("Enterprise", "customer_share")].target == "+2 points (to 27.0%)"
    assert by[("Growth", "retention_rate")].baseline == 0.82


def test_roadmap_puts_tier_1_first() -> None:
    phases = roadmap(scoring())
    assert [(p.name, p.weeks) for p in phases] == [
        ("Foundation", "1-4"),
        ("Operationalise", "5-8"),
        ("Activate", "9-12"),
        ("Optimise", "ongoing"),
    ]
    assert "Tier 1" in phases[1].actions[0].text and "Enterprise" in phases[1].actions[0].text
    assert "Growth" in phases[2].actions[1].text
    assert any("Dormant" in a.text for a in phases[3].actions)
    for phase in phases:
        for action in phase.actions:
            _recommended(action)
    assert [p.name for p in roadmap(None)] == ["Foundation", "Operationalise", "Activate", "Optimise"]


def test_data_gaps_are_computed(research: Any) -> None:
    docs, by_seg = research
    ok = CriterionResult(status="pass", detail="ok")
    validation = ValidationReport(
        mece=MeceCheck(ok=True, total=1200, assigned_once=1200, unassigned=0, overlapping=0, detail="ok"),
        segments=[
            SegmentValidation(
                segment="Growth",
                measurable=ok,
                substantial=ok,
                accessible=ok,
                differentiable=ok,
                actionable=CriterionResult(
                    status="analyst_input_needed", detail="No analyst verdict recorded yet."
                ),
            )
        ],
    )
    persona = Persona(
        id="Enterprise-1",
        name="The controller in Enterprise",
        segment="Enterprise",
        one_liner=ClaimField(claims=[Claim(text="x", evidence_ids=[by_seg["Enterprise"][0].id])]),
        role_context=ClaimField(),
        goals=ClaimField(),
        success_metrics=ClaimField(),
        pains=ClaimField(),
        jobs_functional=ClaimField(),
        jobs_emotional=ClaimField(),
        jobs_social=ClaimField(),
        behaviours=ClaimField(),
        tools_alternatives=ClaimField(),
        decision_criteria=ClaimField(),
        channels=ClaimField(),
    )
    gaps = data_gaps(profiles(), by_seg, docs, validation, personas=[persona])
    needs = [g.need for g in gaps]
    assert "More research with Enterprise: 2 participant(s) so far (fewer than 3)" in needs
    assert "More research with Growth: 0 participant(s) so far (fewer than 3)" in needs
    assert "Analyst input: actionable for Growth" in needs
    assert any(n.startswith("Evidence on role_context, goals") for n in needs)
    assert "Customer ids for 1 research document(s) (int-c)" in needs
    assert not any("value column" in n or "churn or retention" in n for n in needs)
    bare = [
        p.model_copy(
            update={"revenue_share": None, "avg_value": None, "churn_rate": None, "retention_rate": None}
        )
        for p in profiles()
    ]
    needs = [g.need for g in data_gaps(bare, by_seg, {}, None)]
    assert "Segment validation (MECE and the five criteria)" in needs
    assert any("value column" in n for n in needs) and any("churn or retention" in n for n in needs)


def test_executive_summary_findings_cite_data_and_evidence(research: Any) -> None:
    _, by_seg = research
    summary = executive_summary(
        profiles(), scoring(), themes(research), base=BASE, evidence_by_segment=by_seg
    )
    texts = [s.text for s in summary]
    assert texts[0] == "Growth is the largest segment: 50.0% of customers (600 customers)."
    assert texts[1] == "Enterprise holds the largest share of value: 60.0% from 25.0% of customers."
    assert texts[2] == "Dormant has the highest churn: 41.0% vs 19.8% across the base."
    assert texts[3] == "Prioritise Enterprise (Tier 1)." and summary[3].recommendation
    theme = summary[4]
    assert theme.text.startswith("Research theme: approvals / week (2 participants")
    assert theme.basis.evidence_ids and not theme.recommendation
    assert summary[-1].text.startswith("Enterprise's most shared pain:") and summary[-1].basis.evidence_ids
    for s in summary:
        assert s.basis.data or s.basis.evidence_ids


def test_builders_are_deterministic(research: Any) -> None:
    docs, by_seg = research

    def run() -> list[str]:
        out = [
            r.model_dump_json()
            for r in targeting_rows(profiles(), scoring(), by_seg, themes=themes(research), base=BASE)
        ]
        out += [m.model_dump_json() for m in migration_pathways(profiles(), BASE)]
        out += [k.model_dump_json() for k in kpis(profiles(), BASE)]
        out += [p.model_dump_json() for p in roadmap(scoring())]
        out += [g.model_dump_json() for g in data_gaps(profiles(), by_seg, docs, None)]
        out += [s.model_dump_json() for s in executive_summary(profiles(), scoring(), themes(research))]
        return out

    assert run() == run()
    reordered = list(reversed(profiles()))
    assert [m.model_dump_json() for m in migration_pathways(reordered, BASE)] == [
        m.model_dump_json() for m in migration_pathways(profiles(), BASE)
    ]

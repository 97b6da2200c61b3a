"""A small but complete StrategyReport built by hand with the real models (for the report renderers).

Source texts are assembled here and every citation offset is computed with ``str.index``, so
``source.text[start:end] == quote`` holds by construction (and is re-checked by the evidence models'
grounding validator). One ticket contains ``<script>alert(1)</script>`` to prove escaping, and the first
interview contains an emoji before a cited span to exercise code-point offsets in the browser.
"""

from __future__ import annotations

from typing import Any

from segscribe.schemas.evidence import EvidenceBase, Goal, JobToBeDone, Objection, PainPoint, Quote, Workaround
from segscribe.schemas.persona import Claim, ClaimField, Persona, QuoteRef
from segscribe.schemas.scoring import (
    FactorContribution,
    ScoredSegment,
    ScoringResult,
    SensitivityEntry,
    SensitivityReport,
    Source,
)
from segscribe.schemas.segment import (
    AssignmentSummary,
    AttributeLift,
    CriterionResult,
    MeceCheck,
    Segmentation,
    SegmentDefinition,
    SegmentProfile,
    SegmentValidation,
    Status,
    ValidationReport,
)
from segscribe.schemas.strategy import (
    KPI,
    Basis,
    CitedSource,
    DataGap,
    MigrationPathway,
    RoadmapPhase,
    Statement,
    StrategyReport,
    TargetingRow,
)
from segscribe.schemas.theme import Theme

Turn = tuple[str, str, str | None, str]

ANNA: list[Turn] = [
    ("Interviewer", "interviewer", "00:00:05", "Thanks for joining. How does month-end look for your team?"),
    ("Anna Kowalski", "participant", "00:00:12",
     "Honestly it's a slog 🙂 closing the books takes us eleven days every month, and the board wants "
     "numbers by day five."),
    ("Interviewer", "interviewer", "00:01:40", "What do you use today?"),
    ("Anna Kowalski", "participant", "00:01:47",
     "We reconcile everything in a giant spreadsheet that only two people understand. The spreadsheet is "
     "the product we actually run on."),
    ("Interviewer", "interviewer", "00:03:02", "What would a new tool have to do?"),
    ("Anna Kowalski", "participant", "00:03:10",
     "I want the close done in five days without hiring. But anything that touches the ledger has to pass "
     "our SOC 2 review first."),
    ("Anna Kowalski", "participant", "00:04:31",
     "Mostly I want to stop being the person who says the numbers are late."),
]
BEN: list[Turn] = [
    ("Interviewer", "interviewer", None, "Tell me about approvals."),
    ("Ben Okafor", "participant", None,
     "Approvals sit in someone's inbox for a week, so vendors chase us for payment."),
    ("Interviewer", "interviewer", None, "How do you work around it?"),
    ("Ben Okafor", "participant", None,
     "When a vendor invoice arrives, I want it routed to the right approver automatically. Right now I "
     "forward emails and keep a sticky-note list."),
]
TICKET: list[Turn] = [
    ("Dana Ortiz", "customer", None,
     "I pasted <script>alert(1)</script> into the vendor name field and the CSV export broke. "
     "We need clean exports for our auditors."),
    ("Support", "agent", None, "Thanks Dana, we have escalated the export issue."),
]


def _source(doc_id: str, title: str, kind: str, path: str, turns: list[Turn]) -> CitedSource:
    text, passages = "", []
    for i, (speaker, role, ts, said) in enumerate(turns):
        prefix = (f"[{ts}] " if ts else "") + f"{speaker}: "
        start = len(text) + len(prefix)
        passages.append({"id": f"{doc_id}:{i}", "speaker": speaker, "role": role, "start": start,
                         "end": start + len(said), "timestamp": ts})
        text += prefix + said + "\n"
    return CitedSource(doc_id=doc_id, title=title, kind=kind, source=path, text=text, passages=passages)


def _evidence(cls: type[EvidenceBase], eid: str, src: CitedSource, quote: str, speaker: str,
              **extra: Any) -> dict[str, Any]:
    start = src.text.index(quote)
    end = start + len(quote)
    passage = next(p for p in src.passages if p["start"] <= start < p["end"])
    data = {"id": eid, "summary": quote[:60], "doc_id": src.doc_id, "passage_id": passage["id"],
            "speaker": speaker, "confidence": 0.8, "prompt": "offline-rules@1",
            "citations": [{"doc_id": src.doc_id, "start": start, "end": end, "quote": quote}], **extra}
    item = cls.model_validate(data, context={"documents": {src.doc_id: src.text}})
    return item.model_dump(mode="json")


def _quote_ref(ev: dict[str, Any]) -> QuoteRef:
    c = ev["citations"][0]
    return QuoteRef(evidence_id=ev["id"], quote=c["quote"], doc_id=c["doc_id"], start=c["start"],
                    end=c["end"], speaker=ev["speaker"])


def _field(*claims: tuple[str, list[str]]) -> ClaimField:
    return ClaimField(claims=[Claim(text=t, evidence_ids=ids, participants=1) for t, ids in claims])


def _criteria(seg: str, diff: tuple[Status, float, str], actionable: tuple[Status, str]) -> SegmentValidation:
    ok: Status = "pass"
    return SegmentValidation(
        segment=seg,
        measurable=CriterionResult(status=ok, value=True, detail="Sized from the customer table."),
        substantial=CriterionResult(status=ok, value=0.25, detail="Share >= 5% of customers."),
        accessible=CriterionResult(status=ok, value="industry",
                                   detail="Stands out on a reachable attribute."),
        differentiable=CriterionResult(status=diff[0], value=diff[1], detail=diff[2]),
        actionable=CriterionResult(status=actionable[0], detail=actionable[1]),
    )


def _scored(rank: int, name: str, values: list[tuple[str, int, Source, str]], tier: str,
            alloc: str) -> ScoredSegment:
    factors = [FactorContribution(factor=f, value=v, source=s, weight=0.25, contribution=float(v), detail=d)
               for f, v, s, d in values]
    total = float(sum(v for _, v, _, _ in values))
    return ScoredSegment(rank=rank, name=name, total=total, total_display=f"{total:.1f}", tier=tier,
                         allocation=alloc, factors=factors)


def _st(text: str, ids: list[str] | None = None, data: list[str] | None = None,
        rec: bool = True) -> Statement:
    return Statement(text=text, recommendation=rec, basis=Basis(evidence_ids=ids or [], data=data or []))


def _lift(feature: str, level: str | None, seg: float, base: float, sd: float) -> AttributeLift:
    return AttributeLift(feature=feature, level=level, kind="categorical" if level else "numeric",
                         segment_value=seg, base_value=base, lift=round(seg / base, 2), std_diff=sd)


EF, SMB, DT = "Enterprise Finance", "Scaling SMB", "Dormant Trialists"
A, B, D = "Anna Kowalski", "Ben Okafor", "Dana Ortiz"


def _segmentation() -> Segmentation:
    def centroid(*xs: float) -> SegmentDefinition:
        return SegmentDefinition(kind="centroid", centroid=list(xs))

    profiles = [
        SegmentProfile(name=EF, size=310, share=0.25, revenue_share=0.58, revenue_total=2294800.0,
                       avg_value=7402.58, churn_rate=0.08, retention_rate=0.92, silhouette=0.47,
                       stability=0.86, definition=centroid(1.2, 0.9, -0.4),
                       top_lifts=[_lift("industry", "Finance", 0.62, 0.3, 0.7),
                                  _lift("employees", None, 820, 310, 1.4)],
                       top_themes=["t1", "t3"], evidence_ids=["ev-3f9a01", "ev-1b7e55"]),
        SegmentProfile(name=SMB, size=620, share=0.5, revenue_share=0.33, revenue_total=1305700.0,
                       avg_value=2105.97, churn_rate=0.15, retention_rate=0.85, silhouette=0.39,
                       stability=0.74, definition=centroid(-0.1, 0.4, 0.2),
                       top_lifts=[_lift("invoices_per_month", None, 410, 260, 0.9)],
                       top_themes=["t2"], evidence_ids=["ev-7c1e09"]),
        SegmentProfile(name=DT, size=310, share=0.25, revenue_share=0.09, revenue_total=356100.0,
                       avg_value=1148.71, churn_rate=0.41, retention_rate=0.59, silhouette=0.21,
                       stability=0.55, definition=centroid(-1.0, -1.1, 0.9),
                       top_lifts=[_lift("days_since_login", None, 64, 22, 1.8)]),
    ]
    no_verdict: tuple[Status, str] = ("analyst_input_needed", "No analyst verdict recorded yet.")
    validation = ValidationReport(
        mece=MeceCheck(ok=True, total=1240, assigned_once=1240, unassigned=0, overlapping=0,
                       detail="Every customer is in exactly one segment."),
        segments=[
            _criteria(EF, ("pass", 0.47, "Silhouette 0.47 >= 0.25, stability 0.86 >= 0.6."),
                      ("pass", "Analyst: reachable through the finance partner channel.")),
            _criteria(SMB, ("pass", 0.39, "Silhouette 0.39 >= 0.25, stability 0.74 >= 0.6."), no_verdict),
            _criteria(DT, ("fail", 0.55, "Stability 0.55 < 0.6: unstable under resampling."), no_verdict),
        ])
    return Segmentation(
        method="kmeans", segments=profiles, id_column="customer_id", validation=validation,
        assignment=AssignmentSummary(total=1240, assigned=1240, unassigned=0,
                                     counts={EF: 310, SMB: 620, DT: 310}),
        base={"customers": 1240, "churn_rate": 0.1725, "retention_rate": 0.8275, "revenue_total": 3956600.0,
              "silhouette": 0.38},
        parameters={"k": 3, "seed": 0, "n_init": 10})


def _scoring() -> ScoringResult:
    def entry(name: str, rank: int, tier_change: float) -> SensitivityEntry:
        return SensitivityEntry(name=name, base_rank=rank, rank_change_share=0.0,
                                tier_change_share=tier_change, min_rank=rank, max_rank=rank)

    return ScoringResult(
        preset="matrix4", multiplier=4, scale=(1, 10),
        weights={"attractiveness": 0.25, "fit": 0.25, "accessibility": 0.25, "strategic_value": 0.25},
        ranked=[
            _scored(1, EF, [("attractiveness", 9, "data", "revenue_share 0.58 -> 9"),
                            ("fit", 8, "analyst", ""),
                            ("accessibility", 6, "analyst", ""), ("strategic_value", 9, "analyst", "")],
                    "Tier 1", "60-70%"),
            _scored(2, SMB, [("attractiveness", 6, "data", "revenue_share 0.33 -> 6"),
                             ("fit", 7, "analyst", ""),
                             ("accessibility", 8, "analyst", ""),
                             ("strategic_value", 6, "default", "configured default")], "Tier 2", "25-35%"),
            _scored(3, DT, [("attractiveness", 2, "data", "revenue_share 0.09 -> 2"),
                            ("fit", 4, "analyst", ""),
                            ("accessibility", 5, "default", ""), ("strategic_value", 3, "default", "")],
                    "Tier 3", "5-10%"),
        ],
        sensitivity=SensitivityReport(samples=1000, seed=0, low=0.8, high=1.2, segments=[
            entry(EF, 1, 0.031), entry(SMB, 2, 0.118), entry(DT, 3, 0.0)]))


def _themes() -> list[Theme]:
    return [
        Theme(id="t1", label="month-end close / spreadsheet / reconcile",
              terms=["close", "spreadsheet", "reconcile"],
              evidence_ids=["ev-3f9a01", "ev-8c2d14", "ev-1b7e55", "ev-9e4f20", "ev-2a6b71"],
              kinds={"pain": 1, "goal": 1, "workaround": 1, "quote": 1, "job": 1}, participants=1,
              frequency_by_participant={A: 5}, doc_share=0.33, representative_id="ev-1b7e55"),
        Theme(id="t2", label="approvals / routing / inbox", terms=["approvals", "routing", "inbox"],
              evidence_ids=["ev-7c1e09", "ev-4e8d62", "ev-6f3a98"],
              kinds={"pain": 1, "job": 1, "workaround": 1}, participants=1,
              frequency_by_participant={B: 3}, doc_share=0.33, representative_id="ev-7c1e09"),
        Theme(id="t3", label="exports / audit / compliance", terms=["export", "audit", "SOC 2"],
              evidence_ids=["ev-0d9b47", "ev-c81f36", "ev-5d0c3a"],
              kinds={"pain": 1, "goal": 1, "objection": 1}, participants=2,
              frequency_by_participant={D: 2, A: 1}, doc_share=0.67, representative_id="ev-c81f36"),
    ]


def _personas(quotes: dict[str, list[QuoteRef]]) -> list[Persona]:
    empty = ClaimField()
    p1 = Persona(
        id=f"{EF}-1", name="Finance director running the close on a spreadsheet", segment=EF, tier="Tier 1",
        one_liner=_field(("Runs a month-end close that takes eleven days", ["ev-3f9a01"])),
        role_context=_field(("Finance director in a company of 500+ employees (customer table)",
                             ["ev-3f9a01"])),
        goals=_field(("Close in five days without hiring", ["ev-8c2d14"])),
        success_metrics=_field(("Days to close; numbers to the board by day five",
                                ["ev-3f9a01", "ev-8c2d14"])),
        pains=ClaimField(claims=[Claim(text="Closing the books takes eleven days every month",
                                       evidence_ids=["ev-3f9a01"], participants=1,
                                       frequency_cue="every month")]),
        jobs_functional=_field(("Reconcile the ledger before the board deadline", ["ev-1b7e55"])),
        jobs_emotional=_field(("Stop being the one who says the numbers are late", ["ev-2a6b71"])),
        jobs_social=empty,
        behaviours=_field(("Keeps reconciliation knowledge with two spreadsheet experts", ["ev-1b7e55"])),
        tools_alternatives=_field(("A giant reconciliation spreadsheet", ["ev-1b7e55", "ev-9e4f20"])),
        decision_criteria=_field(("Must pass the SOC 2 review before touching the ledger", ["ev-5d0c3a"]),
                                 ("Clean exports for auditors", ["ev-c81f36"])),
        quotes=quotes[EF], channels=empty, data_sources=["int-anna", "tkt-4471", "customers.csv"],
        confidence="medium", confidence_reason="1 participant, 8 evidence items; 2 fields not in the data.",
        prompt="persona-template@1")
    p2 = Persona(
        id=f"{SMB}-1", name="Operations lead chasing invoice approvals", segment=SMB, tier="Tier 2",
        one_liner=_field(("Chases approvals so vendors get paid", ["ev-7c1e09"])),
        role_context=empty, goals=empty, success_metrics=empty,
        pains=_field(("Approvals sit in an inbox for a week", ["ev-7c1e09"])),
        jobs_functional=_field(("Route each vendor invoice to the right approver automatically",
                                ["ev-4e8d62"])),
        jobs_emotional=empty, jobs_social=empty, behaviours=empty,
        tools_alternatives=_field(("Forwarded emails and a sticky-note list", ["ev-6f3a98"])),
        decision_criteria=empty, quotes=quotes[SMB], channels=empty, data_sources=["int-ben"],
        confidence="low", confidence_reason="1 participant, 3 evidence items; 8 fields not in the data.",
        prompt="persona-template@1")
    return [p1, p2]


def _targeting() -> list[TargetingRow]:
    def row(seg: str, cells: list[Statement], channels: dict[str, Statement]) -> TargetingRow:
        return TargetingRow(segment=seg, marketing_focus=cells[0], product_priority=cells[1],
                            service_model=cells[2], pricing_strategy=cells[3], channels=channels)

    return [
        row(EF, [_st("Lead with a five-day close story for finance directors.", ["ev-8c2d14", "ev-3f9a01"]),
                 _st("Replace the reconciliation spreadsheet first.", ["ev-1b7e55"]),
                 _st("Named success manager plus a SOC 2 evidence pack.", ["ev-5d0c3a"]),
                 _st("Annual contracts priced on entities reconciled.",
                     data=["avg_value 7,403 vs 3,191 base"])],
            {"email": _st("Close-calendar reminders from day 1 of month-end.", ["ev-3f9a01"]),
             "sales": _st("Security review kit in the first call.", ["ev-5d0c3a"])}),
        row(SMB, [_st("Message on approvals that no longer wait a week.", ["ev-7c1e09"]),
                  _st("Approval routing rules for vendor invoices.", ["ev-4e8d62"]),
                  _st("Pooled support with in-app guides.", data=["share 50% of customers"]),
                  _st("Usage tiers by invoices per month.", data=["invoices_per_month 410 vs 260 base"])],
            {"in_app": _st("Nudge to set an approval rule after 3 forwarded invoices.", ["ev-6f3a98"]),
             "web": _st("Landing page: replace the sticky-note list.", ["ev-6f3a98"])}),
        row(DT, [_st("Reactivation campaign around clean audit exports.", ["ev-c81f36"]),
                 _st("Fix CSV export reliability before re-engaging.", ["ev-0d9b47"]),
                 _st("Self-serve only.", data=["revenue_share 9%"]),
                 _st("Keep on the free tier; offer a paid export add-on.",
                     data=["churn_rate 0.41 vs 0.17 base"])],
            {"email": _st("Three-email win-back sequence.", data=["days_since_login 64 vs 22 base"])}),
    ]


def sample_report() -> StrategyReport:
    """Three segments, two personas (one mostly empty), eleven evidence items over three sources."""
    anna = _source("int-anna", "Interview: Anna Kowalski, Finance Director", "interview",
                   "corpus/interviews/anna.vtt", ANNA)
    ben = _source("int-ben", "Interview: Ben Okafor, Operations Lead", "interview",
                  "corpus/interviews/ben.md", BEN)
    tkt = _source("tkt-4471", "Ticket 4471: CSV export broke", "ticket", "corpus/tickets.csv#4471", TICKET)

    e_close = _evidence(PainPoint, "ev-3f9a01", anna, "closing the books takes us eleven days every month", A,
                        frequency="every month")
    e_five = _evidence(Goal, "ev-8c2d14", anna, "I want the close done in five days without hiring", A)
    e_sheet = _evidence(Workaround, "ev-1b7e55", anna,
                        "We reconcile everything in a giant spreadsheet that only two people understand", A,
                        alternative="spreadsheet")
    e_soc2 = _evidence(Objection, "ev-5d0c3a", anna,
                       "anything that touches the ledger has to pass our SOC 2 review first", A)
    e_runon = _evidence(Quote, "ev-9e4f20", anna, "The spreadsheet is the product we actually run on.", A)
    e_late = _evidence(JobToBeDone, "ev-2a6b71", anna,
                       "I want to stop being the person who says the numbers are late", A,
                       job_type="emotional", motivation="stop being the person who says the numbers are late")
    e_appr = _evidence(PainPoint, "ev-7c1e09", ben, "Approvals sit in someone's inbox for a week", B,
                       intensity="for a week")
    e_route = _evidence(JobToBeDone, "ev-4e8d62", ben,
                        "When a vendor invoice arrives, I want it routed to the right approver automatically",
                        B, situation="a vendor invoice arrives",
                        motivation="route it to the right approver automatically")
    e_sticky = _evidence(Workaround, "ev-6f3a98", ben, "I forward emails and keep a sticky-note list", B,
                         alternative="sticky-note list")
    xss = "I pasted <script>alert(1)</script> into the vendor name field and the CSV export broke"
    e_xss = _evidence(PainPoint, "ev-0d9b47", tkt, xss, D)
    e_audit = _evidence(Goal, "ev-c81f36", tkt, "We need clean exports for our auditors.", D)
    evidence = [e_close, e_five, e_sheet, e_soc2, e_runon, e_late, e_appr, e_route, e_sticky, e_xss, e_audit]
    quotes = {EF: [_quote_ref(e_runon), _quote_ref(e_close)], SMB: [_quote_ref(e_appr)]}

    migrations = [MigrationPathway(
        source=SMB, target=EF, trigger="More than 400 invoices a month for two consecutive months",
        intervention=_st("Offer multi-entity reconciliation with an onboarding call.", ["ev-4e8d62"]),
        success_metric="30% of triggered accounts adopt multi-entity within 60 days",
        basis=Basis(evidence_ids=["ev-1b7e55"],
                    data=["avg_value 2,106 (Scaling SMB) vs 7,403 (Enterprise Finance)"]))]
    kpis = [KPI(segment=EF, metric="Days to close", baseline=11, target="5 days within two quarters"),
            KPI(segment=SMB, metric="Approval cycle time (days)", baseline=7.0, target="2 days"),
            KPI(segment=DT, metric="Reactivation rate", baseline=None, target="10% per quarter")]
    roadmap = [
        RoadmapPhase(name="Foundations", weeks="1-4", actions=[
            _st("Tag every account with its segment in the CRM.", data=["MECE: 1,240 of 1,240 assigned"]),
            _st("Fix the CSV export escaping bug.", ["ev-0d9b47"])]),
        RoadmapPhase(name="Pilot", weeks="5-10", actions=[
            _st("Pilot the five-day close offer with ten Enterprise Finance accounts.", ["ev-8c2d14"])]),
        RoadmapPhase(name="Scale", weeks="11-20", actions=[
            _st("Roll out approval routing to all Scaling SMB accounts.", ["ev-4e8d62", "ev-7c1e09"])]),
    ]
    return StrategyReport(
        title="Segment strategy: finance operations customers", run_id="run-20240611-a1b2",
        provider="offline",
        generated_from={"corpus": "corpus/", "documents": 3, "customers": 1240,
                        "content_hashes": {"int-anna": "a1", "int-ben": "b2", "tkt-4471": "c3"}},
        executive_summary=[
            _st("Enterprise Finance holds 58% of value from 25% of customers.", rec=False,
                data=["revenue_share=0.58", "share=0.25"]),
            _st("Its month-end close takes eleven days and runs on a spreadsheet.",
                ["ev-3f9a01", "ev-1b7e55"], rec=False),
            _st("Scaling SMB teams lose a week to invoice approvals.", ["ev-7c1e09"], rec=False),
            _st("Prioritise Enterprise Finance (Tier 1) with a five-day close offer.", ["ev-8c2d14"],
                data=["total 32.0, Tier 1"]),
        ],
        model_description=[
            _st("k-means on firmographics and usage, k chosen by silhouette.", rec=False,
                data=["k=3", "silhouette 0.38"]),
            _st("Churn and retention are profiled but never used as clustering features.", rec=False),
        ],
        segmentation=_segmentation(), scoring=_scoring(), themes=_themes(),
        theme_by_segment={"t1": {EF: 5, SMB: 1}, "t2": {EF: 1, SMB: 4, DT: 1}, "t3": {EF: 2, SMB: 1, DT: 2}},
        personas=_personas(quotes), targeting=_targeting(), migrations=migrations, kpis=kpis, roadmap=roadmap,
        data_gaps=[DataGap(need="Interviews with Dormant Trialists", why="No persona for that segment yet."),
                   DataGap(need="Churn reasons from cancellation surveys",
                           why="Would ground the win-back offer.")],
        evidence=evidence, sources=[anna, ben, tkt])

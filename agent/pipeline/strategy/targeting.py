"""Deterministic strategy builders from data: targeting matrix, migration pathways and KPIs. No LLM.

Every cell is a recommendation (`recommendation=True`) whose `basis` lists the data
figures (and evidence ids of the top pain, where it motivates the cell) the rule read.
Shared figures and thresholds (value index, churn ratio, top tier, top pain) are
documented in `segscribe.pipeline.strategy.facts`.

Targeting rules (first matching rule wins for each cell):

marketing focus
  1. high churn (churn ratio >= 1.2)  -> retention and re-engagement around the top pain
  2. high value (value index >= 1.2)  -> expansion and advocacy, look-alikes on the top lift
  3. low value (value index <= 0.8)   -> low-cost acquisition and activation
  4. otherwise                        -> growth: look-alike acquisition on the top lift
product priority
  1. a top pain exists                -> solve it first (cites its evidence)
  2. a numeric lift exists            -> invest in the workflow behind that attribute
  3. otherwise                        -> validate priorities with research (no pain evidence)
service model
  1. top tier, or value index >= 1.5  -> dedicated CSM / named account management
  2. high churn                       -> proactive, retention-focused service on risk signals
  3. low value                        -> scaled self-serve and pooled support
  4. otherwise                        -> pooled CSM with digital-led onboarding
pricing strategy
  1. high value                       -> value-based annual contracts, premium bundles
  2. high churn                       -> retention pricing: annual-commit incentive, downgrade path
  3. low value                        -> entry or usage-based tier with an upgrade path
  4. otherwise                        -> standard tiers; test packaging around the top need
channels
  email  : high churn -> risk-triggered win-back; else lifecycle nurture on the top pain
  web    : landing content on the top pain, targeted on the top categorical lift
  in_app : numeric lift -> usage nudges on it; else onboarding checklists
  sales  : top tier or high value -> account-based outreach; else no sales assist
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from segscribe.pipeline.strategy.facts import (
    LOW_CHURN,
    Baseline,
    Facts,
    baseline,
    facts_for,
    fmt,
    lift_text,
    pct,
)
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.scoring import ScoringResult
from segscribe.schemas.segment import SegmentProfile
from segscribe.schemas.strategy import KPI, Basis, MigrationPathway, Statement, TargetingRow
from segscribe.schemas.theme import Theme

DEDICATED_VALUE = 1.5
#: Attributes that measure value or outcomes are the goal of a pathway, never its trigger.
OUTCOME_ATTR = re.compile(r"revenue|value|mrr|arr\b|spend|monetary|price|churn|retention|ltv|clv", re.I)


def _st(text: str, data: list[str], ids: Sequence[str] = ()) -> Statement:
    data = data or ["rule default: no distinguishing figures"]
    return Statement(text=text, recommendation=True, basis=Basis(evidence_ids=list(ids), data=data))


def _pain_hook(f: Facts) -> str:
    return f'the top pain "{f.pain.summary}"' if f.pain else "the attributes that set the segment apart"


def _lift_hook(f: Facts) -> str:
    cat, num = f.lift("categorical"), f.lift("numeric")
    if cat is not None:
        return f" on {cat.feature}={cat.level}"
    if num is not None:
        return f" with {'high' if num.std_diff > 0 else 'low'} {num.feature}"
    return ""


def _lift_data(f: Facts, kind: str) -> list[str]:
    lift = f.lift(kind)
    return [lift_text(lift)] if lift is not None else []


def _marketing(f: Facts, pain_ids: list[str]) -> Statement:
    if f.high_churn:
        return _st(f"Retention first: re-engage at-risk accounts around {_pain_hook(f)}.", f.data, pain_ids)
    if f.high_value:
        return _st(f"Expansion and advocacy: deepen existing accounts and win look-alikes{_lift_hook(f)}.",
                   f.data + _lift_data(f, "categorical"))
    if f.low_value:
        return _st(f"Low-cost acquisition and activation{_lift_hook(f)}, leading with {_pain_hook(f)}.",
                   f.data + _lift_data(f, "categorical"), pain_ids)
    return _st(f"Growth: acquire look-alikes{_lift_hook(f)}.", f.data + _lift_data(f, "categorical"))


def _product(f: Facts) -> Statement:
    if f.pain is not None:
        people = "participant" if f.pain.participants == 1 else "participants"
        return _st(f'Solve the top pain first: "{f.pain.summary}" ({f.pain.participants} {people}).',
                   [f"top pain shared by {f.pain.participants} {people}"], f.pain.evidence_ids)
    num = f.lift("numeric")
    if num is not None:
        return _st(f"Invest in the workflows behind {num.feature} (segment mean "
                   f"{fmt(num.segment_value)} vs {fmt(num.base_value)} base).", [lift_text(num)])
    return _st("Validate product priorities with research: there is no pain evidence for this segment yet.",
               ["0 pain evidence items for this segment"])


def _service(f: Facts) -> Statement:
    vi = f.value_index
    if f.top_tier or (vi is not None and vi >= DEDICATED_VALUE):
        return _st("Dedicated CSM / named account management with quarterly business reviews.", f.data)
    if f.high_churn:
        return _st("Proactive, retention-focused service: health scores and outreach on risk signals.",
                   f.data)
    if f.low_value:
        return _st("Scaled self-serve: in-app guidance, help centre and pooled support.", f.data)
    return _st("Pooled CSM with digital-led onboarding and periodic check-ins.", f.data)


def _pricing(f: Facts, pain_ids: list[str]) -> Statement:
    if f.high_value:
        return _st("Value-based annual contracts; protect price and bundle premium capabilities.", f.data)
    if f.high_churn:
        return _st("Retention pricing: annual-commit incentives and a downgrade path instead of "
                   "cancellation.", f.data)
    if f.low_value:
        return _st("Entry or usage-based tier with a clear upgrade path.", f.data)
    return _st(f"Standard tiered pricing; test packaging around {_pain_hook(f)}.", f.data, pain_ids)


def _channels(f: Facts, pain_ids: list[str]) -> dict[str, Statement]:
    out: dict[str, Statement] = {}
    if f.high_churn:
        out["email"] = _st("Risk-triggered win-back and re-engagement sequences.", f.data, pain_ids)
    else:
        out["email"] = _st(f"Lifecycle nurture built on {_pain_hook(f)}.", f.data, pain_ids)
    targeted = _lift_hook(f) or " by segment"
    out["web"] = _st(f"Landing pages that speak to {_pain_hook(f)}, targeted{targeted}.",
                     f.data + _lift_data(f, "categorical"), pain_ids)
    num = f.lift("numeric")
    if num is not None:
        direction = "raise" if num.std_diff < 0 else "sustain"
        out["in_app"] = _st(f"Usage nudges to {direction} {num.feature} "
                            f"(segment mean {fmt(num.segment_value)} vs {fmt(num.base_value)} base).",
                            [lift_text(num)])
    else:
        out["in_app"] = _st("Onboarding checklists and in-product tips tied to the top job.", f.data)
    if f.top_tier or f.high_value:
        out["sales"] = _st("Account-based outreach with a named rep.", f.data)
    else:
        out["sales"] = _st("No sales assist; route hand-raisers from self-serve to sales.", f.data)
    return out


def targeting_rows(profiles: Sequence[SegmentProfile], scoring: ScoringResult | None,
                   evidence_by_segment: Mapping[str, Sequence[EvidenceBase]], *, themes: Sequence[Theme] = (),
                   base: Mapping[str, float] | None = None) -> list[TargetingRow]:
    """One targeting row per profile (profile order), cells chosen by the rules in the module doc."""
    rows = []
    for f in facts_for(profiles, scoring, evidence_by_segment, themes, base):
        pain_ids = list(f.pain.evidence_ids) if f.pain else []
        rows.append(TargetingRow(segment=f.profile.name, marketing_focus=_marketing(f, pain_ids),
                                 product_priority=_product(f), service_model=_service(f),
                                 pricing_strategy=_pricing(f, pain_ids), channels=_channels(f, pain_ids)))
    return rows


# --------------------------------------------------------------------------- migration pathways


def _value(p: SegmentProfile) -> float | None:
    if p.avg_value is not None:
        return p.avg_value
    if p.revenue_share is not None and p.share:
        return p.revenue_share / p.share
    return None


def _numeric(p: SegmentProfile) -> dict[str, float]:
    out = dict(p.metrics)
    for lift in p.top_lifts:
        if lift.kind == "numeric":
            out.setdefault(lift.feature, lift.segment_value)
    return {k: v for k, v in out.items() if not OUTCOME_ATTR.search(k)}


def _base_sd(profiles: Sequence[SegmentProfile]) -> dict[str, float]:
    out: dict[str, float] = {}
    for p in profiles:
        for lift in p.top_lifts:
            if lift.kind == "numeric" and lift.std_diff and lift.feature not in out:
                sd = abs((lift.segment_value - lift.base_value) / lift.std_diff)
                if sd > 0:
                    out[lift.feature] = sd
    return out


def between(a: float, b: float) -> float:
    """The midpoint of a and b, rounded to the fewest decimals (0-3) that keep it strictly between them."""
    mid = (a + b) / 2
    lo, hi = min(a, b), max(a, b)
    for digits in range(4):
        r = round(mid, digits)
        if lo < r < hi:
            return float(r)
    return mid


def migration_pathways(profiles: Sequence[SegmentProfile], base: Mapping[str, float] | None = None,
                       ) -> list[MigrationPathway]:
    """Pathways up the value ladder: each segment towards the next more valuable one.

    Value = avg_value (else value index). Segments are sorted by value; each adjacent
    (lower, higher) pair yields a pathway when both have a usage attribute in common
    (profile `metrics` or numeric lifts; value/outcome columns excluded). The trigger uses
    the attribute with the largest standardised difference |b - a| / base sd (sd recovered
    from any numeric lift as |segment - base| / |std_diff|); attributes without a known sd
    come after those with one and are ranked by relative difference |b - a| / max(|a|, |b|);
    ties by name. Threshold = midpoint of the two means (`between`),
    `>=` when the target's mean is higher, `<=` when lower.
    """
    valued = sorted(((v, p) for p in profiles if (v := _value(p)) is not None),
                    key=lambda t: (t[0], t[1].name))
    sds = _base_sd(profiles)
    b: Baseline = baseline(profiles, base)
    out: list[MigrationPathway] = []
    for (va, src), (vb, dst) in zip(valued, valued[1:], strict=False):
        if vb <= va:
            continue
        ma, mb = _numeric(src), _numeric(dst)
        scored = []
        for attr in sorted(set(ma) & set(mb)):
            a, c = ma[attr], mb[attr]
            if a == c:
                continue
            diff = abs(c - a) / sds[attr] if attr in sds else abs(c - a) / max(abs(a), abs(c))
            scored.append((round(diff, 6), attr in sds, attr))
        if not scored:
            continue
        diff, standardised, attr = max(scored, key=lambda t: (t[1], t[0], t[2]))
        a, c = ma[attr], mb[attr]
        op = ">=" if c > a else "<="
        thr = between(a, c)
        trigger = f"{attr} {op} {fmt(thr)} (midpoint between segment means {fmt(a)} and {fmt(c)})"
        both = src.avg_value is not None and dst.avg_value is not None
        value_label = "avg_value" if both else "value index"
        data = [f"{attr}: {fmt(a)} ({src.name}) vs {fmt(c)} ({dst.name})",
                f"{'standardised' if standardised else 'relative'} difference {fmt(diff)}",
                f"{value_label}: {fmt(va)} ({src.name}) vs {fmt(vb)} ({dst.name})"]
        if b.avg_value is not None:
            data.append(f"base avg_value {fmt(b.avg_value)}")
        intervention = _st(f"When a {src.name} customer crosses {attr} {op} {fmt(thr)}, run a guided upgrade "
                           f"play towards the {dst.name} offer (in-app prompt plus outreach).", data)
        success = (f"Share of triggered {src.name} customers that meet the {dst.name} definition within "
                   f"90 days; cohort {attr} moving from {fmt(a)} towards {fmt(c)} and {value_label} from "
                   f"{fmt(va)} towards {fmt(vb)}")
        out.append(MigrationPathway(source=src.name, target=dst.name, trigger=trigger, basis=Basis(data=data),
                                    intervention=intervention, success_metric=success))
    return out


# --------------------------------------------------------------------------- KPIs


def kpis(profiles: Sequence[SegmentProfile], base: Mapping[str, float] | None = None) -> list[KPI]:
    """Per segment: churn, retention, average value and customer share, with baselines from data.

    Targets (recommendations): churn -20% relative when churn ratio >= 1.2, hold at or below the
    baseline when <= 0.8, else -10% relative; retention: cut the lapsed share by 20% relative;
    average value +5% for high-value segments (value index >= 1.2), +15% for low-value ones
    (<= 0.8), else +10%; customer share +2 points for high-value segments, else hold (+-2 points).
    """
    out: list[KPI] = []
    for f in facts_for(profiles, None, base=base):
        p = f.profile
        if p.churn_rate is not None:
            c = p.churn_rate
            ratio = f.churn_ratio
            if f.high_churn:
                target = f"-20% relative churn (to {pct(c * 0.8)}) within two quarters"
            elif ratio is not None and ratio <= LOW_CHURN:
                target = f"hold at or below {pct(c)}"
            else:
                target = f"-10% relative churn (to {pct(c * 0.9)}) within two quarters"
            out.append(KPI(segment=p.name, metric="churn_rate", baseline=c, target=target))
        if p.retention_rate is not None:
            r = p.retention_rate
            out.append(KPI(segment=p.name, metric="retention_rate", baseline=r,
                           target=f"raise to {pct(1 - (1 - r) * 0.8)} (-20% relative lapse)"))
        if p.avg_value is not None:
            up = 0.05 if f.high_value else 0.15 if f.low_value else 0.10
            out.append(KPI(segment=p.name, metric="avg_value", baseline=p.avg_value,
                           target=f"+{up:.0%} (to {fmt(p.avg_value * (1 + up))}) within four quarters"))
        if p.share is not None:
            target = (f"+2 points (to {pct(min(1.0, p.share + 0.02))})" if f.high_value
                      else f"hold at {pct(p.share)} (+-2 points)")
            out.append(KPI(segment=p.name, metric="customer_share", baseline=p.share, target=target))
    return out

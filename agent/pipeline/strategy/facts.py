"""Figures and thresholds shared by the strategy builders (all deterministic, all documented).

- Base churn / retention / average value: the whole-base figure from `Segmentation.base`
  when given, else the size-weighted mean over the profiles that have the figure.
- Value index: `revenue_share / share` (the segment's share of value over its share of
  customers). High value: >= 1.2; low value: <= 0.8.
- Churn ratio: `segment churn / base churn`. High churn: >= 1.2; low churn: <= 0.8.
- Top tier: the segments whose tier equals the tier of the rank-1 segment; for presets
  without bands, the top third of ranks (at least one).
- Top pain of a segment: pains grouped by theme when themes are given (else each pain
  alone), ranked by distinct participants, then intensity cue, frequency cue, confidence,
  and id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from segscribe.pipeline.personas.claims import count_participants, sort_evidence
from segscribe.schemas.evidence import EvidenceBase, PainPoint
from segscribe.schemas.scoring import ScoredSegment, ScoringResult
from segscribe.schemas.segment import AttributeLift, SegmentProfile
from segscribe.schemas.theme import Theme

HIGH_VALUE = 1.2
LOW_VALUE = 0.8
HIGH_CHURN = 1.2
LOW_CHURN = 0.8


@dataclass(frozen=True)
class Baseline:
    """Whole-base figures the segments are compared with."""

    churn: float | None
    retention: float | None
    avg_value: float | None
    customers: float | None


def _weighted(profiles: Sequence[SegmentProfile], attr: str) -> float | None:
    pairs = [(p.size, getattr(p, attr)) for p in profiles if p.size and getattr(p, attr) is not None]
    total = sum(s for s, _ in pairs)
    return round(sum(s * v for s, v in pairs) / total, 6) if total else None


def baseline(profiles: Sequence[SegmentProfile], base: Mapping[str, float] | None = None) -> Baseline:
    """Base figures: from `base` (Segmentation.base) when present, else size-weighted over profiles."""
    base = base or {}
    customers = base.get("customers") or (float(sum(p.size or 0 for p in profiles)) or None)
    avg = None
    if base.get("revenue_total") is not None and base.get("customers"):
        avg = round(base["revenue_total"] / base["customers"], 6)
    return Baseline(churn=base.get("churn_rate", _weighted(profiles, "churn_rate")),
                    retention=base.get("retention_rate", _weighted(profiles, "retention_rate")),
                    avg_value=avg if avg is not None else _weighted(profiles, "avg_value"),
                    customers=customers)


@dataclass(frozen=True)
class TopPain:
    """The most widely shared pain of a segment."""

    summary: str
    evidence_ids: list[str]
    participants: int


@dataclass
class Facts:
    """What the rules look at for one segment."""

    profile: SegmentProfile
    base: Baseline
    scored: ScoredSegment | None = None
    top_tier: bool = False
    pain: TopPain | None = None
    data: list[str] = field(default_factory=list)

    @property
    def value_index(self) -> float | None:
        p = self.profile
        if p.revenue_share is None or not p.share:
            return None
        return round(p.revenue_share / p.share, 4)

    @property
    def churn_ratio(self) -> float | None:
        if self.profile.churn_rate is None or not self.base.churn:
            return None
        return round(self.profile.churn_rate / self.base.churn, 4)

    @property
    def high_churn(self) -> bool:
        return self.churn_ratio is not None and self.churn_ratio >= HIGH_CHURN

    @property
    def high_value(self) -> bool:
        return self.value_index is not None and self.value_index >= HIGH_VALUE

    @property
    def low_value(self) -> bool:
        return self.value_index is not None and self.value_index <= LOW_VALUE

    def lift(self, kind: str) -> AttributeLift | None:
        """Strongest lift of a kind (`categorical` levels over-represented; numeric either way)."""
        for lift in self.profile.top_lifts:
            if lift.kind == kind and (kind == "numeric" or lift.std_diff > 0):
                return lift
        return None


def fmt(x: float) -> str:
    """Compact number: up to 3 significant decimals, no trailing zeros."""
    return f"{round(x, 3):g}" if abs(x) < 1e6 else f"{x:,.0f}"


def pct(x: float) -> str:
    return f"{x:.1%}"


def lift_text(lift: AttributeLift) -> str:
    if lift.kind == "categorical":
        return (f"{lift.feature}={lift.level}: {pct(lift.segment_value)} in segment vs "
                f"{pct(lift.base_value)} base")
    return f"{lift.feature}: mean {fmt(lift.segment_value)} in segment vs {fmt(lift.base_value)} base"


def profile_data(f: Facts) -> list[str]:
    """The data figures of a segment that the rules read (its basis)."""
    p, b = f.profile, f.base
    out: list[str] = []
    if f.scored is not None:
        out.append(f"rank {f.scored.rank}, total {f.scored.total_display}, tier {f.scored.tier or 'none'}")
    if p.share is not None:
        out.append(f"share={pct(p.share)} of customers" + (f" (n={p.size})" if p.size is not None else ""))
    if p.revenue_share is not None and f.value_index is not None:
        out.append(f"revenue_share={pct(p.revenue_share)} vs share={pct(p.share or 0)} "
                   f"(value index {fmt(f.value_index)})")
    if p.avg_value is not None:
        out.append(f"avg_value={fmt(p.avg_value)}" + (f" vs {fmt(b.avg_value)} base" if b.avg_value else ""))
    if p.churn_rate is not None:
        vs = f" vs {pct(b.churn)} base" if b.churn is not None else ""
        out.append(f"churn_rate={pct(p.churn_rate)}{vs}")
    return out


def top_pain(items: Sequence[EvidenceBase], themes: Sequence[Theme] = ()) -> TopPain | None:
    """The segment's most widely shared pain (see module doc)."""
    pains = [e for e in sort_evidence(items) if isinstance(e, PainPoint)]
    if not pains:
        return None
    groups: list[list[PainPoint]] = []
    seen: set[str] = set()
    for theme in themes:
        members = set(theme.evidence_ids)
        g = [p for p in pains if p.id in members and p.id not in seen]
        if g:
            groups.append(g)
            seen.update(p.id for p in g)
    groups += [[p] for p in pains if p.id not in seen]

    def key(g: list[PainPoint]) -> tuple[int, int, int, float, str]:
        head = _head(g)
        return (-count_participants(g), -int(bool(head.intensity)), -int(bool(head.frequency)),
                -head.confidence, head.id)

    best = min(groups, key=key)
    return TopPain(summary=_head(best).summary, evidence_ids=[p.id for p in best],
                   participants=count_participants(best))


def _head(group: list[PainPoint]) -> PainPoint:
    return min(group, key=lambda p: (-int(bool(p.intensity)), -int(bool(p.frequency)), -p.confidence, p.id))


def top_tier_names(scoring: ScoringResult | None) -> list[str]:
    """Names of the top-tier segments, in rank order (see module doc)."""
    if scoring is None or not scoring.ranked:
        return []
    ranked = sorted(scoring.ranked, key=lambda s: (s.rank, s.name))
    first = ranked[0].tier
    if first is not None:
        return [s.name for s in ranked if s.tier == first]
    return [s.name for s in ranked[: max(1, math.ceil(len(ranked) / 3))]]


def tier_groups(scoring: ScoringResult | None) -> list[tuple[str, list[ScoredSegment]]]:
    """(tier label, segments) in rank order; presets without bands split into top/middle/bottom thirds."""
    if scoring is None:
        return []
    ranked = sorted(scoring.ranked, key=lambda s: (s.rank, s.name))
    if ranked and ranked[0].tier is not None:
        out: dict[str, list[ScoredSegment]] = {}
        for s in ranked:
            out.setdefault(s.tier or "untiered", []).append(s)
        return list(out.items())
    third = max(1, math.ceil(len(ranked) / 3))
    parts = [("Top third", ranked[:third]), ("Middle third", ranked[third:2 * third]),
             ("Bottom third", ranked[2 * third:])]
    return [(label, group) for label, group in parts if group]


def facts_for(profiles: Sequence[SegmentProfile], scoring: ScoringResult | None,
              evidence_by_segment: Mapping[str, Sequence[EvidenceBase]] | None = None,
              themes: Sequence[Theme] = (), base: Mapping[str, float] | None = None) -> list[Facts]:
    """One `Facts` per profile, in profile order."""
    b = baseline(profiles, base)
    scored = {s.name: s for s in scoring.ranked} if scoring is not None else {}
    top = set(top_tier_names(scoring))
    out = []
    for p in profiles:
        f = Facts(profile=p, base=b, scored=scored.get(p.name), top_tier=p.name in top,
                  pain=top_pain((evidence_by_segment or {}).get(p.name, ()), themes))
        f.data = profile_data(f)
        out.append(f)
    return out

"""What personas are built from: sorted evidence, quote references, confidence and data sources.

Everything here is deterministic and works only from extracted, cited evidence and segment profiles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.persona import Persona, QuoteRef
from segscribe.schemas.segment import SegmentProfile

#: Persona claim fields counted for confidence (same order as `Persona.claim_fields`).
N_CLAIM_FIELDS = 12
#: Confidence rule: `high` needs at least this many participants and at most `HIGH_MAX_EMPTY` empty fields.
HIGH_MIN_PARTICIPANTS = 4
HIGH_MAX_EMPTY = 3
#: Confidence rule: `medium` needs at least this many participants (otherwise `low`).
MEDIUM_MIN_PARTICIPANTS = 2


def sort_evidence(evidence: Iterable[EvidenceBase]) -> list[EvidenceBase]:
    """Evidence in a stable order: document, span, kind, id (duplicates by id removed)."""
    unique = {e.id: e for e in evidence}
    return sorted(unique.values(), key=lambda e: (e.doc_id, e.citations[0].start, e.citations[0].end,
                                                  str(getattr(e, "kind", "")), e.id))


def count_participants(items: Iterable[EvidenceBase]) -> int:
    """Distinct participants/customers among the items."""
    return len({e.who for e in items})


def quote_ref(ev: EvidenceBase) -> QuoteRef:
    """The exact quote reference of an evidence item's primary citation."""
    c = ev.citations[0]
    return QuoteRef(evidence_id=ev.id, quote=c.quote, doc_id=c.doc_id, start=c.start, end=c.end,
                    speaker=ev.speaker)


def cited_ids(persona: Persona) -> list[str]:
    """Every evidence id the persona cites (claims and quotes), sorted."""
    ids: set[str] = {q.evidence_id for q in persona.quotes}
    for cf in persona.claim_fields().values():
        for claim in cf.claims:
            ids.update(claim.evidence_ids)
    return sorted(ids)


def confidence(persona: Persona, evidence_by_id: Mapping[str, EvidenceBase]) -> tuple[str, str]:
    """(`low`/`medium`/`high`, reason) from the participants behind the persona and its empty fields.

    Participants are counted over every evidence id the persona cites (claims and quotes).
    high: >= 4 participants and <= 3 fields not in the data; medium: >= 2 participants; else low.
    """
    ids = [i for i in cited_ids(persona) if i in evidence_by_id]
    n = count_participants(evidence_by_id[i] for i in ids)
    empty = sum(1 for cf in persona.claim_fields().values() if cf.not_in_data)
    if n >= HIGH_MIN_PARTICIPANTS and empty <= HIGH_MAX_EMPTY:
        level = "high"
    elif n >= MEDIUM_MIN_PARTICIPANTS:
        level = "medium"
    else:
        level = "low"
    people = "participant" if n == 1 else "participants"
    items = "evidence item" if len(ids) == 1 else "evidence items"
    return level, f"{n} {people}, {len(ids)} {items}; {empty} of {N_CLAIM_FIELDS} fields not in the data."


#: Segments whose silhouette is below this overlap heavily: a persona of one cannot be "high" confidence.
WEAK_SILHOUETTE = 0.1


def cap_confidence(persona: Persona, silhouette: float | None) -> Persona:
    """At most `medium` confidence when the segmentation behind the persona barely separates its segments."""
    if silhouette is None or silhouette >= WEAK_SILHOUETTE or persona.confidence != "high":
        return persona
    reason = f"{persona.confidence_reason} Segments overlap (silhouette {silhouette:.2f}), so at most medium."
    return persona.model_copy(update={"confidence": "medium", "confidence_reason": reason.strip()})


def data_sources(items: Iterable[EvidenceBase], profile: SegmentProfile | None) -> list[str]:
    """Cited document ids, then the customer-table facts (size, value, lifts) of the segment profile.

    Table-derived facts live here, not in claims: a claim must point at a verbatim quote.
    """
    out = sorted({e.doc_id for e in items})
    if profile is None:
        return out
    figures = [f"{k}={v}" for k, v in (("size", profile.size), ("share", profile.share),
                                         ("revenue_share", profile.revenue_share),
                                         ("churn_rate", profile.churn_rate)) if v is not None]
    out.append(f"customer table: segment {profile.name}" + (f" ({', '.join(figures)})" if figures else ""))
    for lift in profile.top_lifts:
        what = f"{lift.feature}={lift.level}" if lift.level else lift.feature
        out.append(f"customer table: {what} {lift.segment_value:g} in segment vs {lift.base_value:g} in base")
    return out

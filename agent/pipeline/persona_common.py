"""Helpers shared by the offline and the LLM persona drafters.

Everything here is deterministic and works only from extracted, cited evidence and
document metadata: who a piece of evidence comes from, the role/context text of a
participant, the exact-quote reference of an evidence item, confidence, and names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from segscribe.schemas.document import Document
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
_ACRONYM = re.compile(r"^[A-Z0-9&]{2,}$")


def sort_evidence(evidence: Iterable[EvidenceBase]) -> list[EvidenceBase]:
    """Evidence in a stable order: document, span, kind, id (duplicates by id removed)."""
    unique = {e.id: e for e in evidence}
    return sorted(unique.values(), key=lambda e: (e.doc_id, e.citations[0].start, e.citations[0].end,
                                                  str(getattr(e, "kind", "")), e.id))


def participant_key(ev: EvidenceBase) -> str:
    """Who the evidence comes from: participant id, else customer id, else `speaker@doc`."""
    if ev.participant_id:
        return f"participant:{ev.participant_id}"
    if ev.customer_id:
        return f"customer:{ev.customer_id}"
    return f"speaker:{ev.speaker}@{ev.doc_id}"


def count_participants(items: Iterable[EvidenceBase]) -> int:
    """Distinct participants/customers among the items."""
    return len({participant_key(e) for e in items})


def quote_ref(ev: EvidenceBase) -> QuoteRef:
    """The exact quote reference of an evidence item's primary citation."""
    c = ev.citations[0]
    return QuoteRef(evidence_id=ev.id, quote=c.quote, doc_id=c.doc_id, start=c.start, end=c.end,
                    speaker=ev.speaker)


def job_title(ev: EvidenceBase, docs: Mapping[str, Document]) -> str | None:
    """The `job_title` of the evidence's document metadata, when there is one."""
    doc = docs.get(ev.doc_id)
    value = doc.metadata.get("job_title") if doc is not None else None
    return str(value).strip() if value not in (None, "") and str(value).strip() else None


def role_text(meta: Mapping[str, object]) -> str | None:
    """`"<job_title>, <industry>, <company_size> employees, <plan> plan"` from the fields present."""
    parts: list[str] = []
    for key, template in (("job_title", "{}"), ("industry", "{}"), ("company_size", "{} employees"),
                          ("plan", "{} plan")):
        value = meta.get(key)
        if value is not None and str(value).strip():
            parts.append(template.format(str(value).strip()))
    return ", ".join(parts) if parts else None


def dominant_title(items: Sequence[EvidenceBase], docs: Mapping[str, Document]) -> str | None:
    """The job title held by the most participants (ties: more evidence items, then alphabetical)."""
    by_person: dict[str, str] = {}
    items_per_title: Counter[str] = Counter()
    for e in items:
        title = job_title(e, docs)
        if title:
            by_person.setdefault(participant_key(e), title)
            items_per_title[title] += 1
    if not by_person:
        return None
    counts = Counter(by_person.values())
    return min(counts, key=lambda t: (-counts[t], -items_per_title[t], t))


def _title_words(title: str) -> str:
    return " ".join(w if _ACRONYM.match(w) else w.lower() for w in title.split())


def persona_name(title: str | None, segment: str, profile: SegmentProfile | None,
                 metadata: Sequence[Mapping[str, object]] = ()) -> str:
    """A descriptive name, never a person's name.

    Rule: `The <trait> <title>` where trait is the level of the profile's strongest
    over-represented categorical lift (e.g. `Manufacturing`) that at least one of the
    persona's participants has in their document metadata; else `The <title> in <segment>`;
    without a job title, `The <segment> customer`.
    """
    if not title:
        return f"The {segment} customer"

    def held(feature: str, level: str) -> bool:
        return any(str(m.get(feature, "")).strip().casefold() == level.casefold() for m in metadata)

    trait = next((lift.level for lift in (profile.top_lifts if profile else [])
                  if lift.kind == "categorical" and lift.level and lift.std_diff > 0
                  and held(lift.feature, lift.level)), None)
    if trait:
        return f"The {trait} {_title_words(title)}"
    return f"The {_title_words(title)} in {segment}"


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

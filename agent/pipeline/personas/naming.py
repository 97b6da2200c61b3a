"""Persona names and role text from participant metadata: descriptive, never a made-up person."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.segment import SegmentProfile

_ACRONYM = re.compile(r"^[A-Z0-9&]{2,}$")


Metas = Mapping[str, Mapping[str, object]]
"""Document id -> that document's metadata: all persona drafting reads of a document (the workspace's
`Workspace.metadata(ids)`, so a run never holds every document's text and passages)."""


def job_title(ev: EvidenceBase, meta: Metas) -> str | None:
    """The `job_title` of the evidence's document metadata, when there is one."""
    m = meta.get(ev.doc_id)
    value = m.get("job_title") if m is not None else None
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


def dominant_title(items: Sequence[EvidenceBase], meta: Metas) -> str | None:
    """The job title held by the most participants (ties: more evidence items, then alphabetical)."""
    by_person: dict[str, str] = {}
    items_per_title: Counter[str] = Counter()
    for e in items:
        title = job_title(e, meta)
        if title:
            by_person.setdefault(e.who, title)
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
    without a job title, from what sets the segment apart: `The <first trait> customer` for a segment of
    the customer table, `The participant focused on <first key phrase>` for a needs segment.
    """
    if not title:
        focus = segment.split(" · ")[0].strip() or segment
        if profile is not None and profile.top_lifts:
            return f"The {focus} customer"
        return f"The participant focused on {focus[:1].lower() + focus[1:]}"

    def held(feature: str, level: str) -> bool:
        return any(str(m.get(feature, "")).strip().casefold() == level.casefold() for m in metadata)

    trait = next((lift.level for lift in (profile.top_lifts if profile else [])
                  if lift.kind == "categorical" and lift.level and lift.std_diff > 0
                  and held(lift.feature, lift.level)), None)
    if trait:
        return f"The {trait} {_title_words(title)}"
    return f"The {_title_words(title)} in {segment}"

"""The persona gate: every claim and quote of a persona cites evidence of its own segment, exactly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from segscribe.pipeline.support import Embed, check_support
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.persona import Persona


@dataclass(frozen=True)
class Problem:
    """One grounding error: `index` is the claim/quote position in `field` (None = the whole persona)."""

    persona: str
    field: str
    index: int | None
    reason: str

    def message(self) -> str:
        where = self.field if self.index is None else f"{self.field}[{self.index}]"
        return f"{self.persona} {where}: {self.reason}"


def check_persona(persona: Persona, evidence_by_id: Mapping[str, EvidenceBase],
                  segment_evidence_ids: set[str] | frozenset[str] | Sequence[str]) -> list[str]:
    """Grounding errors of a persona (empty = grounded).

    Every claim's evidence ids must exist in `evidence_by_id` and be in
    `segment_evidence_ids`; every quote must equal the primary citation (quote, document,
    start, end) of an evidence item of the segment.
    """
    return [p.message() for p in persona_problems(persona, evidence_by_id, set(segment_evidence_ids))]


#: Fields whose claims come from participant metadata (role, company), not from what they said: their
#: support is the metadata, so the words-and-meaning check against quotes does not apply.
METADATA_FIELDS = frozenset({"role_context"})


def persona_problems(persona: Persona, evidence_by_id: Mapping[str, EvidenceBase],
                     segment_ids: set[str], embed: Embed | None = None) -> list[Problem]:
    """Every grounding problem of a persona; with `embed`, claims must also be supported by what they cite."""
    out: list[Problem] = []
    for name, cf in persona.claim_fields().items():
        for i, claim in enumerate(cf.claims):
            bad_ids = False
            for eid in claim.evidence_ids:
                reason = _id_problem(eid, evidence_by_id, segment_ids)
                if reason:
                    bad_ids = True
                    out.append(Problem(persona.id, name, i, f"claim {claim.text[:80]!r} {reason}"))
            if embed is not None and not bad_ids and name not in METADATA_FIELDS:
                cited = [evidence_by_id[e].quote for e in claim.evidence_ids if e in evidence_by_id]
                s = check_support(claim.text, cited, embed)
                if not s.ok:
                    out.append(Problem(persona.id, name, i, f"claim {claim.text[:80]!r} {s.reason}; state only "
                                                            "what the cited evidence says"))
    for i, q in enumerate(persona.quotes):
        reason = _id_problem(q.evidence_id, evidence_by_id, segment_ids)
        if reason is None and not evidence_by_id[q.evidence_id].verbatim:
            reason = (f"quote {q.quote[:80]!r} cites the note-taker's notes ({q.evidence_id!r}); a persona quote "
                      "must be a participant's own words")
        elif reason is None:
            c = evidence_by_id[q.evidence_id].citations[0]
            if q.quote != c.quote:
                reason = (f"quote {q.quote[:80]!r} is not the exact quote of evidence {q.evidence_id!r}; "
                          "copy the pack's quote character for character")
            elif (q.doc_id, q.start, q.end) != (c.doc_id, c.start, c.end):
                reason = (f"quote offsets do not match evidence {q.evidence_id!r} "
                          f"({c.doc_id}[{c.start}:{c.end}])")
        else:
            reason = f"quote {q.quote[:80]!r} {reason}"
        if reason:
            out.append(Problem(persona.id, "quotes", i, reason))
    return out


def _id_problem(eid: str, evidence_by_id: Mapping[str, EvidenceBase], segment_ids: set[str]) -> str | None:
    if eid not in evidence_by_id:
        return f"cites unknown evidence id {eid!r}; cite only ids from the evidence pack"
    if eid not in segment_ids:
        return f"cites evidence {eid!r}, which belongs to another segment; cite only this segment's evidence"
    return None

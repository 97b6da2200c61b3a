"""Persona drafting with any `ChatModel`, behind the persona grounding gate.

The model gets an evidence pack (ids, kind, exact quote, speaker, participant context;
redacted with `Redactor` when `redact`) through `prompts/draft_persona`. Its answer is
restored (placeholders back to the original text) and checked by `check_persona`:

- every claim's evidence ids exist and belong to this segment's evidence;
- every quote equals the exact quote (and offsets) of an evidence item of the segment.

On errors the model is re-asked with the error list, up to `max_reasks` times; what is
still wrong after that is dropped (claim by claim, quote by quote) and recorded as
`{persona, field, reason}`. A persona is kept when anything grounded remains.
Participants, impact and frequency cues are recomputed from the cited evidence, never
taken from the model; a name that contains a person's name is replaced by the
descriptive template name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from segscribe.errors import ProviderError, StructuredOutputError
from segscribe.pipeline.personas.claims import confidence, count_participants, data_sources, sort_evidence
from segscribe.pipeline.personas.gate import Problem, persona_problems
from segscribe.pipeline.personas.naming import Metas, dominant_title, persona_name, role_text
from segscribe.pipeline.support import Embed, content_words
from segscribe.prompting import load_prompt
from segscribe.providers.base import ChatModel, LLMRequest
from segscribe.redact import GENERIC_SPEAKERS, Pseudonyms, Redactor, metadata_names, name_variants
from segscribe.schemas.evidence import EvidenceBase, JobToBeDone, PainPoint, Workaround
from segscribe.schemas.persona import Claim, ClaimField, DraftClaim, Persona, PersonaDraftList, QuoteRef
from segscribe.schemas.segment import SegmentProfile

TASK = "draft_persona"
FIELDS = ("one_liner", "role_context", "goals", "success_metrics", "pains", "jobs_functional",
          "jobs_emotional", "jobs_social", "behaviours", "tools_alternatives", "decision_criteria",
          "channels")


def draft_personas_llm(
    segment: str,
    evidence: list[EvidenceBase],
    meta: Metas,
    chat: ChatModel,
    *,
    tier: str | None = None,
    profile: SegmentProfile | None = None,
    redact: bool = True,
    max_personas: int = 2,
    max_reasks: int = 2,
    all_evidence: Mapping[str, EvidenceBase] | None = None,
    embed: Embed | None = None,
) -> tuple[list[Persona], list[dict[str, str]]]:
    """Draft personas with the chat model, gate them, re-ask on errors, drop what stays ungrounded.

    `all_evidence` (optional, every segment's items by id) only sharpens error messages
    ("another segment" vs "unknown id"). With `embed`, every claim must also be supported by the evidence
    it cites (meaning and words, `pipeline.support`), and the name must come from the evidence or the
    segment, not from nowhere. Returns (personas, drop records).
    """
    items = sort_evidence(evidence)
    if not items:
        return [], []
    prompt = load_prompt(TASK)
    seg_by_id = {e.id: e for e in items}
    known: dict[str, EvidenceBase] = {**(all_evidence or {}), **seg_by_id}
    names = sorted({n for e in items if e.doc_id in meta for n in metadata_names(meta[e.doc_id])}
                   | {e.speaker for e in items if e.speaker.strip().casefold() not in GENERIC_SPEAKERS})
    redactor = Redactor(names) if redact else None
    # Evidence ids and participant keys embed document ids, which come from file names (often surnames).
    ev_ids, who = (Pseudonyms("E"), Pseudonyms("R")) if redact else (None, None)
    pack = _pack(items, meta, redactor, ev_ids, who)
    profile_text = "\n".join(data_sources([], profile)) or "(no customer-table profile)"
    feedback: list[str] = []
    personas: list[Persona] = []
    problems: list[Problem] = []
    notes: list[dict[str, str]] = []
    unusable: str | None = None
    for attempt in range(1 + max(0, max_reasks)):
        system, user = prompt.render(segment=_clean(redactor, segment), tier=tier or "unscored",
                                     profile=_clean(redactor, profile_text), evidence=pack,
                                     max_personas=str(max_personas),
                                     feedback=_feedback_block([_hide(ev_ids, _clean(redactor, f))
                                                               for f in feedback]))
        request = LLMRequest(task=TASK, prompt_ref=prompt.ref, system=system, user=user, max_tokens=8192,
                             metadata={"segment": segment, "redacted": redactor is not None,
                                       "evidence": len(items), "attempt": attempt + 1})
        try:
            result = _restore(chat.generate(request, PersonaDraftList), redactor, ev_ids)
        except StructuredOutputError as exc:  # cut off or malformed: re-ask like any other problem
            unusable = " ".join(str(exc).split())[:300]
            feedback = [p.message() for p in problems] + [
                f"Your previous reply could not be used ({unusable}). Reply with one complete JSON object that "
                "matches the schema; keep every string short."]
            continue
        except ProviderError as exc:  # the call failed after its retries: the run goes on without these personas
            return [], [{"persona": segment, "field": "*", "reason": f"provider failed: {' '.join(str(exc).split())}"}]
        unusable = None
        personas, problems, notes = _convert(result, segment, known, items, meta, names, tier, profile,
                                             max_personas, chat.name, prompt.ref)
        problems += [p for persona in personas for p in persona_problems(persona, known, set(seg_by_id), embed)]
        if not problems:
            break
        feedback = [p.message() for p in problems]
    if unusable is not None and not personas:
        return [], [{"persona": segment, "field": "*", "reason": f"no usable reply from the model: {unusable}"}]
    kept, drops = _drop(personas, problems, known, profile)
    return kept, notes + drops


# --------------------------------------------------------------------------- pack, restore, convert


def _pack(items: Sequence[EvidenceBase], meta: Metas, redactor: Redactor | None,
          ev_ids: Pseudonyms | None = None, who: Pseudonyms | None = None) -> str:
    def clean(value: Any) -> Any:
        return redactor.redact(value) if redactor and isinstance(value, str) else value

    lines = []
    for e in items:
        m = meta.get(e.doc_id)
        row: dict[str, Any] = {"id": ev_ids.alias(e.id) if ev_ids else e.id, "kind": str(getattr(e, "kind", "")),
                               "speaker": e.speaker, "participant": who.alias(e.who) if who else e.who,
                               "quote": e.quote, "summary": e.summary,
                               "context": role_text(m) if m is not None else None}
        if isinstance(e, PainPoint):
            row.update(frequency=e.frequency, intensity=e.intensity)
        elif isinstance(e, JobToBeDone):
            row.update(job_type=e.job_type.value, situation=e.situation, motivation=e.motivation,
                       outcome=e.outcome)
        elif isinstance(e, Workaround):
            row["alternative"] = e.alternative
        row = {k: clean(v) for k, v in row.items() if v not in (None, "")}
        lines.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(lines)


def _clean(redactor: Redactor | None, text: str) -> str:
    return redactor.redact(text) if redactor is not None else text


def _feedback_block(feedback: list[str]) -> str:
    if not feedback:
        return ""
    lines = "\n".join(f"- {f}" for f in feedback)
    return f"Your previous answer had these problems; fix them and answer again:\n{lines}"


def _hide(ev_ids: Pseudonyms | None, text: str) -> str:
    return ev_ids.hide(text) if ev_ids is not None else text


def _restore(result: PersonaDraftList, redactor: Redactor | None,
             ev_ids: Pseudonyms | None = None) -> PersonaDraftList:
    """Placeholders back to the original text, evidence stand-ins (`E3`) back to evidence ids."""
    if redactor is None and ev_ids is None:
        return result

    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, str):
            value = redactor.restore(value) if redactor is not None else value
            return ev_ids.real(value) if ev_ids is not None and key in ("evidence_id", "evidence_ids") else value
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        return value

    return PersonaDraftList.model_validate(walk(result.model_dump()))


def _claim(draft: DraftClaim, known: Mapping[str, EvidenceBase]) -> Claim:
    ids = list(dict.fromkeys(draft.evidence_ids))
    cited = [known[i] for i in ids if i in known]
    pains = [e for e in cited if isinstance(e, PainPoint)]
    return Claim(text=draft.text.strip(), evidence_ids=ids, participants=max(1, count_participants(cited)),
                 impact=next((p.intensity for p in pains if p.intensity), None),
                 frequency_cue=next((p.frequency for p in pains if p.frequency), None))


def _convert(result: PersonaDraftList, segment: str, known: Mapping[str, EvidenceBase],
             items: Sequence[EvidenceBase], meta: Metas, names: Sequence[str],
             tier: str | None, profile: SegmentProfile | None, max_personas: int, provider: str,
             prompt_ref: str) -> tuple[list[Persona], list[Problem], list[dict[str, str]]]:
    personas: list[Persona] = []
    problems: list[Problem] = []
    notes: list[dict[str, str]] = []
    for n, draft in enumerate(result.personas, start=1):
        pid = f"{segment}-{n}"
        if n > max(1, max_personas):
            problems.append(Problem(pid, "*", None,
                                    f"more than {max_personas} personas; merge or drop the extras"))
            continue
        fields: dict[str, ClaimField] = {}
        for name in FIELDS:
            claims = []
            for i, dc in enumerate(getattr(draft, name)):
                if not dc.evidence_ids or not dc.text.strip():
                    problems.append(Problem(pid, name, None,
                                            f"claim {i} {dc.text[:80]!r} has no text or no evidence ids; "
                                            "cite evidence or leave the field empty"))
                    continue
                claims.append(_claim(dc, known))
            fields[name] = ClaimField(claims=claims)
        quotes: list[QuoteRef] = []
        for i, dq in enumerate(draft.quotes):
            if i >= 3:
                problems.append(Problem(pid, "quotes", None,
                                        "more than 3 quotes; keep the 3 most representative"))
                break
            ev = known.get(dq.evidence_id)
            c = ev.citations[0] if ev is not None else None
            quotes.append(QuoteRef(evidence_id=dq.evidence_id, quote=dq.quote, doc_id=c.doc_id if c else "",
                                   start=c.start if c else 0, end=c.end if c else 0,
                                   speaker=ev.speaker if ev is not None else ""))
        persona = Persona.model_validate({"id": pid, "name": draft.name.strip(), "segment": segment,
                                          "tier": tier, "quotes": quotes, "provider": provider,
                                          "prompt": prompt_ref, **fields})
        if (not persona.name or "[NAME_" in persona.name or _names_person(persona.name, names)
                or not _name_grounded(persona, known, segment, meta)):
            cited = [e for e in items if e.id in _ids(persona)]
            group = cited or list(items)
            metas = [meta[d] for d in sorted({e.doc_id for e in group}) if d in meta]
            fallback = persona_name(dominant_title(group, meta), segment, profile, metas)
            reason = (f"name {persona.name!r} is empty, names a person or is not grounded in the evidence; "
                      f"replaced by {fallback!r}")
            notes.append({"persona": pid, "field": "name", "reason": reason})
            persona = persona.model_copy(update={"name": fallback})
        personas.append(persona)
    return personas, problems, notes


def _name_grounded(persona: Persona, known: Mapping[str, EvidenceBase], segment: str,
                   meta: Metas) -> bool:
    """At least half the name's content words appear in the cited evidence, the segment name or a job title.

    "The close-driven controller" passes on evidence about the close and a controller's title; "Growth
    Hacker Greg" on evidence about stuck approvals does not.
    """
    cited = [known[i] for i in _ids(persona) if i in known]
    pool = " ".join([segment, *(e.quote for e in cited),
                     *(str(meta[e.doc_id].get("job_title", "")) for e in cited if e.doc_id in meta)])
    allowed = content_words(pool.replace("-", " "))
    words = content_words(persona.name.replace("-", " "))
    return not words or len(words & allowed) * 2 >= len(words)


def _names_person(text: str, names: Sequence[str]) -> bool:
    variants = name_variants(names)
    return any(re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text, re.IGNORECASE) for v in variants)


def _ids(persona: Persona) -> set[str]:
    ids = {q.evidence_id for q in persona.quotes}
    for cf in persona.claim_fields().values():
        for claim in cf.claims:
            ids.update(claim.evidence_ids)
    return ids


def _drop(personas: list[Persona], problems: list[Problem], known: Mapping[str, EvidenceBase],
          profile: SegmentProfile | None) -> tuple[list[Persona], list[dict[str, str]]]:
    records = [{"persona": p.persona, "field": p.field, "reason": p.reason} for p in problems]
    bad = {(p.persona, p.field, p.index) for p in problems if p.index is not None}
    kept: list[Persona] = []
    for persona in personas:
        update: dict[str, Any] = {}
        for name, cf in persona.claim_fields().items():
            claims = [c for i, c in enumerate(cf.claims) if (persona.id, name, i) not in bad]
            update[name] = ClaimField(claims=claims)
        update["quotes"] = [q for i, q in enumerate(persona.quotes) if (persona.id, "quotes", i) not in bad]
        cleaned = persona.model_copy(update=update)
        if not update["quotes"] and all(cf.not_in_data for cf in cleaned.claim_fields().values()):
            records.append({"persona": persona.id, "field": "*", "reason": "nothing grounded remained"})
            continue
        cited = [known[i] for i in sorted(_ids(cleaned)) if i in known]
        level, reason = confidence(cleaned, known)
        kept.append(cleaned.model_copy(update={"confidence": level, "confidence_reason": reason,
                                               "data_sources": data_sources(cited, profile)}))
    return kept, records

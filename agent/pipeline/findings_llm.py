"""Finding statements written by an LLM, gated: every sentence cites the group's evidence and is supported.

For each leading finding the model gets its group of evidence (redacted, ids replaced by stand-ins) and
writes one or two sentences, each citing evidence ids. The gate checks that every id exists and belongs to
the group, and that every sentence is supported by what it cites (`pipeline.support`: meaning and words).
Failures are sent back once or twice; a statement that stays unsupported is not used, and the finding keeps
its extractive statement. Provider failures do the same: a finding never disappears because a call failed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from segscribe.errors import ProviderError
from segscribe.pipeline.support import Embed, check_support, content_words
from segscribe.prompting import load_prompt
from segscribe.providers.base import ChatModel, LLMRequest
from segscribe.redact import Pseudonyms, Redactor
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.finding import Finding, FindingStatementDraft, StatementPart

TASK = "state_finding"
#: Findings the model states (the rest keep extractive statements): the report leads with these.
MAX_STATED = 15
MAX_EVIDENCE_SENT = 30


def state_findings(findings: Sequence[Finding], evidence: Mapping[str, EvidenceBase], chat: ChatModel,
                   embed: Embed, *, names: Sequence[str] = (), redact: bool = True,
                   max_reasks: int = 2) -> tuple[list[Finding], list[dict[str, str]]]:
    """(findings with model-written statements where they pass the gate, notes on what was kept back)."""
    prompt = load_prompt(TASK)
    out: list[Finding] = []
    notes: list[dict[str, str]] = []
    for f in findings:
        if f.rank > MAX_STATED:
            out.append(f)
            continue
        try:
            stated, why = _state(f, evidence, chat, embed, prompt, names, redact, max_reasks)
        except ProviderError as exc:
            stated, why = None, f"provider failed: {' '.join(str(exc).split())}"
        out.append(stated or f)
        if why:
            notes.append({"finding": f.id, "reason": why})
    return out, notes


def _state(f: Finding, evidence: Mapping[str, EvidenceBase], chat: ChatModel, embed: Embed, prompt: Any,
           names: Sequence[str], redact: bool, max_reasks: int) -> tuple[Finding | None, str | None]:
    group = [evidence[i] for i in [*f.evidence_ids, *f.counter_evidence_ids] if i in evidence][:MAX_EVIDENCE_SENT]
    redactor = Redactor(list(names)) if redact else None
    ids = Pseudonyms("E")
    pack = "\n".join(json.dumps({"id": ids.alias(e.id), "voice": e.voice.value, "kind": e.kind,
                                 "text": redactor.redact(e.quote) if redactor else e.quote}, ensure_ascii=False)
                     for e in group)
    feedback: list[str] = []
    problems: list[str] = []
    for attempt in range(1 + max(0, max_reasks)):
        block = ("Your previous answer had these problems; fix them:\n" + "\n".join(f"- {p}" for p in feedback)
                 if feedback else "")
        system, user = prompt.render(coverage=f.coverage.text, evidence=pack, feedback=block)
        request = LLMRequest(task=TASK, prompt_ref=prompt.ref, system=system, user=user, max_tokens=1024,
                             metadata={"finding": f.id, "attempt": attempt + 1, "redacted": redactor is not None})
        draft = chat.generate(request, FindingStatementDraft)
        parts, problems = _gate(draft, ids, redactor, {e.id: e for e in group}, embed)
        if not problems:
            label = _label(draft.label, redactor, group) or f.label
            statement = " ".join(p.text for p in parts)
            return f.model_copy(update={"statement": statement, "parts": parts, "statement_source": "llm",
                                        "label": label, "provider": chat.name, "prompt": prompt.ref}), None
        feedback = [ids.hide(p) for p in problems]
    return None, "statement not supported by its evidence: " + "; ".join(problems)[:500]


def _gate(draft: FindingStatementDraft, ids: Pseudonyms, redactor: Redactor | None,
          group: Mapping[str, EvidenceBase], embed: Embed) -> tuple[list[StatementPart], list[str]]:
    parts: list[StatementPart] = []
    problems: list[str] = []
    if not draft.parts:
        return [], ["no sentences: write one or two, each citing evidence ids"]
    for n, part in enumerate(draft.parts[:2], 1):
        text = redactor.restore(part.text).strip() if redactor else part.text.strip()
        real = [ids.real(i) for i in part.evidence_ids]
        unknown = [i for i, r in zip(part.evidence_ids, real, strict=True) if r not in group]
        if not text or not real:
            problems.append(f"sentence {n} has no text or cites no evidence")
            continue
        if unknown:
            problems.append(f"sentence {n} cites ids not in the list: {', '.join(unknown)}")
            continue
        support = check_support(text, [group[r].quote for r in real], embed)
        if not support.ok:
            problems.append(f"sentence {n} {text[:80]!r} {support.reason}")
            continue
        parts.append(StatementPart(text=text, evidence_ids=list(dict.fromkeys(real))))
    return parts, problems


def _label(label: str, redactor: Redactor | None, group: Sequence[EvidenceBase]) -> str | None:
    """The model's label when its words come from the evidence; otherwise None (key phrases stay)."""
    text = (redactor.restore(label) if redactor else label).strip()
    words = content_words(text)
    if not text or len(text) > 80 or not words:
        return None
    allowed = content_words(" ".join(e.quote for e in group))
    return text if len(words & allowed) * 2 >= len(words) else None

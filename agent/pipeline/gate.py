"""The grounding gate: nothing downstream ever sees an ungrounded item.

For each proposed item: the passage must exist and belong to a participant or
customer; the quote must be exactly a span of it. Near-verbatim quotes
(whitespace, curly quotes, case) are snapped to the exact source span on token
boundaries and marked `repaired`. Anything else fails with a reason that can
be sent back to an LLM (re-ask) or recorded when the item is dropped.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from segscribe.pipeline.injection import addresses_tool
from segscribe.schemas.document import EVIDENCE_VOICES, DocKind, Document, Passage
from segscribe.schemas.evidence import EVIDENCE_CLASSES, Citation, DraftEvidence, DroppedItem, EvidenceBase

_TRANS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "–": "-", "—": "-",
                        "\u00a0": " ", "…": "..."})


def _norm_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch.translate(_TRANS)).casefold()


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Normalised text plus, for each normalised char, the index of the original char it came from."""
    out: list[str] = []
    idx: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if prev_space:
                continue
            out.append(" ")
            idx.append(i)
            prev_space = True
            continue
        prev_space = False
        for c in _norm_char(ch):
            out.append(c)
            idx.append(i)
    return "".join(out), idx


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Extend a span to whole tokens and trim surrounding whitespace."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def locate(doc: Document, passage: Passage, quote: str) -> tuple[int, int, bool] | None:
    """(start, end, repaired) of the quote inside the passage, or None."""
    q = quote.strip()
    if not q:
        return None
    pos = passage.text.find(q)
    if pos >= 0:
        return passage.start + pos, passage.start + pos + len(q), q != quote
    norm_p, idx = normalise_with_map(passage.text)
    norm_q, _ = normalise_with_map(q.strip(" \"'“”‘’"))
    if len(norm_q) < 3:
        return None
    pos = norm_p.find(norm_q)
    if pos < 0:
        return None
    s, e = _snap(doc.text, passage.start + idx[pos], passage.start + idx[pos + len(norm_q) - 1] + 1)
    return s, e, True


def evidence_id(kind: str, doc_id: str, start: int, end: int) -> str:
    return "e-" + hashlib.sha1(f"{kind}|{doc_id}|{start}|{end}".encode()).hexdigest()[:10]


@dataclass
class GateResult:
    accepted: list[EvidenceBase]
    failures: list[tuple[DraftEvidence, str]]


def check(doc: Document, drafts: list[DraftEvidence], provider: str, prompt_ref: str) -> GateResult:
    """Ground every draft against the document; never raises for bad drafts."""
    passages = {p.id: p for p in doc.passages}
    accepted: dict[str, EvidenceBase] = {}
    failures: list[tuple[DraftEvidence, str]] = []
    for d in drafts:
        found = _ground(doc, passages, d)
        if isinstance(found, str):
            failures.append((d, found))
            continue
        passage, start, end, repaired = found
        item = _build(doc, passage, d, start, end, repaired, provider, prompt_ref)
        accepted.setdefault(item.id, item)
    return GateResult(sorted(accepted.values(), key=lambda e: (e.citations[0].start, e.id)), failures)


def _ground(doc: Document, passages: dict[str, Passage], d: DraftEvidence) -> tuple[Passage, int, int, bool] | str:
    p = passages.get(d.passage_id) or passages.get(d.passage_id.removeprefix("p:"))
    if p is not None and p.voice not in EVIDENCE_VOICES:
        return (f"passage {d.passage_id} is {p.voice.value} text; evidence must come from participants, customers "
                "or the note-taker's notes")
    candidates = [p] if p is not None else []
    candidates += [q for q in doc.evidence_passages() if q is not p]  # the model may have mislabelled the passage
    for cand in candidates:
        loc = locate(doc, cand, d.quote)
        if loc:
            s, e, repaired = loc
            return cand, s, e, repaired or cand is not p
    in_other = any(locate(doc, q, d.quote) for q in doc.passages if q.voice not in EVIDENCE_VOICES)
    if in_other:
        return "quote is from the interviewer, an agent or the guide, not the participant/customer or the notes"
    if p is None:
        return f"unknown passage id {d.passage_id!r} and the quote is not in any participant passage"
    return f"quote not found verbatim in passage {p.id}; copy the exact words"


def _build(doc: Document, passage: Passage, d: DraftEvidence, start: int, end: int, repaired: bool,
           provider: str, prompt_ref: str) -> EvidenceBase:
    cls = EVIDENCE_CLASSES[d.kind.value]
    quote = doc.text[start:end]
    extra: dict[str, object] = {}
    if d.kind.value == "job":
        extra = {"situation": d.situation, "motivation": d.motivation or quote, "outcome": d.outcome}
        if d.job_type:
            extra["job_type"] = d.job_type
    elif d.kind.value == "pain":
        extra = {"frequency": d.frequency, "intensity": d.intensity}
    meta = doc.metadata
    return cls.model_validate(
        {"id": evidence_id(d.kind.value, doc.id, start, end), "summary": d.summary or quote,
         "citations": [Citation(doc_id=doc.id, start=start, end=end, quote=quote)], "doc_id": doc.id,
         "passage_id": passage.id, "speaker": passage.speaker,
         "participant_id": _participant_id(doc),
         "customer_id": str(meta["customer_id"]) if meta.get("customer_id") else None,
         "confidence": d.confidence, "provider": provider, "prompt": prompt_ref, "repaired": repaired,
         "voice": passage.voice, "addresses_tool": addresses_tool(quote), **extra},
        context={"documents": {doc.id: doc.text}},
    )


def _participant_id(doc: Document) -> str | None:
    """The participant an interview or notes document is about: its participant id, else its session."""
    meta = doc.metadata
    if meta.get("participant_id"):
        return str(meta["participant_id"])
    if doc.kind in (DocKind.interview, DocKind.notes) and meta.get("session"):
        return str(meta["session"])
    return None


def drop(doc: Document, d: DraftEvidence, reason: str, provider: str, attempts: int) -> DroppedItem:
    return DroppedItem(doc_id=doc.id, kind=d.kind.value, quote=d.quote, reason=reason, provider=provider,
                       attempts=attempts)


def feedback_lines(failures: list[tuple[DraftEvidence, str]]) -> list[str]:
    return [f"{d.kind.value} quote {d.quote[:80]!r} (passage {d.passage_id}): {reason}" for d, reason in failures]




def final_check(items: Sequence[EvidenceBase],
                texts: Mapping[str, str]) -> tuple[list[EvidenceBase], list[DroppedItem]]:
    """Re-validate every citation against the workspace text; refused items come back as dropped."""
    kept: list[EvidenceBase] = []
    dropped: list[DroppedItem] = []
    for item in items:
        try:
            type(item).model_validate(item.model_dump(), context={"documents": texts})
        except ValidationError as exc:
            dropped.append(DroppedItem(doc_id=item.doc_id, kind=item.kind, quote=item.quote,
                                       reason=f"failed final check: {exc.errors()[0]['msg']}",
                                       provider=item.provider, attempts=1))
            continue
        kept.append(item)
    return kept, dropped

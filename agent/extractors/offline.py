"""The offline provider: deterministic extractive synthesis with domain-agnostic cue rules.

Every quote it emits is a whole sentence of a participant, customer or notes passage, cut at exact offsets
and classified by the general language of needs, difficulty, current practice, evaluation, concern and
suggestion (`segscribe.extractors.cues`). Sentences with no cue are not evidence. No domain vocabulary, no
model: the same input gives byte-identical output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from segscribe.extractors import cues
from segscribe.extractors.sentences import split_sentences
from segscribe.schemas.document import Document, Passage, Voice
from segscribe.schemas.evidence import DraftEvidence, EvidenceKind, JobType

RULESET = "offline-cues@3"
MIN_WORDS, MAX_WORDS = 3, 80

FREQUENCY = re.compile(
    r"\b(every (single )?(day|morning|week|month|quarter|year|time)|(once|twice|\w+ times) (a|per) "
    r"(day|week|month|year)|daily|weekly|monthly|constantly|all the time|always|never)\b", re.I)
INTENSITY = re.compile(
    r"\b(drives? (me|us) (nuts|crazy|mad)|nightmare|hate|awful|terrible|brutal|painful|exhausting|impossible|"
    r"really (hard|confusing|frustrating|annoying)|(lost|lose|waste[sd]?) (a |an |the )?(whole |full |entire )?"
    r"(day|week|afternoon|morning)s?|\w+ (hours|days|weeks))\b", re.I)
EMOTIONAL = re.compile(r"\b(feel|feels|felt|confident|confidence|stress\w*|worr\w+|anxious|peace of mind|calm|"
                       r"scared|relie[fv]\w*|proud|embarrass\w*|safe)\b", re.I)
SOCIAL = re.compile(r"\b(seen as|look (good|bad|like)|reputation|in front of|my (boss|manager|team|family|"
                    r"clients?|customers?)|credib\w+|respect)\b", re.I)
HOW_TO = re.compile(r"^\W*(?:how|where|what)\b.*\b(?:i|we|my|our)\b|\b(?:help me|i need to|i want to|i'?d like to|"
                    r"can (?:i|you)|could (?:i|you))\b", re.I)
JTBD = re.compile(
    r"^(?:.*?\bwhen(?:ever)? (?P<situation>[^,.;]+)[,;]?\s*)?(?P<motivation>.*?)"
    r"(?:\bso (?:that )?(?P<outcome>(?:i|we|they|he|she) can[^.;!?]*))?[.!?]?$", re.I | re.S)


@dataclass(frozen=True)
class Sentence:
    passage: Passage
    start: int  # offsets into the document text
    end: int
    text: str


def sentences(doc: Document, passage: Passage) -> list[Sentence]:
    """Sentences of a passage with exact document offsets, MIN_WORDS..MAX_WORDS long."""
    out: list[Sentence] = []
    for s, e in split_sentences(doc.text, passage.start, passage.end):
        text = doc.text[s:e]
        if MIN_WORDS <= len(text.split()) <= MAX_WORDS:
            out.append(Sentence(passage, s, e, text))
    return out


def _first(rx: re.Pattern[str], text: str) -> str | None:
    m = rx.search(text)
    return m.group(0) if m else None


def _job_fields(text: str) -> dict[str, Any]:
    m = JTBD.match(text)
    situation = (m.group("situation") or "").strip() if m else ""
    outcome = (m.group("outcome") or "").strip() if m else ""
    motivation = (m.group("motivation") or text).strip(" ,;") if m else text
    job_type = JobType.social if SOCIAL.search(text) else (
        JobType.emotional if EMOTIONAL.search(text) else JobType.functional)
    # Every field is a verbatim piece of the sentence, or empty.
    return {"situation": situation if situation in text else "",
            "motivation": motivation if motivation in text else text,
            "outcome": outcome if outcome in text else "", "job_type": job_type}


def _summary(text: str, words: int = 14) -> str:
    """A trimmed slice of the quote itself: offline never writes claims of its own."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


class OfflineExtractor:
    """Cue rules over sentences. `name` is `offline`; `prompt_ref` names the rule-set version."""

    name = "offline"
    prompt_ref = RULESET
    deterministic = True

    def __init__(self, embedder: Any = None) -> None:
        self.embedder = embedder  # kept for the Extractor signature; the rules need no model

    def extract(self, doc: Document, feedback: list[str] | None = None) -> list[DraftEvidence]:
        items: list[DraftEvidence] = []
        customer: list[Sentence] = []
        for passage in doc.evidence_passages():
            for s in sentences(doc, passage):
                kind, confidence, _ = cues.classify(s.text, passage.voice.value)
                if kind != "none":
                    items.append(self._draft(kind, s, confidence))
                elif passage.voice is Voice.customer:
                    customer.append(s)
        if not items and customer:
            items.append(self._customer_request(customer))
        return items

    def _customer_request(self, candidates: list[Sentence]) -> DraftEvidence:
        """A ticket or survey answer is feedback even without a cue word: keep its main sentence.

        "How do I change my address?" is what the customer is trying to get done (a job); anything else is
        an observation. Low confidence: the kind comes from the form of the sentence, not from a cue.
        """
        s = max(candidates, key=lambda c: (len(c.text.split()) >= 5, -c.start))
        kind = "job" if HOW_TO.search(s.text) else "observation"
        return self._draft(kind, s, 0.3)

    def extract_batch(self, docs: list[Document]) -> dict[str, list[DraftEvidence]]:
        return {doc.id: self.extract(doc) for doc in docs}

    def _draft(self, kind: str, s: Sentence, confidence: float) -> DraftEvidence:
        fields: dict[str, Any] = {}
        if kind == "pain":
            fields = {"frequency": _first(FREQUENCY, s.text), "intensity": _first(INTENSITY, s.text)}
        elif kind == "job":
            fields = _job_fields(s.text)
        return DraftEvidence(kind=EvidenceKind(kind), passage_id=s.passage.id, quote=s.text,
                             summary=_summary(s.text), confidence=confidence, **fields)

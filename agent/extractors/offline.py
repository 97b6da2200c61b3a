"""The offline provider: deterministic extractive synthesis with cue rules and embeddings.

Every quote it emits is a slice of a participant/customer passage: sentences
are cut at exact offsets, scored by cue patterns plus similarity to labelled
prototype sentences, and the best-supported kind above a threshold wins.
The same input gives byte-identical output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from segscribe.extractors import offline_rules as R
from segscribe.schemas.document import Document, Passage
from segscribe.schemas.evidence import DraftEvidence, EvidenceKind, JobType

_SENT = re.compile(r"[^.!?\n]+(?:[.!?]+[\"”’']?|$)", re.M)
MIN_WORDS, MAX_WORDS = 6, 60
KIND_ORDER = ("pain", "goal", "job", "workaround", "objection")
THRESHOLD = 0.5  # cue weight + 2 x prototype similarity must reach this (tuned on corpus/ only)
SIM_FLOOR = 0.30  # similarity below this adds nothing


@dataclass(frozen=True)
class Sentence:
    passage: Passage
    start: int  # offsets into the document text
    end: int
    text: str


def sentences(doc: Document, passage: Passage) -> list[Sentence]:
    """Sentences of a passage with exact document offsets (whitespace trimmed)."""
    out: list[Sentence] = []
    for m in _SENT.finditer(passage.text):
        s, e = m.start(), m.end()
        while s < e and passage.text[s] in " \t\"“'‘-–—":
            s += 1
        while e > s and passage.text[e - 1].isspace():
            e -= 1
        text = passage.text[s:e]
        if MIN_WORDS <= len(text.split()) <= MAX_WORDS:
            out.append(Sentence(passage, passage.start + s, passage.start + e, doc.text[passage.start + s:
                                                                                      passage.start + e]))
    return out


def cue_scores(text: str) -> dict[str, float]:
    return {k: round(sum(w for rx, w in R.COMPILED[k] if rx.search(text)), 4) for k in KIND_ORDER}


def _first(rx: re.Pattern[str], text: str) -> str | None:
    m = rx.search(text)
    return m.group(0) if m else None


def _job_fields(text: str) -> dict[str, Any]:
    m = R.JTBD.match(text)
    situation = (m.group("situation") or "").strip() if m else ""
    outcome = (m.group("outcome") or "").strip() if m else ""
    motivation = (m.group("motivation") or text).strip(" ,;") if m else text
    job_type = JobType.social if R.SOCIAL.search(text) else (
        JobType.emotional if R.EMOTIONAL.search(text) else JobType.functional)
    # Every field is a verbatim piece of the sentence, or empty.
    return {"situation": situation if situation in text else "",
            "motivation": motivation if motivation in text else text,
            "outcome": outcome if outcome in text else "", "job_type": job_type}


class OfflineExtractor:
    """Rules + prototype similarity. `name` is `offline`; `prompt_ref` names the rule-set version."""

    name = "offline"
    prompt_ref = R.RULESET
    deterministic = True

    def __init__(self, embedder: Any = None, quotes_per_doc: int = 2) -> None:
        if embedder is None:
            from segscribe.embed import default_embedder

            embedder = default_embedder()
        self.embedder = embedder
        self.quotes_per_doc = quotes_per_doc
        self._protos = {k: embedder.embed(v) for k, v in R.PROTOTYPES.items()}

    def _similarities(self, texts: list[str]) -> dict[str, np.ndarray]:
        vecs = self.embedder.embed(texts)
        out = {}
        for k in KIND_ORDER:
            sims = vecs @ self._protos[k].T
            top = np.sort(sims, axis=1)[:, -2:].mean(axis=1)  # mean of the 2 nearest prototypes
            out[k] = np.round(top.astype(np.float64), 4)
        return out

    def extract(self, doc: Document, feedback: list[str] | None = None) -> list[DraftEvidence]:
        return self.extract_batch([doc])[doc.id]

    def extract_batch(self, docs: list[Document]) -> dict[str, list[DraftEvidence]]:
        """Drafts for several documents with one embedding call (small documents such as tickets
        would otherwise pay the model's per-call overhead once each)."""
        # Only sentences with at least one cue are embedded: on long interviews this skips about two
        # thirds of the model calls, and cue-less sentences rarely reach the threshold on similarity alone.
        per_doc = []
        for doc in docs:
            cued = [(s, cue_scores(s.text)) for p in doc.evidence_passages() for s in sentences(doc, p)]
            per_doc.append([(s, c) for s, c in cued if any(v > 0 for v in c.values())])
        texts = [s.text for cued in per_doc for s, _ in cued]
        sims = self._similarities(texts) if texts else {}
        out: dict[str, list[DraftEvidence]] = {}
        pos = 0
        for doc, cued in zip(docs, per_doc, strict=True):
            out[doc.id] = self._classify(cued, {k: v[pos : pos + len(cued)] for k, v in sims.items()})
            pos += len(cued)
        return out

    def _classify(self, cued: list[tuple[Sentence, dict[str, float]]],
                  sims: dict[str, np.ndarray]) -> list[DraftEvidence]:
        items: list[DraftEvidence] = []
        quote_candidates: list[tuple[float, Sentence]] = []
        for i, (s, cues) in enumerate(cued):
            scores = {k: cues[k] + 2.0 * max(0.0, float(sims[k][i]) - SIM_FLOOR) for k in KIND_ORDER}
            kind = max(KIND_ORDER, key=lambda k: (scores[k], -KIND_ORDER.index(k)))
            best = scores[kind]
            if best >= THRESHOLD:
                items.append(self._draft(kind, s, best))
            elif _first(R.INTENSITY, s.text) and len(s.text.split()) <= 30:
                # A memorable line that is not already another claim (a span is one claim, not two).
                quote_candidates.append((best + 0.5, s))
        items += self._quotes(quote_candidates)
        return items

    def _draft(self, kind: str, s: Sentence, score: float) -> DraftEvidence:
        fields: dict[str, Any] = {}
        if kind == "pain":
            fields = {"frequency": _first(R.FREQUENCY, s.text), "intensity": _first(R.INTENSITY, s.text)}
        elif kind == "job":
            fields = _job_fields(s.text)
        return DraftEvidence(kind=EvidenceKind(kind), passage_id=s.passage.id, quote=s.text,
                             summary=_summary(s.text), confidence=round(min(1.0, score / 3.0), 4), **fields)

    def _quotes(self, candidates: list[tuple[float, Sentence]]) -> list[DraftEvidence]:
        ranked = sorted(candidates, key=lambda c: (-c[0], c[1].start))[: self.quotes_per_doc]
        return [DraftEvidence(kind=EvidenceKind.quote, passage_id=s.passage.id, quote=s.text,
                              summary=_summary(s.text), confidence=round(min(1.0, sc / 3.0), 4))
                for sc, s in sorted(ranked, key=lambda c: c[1].start)]


def _summary(text: str, words: int = 14) -> str:
    """A trimmed slice of the quote itself: offline never writes claims of its own."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")

"""Evaluator self-test by fault injection.

Each fault takes a correct output and returns a faulted copy, one fault type at
a time, applied to every item (or to a seeded sample of items). The input items
are never mutated. Faulted items are built with `model_copy(update=...)`, which
skips validation, so they can break invariants the schema would otherwise
enforce (zero citations, quotes that are not the cited text).

Each fault is mapped to the metric meant to catch it (`FAULT_METRIC`), and
`run_self_test` checks that the clean output scores perfectly on that metric
and that the faulted output scores clearly worse. A metric that does not move
under its fault is blind and the self-test fails.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from segscribe.evals.gold import GoldItem
from segscribe.evals.metrics import (
    Embedder,
    citation_precision_recall,
    citation_validity,
    citations_of,
    quote_exact,
    quote_exactness,
    speaker_attribution,
)
from segscribe.schemas.document import EVIDENCE_VOICES, Document, Passage
from segscribe.schemas.evidence import EVIDENCE_CLASSES, Citation, EvidenceBase

Items = list[EvidenceBase]


def _sample(n: int, fraction: float, seed: int) -> set[int]:
    """Indices of the items to fault: all of them, or a seeded sample (at least one)."""
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    if fraction >= 1.0 or n == 0:
        return set(range(n))
    k = max(1, round(fraction * n))
    return set(random.Random(seed).sample(range(n), k))


def _map(
    items: Sequence[EvidenceBase],
    fraction: float,
    seed: int,
    fn: Callable[[EvidenceBase], EvidenceBase],
) -> Items:
    chosen = _sample(len(items), fraction, seed)
    return [fn(it) if i in chosen else it for i, it in enumerate(items)]


def _with_citations(item: EvidenceBase, cits: list[Citation]) -> EvidenceBase:
    update: dict[str, object] = {"citations": cits}
    if cits:
        update["doc_id"] = cits[0].doc_id
    return item.model_copy(update=update)


# --------------------------------------------------------------------------- faults


def shift_spans(
    docs: Mapping[str, Document],
    items: Sequence[EvidenceBase],
    k: int = 3,
    *,
    fraction: float = 1.0,
    seed: int = 0,
) -> Items:
    """Move start and end by `k` characters (or -k when +k would run off the text), keeping the old quote."""
    if k == 0:
        raise ValueError("shift_spans needs k != 0")

    def shift(c: Citation) -> Citation:
        doc = docs.get(c.doc_id)
        for d in (k, -k):
            s, e = c.start + d, c.end + d
            if doc is not None and s >= 0 and e <= len(doc.text) and doc.text[s:e] != c.quote:
                return c.model_copy(update={"start": s, "end": e})
        # No in-bounds shift changes the text: shift anyway (the span is then invalid).
        return c.model_copy(update={"start": c.start + abs(k), "end": c.end + abs(k)})

    return _map(items, fraction, seed, lambda it: _with_citations(it, [shift(c) for c in citations_of(it)]))


def swap_doc_ids(
    docs: Mapping[str, Document],
    items: Sequence[EvidenceBase],
    *,
    fraction: float = 1.0,
    seed: int = 0,
) -> Items:
    """Attribute each citation to another existing document (the next id in sorted order)."""
    ids = sorted(docs)
    if len(ids) < 2:
        raise ValueError("swap_doc_ids needs at least two documents")

    def other(doc_id: str) -> str:
        i = ids.index(doc_id) if doc_id in ids else -1
        return ids[(i + 1) % len(ids)]

    return _map(
        items,
        fraction,
        seed,
        lambda it: _with_citations(
            it, [c.model_copy(update={"doc_id": other(c.doc_id)}) for c in citations_of(it)]
        ),
    )


_SYNONYMS = {
    "a": "one",
    "about": "regarding",
    "always": "constantly",
    "big": "large",
    "but": "however",
    "can't": "cannot",
    "don't": "do not",
    "every": "each",
    "get": "obtain",
    "hard": "difficult",
    "i": "we",
    "i'm": "we're",
    "it's": "it is",
    "just": "simply",
    "lot": "great deal",
    "me": "us",
    "my": "our",
    "need": "require",
    "really": "truly",
    "so": "therefore",
    "the": "this",
    "to": "towards",
    "want": "wish",
    "we": "I",
    "with": "using",
}


def paraphrase(quote: str) -> str:
    """Deterministic rewording: substitute common words, then rotate the first word to the end."""
    words = [_SYNONYMS.get(w.casefold(), w) for w in quote.split()]
    if len(words) > 1:
        words = words[1:] + words[:1]
    out = " ".join(words)
    if out == quote or not out:
        out = f"basically {quote}"
    return out


def paraphrase_quotes(
    docs: Mapping[str, Document],
    items: Sequence[EvidenceBase],
    *,
    fraction: float = 1.0,
    seed: int = 0,
) -> Items:
    """Rewrite each quote so it is no longer verbatim (the span stays the same)."""
    return _map(
        items,
        fraction,
        seed,
        lambda it: _with_citations(
            it, [c.model_copy(update={"quote": paraphrase(c.quote)}) for c in citations_of(it)]
        ),
    )


def drop_citations(
    docs: Mapping[str, Document],
    items: Sequence[EvidenceBase],
    *,
    fraction: float = 1.0,
    seed: int = 0,
) -> Items:
    """Remove every citation (items keep their claim but become ungrounded)."""
    return _map(items, fraction, seed, lambda it: it.model_copy(update={"citations": []}))


def cite_whole_documents(
    docs: Mapping[str, Document],
    items: Sequence[EvidenceBase],
    *,
    fraction: float = 1.0,
    seed: int = 0,
) -> Items:
    """Cite the whole cited document: start=0, end=len(text), quote=text (still verbatim)."""

    def whole(c: Citation) -> Citation:
        doc = docs.get(c.doc_id)
        if doc is None or not doc.text:
            return c
        return c.model_copy(update={"start": 0, "end": len(doc.text), "quote": doc.text})

    return _map(items, fraction, seed, lambda it: _with_citations(it, [whole(c) for c in citations_of(it)]))


def _non_voice(doc: Document) -> list[Passage]:
    return [p for p in doc.passages if p.voice not in EVIDENCE_VOICES and p.end > p.start]


def interviewer_attribution(
    docs: Mapping[str, Document],
    items: Sequence[EvidenceBase],
    *,
    fraction: float = 1.0,
    seed: int = 0,
) -> Items:
    """Replace each cited span with an interviewer (or agent) passage's exact span and text.

    Uses the first such passage of the cited document, else the first one in the
    corpus (documents in sorted id order). The quote stays verbatim, and the
    item keeps its participant `speaker`/`passage_id`: only the span betrays it.
    """
    fallback = next((p for d in sorted(docs) for p in _non_voice(docs[d])), None)
    if fallback is None:
        raise ValueError("interviewer_attribution needs an interviewer or agent passage in the corpus")

    def move(c: Citation) -> Citation:
        doc = docs.get(c.doc_id)
        own = _non_voice(doc) if doc is not None else []
        p = own[0] if own else fallback
        return c.model_copy(update={"doc_id": p.doc_id, "start": p.start, "end": p.end, "quote": p.text})

    return _map(items, fraction, seed, lambda it: _with_citations(it, [move(c) for c in citations_of(it)]))


# --------------------------------------------------------------------------- metric registry

FaultFn = Callable[..., Items]
MetricFn = Callable[
    [Mapping[str, Document], Sequence[EvidenceBase], Sequence[GoldItem], Embedder | None], float
]

#: Metrics the self-test can read, by scorecard name (all "higher is better", perfect = 1.0).
METRICS: dict[str, MetricFn] = {
    "strict_quote_exactness": lambda d, i, g, e: quote_exactness(i, d).strict_rate,
    "citation_validity": lambda d, i, g, e: citation_validity(i, d).rate,
    "citation_precision": lambda d, i, g, e: citation_precision_recall(i, g, embed=e).precision,
    "citation_recall": lambda d, i, g, e: citation_precision_recall(i, g, embed=e).recall,
    "speaker_attribution": lambda d, i, g, e: speaker_attribution(i, d).rate,
}

#: Every fault, in run order.
FAULTS: dict[str, FaultFn] = {
    "shift_spans": shift_spans,
    "swap_doc_ids": swap_doc_ids,
    "paraphrase_quotes": paraphrase_quotes,
    "drop_citations": drop_citations,
    "cite_whole_documents": cite_whole_documents,
    "interviewer_attribution": interviewer_attribution,
}

#: The metric each fault is meant to be caught by.
FAULT_METRIC: dict[str, str] = {
    "shift_spans": "strict_quote_exactness",
    "swap_doc_ids": "strict_quote_exactness",
    "paraphrase_quotes": "strict_quote_exactness",
    "drop_citations": "citation_recall",
    "cite_whole_documents": "citation_precision",
    "interviewer_attribution": "speaker_attribution",
}


# --------------------------------------------------------------------------- self-test


class FaultResult(BaseModel):
    """One fault: the catching metric before (clean) and after (faulted)."""

    model_config = ConfigDict(frozen=True)

    fault: str
    metric: str
    before: float
    after: float
    drop: float
    n_faulted: int
    """Items whose citations the fault actually changed."""
    clean_perfect: bool
    """The clean output scores 1.0 on `metric`."""
    caught: bool
    """clean_perfect and drop >= the self-test's min_drop."""
    after_all: dict[str, float]
    """Every self-test metric on the faulted output (diagnostic: what else notices)."""
    error: str | None = None
    """Why the fault could not be applied (e.g. a single-document corpus)."""


class SelfTestReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    fraction: float
    seed: int
    min_drop: float
    clean: dict[str, float]
    faults: list[FaultResult]
    all_caught: bool


def _score_all(
    docs: Mapping[str, Document],
    items: Sequence[EvidenceBase],
    gold: Sequence[GoldItem],
    embed: Embedder | None,
) -> dict[str, float]:
    return {name: float(fn(docs, items, gold, embed)) for name, fn in METRICS.items()}


def run_self_test(
    docs: Mapping[str, Document],
    items: Sequence[EvidenceBase],
    gold: Sequence[GoldItem],
    embed: Embedder | None,
    *,
    fraction: float = 1.0,
    seed: int = 0,
    min_drop: float | None = None,
) -> SelfTestReport:
    """Inject every fault into a correct output and check its metric catches it.

    `items` must be a correct output for `gold` (see `gold_to_items`). A fault is
    caught when the clean output scores 1.0 on the fault's metric and the faulted
    output scores at least `min_drop` lower (default: half of `fraction`, i.e. half
    the damage the fault does when every faulted item is scored as wrong).
    """
    threshold = 0.5 * fraction if min_drop is None else min_drop
    clean = _score_all(docs, items, gold, embed)
    results: list[FaultResult] = []
    for name, fault in FAULTS.items():
        metric = FAULT_METRIC[name]
        before = clean[metric]
        perfect = before >= 1.0 - 1e-9
        try:
            faulted = fault(docs, items, fraction=fraction, seed=seed)
        except ValueError as exc:
            results.append(
                FaultResult(
                    fault=name,
                    metric=metric,
                    before=before,
                    after=before,
                    drop=0.0,
                    n_faulted=0,
                    clean_perfect=perfect,
                    caught=False,
                    after_all={},
                    error=str(exc),
                )
            )
            continue
        after_all = _score_all(docs, faulted, gold, embed)
        after = after_all[metric]
        n_faulted = sum(citations_of(a) != citations_of(b) for a, b in zip(items, faulted, strict=True))
        drop = before - after
        results.append(
            FaultResult(
                fault=name,
                metric=metric,
                before=before,
                after=after,
                drop=drop,
                n_faulted=n_faulted,
                clean_perfect=perfect,
                caught=perfect and n_faulted > 0 and drop >= threshold - 1e-12,
                after_all=after_all,
            )
        )
    return SelfTestReport(
        fraction=fraction,
        seed=seed,
        min_drop=threshold,
        clean=clean,
        faults=results,
        all_caught=bool(results) and all(r.caught for r in results),
    )


def gold_to_items(docs: Mapping[str, Document], gold: Sequence[GoldItem]) -> Items:
    """A correct output for `gold`: one evidence item per gold span, validated against the documents.

    Raises ValueError when a gold span is not verbatim or not inside one participant/customer passage.
    """
    texts = {d: doc.text for d, doc in docs.items()}
    out: Items = []
    for g in gold:
        doc = docs.get(g.doc_id)
        if doc is None:
            raise ValueError(f"gold item {g.id!r}: unknown document {g.doc_id!r}")
        c = Citation(doc_id=g.doc_id, start=g.start, end=g.end, quote=g.quote)
        if not quote_exact(c, docs):
            raise ValueError(f"gold item {g.id!r}: quote is not {g.doc_id}[{g.start}:{g.end}]")
        passage = doc.passage_at(g.start, g.end)
        if passage is None or passage.voice not in EVIDENCE_VOICES:
            raise ValueError(f"gold item {g.id!r}: span is not inside one participant/customer passage")
        cls = EVIDENCE_CLASSES[g.kind.value]
        out.append(
            cls.model_validate(
                {
                    "id": g.id,
                    "kind": g.kind.value,
                    "summary": g.quote[:80],
                    "citations": [c.model_dump()],
                    "doc_id": g.doc_id,
                    "passage_id": passage.id,
                    "speaker": passage.speaker,
                    "provider": "gold",
                    "prompt": "gold",
                },
                context={"documents": texts},
            )
        )
    return out

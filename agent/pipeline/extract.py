"""Extract + verify one document, with the re-ask loop for LLM providers.

The loop (`DocLoop`) takes one answer at a time, so the same rules drive a synchronous extractor
(`extract_document`) and rounds of a provider's message batches (`extract_documents_batched`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from segscribe.errors import ProviderError, StructuredOutputError
from segscribe.pipeline import gate
from segscribe.providers.base import LLMRequest
from segscribe.schemas.document import Document
from segscribe.schemas.evidence import DraftEvidence, DraftEvidenceList, EvidenceBase
from segscribe.schemas.run import DocExtraction


class Extractor(Protocol):
    @property
    def prompt_ref(self) -> str: ...

    def extract(self, doc: Document, feedback: list[str] | None = None) -> list[DraftEvidence]: ...


class Batcher(Protocol):
    """Answers many requests at once (a provider's message batches): reply or error per caller id."""

    def run(self, requests: dict[str, LLMRequest], output_type: type[DraftEvidenceList]
            ) -> dict[str, DraftEvidenceList | ProviderError]: ...


Restore = Callable[[DraftEvidenceList], list[DraftEvidence]]


def extract_documents(docs: list[Document], extractor: Extractor, max_reasks: int = 2) -> Iterator[DocExtraction]:
    """Several documents: one batched call when the extractor supports it (offline), else one by one.

    A provider failure on one document never stops the others: that document comes back `failed` with the
    reason, and `run --resume` retries it. With a `batcher` on the extractor, every ask goes through message
    batches, one round per re-ask.
    """
    if getattr(extractor, "batcher", None) is not None:
        yield from extract_documents_batched(docs, extractor, max_reasks)
        return
    batch = getattr(extractor, "extract_batch", None)
    if batch is None:
        for d in docs:
            yield _guarded(d, extractor, max_reasks)
        return
    drafts = batch(docs)
    for d in docs:
        yield extract_document(d, extractor, max_reasks, first_drafts=drafts[d.id])


def _guarded(doc: Document, extractor: Extractor, max_reasks: int) -> DocExtraction:
    try:
        return extract_document(doc, extractor, max_reasks)
    except ProviderError as exc:
        return failed(doc.id, exc)


def failed(doc_id: str, exc: ProviderError) -> DocExtraction:
    return DocExtraction(doc_id=doc_id, status="failed", error=" ".join(str(exc).split()))


def extract_document(doc: Document, extractor: Extractor, max_reasks: int = 2,
                     first_drafts: list[DraftEvidence] | None = None) -> DocExtraction:
    """Ask the extractor, ground every item, re-ask about failures up to `max_reasks` times, drop the rest.

    A reply that is not usable JSON (cut off at max_tokens, wrong shape) is re-asked about like an
    ungrounded quote; a document none of whose replies was usable raises the last StructuredOutputError.
    """
    loop = DocLoop(doc, extractor, max_reasks)
    if first_drafts is not None:
        loop.take(first_drafts)
    while not loop.done:
        try:
            drafts = extractor.extract(doc, loop.feedback)
        except StructuredOutputError as exc:
            loop.take_error(exc)
        else:
            loop.take(drafts)
    return loop.finish()


@dataclass
class DocLoop:
    """The ask, ground and re-ask loop of one document, fed one answer (or unusable reply) at a time."""

    doc: Document
    extractor: Any
    max_reasks: int
    result: DocExtraction = field(init=False)
    feedback: list[str] | None = None
    done: bool = False
    _accepted: dict[str, EvidenceBase] = field(default_factory=dict)
    _failures: list[tuple[DraftEvidence, str]] = field(default_factory=list)
    _error: StructuredOutputError | None = None
    _answered: bool = False

    def __post_init__(self) -> None:
        self.result = DocExtraction(doc_id=self.doc.id)
        chat = getattr(self.extractor, "chat", None)
        self.provider = str(getattr(chat, "name", None) or getattr(self.extractor, "name", "offline"))
        self.passage_ids = {p.id for p in self.doc.passages}

    def take(self, drafts: list[DraftEvidence]) -> None:
        """One answer: ground it, keep what holds, and decide whether to re-ask."""
        r = self.result
        r.attempts += 1
        r.proposed += len(drafts)
        r.invented_ids += sum(1 for d in drafts if d.passage_id.removeprefix("p:") not in self.passage_ids)
        self._answered = True
        checked = gate.check(self.doc, drafts, self.provider, self.extractor.prompt_ref)
        for item in checked.accepted:
            self._accepted.setdefault(item.id, item)
        self._failures = checked.failures
        # A deterministic extractor gives the same answer when asked again.
        if not self._failures or getattr(self.extractor, "deterministic", False) or self._last_attempt:
            self.done = True
            return
        r.reasked += len(self._failures)
        self.feedback = gate.feedback_lines(self._failures)

    def take_error(self, exc: StructuredOutputError) -> None:
        """A reply that was not usable JSON: re-ask saying why, unless attempts are used up."""
        self.result.attempts += 1
        self.result.invalid_replies += 1
        self._error = exc
        if self._last_attempt:
            self.done = True
            return
        hint = (f"Your previous reply could not be used ({' '.join(str(exc).split())[:300]}). Reply with one "
                "complete JSON object that matches the schema; give fewer items and keep every string short.")
        self.feedback = [*gate.feedback_lines(self._failures), hint]

    @property
    def _last_attempt(self) -> bool:
        return self.result.attempts >= 1 + max(0, self.max_reasks)

    def finish(self) -> DocExtraction:
        """The document's extraction; raises the last unusable-reply error when no reply was usable."""
        if not self._answered and self._error is not None:
            raise self._error
        r = self.result
        r.dropped = [gate.drop(self.doc, d, reason, self.provider, r.attempts) for d, reason in self._failures]
        r.evidence = sorted(self._accepted.values(), key=lambda e: (e.citations[0].start, e.kind, e.id))  # type: ignore[arg-type]
        r.repaired = sum(1 for e in r.evidence if e.repaired)
        return r


def extract_documents_batched(docs: list[Document], extractor: Any, max_reasks: int) -> Iterator[DocExtraction]:
    """Every document's asks as message batches: round 1 asks all, each later round re-asks those that need it.

    A request the batch could not answer (errored, expired) fails its document, which `run --resume` retries.
    """
    batcher: Batcher = extractor.batcher
    loops = {d.id: DocLoop(d, extractor, max_reasks) for d in docs}
    pending = list(docs)
    while pending:
        asks: dict[str, tuple[LLMRequest, Restore]] = {}
        for d in pending:
            prepared = extractor.prepare(d, loops[d.id].feedback)
            if prepared is None:
                loops[d.id].take([])  # nothing quotable: no call
            else:
                asks[d.id] = prepared
        answers = batcher.run({k: req for k, (req, _) in asks.items()}, DraftEvidenceList) if asks else {}
        still: list[Document] = []
        for d in pending:
            outcome = _settle(loops[d.id], answers.get(d.id), asks.get(d.id))
            if outcome is None:
                still.append(d)
            else:
                yield outcome
        pending = still


def _settle(loop: DocLoop, answer: DraftEvidenceList | ProviderError | None,
            ask: tuple[LLMRequest, Restore] | None) -> DocExtraction | None:
    """Feed one batch answer to its document's loop; the document's result once it is settled."""
    if ask is not None and answer is None:
        answer = ProviderError("the batch results have no answer for this document; rerun to ask again")
    if isinstance(answer, StructuredOutputError):
        loop.take_error(answer)
    elif isinstance(answer, ProviderError):
        return failed(loop.doc.id, answer)
    elif answer is not None and ask is not None:
        loop.take(ask[1](answer))
    if not loop.done:
        return None
    try:
        return loop.finish()
    except ProviderError as exc:
        return failed(loop.doc.id, exc)

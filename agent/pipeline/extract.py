"""Extract + verify one document, with the re-ask loop for LLM providers."""

from __future__ import annotations

from typing import Protocol

from segscribe.errors import ProviderError
from segscribe.pipeline import gate
from segscribe.schemas.document import Document
from segscribe.schemas.evidence import DraftEvidence, EvidenceBase
from segscribe.schemas.run import DocExtraction


class Extractor(Protocol):
    @property
    def prompt_ref(self) -> str: ...

    def extract(self, doc: Document, feedback: list[str] | None = None) -> list[DraftEvidence]: ...


def extract_documents(docs: list[Document], extractor: Extractor, max_reasks: int = 2) -> list[DocExtraction]:
    """Several documents: one batched call when the extractor supports it (offline), else one by one.

    A provider failure on one document never stops the others: that document comes back `failed` with the
    reason, and `run --resume` retries it.
    """
    batch = getattr(extractor, "extract_batch", None)
    if batch is None:
        return [_guarded(d, extractor, max_reasks) for d in docs]
    drafts = batch(docs)
    return [extract_document(d, extractor, max_reasks, first_drafts=drafts[d.id]) for d in docs]


def _guarded(doc: Document, extractor: Extractor, max_reasks: int) -> DocExtraction:
    try:
        return extract_document(doc, extractor, max_reasks)
    except ProviderError as exc:
        return DocExtraction(doc_id=doc.id, status="failed", error=" ".join(str(exc).split()))


def extract_document(doc: Document, extractor: Extractor, max_reasks: int = 2,
                     first_drafts: list[DraftEvidence] | None = None) -> DocExtraction:
    """Ask the extractor, ground every item, re-ask about failures up to `max_reasks` times, drop the rest."""
    provider = getattr(extractor, "chat", None)
    provider_name: str = str(getattr(provider, "name", None) or getattr(extractor, "name", "offline"))
    result = DocExtraction(doc_id=doc.id)
    accepted: dict[str, EvidenceBase] = {}
    feedback: list[str] | None = None
    failures: list[tuple[DraftEvidence, str]] = []
    for attempt in range(1 + max(0, max_reasks)):
        result.attempts = attempt + 1
        drafts = first_drafts if attempt == 0 and first_drafts is not None else extractor.extract(doc, feedback)
        checked = gate.check(doc, drafts, provider_name, extractor.prompt_ref)
        for item in checked.accepted:
            accepted.setdefault(item.id, item)
        failures = checked.failures
        if not failures or getattr(extractor, "deterministic", False):
            break  # a deterministic extractor gives the same answer when asked again
        feedback = gate.feedback_lines(failures)
    result.dropped = [gate.drop(doc, d, reason, provider_name, result.attempts) for d, reason in failures]
    result.evidence = sorted(accepted.values(), key=lambda e: (e.citations[0].start, e.kind, e.id))  # type: ignore[arg-type]
    result.repaired = sum(1 for e in result.evidence if e.repaired)
    return result

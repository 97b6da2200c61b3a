"""Evidence extraction with any `ChatModel` (Anthropic, OpenAI-compatible, scripted).

Only participant/customer passages are sent: interviewer and agent turns are
never evidence, so they never leave the machine. With `redact=True` names (from
metadata and speaker labels, in any case), emails, phones, handles, card numbers,
IBANs and NI numbers are replaced by placeholders before the call and restored in
every string of the reply, so quotes are verbatim against the original text again;
passage ids become `P1`, `P2`... and the document title and id are withheld (file
names carry surnames), and the reply's passage ids are mapped back. Checking quotes
against the sources (the grounding gate) happens downstream, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from segscribe.prompting import Prompt, load_prompt
from segscribe.providers.base import ChatModel, LLMRequest
from segscribe.redact import Pseudonyms, Redactor, document_names, speaker_names
from segscribe.schemas.document import Document, Passage
from segscribe.schemas.evidence import DraftEvidence, DraftEvidenceList

TASK = "extract_evidence"
_PASSAGE_PREFIX = "p:"


class LLMExtractor:
    """Renders `prompts/extract_evidence`, calls the chat model, returns restored draft evidence."""

    def __init__(
        self,
        chat: ChatModel,
        *,
        redact: bool = True,
        names: Iterable[str] = (),
        prompt_version: str | None = None,
        max_tokens: int = 8192,
        batcher: Any = None,
    ) -> None:
        self.chat = chat
        self.batcher = batcher
        """Sends every ask as message batches when set (`segscribe run --batch`)."""
        self.redact = redact
        self.names = tuple(names)
        self.prompt: Prompt = load_prompt(TASK, prompt_version)
        self.max_tokens = max_tokens

    @property
    def prompt_ref(self) -> str:
        return self.prompt.ref

    def extract(self, doc: Document, feedback: list[str] | None = None) -> list[DraftEvidence]:
        prepared = self.prepare(doc, feedback)
        if prepared is None:
            return []  # nothing quotable: don't pay for a call
        request, restore = prepared
        return restore(self.chat.generate(request, DraftEvidenceList))

    def prepare(self, doc: Document, feedback: list[str] | None = None
                ) -> tuple[LLMRequest, Callable[[DraftEvidenceList], list[DraftEvidence]]] | None:
        """The request for `doc` and the function that restores its reply; None when nothing is quotable.

        Split from `extract` so message batches can send many documents' requests at once.
        """
        voice = doc.evidence_passages()
        if not voice:
            return None
        redactor = Redactor([*self.names, *document_names(doc), *speaker_names(doc)]) if self.redact else None
        ids = Pseudonyms("P") if self.redact else None
        request = self.build_request(doc, voice, feedback or [], redactor, ids)
        known = {p.id for p in voice}

        def restore(result: DraftEvidenceList) -> list[DraftEvidence]:
            return [_restore_item(item, redactor, known, ids) for item in result.items]

        return request, restore

    def build_request(
        self, doc: Document, voice: list[Passage], feedback: list[str], redactor: Redactor | None,
        ids: Pseudonyms | None = None,
    ) -> LLMRequest:
        def clean(text: str) -> str:
            # Feedback quotes passage and document ids; their stand-ins are what the model knows.
            text = ids.hide(text).replace(doc.id, "D1") if ids else text
            return redactor.redact(text) if redactor else text

        pid = (lambda p: ids.alias(p.id)) if ids else (lambda p: p.id)
        passages = "\n".join(f"[{_PASSAGE_PREFIX}{pid(p)}] ({p.role.value}) {clean(p.text)}" for p in voice)
        system, user = self.prompt.render(
            document_title=f"D1 ({doc.kind.value}; title withheld)" if ids else (doc.title or doc.id),
            passages=passages,
            feedback=_feedback_block([clean(f) for f in feedback]),
        )
        return LLMRequest(
            task=TASK,
            prompt_ref=self.prompt_ref,
            system=system,
            user=user,
            max_tokens=self.max_tokens,
            metadata={"doc_id": doc.id, "redacted": redactor is not None, "passages": len(voice)},
        )


def _feedback_block(feedback: list[str]) -> str:
    if not feedback:
        return ""
    lines = "\n".join(f"- {f}" for f in feedback)
    return f"Your previous answer had these problems; fix them and answer again:\n{lines}"


def _restore_item(item: DraftEvidence, redactor: Redactor | None, known_ids: set[str],
                  ids: Pseudonyms | None = None) -> DraftEvidence:
    data: dict[str, Any] = item.model_dump()
    pid = data["passage_id"]
    if redactor is not None:
        data = {k: redactor.restore(v) if isinstance(v, str) else v for k, v in data.items()}
    # Models sometimes copy the `p:` display prefix into passage_id; strip it only when that names a passage.
    bare = pid[len(_PASSAGE_PREFIX) :] if pid.lower().startswith(_PASSAGE_PREFIX) else pid
    if ids is not None and ids.real(bare) in known_ids:
        data["passage_id"] = ids.real(bare)
    elif pid not in known_ids and bare in known_ids:
        data["passage_id"] = bare
    return DraftEvidence.model_validate(data)

"""A response cache around any `ChatModel`: an unchanged request is answered from the workspace.

The key is the provider and model, the prompt id@version, a hash of the rendered request (system,
user and the output schema) and the parameters that decide the reply (max_tokens, temperature,
server URL). A reply that validated is kept with its output. A reply that came back but was unusable
(cut off at the output limit, not the schema) is kept as that outcome: the same request to the same model
and parameters gives the same reply, so asking again would only pay for it twice; the caller re-asks with a
different request as before, and `--no-cache` asks everything again. A failed call (server error, timeout,
refused request) is never kept. The requests are the redacted ones, so the cache holds what was sent and
received, never more personal data than that.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from segscribe.errors import StructuredOutputError
from segscribe.providers.base import CallUsage, ChatModel, LLMRequest, T

KEY_VERSION = 1
UNUSABLE = "unusable"
"""Record field of a reply that came back unusable (its error message)."""


class ResponseStore(Protocol):
    """Where cached replies live (`segscribe.store.llm_cache.LLMStore`)."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, record: dict[str, Any]) -> None: ...


def request_key(chat: Any, request: LLMRequest, output_type: type[BaseModel]) -> str:
    """The cache key of `request` to `chat` (also the batch registry's key for the same request)."""
    schema = json.dumps(output_type.model_json_schema(), sort_keys=True, ensure_ascii=False)
    rendered = json.dumps([request.system, request.user, schema], ensure_ascii=False)
    params = chat.cache_params() if hasattr(chat, "cache_params") else {}
    key = {"v": KEY_VERSION, "provider": chat.name, "params": params, "prompt": request.prompt_ref,
           "request": hashlib.sha256(rendered.encode("utf-8")).hexdigest(), "max_tokens": request.max_tokens}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()


def cached_reply(store: ResponseStore, key: str, output_type: type[T]) -> T | StructuredOutputError | None:
    """What `key` got last time, from one lookup: the reply validated as `output_type`, the error of a reply
    that was unusable, or None (absent, or stored under an older schema)."""
    hit = store.get(key)
    if hit is None:
        return None
    if UNUSABLE in hit:
        # The very message of the first time: the re-ask quotes it, and must be the same request again.
        return StructuredOutputError(hit[UNUSABLE])
    try:
        return output_type.model_validate_json(hit["output"])
    except (ValidationError, KeyError, TypeError):
        return None


def cached_answer(store: ResponseStore, key: str, output_type: type[T]) -> T | None:
    """The stored usable reply for `key`, or None (absent, unusable, or from an older schema)."""
    found = cached_reply(store, key, output_type)
    return None if isinstance(found, StructuredOutputError) else found


def _record(chat: Any, request: LLMRequest, **outcome: str) -> dict[str, Any]:
    return {"provider": chat.name, "prompt": request.prompt_ref, "task": request.task, **outcome,
            "created_at": time.time()}


def store_answer(store: ResponseStore, key: str, chat: Any, request: LLMRequest, result: BaseModel) -> None:
    store.put(key, _record(chat, request, output_type=type(result).__name__, output=result.model_dump_json()))


def store_unusable(store: ResponseStore, key: str, chat: Any, request: LLMRequest, error: Exception) -> None:
    store.put(key, _record(chat, request, **{UNUSABLE: str(error)}))


class CachedChat:
    """`ChatModel` answering repeated requests from `store`; counts `hits` and `misses`."""

    def __init__(self, inner: ChatModel, store: ResponseStore) -> None:
        self.inner = inner
        self.store = store
        self.name = inner.name
        self.ledger = inner.ledger
        self.hits = 0
        self.misses = 0

    def __getattr__(self, name: str) -> Any:
        # Provider details (model, mode, cache_params...) stay visible through the wrapper.
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def generate(self, request: LLMRequest, output_type: type[T]) -> T:
        key = request_key(self.inner, request, output_type)
        found = cached_reply(self.store, key, output_type)
        if found is not None:
            self.hits += 1
            self.ledger.add(CallUsage(task=request.task, doc_id=request.metadata.get("doc_id"), cached=True))
            if isinstance(found, StructuredOutputError):
                raise found
            return found
        self.misses += 1
        try:
            result = self.inner.generate(request, output_type)
        except StructuredOutputError as exc:
            store_unusable(self.store, key, self.inner, request, exc)
            raise
        store_answer(self.store, key, self.inner, request, result)
        return result

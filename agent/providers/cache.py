"""A response cache around any `ChatModel`: an unchanged request is answered from the workspace.

The key is the provider and model, the prompt id@version, a hash of the rendered request (system,
user and the output schema) and the parameters that decide the reply (max_tokens, temperature,
server URL). Only replies that validated are kept: an unusable reply or a failed call is asked
again next time, so the cache never makes a failure permanent. The requests are the redacted ones,
so the cache holds what was sent and received, never more personal data than that.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from segscribe.providers.base import CallUsage, ChatModel, LLMRequest, T

KEY_VERSION = 1


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


def cached_answer(store: ResponseStore, key: str, output_type: type[T]) -> T | None:
    """The stored reply for `key` validated as `output_type`, or None (absent, or from an older schema)."""
    hit = store.get(key)
    if hit is None:
        return None
    try:
        return output_type.model_validate_json(hit["output"])
    except (ValidationError, KeyError, TypeError):
        return None


def store_answer(store: ResponseStore, key: str, chat: Any, request: LLMRequest, result: BaseModel) -> None:
    store.put(key, {"provider": chat.name, "prompt": request.prompt_ref, "task": request.task,
                    "output_type": type(result).__name__, "output": result.model_dump_json(),
                    "created_at": time.time()})


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
        found = cached_answer(self.store, key, output_type)
        if found is not None:
            self.hits += 1
            self.ledger.add(CallUsage(task=request.task, doc_id=request.metadata.get("doc_id"), cached=True))
            return found
        self.misses += 1
        result = self.inner.generate(request, output_type)
        store_answer(self.store, key, self.inner, request, result)
        return result

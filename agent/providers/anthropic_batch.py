"""Anthropic Message Batches for large runs (`segscribe run --batch`): half price, answers within 24 h.

`AnthropicBatcher.run(requests, output_type)` answers many requests at once through the official SDK
(`client.messages.batches.create / retrieve / results`):

1. replies already in the response cache are taken from there;
2. requests already sent in a batch (the workspace's batch registry, keyed like the cache) are
   collected from that batch, so an interrupted run resumes the same batches and never pays twice;
3. the rest are submitted (at most `MAX_REQUESTS` per batch) and registered before polling starts;
4. batches are polled with backoff until they end; results are read from the JSONL results file.

A succeeded entry is validated into the output type (a mismatch is a StructuredOutputError the
caller may re-ask about); errored, canceled and expired entries become ProviderErrors for their
request and are removed from the registry, so the next run sends them again. Costs are recorded
at the batch discount.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from segscribe.errors import ProviderError, StructuredOutputError
from segscribe.providers.anthropic import AnthropicChat, cost_usd
from segscribe.providers.base import CallUsage, LLMRequest
from segscribe.providers.cache import ResponseStore, cached_answer, request_key, store_answer

#: Message Batches cost half the list price of the same requests (input, output and cache tokens).
BATCH_DISCOUNT = 0.5
#: The API takes up to 100,000 requests (256 MB) per batch; smaller batches end and can be collected sooner.
MAX_REQUESTS = 10_000
MAX_BYTES = 200 * 1024 * 1024


class BatchError(ProviderError):
    """Message batches cannot be used as asked."""


class BatchRegistry(ResponseStore, Protocol):
    """The response cache plus the batch registry (`segscribe.store.llm_cache.LLMStore`)."""

    def batches(self, keys: Any) -> dict[str, tuple[str, str]]: ...

    def add_batch(self, batch_id: str, custom_ids: dict[str, str]) -> None: ...

    def forget(self, keys: Any) -> None: ...


class AnthropicBatcher:
    """Answers requests through Message Batches; see the module docstring for the steps."""

    def __init__(self, chat: Any, store: BatchRegistry, *, use_cache: bool = True,
                 sleep: Callable[[float], None] = time.sleep, poll_first: float = 10.0, poll_max: float = 120.0,
                 max_wait: float = 26 * 3600.0) -> None:
        inner = getattr(chat, "inner", chat)  # under the response cache wrapper
        if not isinstance(inner, AnthropicChat):
            raise BatchError(f"--batch works with --provider anthropic:MODEL only, not {chat.name}: "
                             "message batches are an Anthropic API")
        self.chat = inner
        self.store = store
        self.use_cache = use_cache
        self.sleep = sleep
        self.poll = (poll_first, poll_max)
        self.max_wait = max_wait
        self.submitted: list[str] = []
        """Batch ids this batcher created (the rest it collected were created by an earlier run)."""

    def run(self, requests: dict[str, LLMRequest], output_type: type[BaseModel]
            ) -> dict[str, BaseModel | ProviderError]:
        """A reply (or the error to record) for every request id."""
        keys = {rid: request_key(self.chat, req, output_type) for rid, req in requests.items()}
        out: dict[str, BaseModel | ProviderError] = {}
        if self.use_cache:
            for rid, key in keys.items():
                found = cached_answer(self.store, key, output_type)
                if found is not None:
                    out[rid] = found
                    self.chat.ledger.add(CallUsage(task=requests[rid].task, cached=True,
                                                   doc_id=requests[rid].metadata.get("doc_id")))
        todo = {rid: key for rid, key in keys.items() if rid not in out}
        if not todo:
            return out
        sent = self.store.batches(todo.values())
        fresh = {key: requests[rid] for rid, key in todo.items() if key not in sent}
        try:
            sent.update(self._submit(fresh, output_type))
            results = self._collect(sorted({sent[key][0] for key in todo.values()}))
        except ProviderError as exc:  # every unanswered request fails; the registry keeps what was paid for
            return {**out, **{rid: exc for rid in todo}}
        for rid, key in todo.items():
            batch_id, custom_id = sent[key]
            out[rid] = self._answer(results[batch_id].get(custom_id), batch_id, requests[rid], key, output_type)
        return out

    # -- submit -----------------------------------------------------------------------------------
    def _submit(self, fresh: dict[str, LLMRequest], output_type: type[BaseModel]) -> dict[str, tuple[str, str]]:
        if not fresh:
            return {}
        schema = self.chat._sdk.transform_schema(output_type)
        entries = [(key, {"custom_id": key[:48], "params": self._params(req, schema)}) for key, req in fresh.items()]
        out: dict[str, tuple[str, str]] = {}
        for chunk in _chunks(entries):
            requests: list[Any] = [entry for _, entry in chunk]
            batch = self._call(partial(self.chat.client.messages.batches.create, requests=requests))
            # Registered before any polling: from here on, a resumed run collects this batch instead of paying again.
            self.store.add_batch(batch.id, {key: entry["custom_id"] for key, entry in chunk})
            self.submitted.append(batch.id)
            out.update({key: (batch.id, entry["custom_id"]) for key, entry in chunk})
        return out

    def _params(self, request: LLMRequest, schema: dict[str, Any]) -> dict[str, Any]:
        """The Messages API parameters `AnthropicChat` would send for `request` (structured output, cached system)."""
        return {"model": self.chat.model, "max_tokens": self.chat.max_tokens(request),
                "system": [{"type": "text", "text": request.system, "cache_control": {"type": "ephemeral"}}],
                "messages": [{"role": "user", "content": request.user}],
                "output_config": {"format": {"type": "json_schema", "schema": schema}}}

    # -- poll and collect -------------------------------------------------------------------------
    def _collect(self, batch_ids: list[str]) -> dict[str, dict[str, Any]]:
        """`{batch id: {custom id: result entry}}` once every batch has ended."""
        batches = self.chat.client.messages.batches
        waiting, delay, started = list(batch_ids), self.poll[0], time.monotonic()
        while True:
            waiting = [b for b in waiting if self._call(partial(batches.retrieve, b)).processing_status != "ended"]
            if not waiting:
                break
            if time.monotonic() - started > self.max_wait:
                raise ProviderError(f"{self.chat.name}: batches {', '.join(waiting)} did not end in "
                                    f"{self.max_wait / 3600:.0f} h; rerun later to collect them")
            self.sleep(delay)
            delay = min(self.poll[1], delay * 1.5)
        return {b: {e.custom_id: e.result for e in self._call(partial(_read_all, batches, b))} for b in batch_ids}

    def _answer(self, result: Any, batch_id: str, request: LLMRequest, key: str,
                output_type: type[BaseModel]) -> BaseModel | ProviderError:
        kind = getattr(result, "type", None)
        if kind != "succeeded":
            self.store.forget([key])  # not paid for, or not answered: the next run sends it again
            return ProviderError(f"{self.chat.name}: batch {batch_id} request {kind or 'missing'}"
                                 f"{_error_text(result)}; rerun `segscribe run --resume` to send it again")
        message = result.message
        self._record(request, message.usage)
        text = "".join(block.text for block in message.content if getattr(block, "type", "") == "text")
        try:
            parsed = output_type.model_validate_json(text)
        except ValidationError as exc:
            return StructuredOutputError(
                f"{self.chat.name}: batch reply for {request.prompt_ref} does not match {output_type.__name__} "
                f"(stop_reason {message.stop_reason}): {exc.error_count()} error(s), first: {exc.errors()[0]['msg']}")
        if self.use_cache:
            store_answer(self.store, key, self.chat, request, parsed)
        return parsed

    def _record(self, request: LLMRequest, u: Any) -> None:
        usage = CallUsage(input_tokens=u.input_tokens or 0, output_tokens=u.output_tokens or 0,
                          cache_creation_input_tokens=u.cache_creation_input_tokens or 0,
                          cache_read_input_tokens=u.cache_read_input_tokens or 0,
                          task=request.task, doc_id=request.metadata.get("doc_id"))
        usage.cost_usd = round(cost_usd(usage, self.chat.price) * BATCH_DISCOUNT, 8)
        self.chat.ledger.add(usage)

    def _call(self, fn: Callable[[], Any]) -> Any:
        """One SDK call with the provider's retry policy; API errors become ProviderErrors."""
        try:
            return self.chat.retry.run(fn, self.chat._classify)
        except self.chat._sdk.APIError as exc:
            raise self.chat._give_up(exc) from exc


def _read_all(batches: Any, batch_id: str) -> list[Any]:
    """Every entry of a batch's JSONL results file (read inside the retry, so a dropped stream is retried)."""
    return list(batches.results(batch_id))


def _chunks(entries: list[tuple[str, dict[str, Any]]]) -> list[list[tuple[str, dict[str, Any]]]]:
    """Entries split so no batch exceeds the request-count or size limit."""
    chunks: list[list[tuple[str, dict[str, Any]]]] = [[]]
    size = 0
    for entry in entries:
        n = len(json.dumps(entry[1], ensure_ascii=False).encode("utf-8"))
        if chunks[-1] and (len(chunks[-1]) >= MAX_REQUESTS or size + n > MAX_BYTES):
            chunks.append([])
            size = 0
        chunks[-1].append(entry)
        size += n
    return chunks


def _error_text(result: Any) -> str:
    error = getattr(getattr(result, "error", None), "error", None)
    message = getattr(error, "message", None)
    return f" ({getattr(error, 'type', 'error')}: {message})" if message else ""

"""A scripted `ChatModel` for tests: canned replies, recorded requests, no network."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from segscribe.errors import ProviderError
from segscribe.providers.base import CallUsage, LLMRequest, T, UsageLedger

Reply = BaseModel | dict[str, Any] | str | BaseException
"""A pydantic instance, a dict, a JSON string, or an exception to raise."""


class ScriptedChat:
    """Returns queued replies in order (or `fn(request)`), recording every request in `history`."""

    name = "scripted"

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        *,
        fn: Callable[[LLMRequest], Reply] | None = None,
        usage: CallUsage | None = None,
    ) -> None:
        self._queue: deque[Reply] = deque(replies)
        self.fn = fn
        self.history: list[LLMRequest] = []
        self.ledger = UsageLedger()
        self._usage = usage or CallUsage()
        self._lock = threading.Lock()

    def add(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def remaining(self) -> int:
        return len(self._queue)

    def generate(self, request: LLMRequest, output_type: type[T]) -> T:
        reply = self._next(request)
        self.ledger.add(
            CallUsage(
                input_tokens=self._usage.input_tokens,
                output_tokens=self._usage.output_tokens,
                cost_usd=self._usage.cost_usd,
                task=request.task,
                doc_id=request.metadata.get("doc_id"),
            )
        )
        if isinstance(reply, BaseException):
            raise reply
        return _coerce(reply, output_type)

    def _next(self, request: LLMRequest) -> Reply:
        with self._lock:
            self.history.append(request)
            calls = len(self.history)
            if self.fn is None and self._queue:
                return self._queue.popleft()
        if self.fn is not None:
            return self.fn(request)  # outside the lock: fn may be slow or call back into us
        raise ProviderError(
            f"ScriptedChat: no scripted reply left for call #{calls} "
            f"(task={request.task!r}, prompt={request.prompt_ref!r}); add more replies"
        )


def _coerce(reply: BaseModel | dict[str, Any] | str, output_type: type[T]) -> T:
    if isinstance(reply, output_type):
        return reply
    if isinstance(reply, BaseModel):
        return output_type.model_validate(reply.model_dump())
    if isinstance(reply, str):
        return output_type.model_validate_json(reply)
    return output_type.model_validate(reply)

"""The provider protocol every extractor/drafter implements.

`offline` implements the task methods directly (deterministic extractive
synthesis). LLM providers subclass `LLMProvider` and implement only
`generate(request, output_type)`; the task methods render prompts from
`prompts/` and validate the structured output.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")


@dataclass
class LLMRequest:
    """One call to a chat model."""

    task: str
    """Prompt id, e.g. `extract_evidence`."""
    prompt_ref: str
    """`prompt_id@version`."""
    system: str
    """Fixed system prompt (cached by providers that support caching)."""
    user: str
    """The per-call user message (already redacted for external providers)."""
    max_tokens: int = 4096
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class CallUsage:
    """Token usage and cost of one call."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cost_usd: float = 0.0
    task: str = ""
    doc_id: str | None = None
    seconds: float = 0.0
    """Wall time of the call, retries included."""
    cached: bool = False
    """Answered from the workspace's response cache: no call was made, nothing was spent."""


_TOKEN_KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


@dataclass
class UsageLedger:
    """Per-call and per-run usage."""

    calls: list[CallUsage] = field(default_factory=list)

    def add(self, usage: CallUsage) -> None:
        self.calls.append(usage)

    def totals(self) -> dict[str, float]:
        return _sum(self.calls)

    def by_task(self) -> dict[str, dict[str, float]]:
        """`totals()` per task (`extract_evidence`, `draft_persona`...), for per-stage figures."""
        tasks = sorted({c.task for c in self.calls})
        return {t: _sum([c for c in self.calls if c.task == t]) for t in tasks}


def _sum(calls: list[CallUsage]) -> dict[str, float]:
    made = [c for c in calls if not c.cached]
    out: dict[str, float] = {k: float(sum(getattr(c, k) for c in made)) for k in _TOKEN_KEYS}
    out["cost_usd"] = round(sum(c.cost_usd for c in made), 6)
    out["calls"] = float(len(made))
    out["cached_calls"] = float(len(calls) - len(made))
    out["seconds"] = round(sum(c.seconds for c in made), 3)
    return out


@runtime_checkable
class ChatModel(Protocol):
    """The one abstract request of an LLM provider (pydantic-ai style)."""

    name: str
    ledger: UsageLedger

    def generate(self, request: LLMRequest, output_type: type[T]) -> T: ...


RetryDecision = tuple[bool, float | None]
"""(retryable, server-requested delay in seconds or None)."""


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter for transient failures (429, 5xx, timeouts, connection errors).

    `sleep` and `rng` are injectable so tests run instantly and deterministically.
    `max_retries` counts retries after the first attempt (attempts = max_retries + 1).
    """

    max_retries: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    @property
    def attempts(self) -> int:
        return self.max_retries + 1

    @property
    def attempts_text(self) -> str:
        return f"{self.attempts} attempt" if self.attempts == 1 else f"{self.attempts} attempts"

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        cap = min(self.max_delay, self.base_delay * (2**retry))
        # "Equal jitter": keeps a floor of cap/2 so a retry storm still spreads out.
        wait = cap / 2 + self.rng.uniform(0, cap / 2)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_delay))
        return wait

    def run(self, fn: Callable[[], R], classify: Callable[[Exception], RetryDecision]) -> R:
        """Call `fn` until it succeeds, a non-retryable error occurs, or retries run out.

        The last exception propagates unchanged; providers turn it into a ProviderError.
        """
        for retry in range(self.max_retries + 1):
            try:
                return fn()
            except Exception as exc:
                retryable, retry_after = classify(exc)
                if not retryable or retry >= self.max_retries:
                    raise
                self.sleep(self.delay(retry, retry_after))
        raise AssertionError("unreachable: the loop returns or raises")


def request_timeout(minimum: float, max_tokens: int, tokens_per_second: float) -> float:
    """Seconds to wait for a non-streaming reply: at least `minimum`, more for long outputs.

    A non-streaming call sends nothing until generation ends, so a fixed read timeout shorter than
    the generation would fail, be retried, and be billed again each time.
    """
    return max(minimum, max_tokens / tokens_per_second)

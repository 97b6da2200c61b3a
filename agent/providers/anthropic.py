"""Anthropic Messages API provider (official `anthropic` SDK, structured output).

Each call uses `client.messages.parse(..., output_format=Model)`: the SDK turns
the pydantic model into `output_config.format` (a JSON schema) and validates
the reply text into `response.parsed_output`. The fixed system prompt is sent as
one text block marked `cache_control: ephemeral`, so repeated calls with the
same instructions read it from the prompt cache.

The SDK's own retries are disabled (`max_retries=0`); `RetryPolicy` retries
429, 5xx (incl. 529 overloaded), timeouts and connection errors with
exponential backoff + jitter, so the behaviour is the same for every provider
and testable with an injected `sleep`.

`anthropic` is imported lazily so `segscribe --help` never pays for it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from segscribe.errors import NeedsKeyError, ProviderError, StructuredOutputError
from segscribe.providers.base import CallUsage, LLMRequest, RetryDecision, RetryPolicy, T, UsageLedger, request_timeout

if TYPE_CHECKING:
    import anthropic as anthropic_sdk

log = logging.getLogger(__name__)

NO_KEY_MESSAGE = "No API key: set ANTHROPIC_API_KEY or use --provider offline"

#: Conservative output speed used to stretch the timeout for long replies (see request_timeout).
TOKENS_PER_SECOND = 40.0
#: HTTP statuses worth retrying: request timeout, conflict/lock, rate limit, server errors, overloaded.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float
    cache_read: float

    @classmethod
    def from_io(cls, input: float, output: float) -> ModelPrice:
        # Anthropic list pricing: 5-minute cache writes cost 1.25x input, cache reads 0.1x input.
        return cls(input=input, output=output, cache_write=input * 1.25, cache_read=input * 0.1)


#: List prices (USD / million tokens) at the time of writing, by model family. They WILL drift:
#: pass `prices=` to AnthropicChat (e.g. from config) to override. Keys are matched as substrings
#: of the model id, most specific (longest) key first; unknown models cost 0.0 and are flagged.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    "opus": ModelPrice.from_io(5.0, 25.0),
    "sonnet": ModelPrice.from_io(3.0, 15.0),
    "haiku": ModelPrice.from_io(1.0, 5.0),
    # Older generations kept their launch prices.
    "claude-opus-4-0": ModelPrice.from_io(15.0, 75.0),
    "claude-opus-4-1": ModelPrice.from_io(15.0, 75.0),
    "claude-opus-4-2025": ModelPrice.from_io(15.0, 75.0),
    "claude-3-opus": ModelPrice.from_io(15.0, 75.0),
    "claude-3-5-haiku": ModelPrice.from_io(0.8, 4.0),
    "claude-3-haiku": ModelPrice.from_io(0.25, 1.25),
}


def price_for(model: str, prices: Mapping[str, ModelPrice] = DEFAULT_PRICES) -> ModelPrice | None:
    """The price entry whose key is the longest substring of `model`, or None."""
    matches = [key for key in prices if key in model]
    return prices[max(matches, key=len)] if matches else None


def cost_usd(usage: CallUsage, price: ModelPrice | None) -> float:
    if price is None:
        return 0.0
    total = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_creation_input_tokens * price.cache_write
        + usage.cache_read_input_tokens * price.cache_read
    )
    return round(total / 1_000_000, 8)


class AnthropicChat:
    """`ChatModel` backed by the Anthropic Messages API."""

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None = None,
        http_client: Any = None,
        max_retries: int = 4,
        concurrency: int = 4,
        timeout: float = 60.0,
        base_url: str | None = None,
        prices: Mapping[str, ModelPrice] | None = None,
        sleep: Callable[[float], None] | None = None,
        retry: RetryPolicy | None = None,
        max_output_tokens: int | None = None,
    ) -> None:
        key = api_key or os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise NeedsKeyError(NO_KEY_MESSAGE)
        import anthropic  # lazy: keeps CLI start-up fast and the SDK optional for offline runs

        self._sdk = anthropic
        self.model = model
        self.name = f"anthropic:{model}"
        self.ledger = UsageLedger()
        self.prices: Mapping[str, ModelPrice] = prices if prices is not None else DEFAULT_PRICES
        self.price = price_for(model, self.prices)
        if self.price is None:
            log.warning("no price known for %s: its cost is recorded as 0.0 (pass prices=)", model)
        self.retry = retry or RetryPolicy(max_retries, sleep=sleep if sleep is not None else time.sleep)
        self.timeout = timeout
        self.max_output_tokens = max_output_tokens
        """Cap on each request's max_tokens (None: the request's own)."""
        self._slots = threading.BoundedSemaphore(concurrency)
        self._seen = threading.local()  # usage of the last 200 reply, per calling thread
        # Passing api_key explicitly stops the SDK from falling back to profiles on disk.
        self.client: anthropic_sdk.Anthropic = anthropic.Anthropic(
            api_key=key,
            http_client=http_client,
            max_retries=0,
            timeout=timeout,
            base_url=base_url,
            middleware=[self._capture_usage],
        )

    def generate(self, request: LLMRequest, output_type: type[T]) -> T:
        self._seen.usage = None
        try:
            message = self.retry.run(lambda: self._send(request, output_type), self._classify)
        except ValidationError as exc:
            # The reply was billed even though it failed validation: keep it in the ledger.
            if self._seen.usage is not None:
                self._record(request, self._seen.usage)
            raise StructuredOutputError(
                f"{self.name}: reply for {request.prompt_ref} does not match {output_type.__name__}: "
                f"{_short(exc)}"
            ) from exc
        except self._sdk.APIError as exc:
            raise self._give_up(exc) from exc
        self._record(request, message.usage)
        parsed = message.parsed_output
        if not isinstance(parsed, output_type):
            raise StructuredOutputError(
                f"{self.name}: no structured output for {request.prompt_ref} "
                f"(stop_reason={message.stop_reason})"
            )
        return parsed

    def cache_params(self) -> dict[str, Any]:
        """What besides the request decides the reply (keys of the response cache)."""
        return {"model": self.model, "max_output_tokens": self.max_output_tokens}

    def max_tokens(self, request: LLMRequest) -> int:
        return min(request.max_tokens, self.max_output_tokens or request.max_tokens)

    def _send(self, request: LLMRequest, output_type: type[T]) -> Any:
        # The semaphore wraps one HTTP attempt only, so a thread sleeping in backoff frees its slot.
        with self._slots:
            return self.client.messages.parse(
                model=self.model,
                max_tokens=self.max_tokens(request),
                system=[{"type": "text", "text": request.system, "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": request.user}],
                output_format=output_type,
                timeout=request_timeout(self.timeout, self.max_tokens(request), TOKENS_PER_SECOND),
            )

    def _classify(self, exc: Exception) -> RetryDecision:
        sdk = self._sdk
        if isinstance(exc, sdk.APIStatusError):
            headers = exc.response.headers
            hint = headers.get("x-should-retry")  # the API's own verdict wins when present
            retryable = hint == "true" if hint in ("true", "false") else exc.status_code in RETRY_STATUSES
            return retryable, _retry_after(headers)
        # APITimeoutError is a subclass of APIConnectionError.
        return isinstance(exc, sdk.APIConnectionError), None

    def _give_up(self, exc: Exception) -> ProviderError:
        sdk = self._sdk
        retryable, _ = self._classify(exc)
        tried = f" after {self.retry.attempts_text}" if retryable else ""
        if isinstance(exc, sdk.AuthenticationError):
            return ProviderError(f"{self.name}: the API key was rejected (401): check ANTHROPIC_API_KEY")
        if isinstance(exc, sdk.APIStatusError):
            detail = exc.api_message or exc.message
            return ProviderError(f"{self.name}: HTTP {exc.status_code}{tried}: {detail}")
        if isinstance(exc, sdk.APIConnectionError):
            return ProviderError(f"{self.name}: cannot reach the Anthropic API{tried}: {exc.message}")
        return ProviderError(f"{self.name}: {exc}")

    def _capture_usage(self, request: Any, call_next: Any) -> Any:
        """SDK middleware: remember the usage of a successful reply before the SDK validates it."""
        response = call_next(request)
        if response.status_code == 200:
            try:
                self._seen.usage = self._sdk.types.Usage.model_validate(
                    response.http_response.json()["usage"]
                )
            except (ValueError, KeyError, TypeError):
                self._seen.usage = None
        return response

    def _record(self, request: LLMRequest, u: Any) -> None:
        usage = CallUsage(
            input_tokens=u.input_tokens or 0,
            output_tokens=u.output_tokens or 0,
            cache_creation_input_tokens=u.cache_creation_input_tokens or 0,
            cache_read_input_tokens=u.cache_read_input_tokens or 0,
            task=request.task,
            doc_id=request.metadata.get("doc_id"),
        )
        usage.cost_usd = cost_usd(usage, self.price)
        self.ledger.add(usage)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a numeric `retry-after` header (HTTP-date values are ignored)."""
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _short(exc: ValidationError, limit: int = 3) -> str:
    errors = exc.errors()[:limit]
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)

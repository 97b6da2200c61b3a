"""Local OpenAI-compatible chat servers (llama.cpp, llama-cpp-python, Ollama, vLLM, LM Studio).

Structured output: on first use the provider probes the server with a tiny request in each
response format of `structured.MODES` (json_schema, json_object + schema, json_object, plain
JSON with the schema in the prompt) and keeps the first the server accepts. An error whose
body names the response format means "unsupported" and moves on to the next format; it is
never retried. The choice is remembered per base URL + model in `memory` (the workspace's kv
table), so later runs skip the probe; a remembered format the server later rejects is dropped
the same way. Replies are validated with the pydantic output type (see `structured.read_reply`
for the repairs). Cost is always 0.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import httpx
from pydantic import BaseModel

from segscribe.errors import ProviderError
from segscribe.providers.base import CallUsage, LLMRequest, RetryDecision, RetryPolicy, T, UsageLedger, request_timeout
from segscribe.providers.structured import (
    MODES,
    Mode,
    names_response_format,
    probe_payload,
    read_reply,
    response_format,
    system_with_schema,
)

log = logging.getLogger(__name__)

#: Local servers on modest hardware can be slow; used to stretch the timeout for long replies.
TOKENS_PER_SECOND = 20.0
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
MEMORY_PREFIX = "openai_compat_format:"


class FormatMemory(Protocol):
    """Where the probed format is kept (the workspace: `Workspace.get_kv` / `set_kv`)."""

    def get_kv(self, key: str, default: Any = None) -> Any: ...

    def set_kv(self, key: str, value: Any) -> None: ...


class _StatusError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response

    @property
    def names_format(self) -> bool:
        return names_response_format(self.response.text)


class OpenAICompatChat:
    """`ChatModel` for a server exposing `POST {base_url}/chat/completions`."""

    def __init__(
        self,
        model: str,
        base_url: str,
        api_key: str | None = None,
        http_client: httpx.Client | None = None,
        *,
        max_retries: int = 4,
        concurrency: int = 4,
        timeout: float = 120.0,
        temperature: float | None = 0.0,
        sleep: Callable[[float], None] | None = None,
        retry: RetryPolicy | None = None,
        memory: FormatMemory | None = None,
        mode: Mode | None = None,
        max_output_tokens: int | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.name = f"openai-compat:{model}"
        self.ledger = UsageLedger()
        self.temperature = temperature
        self.max_output_tokens = max_output_tokens
        """Cap on each request's max_tokens (None: the request's own)."""
        self.timeout = timeout
        self.retry = retry or RetryPolicy(max_retries, sleep=sleep if sleep is not None else time.sleep)
        self.memory = memory
        self.mode: Mode | None = mode
        """The structured-output format in use; None until probed (or recalled from `memory`)."""
        self.rejected: dict[str, str] = {}
        """Formats the server refused, with its reason."""
        self._mode_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(concurrency)
        self.url = f"{self.base_url}/chat/completions"
        self.http = http_client or httpx.Client(timeout=timeout)
        # Local servers usually ignore auth; send a key only when one was given explicitly.
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    @property
    def memory_key(self) -> str:
        return f"{MEMORY_PREFIX}{self.base_url}|{self.model}"

    def cache_params(self) -> dict[str, Any]:
        """What besides the request decides the reply (keys of the response cache)."""
        return {"base_url": self.base_url, "model": self.model, "temperature": self.temperature,
                "max_output_tokens": self.max_output_tokens}

    def generate(self, request: LLMRequest, output_type: type[T]) -> T:
        t0 = time.perf_counter()
        body = self._post_structured(request, output_type)
        self._record(request, body, time.perf_counter() - t0)
        where = f"{self.name}: reply for {request.prompt_ref}"
        return read_reply(body, output_type, where, self._max_tokens(request))

    def _max_tokens(self, request: LLMRequest) -> int:
        return min(request.max_tokens, self.max_output_tokens or request.max_tokens)

    # -- structured-output format ---------------------------------------------------------------
    def structured_mode(self) -> Mode:
        """The format to use: known, remembered, or probed now (once; concurrent callers wait)."""
        with self._mode_lock:
            if self.mode is None:
                self.mode = self._recall() or self._probe(MODES)
            return self.mode

    def _recall(self) -> Mode | None:
        saved = self.memory.get_kv(self.memory_key) if self.memory is not None else None
        if not isinstance(saved, dict) or saved.get("mode") not in MODES:
            return None
        self.rejected = dict(saved.get("rejected") or {})
        return saved["mode"]  # type: ignore[no-any-return]

    def _probe(self, modes: tuple[Mode, ...]) -> Mode:
        for mode in modes:
            try:
                self._post(probe_payload(self.model, mode))
            except _StatusError as exc:
                if mode == "prompt" or not _refuses_format(exc):
                    raise self._give_up(exc) from exc
                status = exc.response.status_code
                self.rejected[mode] = f"HTTP {status}: {' '.join(exc.response.text.split())[:300]}"
                log.info("%s: %s does not support %s: %s", self.name, self.base_url, mode, self.rejected[mode])
                continue
            self._remember(mode)
            return mode
        raise AssertionError("unreachable: the prompt mode sends no response_format")

    def _demote(self, mode: Mode, exc: _StatusError) -> Mode:
        """The server refused the format it accepted before (it was swapped?): probe the ones after it."""
        with self._mode_lock:
            if self.mode != mode:  # another thread already moved on
                return self.mode or mode
            self.rejected[mode] = f"HTTP {exc.response.status_code}: {' '.join(exc.response.text.split())[:300]}"
            self.mode = self._probe(MODES[MODES.index(mode) + 1 :])
            return self.mode

    def _remember(self, mode: Mode) -> None:
        if self.memory is not None:
            self.memory.set_kv(self.memory_key, {"mode": mode, "rejected": self.rejected, "probed_at": time.time()})

    # -- HTTP -------------------------------------------------------------------------------------
    def _post_structured(self, request: LLMRequest, output_type: type[BaseModel]) -> dict[str, Any]:
        mode = self.structured_mode()
        while True:
            try:
                return self._post(self._payload(request, output_type, mode))
            except _StatusError as exc:
                if mode == "prompt" or not exc.names_format:
                    raise self._give_up(exc) from exc
                mode = self._demote(mode, exc)

    def _payload(self, request: LLMRequest, output_type: type[BaseModel], mode: Mode) -> dict[str, Any]:
        schema = output_type.model_json_schema()
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system_with_schema(request.system, mode, schema)},
                         {"role": "user", "content": request.user}],
            "max_tokens": self._max_tokens(request),
        }
        fmt = response_format(mode, output_type.__name__, schema)
        if fmt is not None:
            payload["response_format"] = fmt
        if self.temperature is not None:
            payload["temperature"] = self.temperature
        return payload

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.retry.run(lambda: self._attempt(payload), _classify)
        except httpx.TransportError as exc:
            raise ProviderError(
                f"Cannot reach the OpenAI-compatible server at {self.base_url}: start it or pass --base-url"
            ) from exc

    def _attempt(self, payload: dict[str, Any]) -> dict[str, Any]:
        # The semaphore wraps one HTTP attempt only, so a thread sleeping in backoff frees its slot.
        with self._slots:
            timeout = request_timeout(self.timeout, payload["max_tokens"], TOKENS_PER_SECOND)
            response = self.http.post(self.url, json=payload, headers=self._headers, timeout=timeout)
        if response.status_code >= 400:
            raise _StatusError(response)
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderError(f"{self.name}: non-JSON reply: {response.text[:200]!r}") from exc
        if not isinstance(data, dict):
            raise ProviderError(f"{self.name}: unexpected reply {str(data)[:200]!r}")
        return data

    def _give_up(self, exc: _StatusError) -> ProviderError:
        status = exc.response.status_code
        tried = f" after {self.retry.attempts_text}" if _classify(exc)[0] else ""
        body = exc.response.text[:300]
        hint = ""
        if status in (401, 403):
            hint = " (the server wants an API key: set SEGSCRIBE_OPENAI_COMPAT_API_KEY)"
        elif status == 404:
            hint = f" (is {self.base_url} the server's OpenAI-compatible base URL, usually ending in /v1, " \
                   f"and does it serve model {self.model!r}?)"
        return ProviderError(f"{self.name}: HTTP {status}{tried} from {self.base_url}: {body}{hint}")

    def _record(self, request: LLMRequest, body: dict[str, Any], seconds: float) -> None:
        usage = body.get("usage") or {}
        self.ledger.add(
            CallUsage(
                input_tokens=int(usage.get("prompt_tokens") or 0),
                output_tokens=int(usage.get("completion_tokens") or 0),
                cost_usd=0.0,  # local server: no per-token price
                task=request.task,
                doc_id=request.metadata.get("doc_id"),
                seconds=round(seconds, 3),
            )
        )


def _refuses_format(exc: _StatusError) -> bool:
    """Whether a probe's error means "not this format": it names the format, or it is a plain client error.

    The probe request is tiny and valid in every other way, so a 400 or 422 can only be about the format;
    auth, missing model or path, and rate limits are not.
    """
    status = exc.response.status_code
    return exc.names_format or (400 <= status < 500 and status not in (401, 403, 404, *RETRY_STATUSES))


def _classify(exc: Exception) -> RetryDecision:
    if isinstance(exc, _StatusError):
        if exc.names_format:  # "unsupported response format" will not change on a retry
            return False, None
        retry_after = exc.response.headers.get("retry-after")
        delay = float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else None
        return exc.response.status_code in RETRY_STATUSES, delay
    # Timeouts, refused connections, dropped sockets.
    return isinstance(exc, httpx.TransportError), None

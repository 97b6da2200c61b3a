"""Local OpenAI-compatible chat servers (Ollama, llama.cpp server, vLLM, LM Studio).

Structured output is requested with `response_format: json_schema` (strict).
Servers that reject it with HTTP 400 get one more try with `json_object` and the
schema spelled out in the system prompt; the provider then remembers that the
server lacks json_schema and goes straight to the fallback on later calls.
Replies are validated with the pydantic output type. Cost is always 0.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from segscribe.errors import ProviderError, StructuredOutputError
from segscribe.providers.base import CallUsage, LLMRequest, RetryDecision, RetryPolicy, T, UsageLedger, request_timeout

#: Local servers on modest hardware can be slow; used to stretch the timeout for long replies.
TOKENS_PER_SECOND = 20.0
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class _StatusError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


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
    ) -> None:
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.name = f"openai-compat:{model}"
        self.ledger = UsageLedger()
        self.temperature = temperature
        self.timeout = timeout
        self.retry = retry or RetryPolicy(max_retries, sleep=sleep if sleep is not None else time.sleep)
        self.json_schema_supported = True
        self._slots = threading.BoundedSemaphore(concurrency)
        self.url = f"{self.base_url}/chat/completions"
        self.http = http_client or httpx.Client(timeout=timeout)
        # Local servers usually ignore auth; send a key only when one was given explicitly.
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def generate(self, request: LLMRequest, output_type: type[T]) -> T:
        body = self._post_structured(request, output_type)
        self._record(request, body)
        content = _content(body)
        try:
            return output_type.model_validate_json(_strip_fence(content))
        except ValidationError as exc:
            raise StructuredOutputError(
                f"{self.name}: reply for {request.prompt_ref} does not match {output_type.__name__}: "
                f"{exc.error_count()} error(s), first: {exc.errors()[0]['msg']}"
            ) from exc

    def _post_structured(self, request: LLMRequest, output_type: type[BaseModel]) -> dict[str, Any]:
        if self.json_schema_supported:
            try:
                return self._post(self._payload(request, output_type, use_schema=True))
            except _StatusError as exc:
                if exc.response.status_code != 400:
                    raise self._give_up(exc) from exc
                # Server does not understand json_schema: remember, then fall back.
                self.json_schema_supported = False
        try:
            return self._post(self._payload(request, output_type, use_schema=False))
        except _StatusError as exc:
            raise self._give_up(exc) from exc

    def _payload(
        self, request: LLMRequest, output_type: type[BaseModel], *, use_schema: bool
    ) -> dict[str, Any]:
        schema = output_type.model_json_schema()
        system = request.system
        if use_schema:
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": output_type.__name__, "schema": schema, "strict": True},
            }
        else:
            response_format = {"type": "json_object"}
            system += (
                "\n\nRespond with one JSON object (no prose, no code fences) that matches this JSON schema:\n"
                + json.dumps(schema, ensure_ascii=False)
            )
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": request.user}],
            "max_tokens": request.max_tokens,
            "response_format": response_format,
        }
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
        tried = f" after {self.retry.attempts_text}" if status in RETRY_STATUSES else ""
        body = exc.response.text[:300]
        return ProviderError(f"{self.name}: HTTP {status}{tried} from {self.base_url}: {body}")

    def _record(self, request: LLMRequest, body: dict[str, Any]) -> None:
        usage = body.get("usage") or {}
        self.ledger.add(
            CallUsage(
                input_tokens=int(usage.get("prompt_tokens") or 0),
                output_tokens=int(usage.get("completion_tokens") or 0),
                cost_usd=0.0,  # local server: no per-token price
                task=request.task,
                doc_id=request.metadata.get("doc_id"),
            )
        )


def _classify(exc: Exception) -> RetryDecision:
    if isinstance(exc, _StatusError):
        retry_after = exc.response.headers.get("retry-after")
        delay = float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else None
        return exc.response.status_code in RETRY_STATUSES, delay
    # Timeouts, refused connections, dropped sockets.
    return isinstance(exc, httpx.TransportError), None


def _content(body: dict[str, Any]) -> str:
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise StructuredOutputError(f"reply has no choices[0].message.content: {str(body)[:200]!r}") from exc
    if not isinstance(content, str) or not content.strip():
        raise StructuredOutputError("reply content is empty")
    return content


def _strip_fence(text: str) -> str:
    """Small local models often wrap JSON in ```json fences despite json mode."""
    match = _FENCE.match(text)
    return match.group(1) if match else text

"""OpenAICompatChat against httpx mock transports: json_schema, retries, errors, concurrency.

Format probing and the conventions of particular servers are in tests/test_openai_compat_servers.py.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from factories import CASSETTES  # noqa: E402
from segscribe.errors import ProviderError, StructuredOutputError
from segscribe.providers.base import ChatModel, LLMRequest
from segscribe.providers.cassette import MockTransportFromCassette
from segscribe.providers.openai_compat import OpenAICompatChat
from segscribe.schemas.evidence import DraftEvidenceList, EvidenceKind

BASE_URL = "http://localhost:11434/v1"
REQUEST = LLMRequest(
    task="extract_evidence",
    prompt_ref="extract_evidence@1",
    system="You extract evidence.",
    user="[p:int-ann:1] (participant) Every Friday I export the tickets...",
    metadata={"doc_id": "int-ann"},
)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


def make_chat(
    handler: Any = None, *, cassette: str | None = None, **kwargs: Any
) -> tuple[OpenAICompatChat, Any]:
    transport = (
        MockTransportFromCassette(CASSETTES / cassette, flavor="httpx")
        if cassette
        else httpx.MockTransport(handler)
    )
    kwargs.setdefault("sleep", Sleeps())
    kwargs.setdefault("mode", "json_schema")  # probing has its own tests
    chat = OpenAICompatChat("qwen2.5:7b", BASE_URL, http_client=httpx.Client(transport=transport), **kwargs)
    return chat, transport.handler


def test_json_schema_structured_output() -> None:
    chat, replayer = make_chat(cassette="openai_compat_extract.json")
    result = chat.generate(REQUEST, DraftEvidenceList)
    assert [i.kind for i in result.items] == [EvidenceKind.pain, EvidenceKind.job, EvidenceKind.objection]
    sent = replayer.requests[0]
    assert sent["url"] == f"{BASE_URL}/chat/completions"
    fmt = sent["body"]["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "DraftEvidenceList"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"] == DraftEvidenceList.model_json_schema()
    assert [m["role"] for m in sent["body"]["messages"]] == ["system", "user"]
    assert chat.name == "openai-compat:qwen2.5:7b"
    assert isinstance(chat, ChatModel)


def test_usage_recorded_with_zero_cost() -> None:
    chat, _ = make_chat(cassette="openai_compat_extract.json")
    chat.generate(REQUEST, DraftEvidenceList)
    (call,) = chat.ledger.calls
    assert (call.input_tokens, call.output_tokens, call.cost_usd) == (2210, 301, 0.0)
    assert call.doc_id == "int-ann"


def test_retries_429_and_5xx_then_succeeds() -> None:
    statuses = iter([429, 503, 500, 200])
    sleeps = Sleeps()

    def server(request: httpx.Request) -> httpx.Response:
        status = next(statuses)
        if status == 200:
            return httpx.Response(200, json=completion('{"items": []}'))
        return httpx.Response(status, json={"error": "busy"}, headers={"retry-after": "1"})

    chat, _ = make_chat(server, sleep=sleeps)
    assert chat.generate(REQUEST, DraftEvidenceList).items == []
    assert len(sleeps) == 3 and all(s >= 1.0 for s in sleeps)


def test_gives_up_after_max_retries() -> None:
    calls = []
    sleeps = Sleeps()

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, text="model is loading")

    chat, _ = make_chat(server, max_retries=2, sleep=sleeps)
    with pytest.raises(ProviderError, match="HTTP 503 after 3 attempts .*model is loading"):
        chat.generate(REQUEST, DraftEvidenceList)
    assert len(calls) == 3 and len(sleeps) == 2


def test_unreachable_server_error_text() -> None:
    calls = []

    def refused(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    chat, _ = make_chat(refused, max_retries=1)
    with pytest.raises(ProviderError) as info:
        chat.generate(REQUEST, DraftEvidenceList)
    assert str(info.value) == (
        f"Cannot reach the OpenAI-compatible server at {BASE_URL}: start it or pass --base-url"
    )
    assert len(calls) == 2  # connection errors are retried before giving up


def test_invalid_json_reply_is_a_structured_output_error() -> None:
    chat, _ = make_chat(lambda r: httpx.Response(200, json=completion("Sure! Here are the items: none")))
    with pytest.raises(StructuredOutputError, match="does not match DraftEvidenceList"):
        chat.generate(REQUEST, DraftEvidenceList)


def test_max_output_tokens_caps_every_request() -> None:
    sent: list[int] = []

    def server(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content)["max_tokens"])
        return httpx.Response(200, json=completion('{"items": []}'))

    chat, _ = make_chat(server, max_output_tokens=1000)
    chat.generate(REQUEST, DraftEvidenceList)  # REQUEST asks for 4096
    small = LLMRequest(task="t", prompt_ref="t@1", system="s", user="u", max_tokens=200)
    chat.generate(small, DraftEvidenceList)
    assert sent == [1000, 200]


def test_api_key_only_sent_when_given() -> None:
    seen: list[str | None] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json=completion('{"items": []}'))

    make_chat(server)[0].generate(REQUEST, DraftEvidenceList)
    make_chat(server, api_key="local-secret")[0].generate(REQUEST, DraftEvidenceList)
    assert seen == [None, "Bearer local-secret"]


def test_concurrency_limit_is_honoured() -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def slow(request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.03)
        with lock:
            state["now"] -= 1
        return httpx.Response(200, json=completion('{"items": []}'))

    chat, _ = make_chat(slow, concurrency=3)
    with ThreadPoolExecutor(max_workers=9) as pool:
        list(pool.map(lambda _: chat.generate(REQUEST, DraftEvidenceList), range(9)))
    assert state["peak"] == 3

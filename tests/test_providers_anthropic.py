"""AnthropicChat against mock transports and hand-written cassettes: nothing touches the network."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest

from factories import CASSETTES  # noqa: E402
from segscribe.errors import ProviderError, StructuredOutputError
from segscribe.providers.anthropic import (
    DEFAULT_PRICES,
    NO_KEY_MESSAGE,
    AnthropicChat,
    ModelPrice,
    cost_usd,
    price_for,
)
from segscribe.providers.base import CallUsage, ChatModel, LLMRequest
from segscribe.providers.cassette import MockTransportFromCassette, RecordingTransport
from segscribe.schemas.evidence import DraftEvidenceList, EvidenceKind

MODEL = "claude-sonnet-4-6"
DUMMY_KEY = "sk-ant-dummy-key-for-tests-0000"
REQUEST = LLMRequest(
    task="extract_evidence",
    prompt_ref="extract_evidence@1",
    system="You extract evidence. Return JSON.",
    user="[p:int-ann:1] (participant) Every Friday I export the tickets...",
    metadata={"doc_id": "int-ann"},
)


@pytest.fixture(autouse=True)
def dummy_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", DUMMY_KEY)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def chat_from_cassette(name: str, **kwargs: Any) -> tuple[AnthropicChat, Any, Sleeps]:
    transport = MockTransportFromCassette(CASSETTES / name)
    sleeps = Sleeps()
    chat = AnthropicChat(MODEL, http_client=httpx2.Client(transport=transport), sleep=sleeps, **kwargs)
    return chat, transport.handler, sleeps


def message_body(text: str, *, stop_reason: str = "end_turn") -> dict[str, Any]:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [{"type": "text", "text": text}] if text else [],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }


def chat_with_handler(handler: Any, **kwargs: Any) -> tuple[AnthropicChat, Sleeps]:
    sleeps = Sleeps()
    client = httpx2.Client(transport=httpx2.MockTransport(handler))
    return AnthropicChat(MODEL, http_client=client, sleep=sleeps, **kwargs), sleeps


def test_structured_output_is_parsed_into_the_model() -> None:
    chat, replayer, _ = chat_from_cassette("anthropic_extract.json")
    result = chat.generate(REQUEST, DraftEvidenceList)
    assert isinstance(result, DraftEvidenceList)
    assert [i.kind for i in result.items] == [EvidenceKind.pain, EvidenceKind.job, EvidenceKind.objection]
    assert result.items[0].frequency == "Every Friday"
    assert chat.name == "anthropic:claude-sonnet-4-6"
    assert isinstance(chat, ChatModel)


def test_request_carries_cached_system_block_and_output_schema() -> None:
    chat, replayer, _ = chat_from_cassette("anthropic_extract.json")
    chat.generate(REQUEST, DraftEvidenceList)
    body = replayer.requests[0]["body"]
    assert body["system"] == [
        {"type": "text", "text": REQUEST.system, "cache_control": {"type": "ephemeral"}}
    ]
    assert body["messages"] == [{"role": "user", "content": REQUEST.user}]
    assert body["model"] == MODEL
    assert body["output_config"]["format"]["type"] == "json_schema"
    assert "items" in body["output_config"]["format"]["schema"]["properties"]


def test_usage_and_cost_are_recorded_per_call() -> None:
    chat, _, _ = chat_from_cassette("anthropic_extract.json")
    chat.generate(REQUEST, DraftEvidenceList)
    chat.generate(REQUEST, DraftEvidenceList)
    first, second = chat.ledger.calls
    assert (first.input_tokens, first.output_tokens) == (412, 268)
    assert (first.cache_creation_input_tokens, first.cache_read_input_tokens) == (1830, 0)
    assert (second.cache_creation_input_tokens, second.cache_read_input_tokens) == (0, 1830)
    assert first.task == "extract_evidence" and first.doc_id == "int-ann"
    # Sonnet list price: $3 in, $15 out, cache write 1.25x, cache read 0.1x (per million tokens).
    assert first.cost_usd == pytest.approx((412 * 3 + 268 * 15 + 1830 * 3.75) / 1e6)
    assert second.cost_usd == pytest.approx((398 * 3 + 271 * 15 + 1830 * 0.3) / 1e6)
    assert second.cost_usd < first.cost_usd  # cache reads are cheaper than cache writes
    totals = chat.ledger.totals()
    assert totals["calls"] == 2 and totals["cache_read_input_tokens"] == 1830


def test_retries_429_529_500_then_succeeds_with_backoff() -> None:
    chat, replayer, sleeps = chat_from_cassette("anthropic_retry.json", max_retries=4)
    result = chat.generate(REQUEST, DraftEvidenceList)
    assert len(result.items) == 3
    assert len(replayer.requests) == 4
    assert len(sleeps) == 3
    assert sleeps[0] >= 3.0  # the 429 carried retry-after: 3
    assert all(s > 0 for s in sleeps)
    assert len(chat.ledger.calls) == 1  # failed attempts are not billed calls


def test_gives_up_after_max_retries_with_clear_error() -> None:
    attempts = []

    def overloaded(request: httpx2.Request) -> httpx2.Response:
        attempts.append(request)
        body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        return httpx2.Response(529, json=body)

    chat, sleeps = chat_with_handler(overloaded, max_retries=2)
    with pytest.raises(ProviderError, match=r"HTTP 529 after 3 attempts: Overloaded"):
        chat.generate(REQUEST, DraftEvidenceList)
    assert len(attempts) == 3 and len(sleeps) == 2
    assert chat.ledger.calls == []


def test_backoff_grows_exponentially() -> None:
    def always_500(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(500, json={"type": "error", "error": {"type": "api_error", "message": "x"}})

    chat, sleeps = chat_with_handler(always_500, max_retries=4)
    with pytest.raises(ProviderError):
        chat.generate(REQUEST, DraftEvidenceList)
    base = chat.retry.base_delay
    for n, s in enumerate(sleeps):
        cap = min(chat.retry.max_delay, base * 2**n)
        assert cap / 2 <= s <= cap


def test_connection_errors_and_timeouts_are_retried() -> None:
    calls = []

    def flaky(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx2.ConnectError("connection refused", request=request)
        if len(calls) == 2:
            raise httpx2.ReadTimeout("read timed out", request=request)
        return httpx2.Response(200, json=message_body('{"items": []}'))

    chat, sleeps = chat_with_handler(flaky)
    assert chat.generate(REQUEST, DraftEvidenceList).items == []
    assert len(calls) == 3 and len(sleeps) == 2


def test_unreachable_api_gives_up_with_clear_error() -> None:
    def down(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    chat, _ = chat_with_handler(down, max_retries=1)
    with pytest.raises(ProviderError, match="cannot reach the Anthropic API after 2 attempts"):
        chat.generate(REQUEST, DraftEvidenceList)


def test_client_errors_are_not_retried() -> None:
    calls = []

    def bad_key(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        body = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
        return httpx2.Response(401, json=body)

    chat, sleeps = chat_with_handler(bad_key)
    with pytest.raises(ProviderError, match="API key was rejected") as info:
        chat.generate(REQUEST, DraftEvidenceList)
    assert len(calls) == 1 and sleeps == []
    assert DUMMY_KEY not in str(info.value)


def test_reply_not_matching_schema_raises_structured_output_error() -> None:
    bad = message_body('{"items": [{"kind": "x"}]}')
    chat, _ = chat_with_handler(lambda r: httpx2.Response(200, json=bad))
    with pytest.raises(StructuredOutputError, match="does not match DraftEvidenceList"):
        chat.generate(REQUEST, DraftEvidenceList)


def test_refusal_without_output_raises_structured_output_error() -> None:
    chat, _ = chat_with_handler(lambda r: httpx2.Response(200, json=message_body("", stop_reason="refusal")))
    with pytest.raises(StructuredOutputError, match="stop_reason=refusal"):
        chat.generate(REQUEST, DraftEvidenceList)


def test_missing_key_is_a_provider_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ProviderError) as info:
        AnthropicChat(MODEL)
    assert str(info.value) == NO_KEY_MESSAGE


def test_concurrency_limit_is_honoured() -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def slow(request: httpx2.Request) -> httpx2.Response:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.03)
        with lock:
            state["now"] -= 1
        return httpx2.Response(200, json=message_body('{"items": []}'))

    chat, _ = chat_with_handler(slow, concurrency=2)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: chat.generate(REQUEST, DraftEvidenceList), range(8)))
    assert len(results) == 8
    assert state["peak"] == 2
    assert len(chat.ledger.calls) == 8


def test_record_mode_strips_the_api_key(tmp_path: Path) -> None:
    fake_key = "sk-ant-api03-FAKEFAKEFAKE-recording-test-key"

    def live_service(request: httpx2.Request) -> httpx2.Response:
        # A hostile echo: the key shows up in a response header and in the body.
        body = message_body('{"items": []}')
        body["id"] = f"msg_{request.headers.get('authorization', '')}"
        return httpx2.Response(200, json=body, headers={"x-echo": fake_key, "request-id": "req_1"})

    path = tmp_path / "recorded.json"
    recorder = RecordingTransport(httpx2.MockTransport(live_service), path)
    chat = AnthropicChat(MODEL, api_key=fake_key, http_client=httpx2.Client(transport=recorder))
    assert chat.generate(REQUEST, DraftEvidenceList).items == []

    text = path.read_text()
    assert fake_key not in text
    assert "FAKEFAKEFAKE" not in text
    assert "authorization" not in text.lower() and "x-api-key" not in text.lower()
    exchanges = json.loads(text)
    assert exchanges[0]["request"]["body"]["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert set(exchanges[0]["response"]["headers"]) == {"content-type", "request-id"}

    # The recording replays (matched by request body) with a different key.
    replay = MockTransportFromCassette(path, match="body")
    again = AnthropicChat(MODEL, http_client=httpx2.Client(transport=replay))
    assert again.generate(REQUEST, DraftEvidenceList).items == []


def test_price_table_matches_model_families() -> None:
    assert price_for("claude-sonnet-4-5-20250929") == DEFAULT_PRICES["sonnet"]
    assert price_for("claude-haiku-4-5") == DEFAULT_PRICES["haiku"]
    assert price_for("claude-opus-4-1-20250805") == DEFAULT_PRICES["claude-opus-4-1"]
    assert price_for("claude-3-5-haiku-latest") == DEFAULT_PRICES["claude-3-5-haiku"]
    assert price_for("some-other-model") is None
    usage = CallUsage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert cost_usd(usage, None) == 0.0
    custom = {"sonnet": ModelPrice(1.0, 2.0, 0.0, 0.0)}
    assert cost_usd(usage, price_for(MODEL, custom)) == pytest.approx(3.0)


def test_timeout_grows_with_max_tokens() -> None:
    seen: list[str | None] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers.get("x-stainless-read-timeout"))
        return httpx2.Response(200, json=message_body('{"items": []}'))

    chat, _ = chat_with_handler(handler, timeout=60.0)
    chat.generate(REQUEST, DraftEvidenceList)  # max_tokens 4096 -> 4096 / 40 tok/s = 102.4 s
    assert seen and float(seen[0] or 0) == pytest.approx(102.4)


def test_server_retry_hint_is_obeyed() -> None:
    calls = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        if len(calls) == 1:  # a 500 the API says not to retry
            return httpx2.Response(
                500, json={"error": {"message": "no"}}, headers={"x-should-retry": "false"}
            )
        return httpx2.Response(200, json=message_body('{"items": []}'))

    chat, sleeps = chat_with_handler(handler)
    with pytest.raises(ProviderError, match="HTTP 500"):
        chat.generate(REQUEST, DraftEvidenceList)
    assert len(calls) == 1 and sleeps == []


def test_invalid_reply_is_still_billed_in_the_ledger() -> None:
    # Constrained decoding cannot enforce `confidence <= 1`; pydantic rejects it after the tokens were paid.
    item = {"kind": "pain", "passage_id": "d:1", "quote": "q", "confidence": 1.5}
    body = message_body(json.dumps({"items": [item]}))
    chat, _ = chat_with_handler(lambda r: httpx2.Response(200, json=body))
    with pytest.raises(StructuredOutputError, match="confidence"):
        chat.generate(REQUEST, DraftEvidenceList)
    (call,) = chat.ledger.calls
    assert (call.input_tokens, call.output_tokens) == (10, 5) and call.cost_usd > 0

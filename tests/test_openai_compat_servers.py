"""openai-compat against the wire conventions of real servers: format probing, fallbacks, reply repairs.

Where a shape comes from: llama-cpp-python 0.3.36 was recorded (tests/cassettes/llamacpp_python_*.json, made
by bench/llm_local.py --record-cassettes against the real server); the others follow the servers' source:
llama.cpp `tools/server` (`response_format type must be one of "text" or "json_object"` as HTTP 400
`invalid_request_error` in builds without json_schema), Ollama `openai/openai.go` (`json_object` -> format
"json", `json_schema` -> format <schema>; a schema it cannot compile: `invalid JSON schema in format`), vLLM
(`{"object": "error", "message", "type": "BadRequestError", "code": 400}`) and LM Studio (HTTP 400
`'response_format.type' must be 'json_schema' or 'text'` for json_object).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from factories import CASSETTES
from llm_stub import JSON_SCHEMA_REFUSAL
from segscribe.errors import ProviderError, StructuredOutputError
from segscribe.providers.base import LLMRequest
from segscribe.providers.cassette import MockTransportFromCassette
from segscribe.providers.openai_compat import OpenAICompatChat
from segscribe.schemas.evidence import DraftEvidenceList
from segscribe.store.workspace import Workspace

URL = "http://127.0.0.1:8080/v1"
REQUEST = LLMRequest(task="extract_evidence", prompt_ref="extract_evidence@1", system="You extract evidence.",
                     user="[p:P1] (participant) Every Friday I export the tickets.", max_tokens=512,
                     metadata={"doc_id": "d1"})
ITEM = {"kind": "pain", "passage_id": "P1", "quote": "Every Friday I export the tickets."}
Handler = Callable[[dict[str, Any]], httpx.Response]


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def completion(content: str, finish: str = "stop") -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion", "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
            "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60}}


OK = completion(json.dumps({"items": [ITEM]}))


class Server:
    """A mock transport: `answer(body)` decides each reply; every request body is kept in `bodies`."""

    def __init__(self, answer: Handler) -> None:
        self.answer = answer
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        return self.answer(body)

    @property
    def formats(self) -> list[str | None]:
        return [(b.get("response_format") or {}).get("type") for b in self.bodies]


def chat_for(server: Server, memory: Workspace | None = None, **kw: Any) -> tuple[OpenAICompatChat, Sleeps]:
    sleeps = Sleeps()
    client = httpx.Client(transport=httpx.MockTransport(server))
    return OpenAICompatChat("m", URL, http_client=client, sleep=sleeps, memory=memory, **kw), sleeps


def refuse(when: Callable[[dict[str, Any]], bool], status: int, error: Any) -> Handler:
    return lambda body: httpx.Response(status, json=error) if when(body) else httpx.Response(200, json=OK)


def fmt(body: dict[str, Any]) -> str | None:
    return (body.get("response_format") or {}).get("type")


# --------------------------------------------------------------------------- probing per server


def test_llama_cpp_python_recorded_probe_picks_json_object_with_schema(tmp_path: Path) -> None:
    """The recorded exchange: json_schema -> HTTP 500 naming the format, not retried; json_object + schema -> 200."""
    transport = MockTransportFromCassette(CASSETTES / "llamacpp_python_probe.json", flavor="httpx")
    ws = Workspace.open(tmp_path / "ws")
    sleeps = Sleeps()
    chat = OpenAICompatChat("smollm2-135m-instruct", "http://127.0.0.1:8089/v1", sleep=sleeps, memory=ws,
                            http_client=httpx.Client(transport=transport))
    assert chat.structured_mode() == "json_object_schema"
    assert sleeps == []  # the 500 named the response format: unsupported, never retried
    assert "Input should be 'text' or 'json_object'" in chat.rejected["json_schema"]
    assert [r["body"]["response_format"]["type"] for r in transport.handler.requests] == ["json_schema",
                                                                                           "json_object"]
    saved = ws.get_kv("openai_compat_format:http://127.0.0.1:8089/v1|smollm2-135m-instruct")
    assert saved["mode"] == "json_object_schema"


def test_the_probed_format_is_remembered_per_server_and_model(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws")
    server = Server(refuse(lambda b: fmt(b) == "json_schema", 500, JSON_SCHEMA_REFUSAL))
    chat, _ = chat_for(server, memory=ws)
    chat.generate(REQUEST, DraftEvidenceList)
    assert server.formats == ["json_schema", "json_object", "json_object"]
    sent = server.bodies[-1]["response_format"]
    assert sent == {"type": "json_object", "schema": DraftEvidenceList.model_json_schema()}
    later, _ = chat_for(server, memory=ws)  # a new run on the same workspace: no probe
    later.generate(REQUEST, DraftEvidenceList)
    assert server.formats[3:] == ["json_object"]
    other, _ = chat_for(server, memory=ws)
    other.model = "another-model"
    other.structured_mode()  # another model on the same server is probed on its own
    assert len(server.bodies) == 6


def test_llama_server_without_json_schema_400() -> None:
    error = {"error": {"code": 400, "type": "invalid_request_error",
                       "message": 'response_format type must be one of "text" or "json_object", but got: json_schema'}}
    server = Server(refuse(lambda b: fmt(b) == "json_schema", 400, error))
    chat, sleeps = chat_for(server)
    assert chat.generate(REQUEST, DraftEvidenceList).items[0].quote == ITEM["quote"]
    assert chat.mode == "json_object_schema" and sleeps == []


def test_lm_studio_keeps_json_schema_and_a_later_refusal_moves_on(tmp_path: Path) -> None:
    """LM Studio takes json_schema; a remembered json_object (another server on that URL) is refused -> prompt."""
    error = {"error": "'response_format.type' must be 'json_schema' or 'text'"}
    server = Server(refuse(lambda b: fmt(b) == "json_object", 400, error))
    chat, _ = chat_for(server)
    assert chat.structured_mode() == "json_schema"

    ws = Workspace.open(tmp_path / "ws")
    ws.set_kv(f"openai_compat_format:{URL}|m", {"mode": "json_object", "rejected": {}})
    stale, sleeps = chat_for(server, memory=ws)
    assert stale.generate(REQUEST, DraftEvidenceList).items
    assert server.formats[1:] == ["json_object", None, None]  # refused; probe and call with the schema in the prompt
    assert json.dumps(DraftEvidenceList.model_json_schema(), ensure_ascii=False) in \
        server.bodies[-1]["messages"][0]["content"]
    assert ws.get_kv(f"openai_compat_format:{URL}|m")["mode"] == "prompt" and sleeps == []


def test_ollama_schema_it_cannot_compile_falls_back_without_retrying() -> None:
    """Ollama accepts json_schema for the probe's tiny schema but cannot compile the real one (HTTP 500)."""
    error = {"error": {"message": "invalid JSON schema in format", "type": "api_error", "param": None, "code": None}}
    server = Server(refuse(lambda b: fmt(b) == "json_schema" and "Probe" not in json.dumps(b), 500, error))
    chat, sleeps = chat_for(server)
    assert chat.generate(REQUEST, DraftEvidenceList).items
    assert server.formats == ["json_schema", "json_schema", "json_object", "json_object"]  # probe, call, probe, call
    assert chat.mode == "json_object_schema" and sleeps == []


def test_vllm_context_length_error_fails_the_call_and_keeps_the_format() -> None:
    error = {"object": "error", "type": "BadRequestError", "param": None, "code": 400,
             "message": "This model's maximum context length is 4096 tokens. However, you requested 5130 tokens "
                        "(4618 in the messages, 512 in the completion). Please reduce the length of the messages."}
    server = Server(refuse(lambda b: "Probe" not in json.dumps(b), 400, error))
    chat, sleeps = chat_for(server)
    with pytest.raises(ProviderError, match="HTTP 400 from .*maximum context length"):
        chat.generate(REQUEST, DraftEvidenceList)
    assert chat.mode == "json_schema" and len(server.bodies) == 2 and sleeps == []


@pytest.mark.parametrize(("status", "hint"), [(401, "SEGSCRIBE_OPENAI_COMPAT_API_KEY"), (404, "ending in /v1")])
def test_auth_and_path_errors_at_the_probe_say_what_to_fix(status: int, hint: str) -> None:
    server = Server(lambda b: httpx.Response(status, json={"detail": "nope"}))
    chat, _ = chat_for(server)
    with pytest.raises(ProviderError, match=hint):
        chat.generate(REQUEST, DraftEvidenceList)
    assert len(server.bodies) == 1


def test_a_server_down_at_the_probe() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    chat = OpenAICompatChat("m", URL, max_retries=0, http_client=httpx.Client(transport=httpx.MockTransport(refused)))
    with pytest.raises(ProviderError, match="Cannot reach the OpenAI-compatible server"):
        chat.generate(REQUEST, DraftEvidenceList)


# --------------------------------------------------------------------------- replies


def reply(content: str, finish: str = "stop") -> DraftEvidenceList:
    server = Server(lambda b: httpx.Response(200, json=completion(content, finish)))
    chat, _ = chat_for(server, mode="json_object_schema")
    return chat.generate(REQUEST, DraftEvidenceList)


def test_truncated_reply_is_a_structured_output_error_the_caller_can_re_ask_about() -> None:
    cut = '{"items": [{"kind": "pain", "passage_id": "P1", "quote": "Every Friday I export the tickets and then'
    with pytest.raises(StructuredOutputError, match="cut off at max_tokens=512 .finish_reason 'length'"):
        reply(cut, finish="length")


def test_a_complete_reply_that_hit_the_limit_is_kept() -> None:
    assert reply(json.dumps({"items": [ITEM]}), finish="length").items[0].kind.value == "pain"


def test_raw_newlines_inside_strings_are_repaired() -> None:
    """llama.cpp's JSON grammar lets raw control characters into strings; strict parsers refuse them."""
    raw = '{"items": [{"kind": "pain", "passage_id": "P1", "quote": "Every Friday\nI export", "summary": "a\tb"}]}'
    with pytest.raises(ValueError):
        json.loads(raw)
    item = reply(raw).items[0]
    assert item.quote == "Every Friday\nI export" and item.summary == "a\tb"


def test_fences_and_prose_around_the_object_are_repaired() -> None:
    body = json.dumps({"items": [ITEM]})
    assert reply(f"```json\n{body}\n```").items
    assert reply(f"Sure! Here is the JSON you asked for:\n{body}\nHope this helps.").items


def test_valid_json_of_the_wrong_shape_is_reported_with_the_field() -> None:
    with pytest.raises(StructuredOutputError, match=r"does not match DraftEvidenceList: 1 error\(s\), first: "
                                                    r"items.0.kind"):
        reply('{"items": [{"kind": "feeling", "passage_id": "P1", "quote": "x"}]}')

"""A small OpenAI-compatible chat server on 127.0.0.1 for end-to-end tests of the LLM path.

It speaks the wire format of llama-cpp-python's server (the one the bench runs for real):
`json_schema` is refused with that server's HTTP 500 validation error, `json_object` with a
`schema` is accepted. Extraction requests are answered with the first sentence of the first
quotable passage, quoted verbatim, so the grounding gate accepts it; persona requests with no
persona. A document whose text contains one of `fail_markers` gets the server's HTTP 400
context-length error instead. Every request is kept in `requests`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

#: llama-cpp-python 0.3.36's answer to `response_format: json_schema` (recorded; the path is shortened).
JSON_SCHEMA_REFUSAL = {"error": {
    "message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
               "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
               "'ctx': {'expected': \"'text' or 'json_object'\"}}\n\n  File \"[PATH]/llama_cpp/server/app.py\", "
               "line 376, in create_chat_completion\n    POST /v1/chat/completions",
    "type": "internal_server_error", "param": None, "code": None}}
CONTEXT_EXCEEDED = {"error": {
    "message": "This model's maximum context length is 8192 tokens. However, you requested 9041 tokens "
               "(9031 in the messages, 10 in the completion). Please reduce the length of the messages or "
               "completion.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}
_PASSAGE = re.compile(r"^\[p:(?P<id>[^\]]+)\] \((?:participant|customer)\) (?P<text>.+)$", re.MULTILINE)


class StubServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_markers: set[str] = set()
        self.cut_markers: set[str] = set()
        """Documents whose every extraction reply is cut off at the output limit (finish_reason "length")."""
        self.lock = threading.Lock()

    def chat_requests(self, task_marker: str = "") -> list[dict[str, Any]]:
        """Chat requests (not probes) whose system prompt contains `task_marker`."""
        return [r for r in self.requests if "Reply with JSON only." not in r["messages"][0]["content"]
                and task_marker in r["messages"][0]["content"]]

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append(body)
        fmt = (body.get("response_format") or {}).get("type")
        if fmt not in (None, "text", "json_object"):
            return 500, JSON_SCHEMA_REFUSAL
        system, user = body["messages"][0]["content"], body["messages"][1]["content"]
        if any(m in user for m in self.fail_markers):
            return 400, CONTEXT_EXCEEDED
        if any(m in user for m in self.cut_markers) and "Reply with JSON only." not in system:
            return 200, _completion('{"items": [{"kind": "pain", "quote": "It keeps going and', finish="length")
        if "Reply with JSON only." in system:
            content: dict[str, Any] = {"ok": True}
        elif "personas" in system and "evidence pack" in system.lower():
            content = {"personas": []}
        else:
            content = {"items": _items(user)}
        return 200, _completion(json.dumps(content))


def _items(user: str) -> list[dict[str, Any]]:
    match = _PASSAGE.search(user)
    if match is None:
        return []
    sentence = re.split(r"(?<=[.!?])\s", match["text"].strip())[0]
    return [{"kind": "pain", "passage_id": match["id"], "quote": sentence, "summary": "stub", "confidence": 0.8}]


def _completion(content: str, finish: str = "stop") -> dict[str, Any]:
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": 1796623898,
            "model": "smollm2-135m-instruct",
            "choices": [{"index": 0, "message": {"content": content, "role": "assistant"}, "logprobs": None,
                         "finish_reason": finish}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}}


@contextmanager
def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[StubServer, str]]:
    """(stub, base URL) while a loopback server answers; proxies are bypassed for it."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    stub = StubServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status, reply = stub.answer(body)
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()

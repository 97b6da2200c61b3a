"""Structured output on OpenAI-compatible servers: which response format to ask for, and reading the reply.

Servers differ (wire shapes in tests/test_openai_compat_servers.py):

- vLLM, LM Studio, Ollama >= 0.5 and llama.cpp's C++ `llama-server` take
  `{"type": "json_schema", "json_schema": {"name", "schema", "strict"}}`. LM Studio rejects
  `json_object` with HTTP 400 `'response_format.type' must be 'json_schema' or 'text'`.
- llama-cpp-python's server validates `type` as `'text' | 'json_object'` and answers
  `json_schema` with HTTP **500** `Input should be 'text' or 'json_object'`; it enforces
  `{"type": "json_object", "schema": {...}}` with a grammar.
- Ollama maps `json_object` to its native `format: "json"` and a schema to `format: <schema>`;
  a schema it cannot turn into a grammar fails with `invalid JSON schema in format`.
- Anything else: plain JSON with the schema in the prompt.

So the modes are tried in `MODES` order, and an error whose body names the response format
means "this server does not support that mode", never "retry".
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import ValidationError

from segscribe.errors import StructuredOutputError
from segscribe.providers.base import T

Mode = Literal["json_schema", "json_object_schema", "json_object", "prompt"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object_schema", "json_object", "prompt")

_FORMAT_ERROR = re.compile(
    r"response_format|json_schema|json_object|json schema|in format\b|invalid format|format must|"
    r"grammar|guided_json|guided.decoding",
    re.IGNORECASE,
)
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)

PROBE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": False,
}
"""A schema every grammar engine can compile: the probe asks about the format, not the model."""


def names_response_format(error_body: str) -> bool:
    """True when a server's error text is about the requested output format (so: unsupported, not transient)."""
    return bool(_FORMAT_ERROR.search(error_body))


def response_format(mode: Mode, name: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The `response_format` field for `mode` (None: send none)."""
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def system_with_schema(system: str, mode: Mode, schema: dict[str, Any]) -> str:
    """The system prompt, with the schema spelled out when the server may not enforce it."""
    text = json.dumps(schema, ensure_ascii=False)
    if mode == "json_schema" or text in system:  # prompts rendering {{output_schema}} already carry it
        return system
    return (system + "\n\nRespond with one JSON object (no prose, no code fences) that matches this JSON "
            "schema:\n" + text)


def read_reply(body: dict[str, Any], output_type: type[T], where: str, max_tokens: int) -> T:
    """Validate the reply's content into `output_type`, repairing what small local models get wrong.

    Repairs: ```json fences, prose around the object, raw control characters (newlines) inside
    strings, which llama.cpp grammars allow and strict JSON parsers refuse. A reply cut off at
    `max_tokens` (`finish_reason: "length"`) that does not parse is a StructuredOutputError saying
    so, which the caller may re-ask about.
    """
    content, finish = _content(body, where)
    try:
        return _validate(content, output_type)
    except (ValidationError, ValueError) as exc:
        if finish == "length":
            raise StructuredOutputError(
                f"{where} was cut off at max_tokens={max_tokens} (finish_reason 'length') and is not "
                f"complete JSON; ask for fewer or shorter items") from exc
        raise StructuredOutputError(
            f"{where} does not match {output_type.__name__}: {_describe(exc)}") from exc


def _validate(content: str, output_type: type[T]) -> T:
    text = _strip_fence(content)
    try:
        return output_type.model_validate_json(text)
    except ValidationError as exc:
        if not _is_json_error(exc):
            raise  # valid JSON with the wrong shape: no repair can help
    # strict=False accepts raw control characters inside strings.
    data = json.loads(_outer_object(text), strict=False)
    return output_type.model_validate(data)


def _is_json_error(exc: ValidationError) -> bool:
    return any(e["type"] == "json_invalid" for e in exc.errors())


def _outer_object(text: str) -> str:
    """From the first `{` to the last `}`: drops prose a model wrote around its JSON."""
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


def _strip_fence(text: str) -> str:
    match = _FENCE.match(text)
    return match.group(1) if match else text


def _content(body: dict[str, Any], where: str) -> tuple[str, str | None]:
    try:
        choice = body["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise StructuredOutputError(f"{where} has no choices[0].message.content: {str(body)[:200]!r}") from exc
    finish = choice.get("finish_reason") if isinstance(choice, dict) else None
    if not isinstance(content, str) or not content.strip():
        raise StructuredOutputError(f"{where} is empty (finish_reason {finish!r})")
    return content, finish


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        return f"{exc.error_count()} error(s), first: {where + ': ' if where else ''}{first['msg']}"
    return f"not JSON ({exc})"


def probe_payload(model: str, mode: Mode) -> dict[str, Any]:
    """A tiny chat request asking for `{"ok": true}` in `mode`: cheap on any server and any context size."""
    system = system_with_schema("Reply with JSON only.", mode, PROBE_SCHEMA)
    payload: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": 'Reply {"ok": true}'}],
        "max_tokens": 16,
        "temperature": 0,
    }
    fmt = response_format(mode, "Probe", PROBE_SCHEMA)
    if fmt is not None:
        payload["response_format"] = fmt
    return payload

"""ScriptedChat and the provider registry."""

from __future__ import annotations

import httpx2
import pytest

from segscribe.errors import ProviderError
from segscribe.providers.anthropic import AnthropicChat
from segscribe.providers.base import ChatModel, LLMRequest
from segscribe.providers.openai_compat import OpenAICompatChat
from segscribe.providers.registry import DEFAULT_OPENAI_COMPAT_URL, make_chat
from segscribe.providers.scripted import ScriptedChat
from segscribe.schemas.evidence import DraftEvidence, DraftEvidenceList, EvidenceKind

ITEM = {"kind": "pain", "passage_id": "d:1", "quote": "it breaks every week"}


def request(n: int = 0) -> LLMRequest:
    return LLMRequest(task="extract_evidence", prompt_ref="extract_evidence@1", system="s", user=f"u{n}")


def test_replies_of_every_form_in_order() -> None:
    model = DraftEvidenceList(items=[DraftEvidence.model_validate(ITEM)])
    chat = ScriptedChat([model, {"items": [ITEM]}, '{"items": []}'])
    assert chat.generate(request(0), DraftEvidenceList) is model
    assert chat.generate(request(1), DraftEvidenceList).items[0].kind is EvidenceKind.pain
    assert chat.generate(request(2), DraftEvidenceList).items == []
    assert [r.user for r in chat.history] == ["u0", "u1", "u2"]
    assert chat.name == "scripted" and isinstance(chat, ChatModel)
    assert len(chat.ledger.calls) == 3


def test_exception_reply_is_raised() -> None:
    chat = ScriptedChat([ProviderError("boom"), {"items": []}])
    with pytest.raises(ProviderError, match="boom"):
        chat.generate(request(), DraftEvidenceList)
    assert chat.generate(request(), DraftEvidenceList).items == []


def test_exhausted_queue_is_a_clear_error() -> None:
    chat = ScriptedChat([{"items": []}])
    chat.generate(request(), DraftEvidenceList)
    with pytest.raises(ProviderError, match=r"no scripted reply left for call #2 .*extract_evidence"):
        chat.generate(request(), DraftEvidenceList)


def test_callable_reply_sees_the_request() -> None:
    chat = ScriptedChat(fn=lambda req: {"items": [{**ITEM, "quote": req.user}]})
    assert chat.generate(request(7), DraftEvidenceList).items[0].quote == "u7"


def test_default_provider_is_offline_even_with_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from segscribe.config import load_settings

    monkeypatch.delenv("SEGSCRIBE_PROVIDER", raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-dummy")
    assert load_settings().provider == "offline"
    monkeypatch.setenv("SEGSCRIBE_PROVIDER", "anthropic:claude-sonnet-4-6")
    assert load_settings().provider == "anthropic:claude-sonnet-4-6"


def test_make_chat_builds_providers() -> None:
    client = httpx2.Client(transport=httpx2.MockTransport(lambda r: httpx2.Response(500)))
    chat = make_chat(
        "anthropic:claude-sonnet-4-6", env={"ANTHROPIC_API_KEY": "sk-ant-dummy"}, http_client=client
    )
    assert isinstance(chat, AnthropicChat) and chat.name == "anthropic:claude-sonnet-4-6"

    local = make_chat("openai-compat:qwen2.5:7b", env={})
    assert isinstance(local, OpenAICompatChat) and local.name == "openai-compat:qwen2.5:7b"
    assert local.base_url == DEFAULT_OPENAI_COMPAT_URL
    other = make_chat("openai-compat:llama3", base_url="http://127.0.0.1:8080/v1/", env={})
    assert isinstance(other, OpenAICompatChat) and other.base_url == "http://127.0.0.1:8080/v1"


def test_make_chat_errors_are_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-dummy")  # an explicit env mapping wins over os.environ
    with pytest.raises(ProviderError, match="No API key: set ANTHROPIC_API_KEY or use --provider offline"):
        make_chat("anthropic:claude-sonnet-4-6", env={})
    with pytest.raises(
        ProviderError, match=r"Unknown provider 'gpt4'\. Valid: offline, anthropic:<model-id>"
    ):
        make_chat("gpt4", env={})
    with pytest.raises(ProviderError, match="needs a model"):
        make_chat("anthropic", env={"ANTHROPIC_API_KEY": "x"})
    with pytest.raises(ProviderError, match="not a chat model"):
        make_chat("offline", env={})

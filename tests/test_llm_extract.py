"""LLMExtractor: only voice passages leave, redacted; replies come back restored and verbatim."""

from __future__ import annotations

import httpx
import httpx2
import pytest

import factories
from segscribe.extractors.llm import LLMExtractor
from segscribe.providers.anthropic import AnthropicChat
from segscribe.providers.base import LLMRequest
from segscribe.providers.cassette import MockTransportFromCassette
from segscribe.providers.openai_compat import OpenAICompatChat
from segscribe.providers.scripted import ScriptedChat
from segscribe.redact import document_names
from segscribe.schemas.document import Role

CASSETTES = factories.CASSETTES

TURNS = factories.ANN_TURNS
make_doc = factories.ann_interview


def sent(chat: ScriptedChat) -> LLMRequest:
    (request,) = chat.history
    return request


def test_sends_only_voice_passages_redacted() -> None:
    chat = ScriptedChat([{"items": []}])
    LLMExtractor(chat, names=["Priya Shah"]).extract(make_doc())
    request = sent(chat)
    assert "[p:P1] (participant) I'm [NAME_1], I run support ops at Acme ([EMAIL_1])." in request.user
    assert "[p:P2] (participant) If it needs IT to set up" in request.user
    assert "[PHONE_1]" in request.user and "talk to [NAME_2] about" in request.user
    assert "int-ann" not in request.user and "int-ann" not in request.system  # ids come from file names
    assert "Interviewer" not in request.user and "IGNORE PREVIOUS" not in request.user
    for secret in ("Ann", "Lee", "Priya", "ann.lee@acme.io", "415 555"):
        assert secret not in request.user and secret not in request.system
    assert request.task == "extract_evidence" and request.prompt_ref == "extract_evidence@1"
    assert request.metadata["doc_id"] == "int-ann"


def test_quotes_and_fields_are_restored_to_the_original() -> None:
    reply = {
        "items": [
            {
                "kind": "job",
                "passage_id": "int-ann:1",
                "quote": "I just want the weekly report to build itself "
                "so I can talk to [NAME_2] about trends",
                "summary": "[NAME_1] wants the report automated",
                "outcome": "talk to [NAME_2] about trends",
                "job_type": "functional",
            },
            {"kind": "quote", "passage_id": "p:int-ann:3", "quote": "Call me on [PHONE_1]."},
        ]
    }
    doc = make_doc()
    items = LLMExtractor(ScriptedChat([reply]), names=["Priya Shah"]).extract(doc)
    job, quote = items
    assert job.quote == "I just want the weekly report to build itself so I can talk to Priya about trends"
    assert job.summary == "Ann wants the report automated" and job.outcome == "talk to Priya about trends"
    assert quote.quote == "Call me on +1 415 555 0123." and quote.passage_id == "int-ann:3"
    by_id = {p.id: p.text for p in doc.passages}
    assert all(item.quote in by_id[item.passage_id] for item in items)  # verbatim again


def test_without_redaction_text_is_sent_as_is() -> None:
    chat = ScriptedChat([{"items": []}])
    LLMExtractor(chat, redact=False).extract(make_doc())
    assert "ann.lee@acme.io" in sent(chat).user and "Interview with Ann Lee" in sent(chat).user


def test_feedback_is_rendered_and_redacted() -> None:
    chat = ScriptedChat([{"items": []}])
    feedback = ["quote 'talk to Priya about it' is not in passage int-ann:1"]
    LLMExtractor(chat, names=["Priya Shah"]).extract(make_doc(), feedback=feedback)
    user = sent(chat).user
    assert "previous answer had these problems" in user
    assert "talk to [NAME_2] about it" in user and "Priya" not in user


def test_document_without_voice_passages_makes_no_call() -> None:
    chat = ScriptedChat([])
    doc = make_doc([("Interviewer", Role.interviewer, "Hello?")])
    assert LLMExtractor(chat).extract(doc) == []
    assert chat.history == []


def test_names_come_from_metadata() -> None:
    doc = make_doc(customer_name="Bo Chen", interviewer=["Dana Ruiz"], participant_id="P3")
    assert document_names(doc) == ["Ann Lee", "Bo Chen", "Dana Ruiz"]


def test_prompt_ref_and_version() -> None:
    extractor = LLMExtractor(ScriptedChat([]), prompt_version="v1")
    assert extractor.prompt_ref == "extract_evidence@1"


@pytest.fixture
def anthropic_chat(monkeypatch: pytest.MonkeyPatch) -> AnthropicChat:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-dummy-key-for-tests")
    transport = MockTransportFromCassette(CASSETTES / "anthropic_extract.json")
    return AnthropicChat("claude-sonnet-4-6", http_client=httpx2.Client(transport=transport))


def test_end_to_end_with_anthropic_cassette(anthropic_chat: AnthropicChat) -> None:
    doc = make_doc()
    items = LLMExtractor(anthropic_chat, names=["Priya Shah"]).extract(doc)
    assert [i.kind.value for i in items] == ["pain", "job", "objection"]
    assert "talk to Priya about trends instead." in items[1].quote
    by_id = {p.id: p.text for p in doc.passages}
    assert all(item.quote in by_id[item.passage_id] for item in items)
    assert anthropic_chat.ledger.calls[0].doc_id == "int-ann"


def test_end_to_end_with_openai_compat_cassette() -> None:
    transport = MockTransportFromCassette(CASSETTES / "openai_compat_extract.json", flavor="httpx")
    chat = OpenAICompatChat(  # the cassette is a json_schema server's (vLLM, Ollama): no probe
        "qwen2.5:7b", "http://localhost:11434/v1", http_client=httpx.Client(transport=transport), mode="json_schema"
    )
    items = LLMExtractor(chat, names=["Priya Shah"]).extract(make_doc())
    assert "Priya" in items[1].quote and len(items) == 3

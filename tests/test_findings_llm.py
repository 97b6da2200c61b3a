"""LLM-written finding statements pass only when every sentence cites the group and is supported by it."""

from __future__ import annotations

from typing import Any

import pytest

import factories
from segscribe.errors import ProviderError
from segscribe.pipeline.findings import build_findings
from segscribe.pipeline.findings_llm import state_findings
from segscribe.providers.scripted import ScriptedChat

SAID = [
    "I could not find where to change the time of my visit, it was confusing.",
    "It was confusing, I had no idea where to change the time of the visit.",
    "Changing the time of the visit was confusing, I could not find the option.",
]


@pytest.fixture(scope="module")
def study(embedder) -> tuple[Any, dict[str, Any]]:
    docs, items = factories.sessions_saying([[words] for words in SAID])
    found = build_findings(items, factories.sessions_of(docs), embedder.embed)
    assert len(found) == 1 and found[0].coverage.sessions == 3
    return found, {e.id: e for e in items}


def _reply(parts: list[tuple[str, list[str]]], label: str = "changing the time") -> dict[str, Any]:
    return {"label": label, "parts": [{"text": t, "evidence_ids": ids} for t, ids in parts]}


def test_supported_statement_is_used_and_cites_the_group(study: Any, embedder) -> None:
    found, evidence = study
    chat = ScriptedChat([_reply([("Participants could not find how to change the time of a visit and found it "
                                  "confusing.", ["E1", "E2", "E3"])])])
    (f,), notes = state_findings(found, evidence, chat, embedder.embed)
    assert notes == [] and f.statement_source == "llm" and f.provider == "scripted"
    assert f.parts[0].evidence_ids == f.evidence_ids[:3] or set(f.parts[0].evidence_ids) <= set(f.evidence_ids)
    assert f.label == "changing the time" and f.prompt == "state_finding@1"
    assert "E1" in chat.history[0].user and evidence[f.evidence_ids[0]].id not in chat.history[0].user


def test_unsupported_statement_is_reasked_then_kept_back(study: Any, embedder) -> None:
    found, evidence = study
    bad = _reply([("Participants loved the new pricing page.", ["E1"])], label="pricing")
    chat = ScriptedChat([bad, bad, bad])
    (f,), notes = state_findings(found, evidence, chat, embedder.embed, max_reasks=2)
    assert len(chat.history) == 3 and "says something the cited evidence does not" in chat.history[1].user
    assert f.statement_source == "extractive" and f.statement == found[0].statement
    assert notes and notes[0]["finding"] == f.id


def test_ids_outside_the_group_are_refused(study: Any, embedder) -> None:
    found, evidence = study
    chat = ScriptedChat([_reply([("Participants could not find how to change the time.", ["E9"])])] * 3)
    (f,), notes = state_findings(found, evidence, chat, embedder.embed)
    assert f.statement_source == "extractive" and "not in the list" in chat.history[1].user


def test_provider_failure_keeps_the_extractive_statement(study: Any, embedder) -> None:
    found, evidence = study

    class Failing(ScriptedChat):
        def generate(self, request: Any, output_type: Any) -> Any:
            raise ProviderError("server unreachable")

    (f,), notes = state_findings(found, evidence, Failing([]), embedder.embed)
    assert f == found[0] and "provider failed" in notes[0]["reason"]

"""The per-document re-ask loop: unusable replies (cut off, wrong shape) are re-asked like ungrounded quotes."""

from __future__ import annotations

from factories import ann_interview, metadata_of
from segscribe.errors import ProviderError, StructuredOutputError
from segscribe.extractors.llm import LLMExtractor
from segscribe.pipeline.extract import extract_document, extract_documents
from segscribe.providers.scripted import ScriptedChat

GOOD = {"items": [{"kind": "pain", "passage_id": "int-ann:1",
                   "quote": "Every Friday I export the tickets into a spreadsheet and it eats half my day."}]}
CUT = StructuredOutputError("openai-compat:m: reply for extract_evidence@1 was cut off at max_tokens=1024 "
                            "(finish_reason 'length') and is not complete JSON; ask for fewer or shorter items")


def test_a_cut_off_reply_is_re_asked_with_the_reason() -> None:
    chat = ScriptedChat([CUT, GOOD])
    res = extract_document(ann_interview(), LLMExtractor(chat, redact=False), max_reasks=2)
    assert res.status == "done" and len(res.evidence) == 1
    assert (res.attempts, res.invalid_replies, res.proposed) == (2, 1, 1)
    feedback = chat.history[1].user
    assert "could not be used" in feedback and "cut off at max_tokens=1024" in feedback and "fewer items" in feedback


def test_counters_for_invented_ids_and_re_asks() -> None:
    invented = {"items": [{"kind": "pain", "passage_id": "int-ann:99", "quote": "it eats half my day"},
                          {"kind": "goal", "passage_id": "int-ann:1", "quote": "a report that writes itself"}]}
    chat = ScriptedChat([invented, GOOD])
    res = extract_document(ann_interview(), LLMExtractor(chat, redact=False), max_reasks=1)
    # The invented id's quote is found in a real passage (kept, marked repaired); the made-up quote is re-asked.
    assert (res.proposed, res.invented_ids, res.reasked, res.attempts) == (3, 1, 1, 2)
    assert res.repaired == 1 and len(res.evidence) == 2 and res.dropped == []


def test_a_later_unusable_reply_keeps_what_was_grounded() -> None:
    first = {"items": [*GOOD["items"], {"kind": "goal", "passage_id": "int-ann:1", "quote": "not in the text"}]}
    res = extract_document(ann_interview(), LLMExtractor(ScriptedChat([first, CUT]), redact=False), max_reasks=1)
    assert res.status == "done" and len(res.evidence) == 1
    assert [d.quote for d in res.dropped] == ["not in the text"] and res.invalid_replies == 1


def test_no_usable_reply_fails_the_document_not_the_batch() -> None:
    chat = ScriptedChat([CUT, CUT, CUT, GOOD])
    other = ann_interview()
    other = other.model_copy(update={"id": "int-bo"})
    results = {r.doc_id: r for r in extract_documents([ann_interview(), other],
                                                      LLMExtractor(chat, redact=False), max_reasks=2)}
    assert results["int-ann"].status == "failed" and "cut off" in (results["int-ann"].error or "")
    assert results["int-bo"].status == "done"  # the next document still ran
    assert len(chat.history) == 4


def test_an_http_failure_fails_only_its_document() -> None:
    chat = ScriptedChat([ProviderError("openai-compat:m: HTTP 400 from http://x/v1: context length"), GOOD])
    docs = [ann_interview(), ann_interview().model_copy(update={"id": "int-bo"})]
    results = list(extract_documents(docs, LLMExtractor(chat, redact=False), max_reasks=0))
    assert [r.status for r in results] == ["failed", "done"]


def test_persona_drafting_re_asks_an_unusable_reply_and_survives_a_failed_call() -> None:
    from test_personas import build_corpus, good_draft

    from segscribe.pipeline.personas.llm import draft_personas_llm

    docs, by_seg = build_corpus()
    cut = StructuredOutputError("reply for draft_persona@1 was cut off at max_tokens=1024 (finish_reason 'length')")
    chat = ScriptedChat([cut, good_draft(by_seg)])
    personas, drops = draft_personas_llm("Enterprise", by_seg["Enterprise"], metadata_of(docs), chat)
    assert len(personas) == 1 and drops == [] and "could not be used" in chat.history[1].user

    never = ScriptedChat([cut, cut, cut])
    personas, drops = draft_personas_llm("Enterprise", by_seg["Enterprise"], metadata_of(docs), never)
    assert personas == [] and "no usable reply" in drops[0]["reason"] and len(never.history) == 3

    down = ScriptedChat([ProviderError("Cannot reach the OpenAI-compatible server at http://x/v1")])
    personas, drops = draft_personas_llm("Enterprise", by_seg["Enterprise"], metadata_of(docs), down)
    assert personas == [] and drops[0]["reason"].startswith("provider failed: Cannot reach")

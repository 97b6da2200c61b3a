"""Anthropic Message Batches through the official SDK over a mock HTTP transport (the Batches wire format).

The mock answers `POST /v1/messages/batches` (a `message_batch` in progress), `GET .../{id}` (in_progress,
then ended with a `results_url`) and `GET .../{id}/results` (JSON Lines of `succeeded`, `errored` and
`expired` entries), as documented for the Message Batches API and modelled by the SDK's types.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from factories import ANN_TURNS, CORPUS, ann_interview, make_doc
from segscribe.errors import UsageError
from segscribe.extractors.llm import LLMExtractor
from segscribe.pipeline.extract import extract_documents
from segscribe.providers.anthropic import AnthropicChat, cost_usd
from segscribe.providers.anthropic_batch import BATCH_DISCOUNT, AnthropicBatcher, BatchError
from segscribe.providers.base import CallUsage
from segscribe.providers.scripted import ScriptedChat
from segscribe.store.llm_cache import LLMStore
from segscribe.store.workspace import Workspace

MODEL = "claude-sonnet-4-6"
KEY = "sk-ant-dummy-key-for-batch-tests-0000"
_PASSAGE = re.compile(r"^\[p:(?P<id>[^\]]+)\] \((?:participant|customer)\) (?P<text>.+)$", re.MULTILINE)
Outcome = Callable[[dict[str, Any]], str]  # request params -> succeeded | errored | expired


class BatchAPI:
    """The Batches endpoints; `outcome(params)` decides each entry, `polls` in_progress answers per batch."""

    def __init__(self, outcome: Outcome = lambda p: "succeeded", polls: int = 1) -> None:
        self.outcome = outcome
        self.polls = polls
        self.created: list[list[dict[str, Any]]] = []
        self.retrieved: list[str] = []
        self.messages: list[dict[str, Any]] = []
        self._seen: dict[str, int] = {}

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        path = request.url.path
        if request.method == "POST" and path == "/v1/messages/batches":
            self.created.append(json.loads(request.content)["requests"])
            return httpx2.Response(200, json=self._batch(f"msgbatch_{len(self.created):02d}", ended=False))
        if request.method == "POST" and path == "/v1/messages":  # persona drafting stays synchronous
            self.messages.append(json.loads(request.content))
            return httpx2.Response(200, json=message(json.dumps({"personas": []})))
        batch_id = path.split("/")[4]
        if path.endswith("/results"):
            lines = [json.dumps(self._entry(r)) for r in self.created[int(batch_id[-2:]) - 1]]
            return httpx2.Response(200, content=("\n".join(lines) + "\n").encode(),
                                   headers={"content-type": "application/binary"})
        self.retrieved.append(batch_id)
        self._seen[batch_id] = self._seen.get(batch_id, 0) + 1
        return httpx2.Response(200, json=self._batch(batch_id, ended=self._seen[batch_id] > self.polls))

    def _batch(self, batch_id: str, *, ended: bool) -> dict[str, Any]:
        n = len(self.created[int(batch_id[-2:]) - 1])
        return {"id": batch_id, "type": "message_batch", "processing_status": "ended" if ended else "in_progress",
                "request_counts": {"processing": 0 if ended else n, "succeeded": n if ended else 0, "errored": 0,
                                   "canceled": 0, "expired": 0},
                "created_at": "2026-12-07T10:00:00Z", "expires_at": "2026-12-08T10:00:00Z",
                "ended_at": "2026-12-07T10:20:00Z" if ended else None, "cancel_initiated_at": None,
                "archived_at": None,
                "results_url": f"https://api.anthropic.com/v1/messages/batches/{batch_id}/results" if ended else None}

    def _entry(self, request: dict[str, Any]) -> dict[str, Any]:
        kind = self.outcome(request["params"])
        if kind == "errored":
            result: dict[str, Any] = {"type": "errored", "error": {"type": "error", "error": {
                "type": "invalid_request_error", "message": "prompt is too long: 210000 tokens > 200000 maximum"}}}
        elif kind == "expired":
            result = {"type": "expired"}
        else:
            result = {"type": "succeeded", "message": message(json.dumps({"items": quote_first(request["params"])}))}
        return {"custom_id": request["custom_id"], "result": result}


def message(text: str) -> dict[str, Any]:
    return {"id": "msg_batch", "type": "message", "role": "assistant", "model": MODEL,
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 1000, "output_tokens": 200, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0}}


def user_text(params: dict[str, Any]) -> str:
    return str(params["messages"][0]["content"])


def quote_first(params: dict[str, Any]) -> list[dict[str, Any]]:
    """A verbatim quote of the first quotable passage; a made-up one too, unless this is a re-ask."""
    found = _PASSAGE.search(user_text(params))
    if found is None:
        return []
    items = [{"kind": "pain", "passage_id": found["id"], "quote": found["text"].split(". ")[0]}]
    if "previous answer had these problems" not in user_text(params):
        items.append({"kind": "goal", "passage_id": found["id"], "quote": "words nobody said"})
    return items


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def store(tmp_path: Path) -> LLMStore:
    return LLMStore(Workspace.open(tmp_path / "ws"))


def batcher_for(api: BatchAPI, store: LLMStore, sleep: Callable[[float], None] | None = None,
                ) -> tuple[AnthropicBatcher, AnthropicChat]:
    chat = AnthropicChat(MODEL, api_key=KEY, http_client=httpx2.Client(transport=httpx2.MockTransport(api)))
    return AnthropicBatcher(chat, store, sleep=sleep if sleep is not None else Sleeps(), poll_first=5.0,
                            poll_max=12.0), chat


def doc(doc_id: str, day: str) -> Any:
    """Ann's interview with another weekday: a different request for each day."""
    turns = [(who, role, text.replace("Friday", day)) for who, role, text in ANN_TURNS]
    return make_doc(doc_id, turns, source=f"interviews/{doc_id}.md", metadata={"participant": "Ann Lee"})


def outcome_by_marker(request_params: dict[str, Any], fails: dict[str, str]) -> str:
    return next((kind for marker, kind in fails.items() if marker in json.dumps(request_params)), "succeeded")


def test_batches_answer_re_ask_and_fail_per_document(store: LLMStore) -> None:
    docs = [doc("int-a", "Friday"), doc("int-b", "Monday"), doc("int-c", "Sunday"), doc("int-d", "Friday")]
    api = BatchAPI(lambda p: outcome_by_marker(p, {"Monday": "errored", "Sunday": "expired"}), polls=3)
    sleeps = Sleeps()
    batcher, chat = batcher_for(api, store, sleeps)
    results = {r.doc_id: r for r in extract_documents(docs, LLMExtractor(chat, batcher=batcher), max_reasks=1)}

    # int-d's request is int-a's: it goes out once. Round 2 re-asks the one document with a made-up quote.
    assert [len(c) for c in api.created] == [3, 1]
    assert "previous answer had these problems" in user_text(api.created[1][0]["params"])
    for ok in (results["int-a"], results["int-d"]):
        assert ok.status == "done" and len(ok.evidence) == 1 and ok.attempts == 2 and ok.reasked == 1
        assert ok.dropped == []  # the re-ask no longer carried the made-up quote
    errored, expired = results["int-b"], results["int-c"]
    assert errored.status == "failed" and "errored" in (errored.error or "") and "prompt is too long" in errored.error
    assert expired.status == "failed" and "request expired" in (expired.error or "")
    assert sleeps == [5.0, 7.5, 11.25, 5.0, 7.5, 11.25]  # backoff while in_progress (x1.5, capped at 12 s)
    assert api.created[0][0]["params"]["output_config"]["format"]["type"] == "json_schema"
    assert all(re.fullmatch(r"[a-f0-9]{48}", r["custom_id"]) for c in api.created for r in c)  # no document ids
    list_price = cost_usd(CallUsage(input_tokens=1000, output_tokens=200), chat.price)
    billed = [c for c in chat.ledger.calls if not c.cached]
    assert len(billed) == 4 and all(c.cost_usd == pytest.approx(list_price * BATCH_DISCOUNT) for c in billed)


def test_errored_and_expired_requests_are_sent_again_next_time(store: LLMStore) -> None:
    docs = [doc("int-a", "Friday"), doc("int-b", "Monday")]
    fails = {"Friday": "expired"}
    api = BatchAPI(lambda p: outcome_by_marker(p, fails))
    batcher, chat = batcher_for(api, store)
    first = {r.doc_id: r.status for r in extract_documents(docs, LLMExtractor(chat, batcher=batcher), max_reasks=0)}
    assert first == {"int-a": "failed", "int-b": "done"}

    fails.clear()  # resume: only the failed document is asked again, in a new batch
    again = list(extract_documents(docs[:1], LLMExtractor(chat, batcher=batcher), max_reasks=0))
    assert again[0].status == "done"
    assert [len(c) for c in api.created] == [2, 1]


def test_an_interrupted_run_collects_the_same_batch_and_never_pays_twice(store: LLMStore) -> None:
    api = BatchAPI(polls=1)

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    batcher, chat = batcher_for(api, store, interrupt)
    with pytest.raises(KeyboardInterrupt):
        list(extract_documents([ann_interview()], LLMExtractor(chat, batcher=batcher), max_reasks=0))
    assert len(api.created) == 1

    resumed, chat2 = batcher_for(api, store)  # a new process on the same workspace
    (res,) = extract_documents([ann_interview()], LLMExtractor(chat2, batcher=resumed), max_reasks=0)
    assert res.status == "done" and len(res.evidence) == 1
    assert len(api.created) == 1 and resumed.submitted == []  # collected, not submitted again
    assert api.retrieved.count("msgbatch_01") >= 2


def test_batches_need_an_anthropic_provider(store: LLMStore) -> None:
    with pytest.raises(BatchError, match="anthropic:MODEL only"):
        AnthropicBatcher(ScriptedChat([]), store)
    from segscribe.runner import make_extractor

    with pytest.raises(UsageError, match="--batch needs an LLM provider"):
        make_extractor("offline", None, True, None, batch=True)


def test_run_with_batch_is_partial_and_resume_resends_only_the_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`segscribe run --batch` through the runner: one batch for every document, one failure, resume."""
    from segscribe.runner import run_pipeline
    from segscribe.schemas.run import RunOptions

    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("p01_whitfield.txt", "p03_raman.txt", "p06_hale.txt"):
        shutil.copyfile(CORPUS / "interviews" / name, folder / name)
    fails = {"we missed it for five clients": "errored"}
    api = BatchAPI(lambda p: outcome_by_marker(p, fails), polls=0)
    monkeypatch.setattr(httpx2, "HTTPTransport", lambda: httpx2.MockTransport(api))
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    ws = Workspace.open(tmp_path / "ws")
    cassette = tmp_path / "batch.cassette.json"  # --record: the wire exchanges, key stripped
    opts = RunOptions(inputs=[folder], provider=f"anthropic:{MODEL}", batch=True, record=str(cassette), index=False,
                      max_reasks=0)
    rec = run_pipeline(ws, opts)
    assert rec.status == "partial" and list(rec.failed_documents) == [d for d in rec.input_hashes if "raman" in d]
    assert [len(c) for c in api.created] == [3]
    assert rec.token_usage["cost_usd"] == pytest.approx(
        sum(cost_usd(CallUsage(input_tokens=1000, output_tokens=200), AnthropicChat(MODEL, api_key=KEY).price)
            * (BATCH_DISCOUNT if i < 2 else 1.0) for i in range(2 + len(api.messages))))
    assert KEY not in cassette.read_text()

    fails.clear()
    again = run_pipeline(ws, opts, resume=rec.run_id)
    assert again.status == "finished"
    assert [len(c) for c in api.created] == [3, 1]  # only the failed document went out again

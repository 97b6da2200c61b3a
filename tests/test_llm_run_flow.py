"""The LLM path end to end through `segscribe run --provider openai-compat`, against a loopback server.

One document the server cannot process leaves the run `partial` (exit 1) and `run --resume` retries only
it; a re-run on the same inputs is answered from the response cache with no request at all, and
`--no-cache` asks again. The server speaks llama-cpp-python's wire format (tests/llm_stub.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import CORPUS
from llm_stub import serve
from segscribe.cli.main import app

MODEL = "openai-compat:smollm2-135m-instruct"
FILES = ("p01_whitfield.txt", "p03_raman.txt", "p06_hale.txt")
RAMAN = "we missed it for five clients"  # only in p03's participant turns


@pytest.fixture
def study(tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    folder.mkdir()
    for name in FILES:
        shutil.copyfile(CORPUS / "interviews" / name, folder / name)
    return folder


def run(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    res = CliRunner().invoke(app, ["run", *args, "--json"])
    assert res.exit_code in (0, 1), res.output
    return res.exit_code, json.loads(res.stdout)


def extraction_requests(stub) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    return stub.chat_requests("extract evidence")


def test_one_failing_document_is_partial_and_resume_retries_only_it(
        study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = str(tmp_path / "ws")
    with serve(monkeypatch) as (stub, url):
        stub.fail_markers.add(RAMAN)
        code, rec = run(str(study), "-w", ws, "--provider", MODEL, "--base-url", url)
        assert code == 1 and rec["status"] == "partial"
        (failed_id, why), = rec["failed_documents"].items()
        assert "raman" in failed_id and "HTTP 400" in why and "context length" in why
        assert rec["stats"]["documents"] == 3 and rec["stats"]["evidence"] >= 2  # the others went on
        assert rec["report"] and Path(rec["report"]).exists()
        probes = [r for r in stub.requests if r not in stub.chat_requests()]
        assert [p["response_format"]["type"] for p in probes] == ["json_schema", "json_object"]
        assert "schema" in probes[1]["response_format"]  # llama.cpp's grammar-enforced json_object
        first = len(extraction_requests(stub))
        assert first == 3  # a 400 is not retried, and no request was repeated

        stub.fail_markers.clear()
        stub.requests.clear()
        code, again = run("--resume", rec["run_id"], "-w", ws)
        assert code == 0 and again["status"] == "finished" and again["failed_documents"] == {}
        retried = extraction_requests(stub)
        assert len(retried) == 1 and RAMAN in retried[0]["messages"][1]["content"]
        assert not [r for r in stub.requests if r not in stub.chat_requests()]  # the format was remembered
        assert again["stats"]["evidence"] > rec["stats"]["evidence"]


def test_rerun_is_answered_from_the_cache_and_no_cache_asks_again(
        study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = str(tmp_path / "ws")
    with serve(monkeypatch) as (stub, url):
        code, first = run(str(study), "-w", ws, "--provider", MODEL, "--base-url", url)
        assert code == 0
        asked = len(stub.requests)
        assert first["token_usage"]["calls"] == len(stub.chat_requests()) and first["token_usage"]["calls"] >= 3

        code, second = run(str(study), "-w", ws, "--provider", MODEL, "--base-url", url)
        assert code == 0 and second["run_id"] != first["run_id"]
        assert len(stub.requests) == asked  # 0 requests: every reply came from the workspace
        assert second["token_usage"]["calls"] == 0
        # Identical requests within the first run (e.g. re-asks that came out the same) were cached there already.
        first_total = first["token_usage"]["calls"] + first["token_usage"]["cached_calls"]
        assert second["token_usage"]["cached_calls"] == first_total
        assert second["stats"]["evidence"] == first["stats"]["evidence"]

        code, third = run(str(study), "-w", ws, "--provider", MODEL, "--base-url", url, "--no-cache")
        assert code == 0
        assert len(extraction_requests(stub)) == 2 * len(FILES)  # asked again, one per document
        assert third["token_usage"]["cached_calls"] == 0
        assert third["token_usage_by_task"]["extract_evidence"]["calls"] == len(FILES)


def test_runs_started_in_the_same_second_get_their_own_ids(tmp_path: Path) -> None:
    """A cached re-run can finish in under a second; the next run must not reuse its id (and its outputs)."""
    from segscribe.runner import _options
    from segscribe.schemas.run import RunOptions
    from segscribe.store.workspace import Workspace

    ws = Workspace.open(tmp_path / "ws")
    first, _ = _options(ws, RunOptions(), None)
    (ws.runs_path / first).mkdir()
    second, _ = _options(ws, RunOptions(), None)
    assert second != first and not (ws.runs_path / second).exists()


def test_an_unusable_reply_is_not_paid_for_twice(study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reply cut off at the output limit is re-asked in the run, and a re-run repeats none of those calls."""
    ws = str(tmp_path / "ws")
    with serve(monkeypatch) as (stub, url):
        stub.cut_markers.add(RAMAN)
        code, first = run(str(study), "-w", ws, "--provider", MODEL, "--base-url", url, "--max-reasks", "1")
        cut = [r for r in extraction_requests(stub) if RAMAN in r["messages"][1]["content"]]
        assert len(cut) == 2  # the first ask and one re-ask, both cut off
        asked = len(stub.requests)

        code, second = run(str(study), "-w", ws, "--provider", MODEL, "--base-url", url, "--max-reasks", "1")
        assert len(stub.requests) == asked and second["token_usage"]["calls"] == 0
        assert second["stats"]["evidence"] == first["stats"]["evidence"]

        run(str(study), "-w", ws, "--provider", MODEL, "--base-url", url, "--max-reasks", "1", "--no-cache")
        assert len([r for r in extraction_requests(stub) if RAMAN in r["messages"][1]["content"]]) == 4



SESSIONS = {  # (speaker, their first answer): the stub quotes each transcript's first participant sentence
    "s1_okafor.txt": ("Dana Okafor", "The monthly export breaks and I rebuild the report by hand every time."),
    "s2_brandt.txt": ("Sam Brandt", "The monthly export breaks, and Dana and I rebuild the report by hand."),
    "s3_lindqvist.txt": ("Lee Lindqvist", "The monthly export breaks so I rebuild the report by hand each month."),
}


@pytest.mark.parametrize("redact", [True, False])
def test_finding_statement_requests_carry_no_participant_names(
        redact: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The findings stage collects the names to redact from every document of the run (metadata and speakers,
    a chunk of documents at a time): a participant named in another session's words is not sent to the model
    in a statement request, unless redaction is turned off (which shows the request would carry it)."""
    folder = tmp_path / "study"
    folder.mkdir()
    for name, (speaker, answer) in SESSIONS.items():
        first = speaker.split()[0]
        (folder / name).write_text(
            f"---\nparticipant: {speaker}\n---\nInterviewer: What happens at month end?\n{first}: {answer} "
            "It takes most of a day.\nInterviewer: Thanks.\n", encoding="utf-8")
    with serve(monkeypatch) as (stub, url):
        code, rec = run(str(folder), "-w", str(tmp_path / "ws"), "--provider", MODEL, "--base-url", url,
                        *([] if redact else ["--no-redact"]))
        assert code == 0, rec
        asked = stub.chat_requests("writing up an affinity map")
        assert rec["stats"]["findings"] >= 1 and asked, rec["stats"]
        sent = "\n".join(m["content"] for r in asked for m in r["messages"])
        assert "rebuild the report by hand" in sent
        assert ("Dana" in sent) is (not redact)

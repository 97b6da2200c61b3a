"""A whole `segscribe run` replayed from exchanges recorded with a real llama-cpp-python server.

The model (SmolLM2-135M) answers badly: made-up passage ids, quotes that are not in the text, raw newlines
inside JSON strings. The run must still finish, re-ask, drop what is not grounded, and let no invented
quote reach the output. The expected counts are read from the cassette, not written down.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import CASSETTES, CORPUS
from segscribe import artifacts as A
from segscribe.artifacts import RunDir
from segscribe.cli.main import app
from segscribe.store.workspace import Workspace

CASSETTE = CASSETTES / "llamacpp_python_run.json"
DOC = "p14_haddad.md"


def recorded_extractions() -> list[dict]:  # type: ignore[type-arg]
    exchanges = json.loads(CASSETTE.read_text(encoding="utf-8"))
    return [e for e in exchanges if "extract evidence" in e["request"]["body"]["messages"][0]["content"]]


def test_replayed_real_server_run_survives_a_weak_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGSCRIBE_MAX_OUTPUT_TOKENS", "1024")  # as recorded: max_tokens is part of the body
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(CORPUS / "interviews" / DOC, folder / DOC)
    ws = tmp_path / "ws"
    res = CliRunner().invoke(app, ["run", str(folder), "-w", str(ws), "--json", "--provider",
                                   "openai-compat:smollm2-135m-instruct", "--base-url", "http://127.0.0.1:8089/v1",
                                   "--replay", str(CASSETTE)])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    asked = recorded_extractions()
    replies = [e["response"]["body"]["choices"][0]["message"]["content"] for e in asked]
    assert any("\n" in r for r in replies)  # raw newlines inside strings: strict JSON refuses, the reader repairs

    workspace = Workspace.open(ws)
    run = RunDir(workspace.runs_path / rec["run_id"])
    (extraction,) = [run.read(A.extraction(p.stem)) for p in (run.root / "extract").glob("*.json")]
    assert extraction.attempts == len(asked) and rec["token_usage_by_task"]["extract_evidence"]["calls"] == len(asked)
    assert extraction.proposed == sum(len(json.loads(r, strict=False)["items"]) for r in replies)
    assert extraction.invented_ids >= 1 and extraction.reasked >= 1
    passages = {p.id for p in workspace.documents()[0].passages}
    text = workspace.documents()[0].text
    for e in run.read(A.EVIDENCE):  # nothing invented reaches the output
        assert all(text[c.start:c.end] == c.quote for c in e.citations) and e.citations[0].doc_id
        assert {c.passage_id for c in e.citations if getattr(c, "passage_id", None)} <= passages
    assert rec["token_usage"]["input_tokens"] == sum(e["response"]["body"]["usage"]["prompt_tokens"] for e in asked)
    mode = workspace.get_kv("openai_compat_format:http://127.0.0.1:8089/v1|smollm2-135m-instruct")["mode"]
    assert mode == "json_object_schema"

"""Cost before spending: the estimate renders the run's own requests, and --max-cost / --dry-run hold."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from factories import CORPUS
from segscribe.cli.main import main


def _two(tmp: Path) -> Path:
    folder = tmp / "two"
    folder.mkdir()
    for name in ("p01_whitfield.txt", "p03_raman.txt"):
        shutil.copy(CORPUS / "interviews" / name, folder / name)
    return folder


def test_extraction_estimate_counts_the_rendered_requests(tmp_path: Path) -> None:
    from segscribe.extractors.llm import LLMExtractor
    from segscribe.pipeline.estimate import _NoCalls, count_tokens, estimate_cost, parse_inputs
    from segscribe.redact import Pseudonyms, Redactor, document_names, speaker_names

    docs = parse_inputs([_two(tmp_path)])
    est = estimate_cost(docs, "anthropic:claude-sonnet-4-6")
    llm = LLMExtractor(_NoCalls())  # type: ignore[arg-type]
    want = 0
    for d in docs:
        req = llm.build_request(d, d.evidence_passages(), [], Redactor([*document_names(d), *speaker_names(d)]),
                                Pseudonyms("P"))
        want += count_tokens(req.system) + count_tokens(req.user)
    assert est.stages["extract"].requests == 2 and est.stages["extract"].input_tokens == want
    assert est.priced and est.usd > 0 and est.usd == round(sum(s.usd for s in est.stages.values()), 4)
    cheaper = estimate_cost(docs, "anthropic:claude-haiku-4-5")
    assert 0 < cheaper.usd < est.usd
    assert estimate_cost(docs, "anthropic:claude-sonnet-4-6", batch=True).usd == pytest.approx(est.usd / 2, abs=1e-3)
    assert estimate_cost(docs, "openai-compat:local").usd == 0.0


def test_dry_run_prints_the_estimate_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    with pytest.raises(SystemExit) as done:
        main(["run", str(_two(tmp_path)), "-w", str(ws), "-p", "anthropic:claude-sonnet-4-6", "--dry-run", "--json"])
    assert done.value.code == 0
    est = json.loads(capsys.readouterr().out)
    assert est["documents"] == 2 and est["stages"]["extract"]["input_tokens"] > 0
    assert not ws.exists(), "a dry run creates no workspace"


def test_max_cost_refuses_before_any_call(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-used")
    with pytest.raises(SystemExit) as done:
        main(["run", str(_two(tmp_path)), "-w", str(tmp_path / "ws"), "-p", "anthropic:claude-sonnet-4-6",
              "--max-cost", "0.001"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "over --max-cost $0.00" in err and "segscribe estimate" in err
    assert not list((tmp_path / "ws" / "runs").glob("*")), "no run was started"


def test_estimate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["estimate", str(_two(tmp_path)), "-p", "anthropic:claude-haiku-4-5"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "extract" in out and "total" in out and "2 documents" in out

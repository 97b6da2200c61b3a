"""`segscribe run` on the bundled corpus via CliRunner, the eval CI gate, and gold-span exactness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from factories import CORPUS
from segscribe.cli.main import app


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ws = tmp_path_factory.mktemp("corpus") / "ws"
    res = CliRunner().invoke(app, ["run", str(CORPUS), "--workspace", str(ws), "--json"])
    assert res.exit_code == 0, res.output
    record = json.loads(res.stdout)
    return {"ws": ws, "record": record, "run": ws / "runs" / record["run_id"]}


def test_run_writes_report_and_run_record(corpus_run: dict[str, Any]) -> None:
    rec, run = corpus_run["record"], corpus_run["run"]
    assert Path(rec["report"]).name == "report.html"
    for name in ("report.html", "report.md", "report.json", "run.json", "evidence.jsonl", "personas.json"):
        assert (run / name).stat().st_size > 0, name
    assert rec["stats"]["documents"] == 196 and rec["stats"]["files_failed"] == 0
    md = (run / "report.md").read_text(encoding="utf-8")
    for heading in ("Executive summary", "Personas", "Targeting", "Migration", "Roadmap", "Data requirements"):
        assert heading.lower() in md.lower(), heading


def test_every_persona_claim_resolves_to_an_exact_quote(corpus_run: dict[str, Any]) -> None:
    from segscribe.store.workspace import Workspace

    texts = Workspace.open(corpus_run["ws"]).texts()
    lines = (corpus_run["run"] / "evidence.jsonl").read_text().splitlines()
    evidence = {json.loads(x)["id"]: json.loads(x) for x in lines}
    personas = json.loads((corpus_run["run"] / "personas.json").read_text())
    assert personas
    for p in personas:
        for name in ("goals", "pains", "jobs_functional", "tools_alternatives", "decision_criteria", "one_liner"):
            field = p[name]
            assert field["not_in_data"] == (not field["claims"])
            for claim in field["claims"]:
                for eid in claim["evidence_ids"]:
                    c = evidence[eid]["citations"][0]
                    assert texts[c["doc_id"]][c["start"] : c["end"]] == c["quote"]
        for q in p["quotes"]:
            assert texts[q["doc_id"]][q["start"] : q["end"]] == q["quote"]


def test_eval_gate_on_corpus(corpus_run: dict[str, Any], embedder) -> None:
    """The CI gate: the offline provider on corpus/ must meet evals/thresholds.yaml."""
    from segscribe.artifacts import RunDir
    from segscribe.evals.corpus_eval import evaluate_run, write_scorecard
    from segscribe.store.workspace import Workspace

    run = RunDir(corpus_run["run"])
    card = evaluate_run(Workspace.open(corpus_run["ws"]), run, CORPUS, embedder.embed)
    paths = write_scorecard(card, run)
    assert paths["json"].exists() and paths["md"].exists()
    failing = [g for g in card.gates if not g.passed]
    assert card.passed, failing
    # Also held in CI (measured 1.0 on the first full run): every persona claim cites exact evidence
    # from its own segment. Not in thresholds.yaml because the scorecard only has it when personas exist.
    assert card.metrics["persona_grounding"] == 1.0


def test_gold_spans_are_exact_participant_words(workspace, embedder) -> None:
    from segscribe.evals.corpus_eval import _resolver
    from segscribe.evals.gold import load_gold
    from segscribe.ingest.service import ingest_paths
    from segscribe.schemas.document import VOICE_ROLES

    ingest_paths(workspace, [CORPUS], index=False)
    docs = {d.id: d for d in workspace.documents()}
    gold = load_gold(CORPUS / "gold" / "evidence.jsonl", _resolver(docs, CORPUS))
    assert len(gold) >= 300
    for g in gold:
        doc = docs[g.doc_id]
        assert doc.text[g.start : g.end] == g.quote
        passage = doc.passage_at(g.start, g.end)
        assert passage is not None and passage.role in VOICE_ROLES, (g.id, g.quote)

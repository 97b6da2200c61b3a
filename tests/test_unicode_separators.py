"""U+2028, U+2029 and U+0085 inside quoted text never break a run, its files or a JSONL export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from segscribe.cli.main import app

SEPARATORS = ["\u2028", "\u2029", "\u0085"]


def _study(tmp: Path) -> Path:
    folder = tmp / "study"
    folder.mkdir()
    for i, sep in enumerate(SEPARATORS):
        (folder / f"p{i}.txt").write_text(
            "Interviewer: How does the monthly export go?\n"
            f"Ana: Honestly it is frustrating, the export breaks{sep}every single time and I hate redoing it.\n"
            "Interviewer: What would help?\n"
            f"Ana: I would really like the report to build itself{sep}so I can stop chasing numbers.\n",
            encoding="utf-8")
    return folder


def test_run_evidence_and_themes_survive_line_separators(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner = CliRunner()
    res = runner.invoke(app, ["run", str(_study(tmp_path)), "-w", str(ws), "--json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    assert rec["status"] == "finished" and "report" in rec["stages"]
    evidence = (ws / "runs" / rec["run_id"] / "evidence.jsonl").read_text(encoding="utf-8")
    assert any(sep in evidence for sep in SEPARATORS), "the test needs a separator inside a quote"
    listed = runner.invoke(app, ["evidence", "-w", str(ws), "--json"])
    assert listed.exit_code == 0, listed.output
    quotes = [e["citations"][0]["quote"] for e in json.loads(listed.stdout)]
    assert any(sep in q for q in quotes for sep in SEPARATORS)
    assert runner.invoke(app, ["themes", "-w", str(ws)]).exit_code == 0


@pytest.mark.parametrize("sep", SEPARATORS)
def test_jsonl_ticket_export_with_separator_is_ingested(tmp_path: Path, sep: str) -> None:
    from segscribe.ingest.tables import read_json_records

    rows = [{"ticket_id": "t1", "body": f"The app crashes{sep}whenever I upload a receipt."},
            {"ticket_id": "t2", "body": "Billing page is slow."}]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    table = read_json_records(text, "tickets.jsonl")
    assert [r["body"] for r in table.rows] == [r["body"] for r in rows]


def test_broken_jsonl_line_is_reported_with_its_line_number() -> None:
    from segscribe.errors import IngestError
    from segscribe.ingest.tables import read_json_records

    text = '{"ticket_id": "t1", "body": "ok"}\n\n{"ticket_id": "t2", "body": "fine"}\n{"ticket_id": "t3", "body": \n'
    with pytest.raises(IngestError, match="line 4"):
        read_json_records(text, "tickets.jsonl")

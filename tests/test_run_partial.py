"""A run whose inputs partly failed to ingest says so, names the files, and exits non-zero."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from factories import CORPUS
from segscribe.cli.main import app


def test_run_with_failed_files_is_partial(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copyfile(CORPUS / "interviews" / "p01_whitfield.txt", folder / "p01_whitfield.txt")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02 not text \x00" * 50)
    (folder / "tickets.jsonl").write_text('{"ticket_id": "T1", "body": "slow"}\n{oops\n', encoding="utf-8")
    ws = tmp_path / "ws"
    runner = CliRunner()
    res = runner.invoke(app, ["run", str(folder), "-w", str(ws)])
    assert res.exit_code == 1, res.output
    assert "partial:" in res.output
    failed = [line for line in res.output.splitlines() if line.startswith("failed file:")]
    assert len(failed) == 2 and "broken.txt" in failed[0] + failed[1] and "tickets.jsonl" in failed[0] + failed[1]
    assert "report:" in res.output  # what did succeed is still reported

    res = runner.invoke(app, ["run", str(folder), "-w", str(ws), "--json"])
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["status"] == "partial"
    assert sorted(Path(f).name for f in data["failed_files"]) == ["broken.txt", "tickets.jsonl"]

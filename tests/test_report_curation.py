"""A later run keeps a researcher's curation where it still applies, and says where it no longer does."""

from __future__ import annotations

import shutil
from pathlib import Path

from factories import CORPUS


def _study(tmp: Path) -> Path:
    folder = tmp / "study" / "interviews"
    folder.mkdir(parents=True)
    for name in ("p01_whitfield.txt", "p03_raman.txt", "p06_hale.txt", "p08_lindqvist.txt"):
        shutil.copy(CORPUS / "interviews" / name, folder / name)
    return folder.parent


def test_curation_is_applied_to_the_next_runs_report(tmp_path: Path, embedder) -> None:
    from segscribe import artifacts as A
    from segscribe.artifacts import RunDir
    from segscribe.runner import run_pipeline
    from segscribe.schemas.curation import EditFinding, GroupRef, RejectEvidence, RenameTheme
    from segscribe.schemas.run import RunOptions
    from segscribe.schemas.strategy import StrategyReport
    from segscribe.store.curation_log import CurationLog
    from segscribe.store.workspace import Workspace

    ws = Workspace.open(tmp_path / "ws")
    opts = RunOptions(inputs=[_study(tmp_path)], index=False)
    first = RunDir(ws.runs_path / run_pipeline(ws, opts, embedder=embedder).run_id)
    theme = first.read(A.THEMES)[0]
    finding = first.read(A.FINDINGS)[0]
    rejected = finding.evidence_ids[-1]
    log = CurationLog(ws)
    log.append(RenameTheme(theme=GroupRef(id=theme.id, evidence_ids=theme.evidence_ids), label="Renamed by hand",
                           who="tester", run_id=first.run_id))
    log.append(EditFinding(finding=GroupRef(id=finding.id, evidence_ids=finding.evidence_ids),
                           statement="A statement a researcher wrote.", who="tester", run_id=first.run_id))
    log.append(RejectEvidence(evidence_id=rejected, reason="out of context", who="tester", run_id=first.run_id))
    log.append(RenameTheme(theme=GroupRef(id="t99", evidence_ids=["e-none"]), label="Gone", who="tester",
                           run_id=first.run_id))

    second = RunDir(ws.runs_path / run_pipeline(ws, opts, embedder=embedder).run_id)
    report = StrategyReport.model_validate_json(second.path(A.RUN).with_name("report.json").read_text())
    assert "Renamed by hand" in [t.label for t in report.themes]
    edited = [f for f in report.findings if f.statement == "A statement a researcher wrote."]
    assert edited and edited[0].statement_source == "human" and edited[0].evidence_ids
    assert report.rejected == {rejected: "out of context"}
    assert all(rejected not in f.evidence_ids for f in report.findings)
    assert rejected not in {e["id"] for e in report.evidence}
    assert [n.applied for n in report.curation] == [True, True, True, False]
    md = second.path(A.RUN).with_name("report.md").read_text()
    assert "no longer applies" in md and "statement edited by a researcher" in md

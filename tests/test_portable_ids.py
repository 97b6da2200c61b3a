"""The same files from another folder give the same ids and the same bytes, alone or in one workspace."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from factories import CORPUS
from segscribe.ingest import parse_file
from segscribe.runner import run_pipeline
from segscribe.schemas.run import RunOptions, RunRecord
from segscribe.store.workspace import Workspace

SUBSET = ("interviews/p01_whitfield.txt", "interviews/p02_bellini.vtt", "participants.csv")


def copy_subset(dest: Path) -> Path:
    for rel in SUBSET:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / rel, dest / rel)
    return dest


def run(ws_root: Path, folder: Path, embedder: Any) -> tuple[RunRecord, Path]:
    record = run_pipeline(Workspace.open(ws_root), RunOptions(inputs=[str(folder)]), embedder=embedder)
    return record, ws_root / "runs" / record.run_id


def test_document_ids_do_not_depend_on_the_folder(tmp_path: Path) -> None:
    one = copy_subset(tmp_path / "one" / "study")
    two = copy_subset(tmp_path / "two" / "deeper" / "copy")
    for rel in SUBSET[:2]:
        a, b = parse_file(one / rel), parse_file(two / rel)
        assert [d.id for d in a.documents] == [d.id for d in b.documents]
        assert all(str(tmp_path) not in d.id for d in a.documents)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> dict[str, tuple[RunRecord, Path]]:
    base = tmp_path_factory.mktemp("portable")
    one = copy_subset(base / "one" / "study")
    two = copy_subset(base / "two" / "elsewhere")
    out = {"fresh_one": run(base / "ws1", one, embedder), "fresh_two": run(base / "ws2", two, embedder)}
    out["shared_two"] = run(base / "ws1", two, embedder)  # the second folder in the first one's workspace
    return out


def test_two_folders_give_byte_identical_evidence(runs: dict[str, tuple[RunRecord, Path]]) -> None:
    evidence = {k: (folder / "evidence.jsonl").read_bytes() for k, (_, folder) in runs.items()}
    assert evidence["fresh_one"], "the subset yields evidence"
    assert evidence["fresh_two"] == evidence["fresh_one"]


@pytest.mark.parametrize("name", ["dropped.jsonl", "findings.json", "themes.json", "segments.json",
                                  "personas.json", "scoring.json"])
def test_two_folders_give_byte_identical_stage_outputs(runs: dict[str, tuple[RunRecord, Path]], name: str) -> None:
    """Every stage file past extraction is the same bytes too (the reports name their run and so differ)."""
    one, two = ((runs[k][1] / name).read_bytes() for k in ("fresh_one", "fresh_two"))
    assert one == two


def test_a_run_includes_its_documents_whatever_path_they_came_from(
        runs: dict[str, tuple[RunRecord, Path]]) -> None:
    first, second = runs["fresh_one"][0], runs["shared_two"][0]
    assert first.stats["documents"] == 2
    assert second.stats["documents"] == 2 and second.stats["evidence"] == first.stats["evidence"]
    assert (runs["shared_two"][1] / "evidence.jsonl").read_bytes() == (
        runs["fresh_one"][1] / "evidence.jsonl").read_bytes()

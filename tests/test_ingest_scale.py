"""Ingest at scale: duplicates of short documents reported, streamed files stay atomic, wide records, lost
vector stores detected and rebuilt."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import TICKETS, write_tickets
from segscribe.cli.main import app
from segscribe.ingest.service import ingest_paths
from segscribe.search import search_passages
from segscribe.store.vectors import VectorStoreError
from segscribe.store.workspace import Workspace


def test_exact_and_near_duplicate_tickets_are_reported_with_what_was_kept(workspace: Workspace,
                                                                         tmp_path: Path) -> None:
    path = write_tickets(tmp_path / "in" / "tickets.csv", TICKETS)
    report = ingest_paths(workspace, [path], index=False)
    outcome = report.files[0]
    dropped = {d["document"].split("-")[1]: d for d in outcome.duplicates}
    assert set(dropped) == {"t4", "t5"}  # the retweet and the re-submission; two different orders both stay
    assert dropped["t5"]["similarity"] == "1.0" and dropped["t5"]["kept_id"].startswith("ticket-t1-")
    assert dropped["t4"]["kept"].endswith("tickets.csv#T1") and float(dropped["t4"]["similarity"]) >= 0.85
    assert outcome.documents == 4 and len(workspace.documents()) == 4


def test_near_duplicate_in_a_later_file_is_found_from_the_stored_bands(workspace: Workspace, tmp_path: Path) -> None:
    ingest_paths(workspace, [write_tickets(tmp_path / "a" / "jan.csv", TICKETS[:3])], index=False)
    echo = [("T9", "C9", TICKETS[1][2] + " #fail")]
    report = ingest_paths(workspace, [write_tickets(tmp_path / "b" / "feb.csv", echo)], index=False)
    assert report.files[0].status == "duplicate"
    assert report.files[0].duplicates[0]["kept"].endswith("jan.csv#T2")


def test_a_broken_row_deep_in_a_streamed_file_writes_nothing_of_it(workspace: Workspace, tmp_path: Path) -> None:
    rows = [(f"T{i}", f"C{i}", f"Ticket number {i} about a late parcel to Porto and a missing refund.")
            for i in range(300)]
    path = write_tickets(tmp_path / "in" / "tickets.csv", rows)
    path.write_text(path.read_text(encoding="utf-8") + 'T999,C1,,"never closed\n', encoding="utf-8")
    report = ingest_paths(workspace, [path], index=False)
    assert report.files[0].status == "failed" and "broken CSV" in (report.files[0].reason or "")
    assert workspace.documents() == [] and workspace.file_record(str(path.resolve())) is None


def test_very_wide_ticket_csv_keeps_the_index_working(workspace: Workspace, tmp_path: Path, embedder) -> None:
    """Issue 14 item 2: 8,000 columns and 5 rows once broke Chroma's compaction for the whole workspace."""
    path = tmp_path / "in" / "wide.csv"
    path.parent.mkdir()
    extra = [f"field_{i}" for i in range(8000)]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ticket_id", "subject", "description", *extra])
        for r in range(5):
            w.writerow([f"W{r}", f"Wide export {r}", f"The export with many fields number {r} crashes the "
                        f"importer every single time I run it.", *[f"v{r}-{i}" for i in range(8000)]])
    report = ingest_paths(workspace, [path], embedder=embedder)
    assert report.counts() == {"ingested": 1} and report.indexed_documents == 5
    hits = search_passages(workspace, "importer crashes on export", k=5, embedder=embedder)
    assert len(hits) == 5
    filtered = search_passages(workspace, "importer", k=5, where={"field_7999": "v3-7999"}, embedder=embedder)
    assert filtered and {h["doc_id"] for h in filtered} == {d.id for d in workspace.documents()
                                                            if d.metadata["ticket_id"] == "W3"}
    # The workspace stays usable: another file is ingested and searched afterwards.
    more = write_tickets(tmp_path / "in2" / "more.csv", TICKETS[5:])
    assert ingest_paths(workspace, [more], embedder=embedder).indexed_documents == 1
    assert search_passages(workspace, "invoice company address", k=1, embedder=embedder)[0]["text"].startswith(
        "The invoice for March")


def test_deleted_chroma_folder_is_detected_and_reindex_rebuilds(tmp_path: Path, embedder) -> None:
    """Issue 14 item 9: a lost vector store used to answer every search with nothing, exit 0."""
    ws_path = tmp_path / "ws"
    workspace = Workspace.open(ws_path)
    ingest_paths(workspace, [write_tickets(tmp_path / "in" / "t.csv", TICKETS)], embedder=embedder)
    assert search_passages(workspace, "parcel tracking", k=1, embedder=embedder)
    shutil.rmtree(workspace.chroma_path)
    with pytest.raises(VectorStoreError, match="segscribe reindex"):
        search_passages(workspace, "parcel tracking", k=1, embedder=embedder)
    runner = CliRunner()
    res = runner.invoke(app, ["-w", str(ws_path), "search", "parcel tracking"])
    assert res.exit_code == 2 and "segscribe reindex" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["-w", str(ws_path), "reindex", "--json"])
    assert res.exit_code == 0, res.output
    assert '"documents": 4' in res.stdout
    top = search_passages(workspace, "parcel tracking", k=1, embedder=embedder)[0]
    assert "parcel to Leeds" in top["text"]

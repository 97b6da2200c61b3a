"""Ingest batches into a real workspace: idempotency, replacement, duplicates, metadata, search, CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from factories import shared
from segscribe.cli.main import app
from segscribe.ingest.service import ingest_paths
from segscribe.schemas.document import Role
from segscribe.search import search_passages
from segscribe.store.vectors import VectorIndex
from segscribe.store.workspace import Workspace

INTERVIEW = """---
participant: Ana Ruiz
participant_id: p01
interviewer: Sam
---
Sam: What takes the most time at month end?
Ana: Reconciling the bank feed against invoices by hand. It eats two full days every single month.
Sam: What do you use today?
Ana: A giant shared spreadsheet that only I understand, plus a lot of emails chasing approvers.
Sam: If you could change one thing?
Ana: I want approvals to happen on the phone so the close is not blocked by one travelling manager.
"""

OTHER = """Interviewer: How do you track receipts?
Bo: Honestly they live in a shoebox under my desk until the accountant shouts at me in April.
Interviewer: And pricing?
Bo: The jump from the starter plan to the next one is brutal for a five person company like mine.
"""


def make_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "ana.txt").write_text(INTERVIEW, encoding="utf-8")
    (root / "bo.txt").write_text(OTHER, encoding="utf-8")
    (root / "people.csv").write_text("participant_id,company_size,plan\np01,800,Enterprise\n", encoding="utf-8")
    return root


def test_ingest_is_idempotent_and_joins_metadata(workspace: Workspace, tmp_path: Path, embedder) -> None:
    corpus = make_corpus(tmp_path / "c")
    first = ingest_paths(workspace, [corpus], embedder=embedder)
    assert first.counts() == {"ingested": 2, "metadata": 1}
    before = VectorIndex(workspace.chroma_path).count()
    assert before > 0
    again = ingest_paths(workspace, [corpus], embedder=embedder)
    assert again.counts() == {"unchanged": 3}
    assert again.indexed_windows == 0
    assert VectorIndex(workspace.chroma_path).count() == before
    ana = next(d for d in workspace.documents() if d.metadata.get("participant_id") == "p01")
    assert ana.metadata["plan"] == "Enterprise" and ana.metadata["participant"] == "Ana Ruiz"


def test_changed_file_replaces_document_and_vectors(workspace: Workspace, tmp_path: Path, embedder) -> None:
    corpus = make_corpus(tmp_path / "c")
    ingest_paths(workspace, [corpus], embedder=embedder)
    (corpus / "bo.txt").write_text(OTHER.replace("shoebox", "biscuit tin"), encoding="utf-8")
    report = ingest_paths(workspace, [corpus], embedder=embedder)
    assert report.counts() == {"ingested": 1, "unchanged": 2}
    docs = workspace.documents()
    assert len(docs) == 2
    texts = " ".join(d.text for d in docs)
    assert "biscuit tin" in texts and "shoebox" not in texts
    hits = search_passages(workspace, "where are receipts kept", k=20, embedder=embedder)
    assert all("shoebox" not in h["text"] for h in hits)
    assert any("biscuit tin" in h["text"] for h in hits)


def test_near_duplicate_kept_once(workspace: Workspace, tmp_path: Path, embedder) -> None:
    corpus = make_corpus(tmp_path / "c")
    (corpus / "zz_copy.txt").write_text("# Ana interview (copy)\n" + INTERVIEW.split("---\n", 2)[2], encoding="utf-8")
    report = ingest_paths(workspace, [corpus], embedder=embedder)
    dup = next(f for f in report.files if f.path.endswith("zz_copy.txt"))
    assert dup.status == "duplicate"
    assert dup.duplicates[0]["kept"].endswith("ana.txt")
    assert len(workspace.documents()) == 2


def test_bad_files_reported_and_batch_goes_on(workspace: Workspace, tmp_path: Path, embedder) -> None:
    corpus = make_corpus(tmp_path / "c")
    (corpus / "empty.txt").write_text("")
    (corpus / "image.txt").write_bytes(b"\x89PNG\x00\x00\x00binary")
    (corpus / "broken.csv").write_text('ticket_id,body\nT1,"oops\n')
    (corpus / "picture.png").write_bytes(b"\x89PNG")
    report = ingest_paths(workspace, [corpus], embedder=embedder)
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["empty.txt"].status == "failed" and "empty" in (by_name["empty.txt"].reason or "")
    assert by_name["image.txt"].status == "failed" and "binary" in (by_name["image.txt"].reason or "")
    assert by_name["broken.csv"].status == "failed" and "broken CSV" in (by_name["broken.csv"].reason or "")
    assert by_name["picture.png"].status == "skipped"
    assert by_name["ana.txt"].status == "ingested" and by_name["bo.txt"].status == "ingested"
    assert len(workspace.documents()) == 2


def test_interrupted_indexing_is_completed_next_time(workspace: Workspace, tmp_path: Path, embedder) -> None:
    corpus = make_corpus(tmp_path / "c")
    ingest_paths(workspace, [corpus], index=False)
    assert len(workspace.unindexed_ids()) == 2  # documents stored, vectors not yet written
    report = ingest_paths(workspace, [corpus], embedder=embedder)
    assert report.indexed_documents == 2 and workspace.unindexed_ids() == []


def test_search_returns_planted_passage_first(workspace: Workspace, tmp_path: Path, embedder) -> None:
    ingest_paths(workspace, [make_corpus(tmp_path / "c")], embedder=embedder)
    hits = search_passages(workspace, "approving expenses from a mobile phone", k=3, role="participant",
                           embedder=embedder)
    top = hits[0]
    assert "approvals to happen on the phone" in top["text"]
    doc = next(d for d in workspace.documents() if d.id == top["doc_id"])
    assert doc.text[top["start"] : top["end"]] == top["text"]
    assert all(h["role"] == "participant" for h in hits)
    filtered = search_passages(workspace, "pricing", k=5, where={"plan": "Enterprise"}, embedder=embedder)
    assert filtered and all(h["doc_id"] == doc.id for h in filtered)


def test_cli_ingest_status_search_json(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c")
    (corpus / "empty.txt").write_text("")
    ws = str(tmp_path / "ws")
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(corpus), "--workspace", ws, "--json"])
    assert res.exit_code == 1, res.output  # one file failed
    summary = json.loads(res.stdout)
    assert summary["counts"] == {"failed": 1, "ingested": 2, "metadata": 1}
    res = runner.invoke(app, ["-w", ws, "status", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["documents"] == {"interview": 2}
    assert json.loads(res.stdout)["stored_vectors"] > 0  # each indexed window's vector is kept
    res = runner.invoke(app, ["-w", ws, "search", "shoebox receipts", "-k", "1", "--json"])
    assert res.exit_code == 0 and "shoebox" in json.loads(res.stdout)[0]["text"]
    res = runner.invoke(app, ["status", "--workspace", str(tmp_path / "missing")])
    assert res.exit_code == 2 and "segscribe init" in res.output


def test_real_creatives_transcripts(workspace: Workspace) -> None:
    path = shared("interviews_creatives/transcripts.csv")
    report = ingest_paths(workspace, [path], index=False)
    assert report.counts() == {"ingested": 1}
    docs = workspace.documents()
    assert len(docs) == 125
    for doc in docs:
        roles = {p.role for p in doc.passages}
        assert roles == {Role.interviewer, Role.participant}, doc.id
        for p in doc.passages:
            assert doc.text[p.start : p.end] == p.text
            assert not p.text.startswith(("User:", "AI:", "Assistant:"))
            assert p.role is (Role.participant if p.speaker == "User" else Role.interviewer)

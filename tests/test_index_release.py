"""A run lets go of the embedded vector store after indexing; the store still answers when opened again."""

from __future__ import annotations

from pathlib import Path

from factories import write_tickets
from segscribe.ingest.service import ingest_paths
from segscribe.search import search_passages
from segscribe.store.vector_store import release_index
from segscribe.store.workspace import Workspace


def _cached(ws: Workspace) -> bool:
    from chromadb.api.shared_system_client import SharedSystemClient

    return str(ws.chroma_path) in SharedSystemClient._identifier_to_system


def test_release_frees_the_cached_store_and_search_reopens_it(tmp_path: Path, embedder) -> None:
    rows = [(f"T{i}", f"C{i}", f"My refund for order {i} never arrived and support does not answer") for i in range(6)]
    ws = Workspace.open(tmp_path / "ws")
    ingest_paths(ws, [write_tickets(tmp_path / "data" / "t.csv", rows)], index=True, embedder=embedder)
    assert _cached(ws)
    assert release_index(ws) and not _cached(ws)
    assert not release_index(ws)  # nothing open any more
    hits = search_passages(ws, "refund never arrived", k=3, embedder=embedder)
    assert len(hits) == 3 and _cached(ws)
    release_index(ws)

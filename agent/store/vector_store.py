"""Which vector store a workspace uses, and whether it still holds what the workspace says it indexed."""

from __future__ import annotations

from typing import Any

from segscribe.store.vectors import VectorIndex, VectorStoreError
from segscribe.store.workspace import Workspace

MARKER = "vector_store"


def chroma_url(ws: Workspace) -> str | None:
    """The Chroma server for this workspace (`--chroma-url`, SEGSCRIBE_CHROMA_URL or `chroma_url:` in
    config.yaml, through the workspace settings), or None for the embedded store in the workspace folder."""
    url = ws.settings().chroma_url
    return url.strip() or None if url else None


def open_index(ws: Workspace, *, check: bool = True) -> VectorIndex:
    """The workspace's vector index; with `check`, fail loudly when it lost the indexed vectors."""
    url = chroma_url(ws)
    if url:
        index = VectorIndex(url=url)
    elif ws.read_only:  # status/search on a read-only workspace: query a copy when the folder cannot be written
        index = VectorIndex.open_read_only(ws.chroma_path)
    else:
        index = VectorIndex(ws.chroma_path)
    if check:
        verify(ws, index)
    return index


def release_index(ws: Workspace) -> bool:
    """Let go of the workspace's embedded Chroma store in this process (a server's is not in this process).

    Chroma keeps an opened store, with its vector index in memory, for the life of the process; a run needs it
    only while indexing. Returns whether one was open."""
    from segscribe.store.vectors import release_cached_store

    if chroma_url(ws):
        return False
    return release_cached_store(str(ws.chroma_path))


def _where(index: VectorIndex, ws: Workspace) -> str:
    # A read-only workspace queries a private copy of its own folder: that is still the embedded store.
    embedded = index.where == str(ws.chroma_path) or (ws.read_only and not chroma_url(ws))
    return "embedded" if embedded else index.where


def verify(ws: Workspace, index: VectorIndex) -> None:
    """Raise VectorStoreError when documents are marked indexed but this collection is not the one they went to.

    A deleted Chroma folder, a reset server or a new --chroma-url all give a new, empty collection; search
    would then answer nothing forever while the database says everything is indexed.
    """
    marker: dict[str, Any] | None = ws.get_kv(MARKER)
    indexed = ws.indexed_count()
    here = {"where": _where(index, ws), "collection": index.collection_id}
    if marker == here:
        return
    if indexed == 0 or (marker is None and index.count() > 0):  # nothing to lose, or a workspace from before
        if not ws.read_only:
            ws.set_kv(MARKER, here)
        return
    raise VectorStoreError(
        f"the vector index ({here['where']}) does not hold the vectors of the {indexed} indexed documents "
        "(Chroma folder deleted, server reset, or a different --chroma-url): rebuild it with `segscribe reindex`")


def adopt(ws: Workspace, index: VectorIndex) -> None:
    """Record that this collection now holds the workspace's vectors."""
    ws.set_kv(MARKER, {"where": _where(index, ws), "collection": index.collection_id})


__all__ = ["VectorStoreError", "adopt", "chroma_url", "open_index", "release_index", "verify"]

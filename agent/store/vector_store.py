"""Which vector store a workspace uses, and whether it still holds what the workspace says it indexed."""

from __future__ import annotations

import os
from typing import Any

from segscribe.store.vectors import VectorIndex, VectorStoreError
from segscribe.store.workspace import Workspace

MARKER = "vector_store"


def chroma_url(ws: Workspace) -> str | None:
    """The Chroma server for this workspace: `--chroma-url`, else `chroma_url:` in config.yaml, else None.

    None means the embedded store in the workspace folder. (The one place that reads this setting.)
    """
    url = os.environ.get("SEGSCRIBE_CHROMA_URL") or ws.config().get("chroma_url")
    return str(url).strip() or None if url else None


def open_index(ws: Workspace, *, check: bool = True) -> VectorIndex:
    """The workspace's vector index; with `check`, fail loudly when it lost the indexed vectors."""
    url = chroma_url(ws)
    index = VectorIndex(url=url) if url else VectorIndex(ws.chroma_path)
    if check:
        verify(ws, index)
    return index


def _where(index: VectorIndex, ws: Workspace) -> str:
    return index.where if index.where != str(ws.chroma_path) else "embedded"


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
        ws.set_kv(MARKER, here)
        return
    raise VectorStoreError(
        f"the vector index ({here['where']}) does not hold the vectors of the {indexed} indexed documents "
        "(Chroma folder deleted, server reset, or a different --chroma-url): rebuild it with `segscribe reindex`")


def adopt(ws: Workspace, index: VectorIndex) -> None:
    """Record that this collection now holds the workspace's vectors."""
    ws.set_kv(MARKER, {"where": _where(index, ws), "collection": index.collection_id})


__all__ = ["VectorStoreError", "adopt", "chroma_url", "open_index", "verify"]

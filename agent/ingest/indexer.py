"""Embed passages that are not yet in the vector index."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from segscribe.store.workspace import Workspace

EMBED_CHUNK = 1024


DEFAULT_INDEX_ROLES = ("participant", "customer")


def index_pending(ws: Workspace, stale_ids: list[str], progress: Callable[[str, int, int], None] | None = None,
                  embedder: Any = None, roles: tuple[str, ...] | None = DEFAULT_INDEX_ROLES) -> tuple[int, int]:
    """Delete stale vectors, then embed every unindexed document. Returns (documents, windows).

    By default only participant/customer passages are embedded: they are what
    evidence and search are about, and skipping long agent replies and
    interviewer turns roughly halves embedding time. Pass ``roles=None`` to
    embed every passage.
    """
    with ws.lock("index"):
        return _index_pending(ws, stale_ids, progress, embedder, roles)


def _index_pending(ws: Workspace, stale_ids: list[str], progress: Callable[[str, int, int], None] | None,
                   embedder: Any, roles: tuple[str, ...] | None) -> tuple[int, int]:
    from segscribe.embed import default_embedder
    from segscribe.store.vectors import VectorIndex

    pending = ws.unindexed_ids()
    if not pending and not stale_ids:
        return 0, 0
    index = VectorIndex(ws.chroma_path)
    # Pending documents may have old windows (e.g. roles changed after a metadata join): clear them first.
    index.delete_documents(set(stale_ids) | set(pending))
    if not pending:
        return 0, 0
    emb = embedder or default_embedder()
    ws.set_kv("embedder", {"model_id": emb.model_id, "dim": emb.dim})
    docs = {d.id: d for d in ws.documents(ids=pending)}
    n_windows = 0
    done = 0
    # Chroma writes run on one background thread while the next chunk is embedded; a chunk's
    # documents are marked indexed only after its vectors are written.
    with ThreadPoolExecutor(max_workers=1) as writer:
        in_flight: tuple[Future[None], list[str], int] | None = None
        for ids, wins in _chunks(pending, docs, roles):
            vecs = emb.embed([w.text for w in wins])
            if in_flight is not None:
                done, n_windows = _finish(ws, in_flight, done, n_windows, len(pending), progress)
            in_flight = (writer.submit(index.upsert, wins, vecs, docs), ids, len(wins))
        if in_flight is not None:
            done, n_windows = _finish(ws, in_flight, done, n_windows, len(pending), progress)
    return done, n_windows


def _chunks(pending: list[str], docs: dict[str, Any], roles: tuple[str, ...] | None) -> Any:
    """(document ids, windows) in chunks of about EMBED_CHUNK windows."""
    from segscribe.store.vectors import windows

    batch_ids: list[str] = []
    batch_wins: list[Any] = []
    for doc_id in pending:
        doc = docs[doc_id]
        for p in doc.passages:
            if roles is None or p.role.value in roles:
                batch_wins.extend(windows(doc, p))
        batch_ids.append(doc_id)
        if len(batch_wins) >= EMBED_CHUNK or doc_id == pending[-1]:
            yield batch_ids, batch_wins
            batch_ids, batch_wins = [], []


def _finish(ws: Workspace, in_flight: tuple[Future[None], list[str], int], done: int, n_windows: int,
            total: int, progress: Callable[[str, int, int], None] | None) -> tuple[int, int]:
    future, ids, n = in_flight
    future.result()  # re-raises a failed write: those documents stay unindexed for the next run
    ws.mark_indexed(ids)
    if progress:
        progress("embed", done + len(ids), total)
    return done + len(ids), n_windows + n

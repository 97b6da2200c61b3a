"""Embed passages that are not yet in the vector index, a chunk of documents at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from segscribe.schemas.document import Document
from segscribe.store.workspace import Workspace

EMBED_CHUNK = 1024  # windows embedded per call; also bounds what is held in memory
DOC_CHUNK = 500  # documents loaded from the database at a time
DEFAULT_INDEX_ROLES = ("participant", "customer")

Progress = Callable[[str, int, int], None]
InFlight = tuple[Future[None], list[str], int]


def index_pending(ws: Workspace, stale_ids: list[str], progress: Progress | None = None,
                  embedder: Any = None, roles: tuple[str, ...] | None = DEFAULT_INDEX_ROLES) -> tuple[int, int]:
    """Delete stale vectors, then embed every unindexed document. Returns (documents, windows).

    By default only participant/customer passages are embedded: they are what
    evidence and search are about, and skipping long agent replies and
    interviewer turns roughly halves embedding time. Pass ``roles=None`` to
    embed every passage. Documents are read, embedded and written in chunks,
    so memory does not grow with the number of documents.
    """
    with ws.lock("index"):
        return _index_pending(ws, stale_ids, progress, embedder, roles)


def _index_pending(ws: Workspace, stale_ids: list[str], progress: Progress | None,
                   embedder: Any, roles: tuple[str, ...] | None) -> tuple[int, int]:
    from segscribe.store.vector_store import open_index

    pending = ws.unindexed_ids()
    if not pending and not stale_ids:
        return 0, 0
    index = open_index(ws)
    # Pending documents may have old windows (e.g. roles changed after a metadata join): clear them first.
    index.delete_documents(set(stale_ids) | set(pending))
    if not pending:
        return 0, 0
    emb = stored_embedder(ws, embedder)
    ws.set_kv("embedder", {"model_id": emb.model_id, "dim": emb.dim})
    # Through the workspace's stored vectors, not the run's memo: every window of a run passes through here
    # once, and the memo would keep all their vectors in memory until the run ends. A text embedded before
    # (a repeated subject line, an earlier ingest of the same text) is read back, not embedded again.
    n_windows = done = 0
    # Chroma writes run on one background thread while the next chunk goes through the model; a chunk's
    # documents are marked indexed only after its vectors are written. Chroma's write holds the GIL, so the
    # next chunk's documents and stored vectors are read before a write starts, not during it: during the
    # write the main thread runs only the model, which releases the GIL (at 25k tickets reads waiting on
    # writes had cost 20 s of the index stage's 173).
    chunks = _chunks(ws, pending, roles)

    def prepared() -> tuple[list[str], list[Any], dict[str, Document], dict[str, Any]] | None:
        chunk = next(chunks, None)
        return None if chunk is None else (*chunk, emb.stored([w.text for w in chunk[1]]))

    with ThreadPoolExecutor(max_workers=1) as writer:
        in_flight: InFlight | None = None
        current = prepared()
        while current is not None:
            ids, wins, docs, found = current
            vecs = emb.complete([w.text for w in wins], found)
            current = prepared()
            if in_flight is not None:
                done, n_windows = _finish(ws, in_flight, done, n_windows, len(pending), progress)
            in_flight = (writer.submit(index.upsert, wins, vecs, docs), ids, len(wins))
        if in_flight is not None:
            done, n_windows = _finish(ws, in_flight, done, n_windows, len(pending), progress)
    return done, n_windows


def stored_embedder(ws: Workspace, embedder: Any = None) -> Any:
    """`embedder` (default: the bundled model) reading and writing the vectors stored in `ws`."""
    from segscribe.embed import CachedEmbedder, default_embedder
    from segscribe.store.embeddings import EmbeddingStore

    if isinstance(embedder, CachedEmbedder) and embedder.store is not None:
        return embedder
    inner = embedder.inner if isinstance(embedder, CachedEmbedder) else embedder or default_embedder()
    # Keyed by the weights' version where the embedder names one, so new weights never reuse old vectors.
    return CachedEmbedder(inner, EmbeddingStore(ws, getattr(inner, "model_key", inner.model_id), inner.dim))


def reindex(ws: Workspace, progress: Progress | None = None, embedder: Any = None,
            roles: tuple[str, ...] | None = DEFAULT_INDEX_ROLES) -> tuple[int, int]:
    """Rebuild the vector store from the passages in SQLite (after a lost folder, a reset server, a new URL)."""
    from segscribe.store.vector_store import adopt, open_index

    index = open_index(ws, check=False)
    index.reset()
    ws.mark_all_unindexed()
    adopt(ws, index)
    return index_pending(ws, [], progress, embedder, roles)


def _chunks(ws: Workspace, pending: list[str], roles: tuple[str, ...] | None
            ) -> Iterator[tuple[list[str], list[Any], dict[str, Document]]]:
    """(document ids, windows, their documents) in chunks of about EMBED_CHUNK windows."""
    from segscribe.store.vectors import windows

    batch_ids: list[str] = []
    batch_wins: list[Any] = []
    batch_docs: dict[str, Document] = {}
    for b in range(0, len(pending), DOC_CHUNK):
        for doc in ws.documents(ids=pending[b : b + DOC_CHUNK]):
            for p in doc.passages:
                if roles is None or p.role.value in roles:
                    batch_wins.extend(windows(doc, p))
            batch_ids.append(doc.id)
            batch_docs[doc.id] = doc
            if len(batch_wins) >= EMBED_CHUNK:
                yield batch_ids, batch_wins, batch_docs
                batch_ids, batch_wins, batch_docs = [], [], {}
    if batch_ids:
        yield batch_ids, batch_wins, batch_docs


def _finish(ws: Workspace, in_flight: InFlight, done: int, n_windows: int, total: int,
            progress: Progress | None) -> tuple[int, int]:
    future, ids, n = in_flight
    future.result()  # re-raises a failed write: those documents stay unindexed for the next run
    ws.mark_indexed(ids)
    if progress:
        progress("embed", done + len(ids), total)
    return done + len(ids), n_windows + n

"""Embed passages that are not yet in the vector index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.store.workspace import Workspace

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
    from agent.embed import default_embedder
    from agent.store.vectors import VectorIndex, windows

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
    batch_ids: list[str] = []
    batch_wins: list[Any] = []
    for doc_id in pending:
        doc = docs[doc_id]
        for p in doc.passages:
            if roles is not None and p.role.value not in roles:
                continue
            batch_wins.extend(windows(doc, p))
        batch_ids.append(doc_id)
        if len(batch_wins) >= EMBED_CHUNK or doc_id == pending[-1]:
            vecs = emb.embed([w.text for w in batch_wins])
            index.upsert(batch_wins, vecs, docs)
            ws.mark_indexed(batch_ids)  # only after the vectors are safely written
            n_windows += len(batch_wins)
            done += len(batch_ids)
            batch_ids, batch_wins = [], []
            if progress:
                progress("embed", done, len(pending))
    return done, n_windows

"""Semantic search over the passage index."""

from __future__ import annotations

from typing import Any

from segscribe.errors import UsageError
from segscribe.store.workspace import Workspace

ID_FILTER_CHUNK = 1000  # document ids per `$in` filter when searching within documents picked by metadata


def _where(kind: str | None, role: str | None, doc_ids: list[str] | None = None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if kind:
        clauses.append({"kind": kind})
    if role:
        clauses.append({"role": role})
    if doc_ids is not None:
        clauses.append({"doc_id": {"$in": doc_ids}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def search_passages(ws: Workspace, query: str, *, k: int = 10, kind: str | None = None, role: str | None = None,
                    where: dict[str, str] | None = None, embedder: Any = None) -> list[dict[str, Any]]:
    """Top-k passage windows with document, speaker, offsets and the exact cited text.

    Metadata filters (`where`) are resolved in the workspace database, where every field of a document is
    kept; the vector store holds only what it filters on itself (kind, role, document id).
    """
    from segscribe.embed import default_embedder
    from segscribe.store.vector_store import open_index

    if not query.strip():
        raise UsageError("empty query: say what to search for")
    index = open_index(ws)
    emb = embedder or default_embedder()
    vector = emb.embed([query])[0]
    if where:
        ids = ws.ids_where(where)
        groups = [ids[b : b + ID_FILTER_CHUNK] for b in range(0, len(ids), ID_FILTER_CHUNK)]
        hits = sorted((h for g in groups for h in index.query(vector, k=k, where=_where(kind, role, g))),
                      key=lambda h: (-h.score, h.window_id))[:k]
    else:
        hits = index.query(vector, k=k, where=_where(kind, role))
    docs = {d.id: d for d in ws.documents(ids={h.doc_id for h in hits})}
    out: list[dict[str, Any]] = []
    for h in hits:
        doc = docs.get(h.doc_id)
        if doc is None:  # vectors of a document removed since: never cite what is gone
            continue
        passage = next((p for p in doc.passages if p.id == h.passage_id), None)
        out.append({"doc_id": h.doc_id, "passage_id": h.passage_id, "speaker": h.speaker, "role": h.role,
                    "kind": h.kind, "start": h.start, "end": h.end, "text": doc.text[h.start:h.end],
                    "score": h.score, "timestamp": passage.timestamp if passage else None})
    return out

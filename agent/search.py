"""Semantic search over the passage index."""

from __future__ import annotations

from typing import Any

from segscribe.errors import UsageError
from segscribe.store.workspace import Workspace


def _where(kind: str | None, role: str | None, extra: dict[str, str]) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if kind:
        clauses.append({"kind": kind})
    if role:
        clauses.append({"role": role})
    for key, val in sorted(extra.items()):
        clauses.append({f"m_{key}": val})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def search_passages(ws: Workspace, query: str, *, k: int = 10, kind: str | None = None, role: str | None = None,
                    where: dict[str, str] | None = None, embedder: Any = None) -> list[dict[str, Any]]:
    """Top-k passage windows with document, speaker, offsets and the exact cited text."""
    from segscribe.embed import default_embedder
    from segscribe.store.vectors import VectorIndex

    if not query.strip():
        raise UsageError("empty query: say what to search for")
    emb = embedder or default_embedder()
    index = VectorIndex.open_read_only(ws.chroma_path) if ws.read_only else VectorIndex(ws.chroma_path)
    hits = index.query(emb.embed([query])[0], k=k, where=_where(kind, role, where or {}))
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

"""The persistent Chroma index of passage windows. The only module importing chromadb."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from segscribe.schemas.document import Document, Passage

COLLECTION = "passages"
WINDOW_WORDS = 80  # about 110 word pieces: inside MiniLM's 128-token training length
OVERLAP_WORDS = 20
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Window:
    id: str
    passage: Passage
    start: int
    end: int
    text: str


def windows(doc: Document, passage: Passage) -> list[Window]:
    """Split a passage into overlapping word windows whose offsets stay exact."""
    words = [(m.start() + passage.start, m.end() + passage.start) for m in _WORD.finditer(passage.text)]
    if not words:
        return []
    out: list[Window] = []
    step = WINDOW_WORDS - OVERLAP_WORDS
    i = 0
    while True:
        chunk = words[i : i + WINDOW_WORDS]
        s, e = chunk[0][0], chunk[-1][1]
        out.append(Window(f"{passage.id}#w{len(out)}", passage, s, e, doc.text[s:e]))
        if i + WINDOW_WORDS >= len(words):
            break
        i += step
    return out


def _scalar_meta(doc: Document) -> dict[str, str | int | float | bool]:
    out: dict[str, str | int | float | bool] = {}
    for k, v in doc.metadata.items():
        if isinstance(v, bool | int | float) or (isinstance(v, str) and len(v) < 200):
            out[f"m_{k}"] = v
    return out


@dataclass
class Hit:
    window_id: str
    doc_id: str
    passage_id: str
    speaker: str
    role: str
    kind: str
    start: int
    end: int
    text: str
    score: float
    metadata: dict[str, Any]


class VectorIndex:
    """Chroma persisted on disk under the workspace; embeddings come from our own embedder."""

    def __init__(self, path: Path) -> None:
        import chromadb
        from chromadb.config import Settings

        path.mkdir(parents=True, exist_ok=True)
        self._client = chromadb.PersistentClient(
            path=str(path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
        )
        self._col = self._client.get_or_create_collection(
            COLLECTION, metadata={"hnsw:space": "cosine"}, embedding_function=None
        )
        self.max_batch = int(getattr(self._client, "get_max_batch_size", lambda: 5000)())

    @classmethod
    def open_read_only(cls, path: Path) -> VectorIndex:
        """The index at `path` for queries only, also when the folder cannot be written.

        Chroma has no read-only client (chroma-core/chroma#1438): it writes to its SQLite file on open. On
        a folder we cannot write, query a private temporary copy instead; it is removed with the object.
        """
        import os
        import shutil
        import tempfile
        import weakref

        if os.access(path, os.W_OK) and all(os.access(p, os.W_OK) for p in path.glob("*.sqlite3")):
            return cls(path)
        tmp = tempfile.mkdtemp(prefix="segscribe-index-")
        copy = Path(tmp) / "chroma"
        if path.is_dir():
            shutil.copytree(path, copy)
        index = cls(copy)
        weakref.finalize(index, shutil.rmtree, tmp, True)
        return index

    def count(self) -> int:
        return int(self._col.count())

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        ids = sorted(set(doc_ids))
        if not ids or self.count() == 0:
            return
        for b in range(0, len(ids), 500):
            self._col.delete(where={"doc_id": {"$in": ids[b : b + 500]}})  # type: ignore[dict-item]

    def upsert(self, wins: Sequence[Window], vectors: np.ndarray, docs: dict[str, Document]) -> None:
        for b in range(0, len(wins), self.max_batch):
            part = wins[b : b + self.max_batch]
            metas: list[dict[str, Any]] = []
            for w in part:
                doc = docs[w.passage.doc_id]
                meta: dict[str, Any] = {
                    "doc_id": doc.id, "passage_id": w.passage.id, "speaker": w.passage.speaker,
                    "role": w.passage.role.value, "kind": doc.kind.value, "start": w.start, "end": w.end,
                }
                meta.update(_scalar_meta(doc))
                metas.append(meta)
            # No `documents=`: the text lives in the workspace database, and leaving it out spares Chroma
            # its full-text index (about half of the upsert time on ticket exports).
            self._col.upsert(
                ids=[w.id for w in part],
                embeddings=vectors[b : b + len(part)].tolist(),
                metadatas=metas,  # type: ignore[arg-type]
            )

    def query(self, vector: np.ndarray, k: int = 10, where: dict[str, Any] | None = None) -> list[Hit]:
        res = self._col.query(query_embeddings=[vector.tolist()], n_results=k, where=where or None,
                              include=["metadatas", "distances"])
        hits: list[Hit] = []
        ids = res["ids"][0]
        metas = (res.get("metadatas") or [[]])[0]
        dists = (res.get("distances") or [[]])[0]
        for i, wid in enumerate(ids):
            m = dict(metas[i] or {})
            hits.append(Hit(wid, str(m["doc_id"]), str(m["passage_id"]), str(m["speaker"]), str(m["role"]),
                            str(m["kind"]), int(m["start"]), int(m["end"]), "",  # type: ignore[arg-type]
                            round(1.0 - float(dists[i]), 6), m))
        return hits

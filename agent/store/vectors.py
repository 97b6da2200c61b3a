"""The persistent Chroma index of passage windows. The only module importing chromadb."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from segscribe.errors import SegscribeError
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


class VectorStoreError(SegscribeError):
    """The vector store cannot be reached, or it lost vectors the workspace says it has."""


@contextmanager
def _store_errors(where: str) -> Iterator[None]:
    """Turn a lost connection or a broken store into one line that says what to do."""
    try:
        yield
    except VectorStoreError:
        raise
    except Exception as exc:
        name = type(exc).__name__
        if "connect" in str(exc).lower() or name in ("ConnectError", "ConnectTimeout", "ReadError",
                                                       "RemoteProtocolError", "ReadTimeout"):
            raise VectorStoreError(f"cannot reach the Chroma server at {where} ({name}): start it "
                                   f"(`chroma run --path DIR --port PORT`) or fix --chroma-url / chroma_url "
                                   "in config.yaml") from exc
        raise VectorStoreError(f"the vector store at {where} failed ({name}: {str(exc)[:200]}); "
                               "rebuild it with `segscribe reindex`") from exc


def _forget_cached_store(path: str) -> None:
    """Chroma keeps one store per folder for the life of the process; a deleted folder must not be reused
    from that cache (it would still answer from the deleted files)."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient._identifier_to_system.pop(path, None)
        SharedSystemClient._identifier_to_refcount.pop(path, None)
    except (ImportError, AttributeError):  # another chromadb layout: nothing cached the way we know
        pass


def release_cached_store(path: str) -> bool:
    """Stop the embedded store Chroma keeps for this folder, freeing its in-memory segments (the HNSW index of
    every indexed window: hundreds of MB at 100k tickets). The files stay; the next open reads them again.

    Returns whether there was one to stop."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        system = SharedSystemClient._identifier_to_system.pop(path, None)
        SharedSystemClient._identifier_to_refcount.pop(path, None)
    except (ImportError, AttributeError):  # another chromadb layout: nothing cached the way we know
        return False
    if system is None:
        return False
    system.stop()
    return True


class VectorIndex:
    """Passage windows in Chroma: embedded under the workspace, or a Chroma server given by URL.

    Embeddings come from our own embedder. Only what search filters and hits need is stored as metadata
    (document, passage, speaker, role, kind, offsets); the text and a document's own fields stay in SQLite.
    """

    def __init__(self, path: Path | None = None, url: str | None = None, retries: int = 4) -> None:
        import chromadb
        from chromadb.config import Settings

        self.where = url or str(path)
        self.retries = retries
        settings = Settings(anonymized_telemetry=False, allow_reset=False)
        with _store_errors(self.where):
            if url:
                u = urlsplit(url)
                if u.scheme not in ("http", "https") or not u.hostname:
                    raise VectorStoreError(f"--chroma-url must look like http://HOST:PORT, got {url!r}")
                self._client = self._retry(lambda: chromadb.HttpClient(
                    host=u.hostname or "", port=u.port or (443 if u.scheme == "https" else 8000),
                    ssl=u.scheme == "https", settings=settings))
            else:
                assert path is not None
                if not (path / "chroma.sqlite3").exists():
                    _forget_cached_store(str(path))
                path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(path), settings=settings)
            self._col = self._retry(self._collection)
            self.max_batch = int(getattr(self._client, "get_max_batch_size", lambda: 5000)())

    def _collection(self) -> Any:
        return self._client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"},
                                                     embedding_function=None)

    def _retry(self, call: Callable[[], Any]) -> Any:
        """Call, retrying a lost connection with backoff (a server restart takes a few seconds)."""
        for attempt in range(self.retries + 1):
            try:
                return call()
            except Exception as exc:
                transient = "connect" in str(exc).lower() or type(exc).__name__ in ("ConnectError", "ReadError",
                                                                                    "RemoteProtocolError")
                if not transient or attempt == self.retries:
                    raise
                time.sleep(min(4.0, 0.25 * 2**attempt))
        raise AssertionError("unreachable")

    @property
    def collection_id(self) -> str:
        return str(self._col.id)

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
        with _store_errors(self.where):
            return int(self._retry(self._col.count))

    def reset(self) -> None:
        """Drop the collection and start an empty one (for `segscribe reindex`)."""
        with _store_errors(self.where):
            try:
                self._client.delete_collection(COLLECTION)
            except Exception as exc:  # absent already: nothing to drop
                if "does not exist" not in str(exc).lower() and "not found" not in str(exc).lower():
                    raise
            self._col = self._retry(self._collection)

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        ids = sorted(set(doc_ids))
        if not ids or self.count() == 0:
            return
        with _store_errors(self.where):
            for b in range(0, len(ids), 500):
                part = ids[b : b + 500]
                self._retry(lambda p=part: self._col.delete(where={"doc_id": {"$in": p}}))  # type: ignore[misc]

    def upsert(self, wins: Sequence[Window], vectors: np.ndarray, docs: dict[str, Document]) -> None:
        with _store_errors(self.where):
            for b in range(0, len(wins), self.max_batch):
                part = wins[b : b + self.max_batch]
                metas = [{"doc_id": w.passage.doc_id, "passage_id": w.passage.id, "speaker": w.passage.speaker[:200],
                          "role": w.passage.role.value, "kind": docs[w.passage.doc_id].kind.value,
                          "start": w.start, "end": w.end} for w in part]
                # No `documents=`: the text lives in the workspace database, and leaving it out spares Chroma
                # its full-text index (about half of the upsert time on ticket exports).
                ids, vecs = [w.id for w in part], vectors[b : b + len(part)].tolist()
                self._retry(lambda i=ids, v=vecs, m=metas: self._col.upsert(  # type: ignore[misc]
                    ids=i, embeddings=v, metadatas=m))

    def query(self, vector: np.ndarray, k: int = 10, where: dict[str, Any] | None = None) -> list[Hit]:
        with _store_errors(self.where):
            res = self._retry(lambda: self._col.query(query_embeddings=[vector.tolist()], n_results=k,
                                                      where=where or None, include=["metadatas", "distances"]))
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

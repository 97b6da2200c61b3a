"""Sentence vectors already computed in this workspace, by model and SHA-256 of the text.

The embedder is the slowest part of a run, and a run embeds the same texts more than once: passage
windows for the index, then evidence quotes (a short ticket's whole message is often one quote), and a
re-run or a re-ingest embeds everything again. The vectors of a text are a pure function of the model and
the text (they do not depend on the batch the text was embedded in), so a stored vector is exactly the one
the model would return. Rows live on disk in the workspace database, so memory does not grow with them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

from segscribe.store.workspace import Workspace

# A rowid table: its pages hold a 1.5 KB vector inline (a WITHOUT ROWID table spills each one to an overflow
# page, about 5 KB on disk a vector instead of about 2 KB).
SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
  model TEXT NOT NULL, key BLOB NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS embeddings_key ON embeddings(model, key);
"""
_LOOKUP = 500  # keys per SELECT: SQLite caps the number of bound parameters


def text_key(text: str) -> bytes:
    """The stored key of a text: its SHA-256 digest (the text itself stays in the passages table)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class EmbeddingStore:
    """`get`/`put` float32 vectors of one model by text, in the `embeddings` table of a workspace."""

    def __init__(self, ws: Workspace, model_id: str, dim: int) -> None:
        self.ws = ws
        self.model_id = model_id
        self.dim = dim
        with ws.connect() as con:
            con.executescript(SCHEMA)

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those of `texts` that have one."""
        keys = {text_key(t): t for t in dict.fromkeys(texts)}
        wanted = list(keys)
        found: dict[str, np.ndarray] = {}
        with self.ws.connect() as con:
            for i in range(0, len(wanted), _LOOKUP):
                part = wanted[i : i + _LOOKUP]
                marks = ",".join("?" * len(part))
                for key, dim, blob in con.execute(
                        f"SELECT key, dim, vector FROM embeddings WHERE model = ? AND key IN ({marks})",
                        [self.model_id, *part]):
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if dim == self.dim and vec.shape[0] == dim:  # a torn or foreign row is embedded again
                        found[keys[key]] = vec
        return found

    def put(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store vectors (one transaction: all of them or none)."""
        rows = [(self.model_id, text_key(t), self.dim, np.ascontiguousarray(v, dtype=np.float32).tobytes())
                for t, v in items]
        if not rows:
            return
        with self.ws.connect() as con:
            con.executemany("INSERT OR REPLACE INTO embeddings VALUES (?,?,?,?)", rows)

    def count(self) -> int:
        with self.ws.connect() as con:
            return int(con.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?",
                                   (self.model_id,)).fetchone()[0])

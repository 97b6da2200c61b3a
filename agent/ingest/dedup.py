"""Exact and near-duplicate documents, found in memory that does not grow with the workspace.

Exact duplicates share a content hash (an indexed SQLite column). Near-duplicates are found with
MinHash signatures (datasketch) cut into LSH bands that live in the workspace's `lsh_bands` table, so a
candidate lookup is one indexed query; each candidate is then confirmed with the exact similarity:

- long interviews and notes (at least `LONG_MIN_WORDS` words): Jaccard of word 3-gram shingles of the
  passages, as before;
- short documents (tickets, survey answers; at least `SHORT_MIN_WORDS` words): Jaccard of word 1- and
  2-grams of the message (the longest customer passage, not the subject line) once echo marks are
  removed (`RT`, @mentions, #tags, `+1`), so a complaint retweeted ("RT @ana: ...") or echoed with a tag
  is the same complaint, while two messages that name different numbers (an order id, an amount, a
  date) never are.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from segscribe.schemas.document import DocKind, Document, Passage, Role

LONG_MIN_WORDS = 50
SHORT_MIN_WORDS = 8
NUM_PERM, BANDS = 64, 16  # 16 bands of 4 rows: pairs from similarity ~0.5 up become candidates
MIN_BANDS = 4
BUCKET_CAP = 64
MAX_CANDIDATES = 10
_WORD = re.compile(r"\w+")
_ECHO = re.compile(r"(?<![\w@#])(?:[@#]\w+|rt\b|\+1\b)")
_LONG_KINDS = (DocKind.interview, DocKind.notes)
_VOICE = (Role.participant, Role.customer)


@dataclass(frozen=True)
class Hit:
    doc_id: str
    source: str
    similarity: float


def shingles(doc: Document) -> tuple[str, set[str]] | None:
    """(mode, shingles) a document is compared by, or None when it is too short to call a copy."""
    if doc.kind in _LONG_KINDS:
        words = _WORD.findall("\n".join(p.text for p in doc.passages).lower())
        if len(words) < LONG_MIN_WORDS:
            return None
        return "long", {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    # The message is the longest customer passage: a retweet or a re-sent form carries no subject line.
    voice = max((p.text for p in doc.passages if p.role in _VOICE), key=len, default="").lower()
    words = _WORD.findall(_ECHO.sub(" ", voice))
    if len(words) < SHORT_MIN_WORDS:
        return None
    return "short", set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}


def similarity(mode: str, a: set[str], b: set[str]) -> float:
    """Jaccard of the shingles; short texts naming different numbers (order ids, amounts, dates) are about
    different things, however alike their words."""
    if not a or not b:
        return 0.0
    jac = len(a & b) / len(a | b)
    if mode == "short" and jac > 0 and _numbers(a) != _numbers(b):
        return 0.0
    return jac


def _numbers(sh: set[str]) -> set[str]:
    return {t for t in sh if " " not in t and not t.isalpha() and any(ch.isdigit() for ch in t)}


_TEMPLATE: Any = None


def band_keys(mode: str, sh: set[str]) -> list[int]:
    """The LSH band keys of a shingle set: one signed 64-bit integer per band."""
    from datasketch import MinHash

    global _TEMPLATE
    if _TEMPLATE is None:  # drawing the permutations is most of the cost of a new MinHash: draw them once
        _TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)
    mh = MinHash(num_perm=NUM_PERM, seed=1, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    mh.update_batch([s.encode("utf-8") for s in sh])  # a minimum: the order of the shingles does not matter
    rows = NUM_PERM // BANDS
    values = np.asarray(mh.hashvalues, dtype=np.uint64)
    keys = []
    for b in range(BANDS):
        digest = hashlib.blake2b(f"{mode}{b}".encode() + values[b * rows : (b + 1) * rows].tobytes(),
                                 digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def _stored(con: sqlite3.Connection, doc_id: str) -> Document | None:
    row = con.execute("SELECT kind, source, text FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        return None
    ps = [Passage(id=p[0], doc_id=doc_id, index=p[1], speaker=p[2], role=p[3], start=p[4], end=p[5],
                  text=row[2][p[4]:p[5]])
          for p in con.execute('SELECT id, idx, speaker, role, start, "end" FROM passages WHERE doc_id = ? '
                               "ORDER BY idx", (doc_id,))]
    return Document(id=doc_id, kind=row[0], source=row[1], content_hash="", text=row[2], passages=ps)


@dataclass
class DuplicateIndex:
    """Checks run inside the write transaction of a file, so documents earlier in the same file count."""

    threshold: float
    hits: dict[str, Hit] = field(default_factory=dict)
    _pending: dict[str, tuple[str, set[str], list[int]]] = field(default_factory=dict)

    def check(self, con: sqlite3.Connection, doc: Document, path: str) -> str | None:
        """None to keep `doc`; else the id of the stored document it duplicates (the hit goes to `hits`).

        The same text from another file is a duplicate even with the same id (ids derive from the file's name
        and content, so a copy of a folder gives the same ids); within one file, another row with the same
        text is.
        """
        self._pending.pop(doc.id, None)
        row = con.execute("SELECT id, source FROM documents WHERE content_hash = ? AND (file != ? OR id != ?) "
                          "LIMIT 1", (doc.content_hash, path, doc.id)).fetchone()
        if row:
            self.hits[doc.id] = Hit(row[0], row[1], 1.0)
            return str(row[0])
        found = shingles(doc)
        if found is None:
            return None
        mode, sh = found
        keys = band_keys(mode, sh)
        hit = self._near(con, doc, mode, sh, keys)
        if hit:
            self.hits[doc.id] = hit
            return hit.doc_id
        self._pending[doc.id] = (mode, sh, keys)
        return None

    def _near(self, con: sqlite3.Connection, doc: Document, mode: str, sh: set[str], keys: list[int]) -> Hit | None:
        # Each band contributes its BUCKET_CAP most recent members only: boilerplate ("thanks in advance")
        # fills a few buckets with thousands of documents that carry no signal, and reading them all would
        # make every lookup grow with the workspace. Then the most shared bands first, at least MIN_BANDS (a
        # pair at 0.85 shares 8 of the 16 on average and fewer than 4 with probability 0.003).
        per_band = " UNION ALL ".join(["SELECT * FROM (SELECT doc_id FROM lsh_bands WHERE band = ? "
                                       "ORDER BY rowid DESC LIMIT ?)"] * len(keys))
        args: list[Any] = [v for k in keys for v in (k, BUCKET_CAP)]
        cands = [r[0] for r in con.execute(f"SELECT doc_id FROM ({per_band}) WHERE doc_id != ? GROUP BY doc_id "
                                           f"HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, doc_id LIMIT ?",
                                           [*args, doc.id, MIN_BANDS, MAX_CANDIDATES])]
        best: Hit | None = None
        for cand in cands:
            other = _stored(con, cand)
            found = shingles(other) if other else None
            if other is None or found is None or found[0] != mode:
                continue
            sim = similarity(mode, sh, found[1])
            if sim >= self.threshold and (best is None or sim > best.similarity):
                best = Hit(cand, other.source, round(sim, 3))
        return best

    def add(self, con: sqlite3.Connection, doc: Document) -> None:
        """Record the bands of a kept document (its row is already written in this transaction)."""
        entry = self._pending.pop(doc.id, None)
        if entry:
            con.executemany("INSERT INTO lsh_bands VALUES (?, ?)", [(k, doc.id) for k in entry[2]])


def report_hit(doc_id: str, hit: Hit) -> dict[str, Any]:
    return {"document": doc_id, "kept": hit.source, "kept_id": hit.doc_id, "similarity": str(hit.similarity)}

"""The workspace: one folder holding a SQLite database, a Chroma index and runs.

Every write of a document (its row, its passages, its file record) happens in
one SQLite transaction, so a crash never leaves half a document behind.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from segscribe.schemas.document import Document, Passage

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, source TEXT NOT NULL, file TEXT NOT NULL,
  content_hash TEXT NOT NULL, title TEXT, metadata TEXT NOT NULL, text TEXT NOT NULL,
  indexed INTEGER NOT NULL DEFAULT 0, ingested_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file);
CREATE INDEX IF NOT EXISTS documents_hash ON documents(content_hash);
CREATE TABLE IF NOT EXISTS passages (
  id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL, speaker TEXT NOT NULL, role TEXT NOT NULL, start INTEGER NOT NULL,
  "end" INTEGER NOT NULL, timestamp TEXT
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY, file_hash TEXT NOT NULL, kind TEXT NOT NULL, documents INTEGER NOT NULL,
  ingested_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS metadata_records (
  key TEXT PRIMARY KEY, source TEXT NOT NULL, record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lsh_bands (
  band INTEGER NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS lsh_bands_band ON lsh_bands(band);
CREATE INDEX IF NOT EXISTS lsh_bands_doc ON lsh_bands(doc_id);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, started_at REAL NOT NULL, finished_at REAL, status TEXT NOT NULL,
  provider TEXT, record TEXT NOT NULL DEFAULT '{}'
);
"""

CONFIG_TEMPLATE = """\
# segscribe workspace configuration.
# Command-line flags override these values; SEGSCRIBE_* environment variables override nothing here.

# Default model provider: offline (deterministic, no network), anthropic:<model-id>,
# or openai-compat:<model> together with base_url for a local server (Ollama, llama.cpp, vLLM).
provider: offline
# base_url: http://localhost:11434/v1

# Redact emails, phone numbers, handles, card numbers and participant names before
# any text goes to an external provider. Quotes are mapped back to the original text.
redact: true

# Ingestion limits.
max_file_mb: 50
# Documents at least this similar are treated as near-duplicates (word 3-gram Jaccard for interviews and
# notes; for tickets and survey answers, the share of the shorter text's words and word pairs in the other).
near_duplicate_threshold: 0.85

# Vector store: a Chroma server shared by a team (`chroma run --path DIR --port 8000`) instead of the
# embedded store in this folder; `segscribe --chroma-url URL ...` overrides it for one command.
# After switching, fill the server once with `segscribe reindex`.
# chroma_url: http://127.0.0.1:8000

# How many times the grounding gate re-asks an LLM about an ungrounded quote before dropping it.
max_reasks: 2

# Ticket/survey column mapping when auto-detection is not enough, e.g.:
# columns:
#   id: ticket_id
#   customer_id: requester_id
#   body: description
#   agent: public_reply
"""


class Dedup(Protocol):
    """Duplicate checks that run inside a file's write transaction."""

    def check(self, con: sqlite3.Connection, doc: Document) -> bool: ...

    def add(self, con: sqlite3.Connection, doc: Document) -> None: ...


class Workspace:
    """A segscribe workspace folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.db_path = self.root / "segscribe.db"
        self.chroma_path = self.root / "chroma"
        self.runs_path = self.root / "runs"

    # -- lifecycle -----------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, create: bool = True) -> Workspace:
        ws = cls(root)
        if not ws.db_path.exists() and not create:
            raise FileNotFoundError(f"no workspace at {root}: run `segscribe init` or pass --workspace")
        ws.init()
        return ws

    def init(self) -> bool:
        """Create the folder, database and config; returns False when it already existed."""
        existed = self.db_path.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        self.runs_path.mkdir(exist_ok=True)
        cfg = self.root / "config.yaml"
        if not cfg.exists():
            cfg.write_text(CONFIG_TEMPLATE, encoding="utf-8")
        with self.connect() as con:
            con.executescript(SCHEMA)
        return not existed

    def config(self) -> dict[str, Any]:
        import yaml

        cfg = self.root / "config.yaml"
        if not cfg.exists():
            return {}
        data = yaml.safe_load(cfg.read_text(encoding="utf-8")) or {}
        return data if isinstance(data, dict) else {}

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.db_path, timeout=30)
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA cache_size = -65536")  # 64 MB: ingest lookups in a large workspace stay in memory
        try:
            with con:
                yield con
        finally:
            con.close()

    # -- documents -------------------------------------------------------------------
    def file_record(self, path: str) -> tuple[str, str, int] | None:
        with self.connect() as con:
            row = con.execute("SELECT file_hash, kind, documents FROM files WHERE path = ?", (path,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def replace_file(self, path: str, file_hash: str, kind: str, docs: Iterable[Document],
                     dedup: Dedup | None = None) -> tuple[list[str], int]:
        """Atomically replace everything from `path` with `docs`, consumed as a stream.

        `dedup.check(con, doc)` may veto a document (a duplicate); `dedup.add(con, doc)` records a kept one.
        Returns (ids of documents that were there before: their vectors must go, number of documents kept).
        """
        now = time.time()
        kept = 0
        with self.connect() as con:
            old = [r[0] for r in con.execute("SELECT id FROM documents WHERE file = ?", (path,))]
            con.execute("DELETE FROM documents WHERE file = ?", (path,))
            for d in docs:
                if dedup is not None and not dedup.check(con, d):
                    continue
                self._insert(con, path, d, now)
                if dedup is not None:
                    dedup.add(con, d)
                kept += 1
            con.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)", (path, file_hash, kind, kept, now))
        return old, kept

    @staticmethod
    def _insert(con: sqlite3.Connection, path: str, d: Document, now: float) -> None:
        con.execute(
            "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,0,?)",
            (d.id, d.kind.value, d.source, path, d.content_hash, d.title,
             json.dumps(d.metadata, sort_keys=True, default=str), d.text, now),
        )
        con.executemany(
            'INSERT OR REPLACE INTO passages VALUES (?,?,?,?,?,?,?,?)',
            [(p.id, d.id, p.index, p.speaker, p.role.value, p.start, p.end, p.timestamp) for p in d.passages],
        )

    def record_file(self, path: str, file_hash: str, kind: str, n: int) -> None:
        with self.connect() as con:
            con.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)", (path, file_hash, kind, n, time.time()))

    def documents(self, kind: str | None = None, ids: Iterable[str] | None = None) -> list[Document]:
        """Documents (optionally of one kind / with given ids), ordered by id, with their passages."""
        if ids is not None:
            wanted = sorted(set(ids))
            with self.connect() as con:
                out = [d for b in range(0, len(wanted), 500) for d in self._load(con, wanted[b : b + 500])]
            return sorted((d for d in out if kind is None or d.kind.value == kind), key=lambda d: d.id)
        return [d for chunk in self.iter_documents(kind=kind) for d in chunk]

    def iter_documents(self, kind: str | None = None, chunk: int = 500) -> Iterator[list[Document]]:
        """All documents (optionally of one kind) in id order, `chunk` at a time: memory stays flat."""
        last = ""
        while True:
            with self.connect() as con:
                q = "SELECT id FROM documents WHERE id > ?" + (" AND kind = ?" if kind else "")
                args: list[Any] = [last] + ([kind] if kind else [])
                ids = [r[0] for r in con.execute(q + " ORDER BY id LIMIT ?", [*args, chunk])]
                if not ids:
                    return
                docs = self._load(con, ids)
            yield docs
            last = ids[-1]

    @staticmethod
    def _load(con: sqlite3.Connection, ids: list[str]) -> list[Document]:
        """Documents with the given ids (at most a few hundred: one IN query each for rows and passages)."""
        marks = ",".join("?" * len(ids))
        rows = con.execute(f"SELECT id, kind, source, content_hash, title, metadata, text FROM documents "
                           f"WHERE id IN ({marks}) ORDER BY id", ids).fetchall()
        passages: dict[str, list[tuple[Any, ...]]] = {r[0]: [] for r in rows}
        for p in con.execute(f'SELECT doc_id, id, idx, speaker, role, start, "end", timestamp FROM passages '
                             f"WHERE doc_id IN ({marks}) ORDER BY doc_id, idx", ids):
            passages[p[0]].append(p)
        out = []
        for r in rows:
            text = r[6]
            ps = [Passage(id=p[1], doc_id=r[0], index=p[2], speaker=p[3], role=p[4], start=p[5], end=p[6],
                          text=text[p[5]:p[6]], timestamp=p[7]) for p in passages[r[0]]]
            out.append(Document(id=r[0], kind=r[1], source=r[2], content_hash=r[3], title=r[4] or "",
                                metadata=json.loads(r[5]), text=text, passages=ps))
        return out

    def file_documents(self, files: set[str]) -> list[tuple[str, str, str, bool]]:
        """(id, source, content_hash, has participant/customer words) of the documents from these files, by
        id, without loading their text."""
        with self.connect() as con:
            rows = con.execute("SELECT id, source, content_hash, file, EXISTS (SELECT 1 FROM passages p WHERE "
                               "p.doc_id = documents.id AND p.role IN ('participant', 'customer')) FROM documents "
                               "ORDER BY id").fetchall()
        return [(r[0], r[1], r[2], bool(r[4])) for r in rows if r[1].split("#")[0] in files or r[3] in files]

    def ids_where(self, fields: dict[str, str]) -> list[str]:
        """Ids of documents whose metadata has every FIELD equal to VALUE (compared as text), by id."""
        q = "SELECT id FROM documents"
        args: list[str] = []
        for i, (key, val) in enumerate(sorted(fields.items())):
            path = '$."' + key.replace('"', '""') + '"'
            q += (" WHERE " if i == 0 else " AND ") + "CAST(json_extract(metadata, ?) AS TEXT) = ?"
            args += [path, str(val)]
        with self.connect() as con:
            return [r[0] for r in con.execute(q + " ORDER BY id", args)]

    def texts(self) -> dict[str, str]:
        with self.connect() as con:
            return dict(con.execute("SELECT id, text FROM documents").fetchall())

    def unindexed_ids(self) -> list[str]:
        with self.connect() as con:
            return [r[0] for r in con.execute("SELECT id FROM documents WHERE indexed = 0 ORDER BY id")]

    def indexed_count(self) -> int:
        with self.connect() as con:
            return int(con.execute("SELECT COUNT(*) FROM documents WHERE indexed = 1").fetchone()[0])

    def mark_all_unindexed(self) -> int:
        """Mark every document for re-embedding (reindex); returns how many there are."""
        with self.connect() as con:
            return con.execute("UPDATE documents SET indexed = 0").rowcount

    def mark_indexed(self, ids: Iterable[str]) -> None:
        with self.connect() as con:
            con.executemany("UPDATE documents SET indexed = 1 WHERE id = ?", [(i,) for i in ids])

    def update_metadata(self, updates: dict[str, dict[str, Any]]) -> None:
        with self.connect() as con:
            con.executemany("UPDATE documents SET metadata = ? WHERE id = ?",
                            [(json.dumps(m, sort_keys=True, default=str), i) for i, m in updates.items()])

    def update_roles(self, updates: dict[str, dict[str, str]]) -> None:
        """Set passage roles per document; those documents are re-indexed so vector metadata follows."""
        with self.connect() as con:
            for doc_id, roles in updates.items():
                con.executemany("UPDATE passages SET role = ? WHERE id = ?", [(r, pid) for pid, r in roles.items()])
                con.execute("UPDATE documents SET indexed = 0 WHERE id = ?", (doc_id,))

    # -- metadata records ------------------------------------------------------------
    def put_metadata_records(self, source: str, records: list[dict[str, Any]], id_keys: tuple[str, ...]) -> int:
        """Store records under every id they carry (e.g. participant_id and file)."""
        n = 0
        with self.connect() as con:
            for rec in records:
                keys = [f"{k}={str(rec[k]).strip()}" for k in id_keys if str(rec.get(k) or "").strip()]
                for key in keys:
                    con.execute("INSERT OR REPLACE INTO metadata_records VALUES (?,?,?)",
                                (key, source, json.dumps(rec, sort_keys=True, default=str)))
                n += bool(keys)
        return n

    def metadata_records(self) -> dict[str, dict[str, Any]]:
        with self.connect() as con:
            return {k: json.loads(r) for k, r in con.execute("SELECT key, record FROM metadata_records")}

    # -- key/value and status ---------------------------------------------------------
    def set_kv(self, key: str, value: Any) -> None:
        with self.connect() as con:
            con.execute("INSERT OR REPLACE INTO kv VALUES (?, ?)", (key, json.dumps(value)))

    def get_kv(self, key: str, default: Any = None) -> Any:
        with self.connect() as con:
            row = con.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def status(self) -> dict[str, Any]:
        with self.connect() as con:
            by_kind = dict(con.execute("SELECT kind, COUNT(*) FROM documents GROUP BY kind ORDER BY kind"))
            roles = dict(con.execute("SELECT role, COUNT(*) FROM passages GROUP BY role ORDER BY role"))
            n_pass = con.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
            unindexed = con.execute("SELECT COUNT(*) FROM documents WHERE indexed = 0").fetchone()[0]
            last = con.execute("SELECT id, status, provider, started_at, finished_at FROM runs "
                               "ORDER BY started_at DESC LIMIT 1").fetchone()
            n_meta = con.execute("SELECT COUNT(*) FROM metadata_records").fetchone()[0]
        return {
            "workspace": str(self.root),
            "documents": by_kind,
            "documents_total": sum(by_kind.values()),
            "passages": n_pass,
            "passages_by_role": roles,
            "unindexed_documents": unindexed,
            "metadata_records": n_meta,
            "embedder": self.get_kv("embedder"),
            "last_run": dict(zip(("id", "status", "provider", "started_at", "finished_at"), last, strict=True))
            if last else None,
        }

"""The workspace: one folder holding a SQLite database, a Chroma index and runs.

Every write of a document (its row, its passages, its file record) happens in
one SQLite transaction, so a crash never leaves half a document behind.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

from segscribe.config import Settings, load_settings
from segscribe.errors import WorkspaceError
from segscribe.schemas.document import Document, Passage, session_key

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
  "end" INTEGER NOT NULL, timestamp TEXT, voice TEXT
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY, file_hash TEXT NOT NULL, kind TEXT NOT NULL, documents INTEGER NOT NULL,
  ingested_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS file_documents (
  path TEXT NOT NULL, doc_id TEXT NOT NULL, PRIMARY KEY (path, doc_id)
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
# Precedence: command-line flags, then SEGSCRIBE_<NAME> environment variables, then this file, then defaults.

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

# Cap on the tokens an LLM writes per call (default: each task's own limit). A small local model on a
# CPU that rambles on until the limit takes minutes per call; 1024-2048 bounds that.
# max_output_tokens: 1024

# Ticket/survey column mapping when auto-detection is not enough, e.g.:
# columns:
#   id: ticket_id
#   customer_id: requester_id
#   body: description
#   agent: public_reply
"""


def _migrate(con: sqlite3.Connection) -> None:
    """Bring a workspace made by an older version up to date (columns are only ever added)."""
    cols = {r[1] for r in con.execute("PRAGMA table_info(passages)")}
    if "voice" not in cols:
        con.execute("ALTER TABLE passages ADD COLUMN voice TEXT")


_HELD: dict[str, tuple[int, int]] = {}
"""Workspace locks this process holds: resolved root -> (file descriptor, depth), so nesting is free."""


class Dedup(Protocol):
    """Duplicate checks that run inside a file's write transaction."""

    def check(self, con: sqlite3.Connection, doc: Document, path: str) -> str | None:
        """The id of the stored document `doc` duplicates, or None to keep `doc`."""

    def add(self, con: sqlite3.Connection, doc: Document) -> None: ...


class Workspace:
    """A segscribe workspace folder."""

    def __init__(self, root: Path, read_only: bool = False) -> None:
        self.root = Path(root)
        self.db_path = self.root / "segscribe.db"
        self.chroma_path = self.root / "chroma"
        self.runs_path = self.root / "runs"
        self.read_only = read_only
        """Open the database read-only and never create anything (status, search, evidence)."""

    # -- lifecycle -----------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, create: bool = True, read_only: bool = False) -> Workspace:
        """Open (and by default create) a workspace; `read_only` writes nothing, so it works on read-only media."""
        ws = cls(root, read_only=read_only)
        if ws.root.exists() and not ws.root.is_dir():
            raise WorkspaceError(f"workspace {root} is a file, not a folder: pass --workspace with a folder path")
        if not ws.db_path.exists() and (read_only or not create):
            raise WorkspaceError(f"no workspace at {root}: run `segscribe init` or pass --workspace")
        if read_only:
            return ws
        try:
            ws.init()
        except (OSError, sqlite3.Error) as exc:
            raise WorkspaceError(f"cannot use workspace {root} ({exc}); check its permissions or pass "
                                 "--workspace with a writable folder") from None
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
            _migrate(con)
        return not existed

    def settings(self, **flags: Any) -> Settings:
        """This workspace's settings: config.yaml, then SEGSCRIBE_* variables, then `flags` (None = unset)."""
        return load_settings(self.root / "config.yaml", **flags)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            con = self._connect_read_only()
        else:
            con = sqlite3.connect(self.db_path, timeout=30)
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA cache_size = -65536")  # 64 MB: ingest lookups in a large workspace stay in memory
        try:
            with con:
                yield con
        finally:
            con.close()

    @contextmanager
    def lock(self, what: str) -> Iterator[None]:
        """Hold the workspace's write lock for `what` (e.g. "ingest"); re-entrant within one process.

        A second process that wants it fails at once with who holds it, instead of embedding everything
        a second time next to the first.
        """
        key = str(self.root.resolve())
        if key in _HELD:
            fd, depth = _HELD[key]
            _HELD[key] = (fd, depth + 1)
        else:
            _HELD[key] = (self._acquire(what), 1)
        try:
            yield
        finally:
            fd, depth = _HELD[key]
            if depth > 1:
                _HELD[key] = (fd, depth - 1)
            else:
                del _HELD[key]
                os.close(fd)  # closing the descriptor releases the flock

    def _acquire(self, what: str) -> int:
        import fcntl

        path = self.root / "lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise WorkspaceError(f"workspace {self.root} is busy: {holder}. Wait for it to finish, or use "
                                 "another --workspace") from None
        os.ftruncate(fd, 0)
        since = time.strftime("%H:%M:%S")
        os.pwrite(fd, f"segscribe {what} (pid {os.getpid()}) has been writing to it since {since}".encode(), 0)
        return fd

    def _connect_read_only(self) -> sqlite3.Connection:
        """A read-only connection; on a folder we cannot write, SQLite cannot make its WAL index either,
        so the file is opened as immutable (nobody can be writing it from here)."""
        from urllib.parse import quote

        uri = f"file:{quote(str(self.db_path.resolve()))}?mode=ro"
        if not os.access(self.root, os.W_OK):
            uri += "&immutable=1"
        return sqlite3.connect(uri, uri=True, timeout=30)

    # -- documents -------------------------------------------------------------------
    def file_record(self, path: str) -> tuple[str, str, int] | None:
        with self.connect() as con:
            row = con.execute("SELECT file_hash, kind, documents FROM files WHERE path = ?", (path,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def replace_file(self, path: str, file_hash: str, kind: str, docs: Iterable[Document],
                     dedup: Dedup | None = None) -> tuple[list[str], list[str], int]:
        """Atomically replace everything from `path` with `docs`, consumed as a stream.

        `dedup.check(con, doc, path)` returns the id of a document stored from another file that `doc`
        duplicates (then `doc` is left out and the file stands for that one), or None to keep it;
        `dedup.add(con, doc)` records a kept one. What the file stands for, kept or kept elsewhere, goes to
        `file_documents`, so a run over this file includes it whatever path it was first stored from.
        Returns (ids that were there before: their vectors must go, ids the file stands for, number kept).
        """
        now = time.time()
        kept = 0
        stands_for: list[str] = []
        with self.connect() as con:
            old = [r[0] for r in con.execute("SELECT id FROM documents WHERE file = ?", (path,))]
            con.execute("DELETE FROM documents WHERE file = ?", (path,))
            con.execute("DELETE FROM file_documents WHERE path = ?", (path,))
            for d in docs:
                same = dedup.check(con, d, path) if dedup is not None else None
                if same is not None:
                    stands_for.append(same)
                    continue
                self._insert(con, path, d, now)
                if dedup is not None:
                    dedup.add(con, d)
                stands_for.append(d.id)
                kept += 1
            con.executemany("INSERT OR IGNORE INTO file_documents VALUES (?, ?)",
                            [(path, i) for i in dict.fromkeys(stands_for)])
            con.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)", (path, file_hash, kind, kept, now))
        return old, sorted(set(stands_for)), kept

    @staticmethod
    def _insert(con: sqlite3.Connection, path: str, d: Document, now: float) -> None:
        con.execute(
            "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,0,?)",
            (d.id, d.kind.value, d.source, path, d.content_hash, d.title,
             json.dumps(d.metadata, sort_keys=True, default=str), d.text, now),
        )
        con.executemany(
            'INSERT OR REPLACE INTO passages (id, doc_id, idx, speaker, role, start, "end", timestamp, voice) '
            "VALUES (?,?,?,?,?,?,?,?,?)",
            [(p.id, d.id, p.index, p.speaker, p.role.value, p.start, p.end, p.timestamp, p.voice.value)
             for p in d.passages],
        )

    def record_file(self, path: str, file_hash: str, kind: str, n: int) -> None:
        with self.connect() as con:
            con.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)", (path, file_hash, kind, n, time.time()))

    def file_document_ids(self, path: str) -> list[str] | None:
        """Ids of existing documents a file stands for; None when one of them has gone (re-read the file)."""
        with self.connect() as con:
            mapped = [r[0] for r in con.execute("SELECT doc_id FROM file_documents WHERE path = ?", (path,))]
            own = [r[0] for r in con.execute("SELECT id FROM documents WHERE file = ?", (path,))]
            wanted = sorted(set(mapped) | set(own))
            existing = {r[0] for b in range(0, len(wanted), 500) for r in con.execute(
                f"SELECT id FROM documents WHERE id IN ({','.join('?' * len(wanted[b:b + 500]))})",
                wanted[b : b + 500])}
        return wanted if existing == set(wanted) else None

    def documents(self, kind: str | None = None, ids: Iterable[str] | None = None) -> list[Document]:
        """Documents (optionally of one kind / with given ids), ordered by id, with their passages."""
        if ids is not None:
            out = [d for chunk in self.documents_in_chunks(ids) for d in chunk]
            return [d for d in out if kind is None or d.kind.value == kind]
        return [d for chunk in self.iter_documents(kind=kind) for d in chunk]

    def documents_in_chunks(self, ids: Iterable[str], chunk: int = 500) -> Iterator[list[Document]]:
        """The documents with the given ids in id order, `chunk` at a time, so a caller that keeps only what it
        derives from each document holds one chunk, never them all."""
        for con, part in self._id_batches(ids, chunk):
            yield self._load(con, part)

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
        for p in con.execute(f'SELECT doc_id, id, idx, speaker, role, start, "end", timestamp, voice FROM passages '
                             f"WHERE doc_id IN ({marks}) ORDER BY doc_id, idx", ids):
            passages[p[0]].append(p)
        out = []
        for r in rows:
            text = r[6]
            ps = [Passage(id=p[1], doc_id=r[0], index=p[2], speaker=p[3], role=p[4], start=p[5], end=p[6],
                          text=text[p[5]:p[6]], timestamp=p[7], voice=p[8]) for p in passages[r[0]]]
            out.append(Document(id=r[0], kind=r[1], source=r[2], content_hash=r[3], title=r[4] or "",
                                metadata=json.loads(r[5]), text=text, passages=ps))
        return out

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

    def texts(self, ids: Iterable[str] | None = None) -> dict[str, str]:
        """Document id -> canonical text: every document's, or only those of `ids` (a chunk at a time)."""
        if ids is None:
            with self.connect() as con:
                return dict(con.execute("SELECT id, text FROM documents").fetchall())
        return dict(self._column("text", ids))

    def metadata(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Document id -> its metadata for the given ids, without loading texts or passages (persona drafting
        reads nothing else of a document)."""
        return {i: json.loads(m) for i, m in self._column("metadata", ids)}

    def sessions(self, ids: Iterable[str]) -> dict[str, str]:
        """Document id -> its session (`Document.session`) for the given ids, without loading texts or passages."""
        return {i: session_key(i, json.loads(m)) for i, m in self._column("metadata", ids)}

    def _column(self, column: Literal["text", "metadata"], ids: Iterable[str]) -> Iterator[tuple[str, Any]]:
        """(id, `column`) of the documents with the given ids, 500 ids per query (SQLite caps bound
        parameters), streamed so a caller keeps only what it derives from each row."""
        for con, part in self._id_batches(ids, 500):
            yield from con.execute(f"SELECT id, {column} FROM documents WHERE id IN "
                                   f"({','.join('?' * len(part))})", part)

    def _id_batches(self, ids: Iterable[str], size: int) -> Iterator[tuple[sqlite3.Connection, list[str]]]:
        """The distinct ids in sorted order, `size` at a time, each with one open connection to read them by."""
        wanted = sorted(set(ids))
        with self.connect() as con:
            for b in range(0, len(wanted), size):
                yield con, wanted[b : b + size]

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
                # In transcripts the voice follows the role (a turn is the speaker's own words).
                con.executemany("UPDATE passages SET role = ?, voice = ? WHERE id = ?",
                                [(r, "interviewer" if r in ("interviewer", "agent") else r, pid)
                                 for pid, r in roles.items()])
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
            voices = dict(con.execute("SELECT COALESCE(voice, role), COUNT(*) FROM passages GROUP BY 1 ORDER BY 1"))
            n_pass = con.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
            unindexed = con.execute("SELECT COUNT(*) FROM documents WHERE indexed = 0").fetchone()[0]
            last = con.execute("SELECT id, status, provider, started_at, finished_at FROM runs "
                               "ORDER BY started_at DESC LIMIT 1").fetchone()
            n_meta = con.execute("SELECT COUNT(*) FROM metadata_records").fetchone()[0]
            # Vectors kept so that no text is embedded twice (segscribe.store.embeddings; the table appears
            # with the first embedding).
            stored = con.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'embeddings'").fetchone()[0] and \
                con.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        return {
            "workspace": str(self.root),
            "documents": by_kind,
            "documents_total": sum(by_kind.values()),
            "passages": n_pass,
            "passages_by_role": roles,
            "passages_by_voice": voices,
            "unindexed_documents": unindexed,
            "metadata_records": n_meta,
            "embedder": self.get_kv("embedder"),
            "stored_vectors": int(stored),
            "last_run": dict(zip(("id", "status", "provider", "started_at", "finished_at"), last, strict=True))
            if last else None,
        }

"""Ingest a batch of files into a workspace: per-file transactions, duplicates, metadata, vectors."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from segscribe.ingest import IngestError, Parsed, is_ignored, parse_file
from segscribe.ingest.build import session_label
from segscribe.ingest.dedup import DuplicateIndex, report_hit
from segscribe.ingest.discover import discover
from segscribe.schemas.document import DocKind, Document
from segscribe.store.workspace import Workspace

ID_KEYS = ("participant_id", "customer_id", "respondent_id", "id")

Progress = Callable[[str, int, int], None]


@dataclass
class FileOutcome:
    path: str
    status: str  # ingested | unchanged | duplicate | metadata | skipped | failed
    kind: str = ""
    documents: int = 0
    reason: str | None = None
    duplicates: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    voices: dict[str, float] = field(default_factory=dict)
    """Share of the file's text per voice (participant, customer, notes, interviewer, template)."""
    doc_ids: list[str] = field(default_factory=list)
    """Documents this file stands for: its own, plus those kept from another path it duplicates."""


@dataclass
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)
    indexed_documents: int = 0
    indexed_windows: int = 0

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]

    def document_ids(self) -> list[str]:
        """Every document the batch's files stand for, whatever path each was first stored from."""
        return sorted({i for f in self.files for i in f.doc_ids})

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.status] = out.get(f.status, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), "indexed_documents": self.indexed_documents,
                "indexed_windows": self.indexed_windows, "files": [asdict(f) for f in self.files]}


def voice_shares(docs: Iterable[Document]) -> dict[str, float]:
    """Share of passage characters per voice, over the given documents."""
    total: dict[str, int] = {}
    for _ in _tally(docs, total):
        pass
    return _shares(total)


def _tally(docs: Iterable[Document], total: dict[str, int]) -> Iterator[Document]:
    """Pass documents through (a stream stays a stream), counting passage characters per voice."""
    for d in docs:
        for p in d.passages:
            total[p.voice.value] = total.get(p.voice.value, 0) + (p.end - p.start)
        yield d


def _shares(total: dict[str, int]) -> dict[str, float]:
    n = sum(total.values()) or 1
    return {v: round(c / n, 4) for v, c in sorted(total.items())}


class Siblings:
    """Texts of the other notes-like files in a file's folder (for shared guide text and conventions)."""

    LIMIT = 20
    MAX_BYTES = 1_000_000

    def __init__(self, files: list[Path]) -> None:
        self.by_folder: dict[Path, list[Path]] = {}
        for f in files:
            if f.suffix.lower() in {".md", ".markdown", ".txt"}:
                self.by_folder.setdefault(f.parent, []).append(f)
        self.cache: dict[Path, str] = {}

    def __call__(self, f: Path) -> list[str]:
        """The other files' texts, leaving out the file's own session's other records (an observer's notes of the
        same session quote the same words; those are not guide text)."""
        out: list[str] = []
        session = session_label(f.stem).lower()
        for other in self.by_folder.get(f.parent, [])[: self.LIMIT + 1]:
            if other == f or len(out) >= self.LIMIT or session_label(other.stem).lower() == session:
                continue
            if other not in self.cache:
                try:
                    data = other.read_bytes()[: self.MAX_BYTES]
                    self.cache[other] = data.decode("utf-8", errors="replace")
                except OSError:
                    self.cache[other] = ""
            out.append(self.cache[other])
        return out


def ingest_file(ws: Workspace, f: Path, dups: DuplicateIndex, *, as_kind: str | None,
                mapping: Mapping[str, str] | None, max_bytes: int, siblings: Siblings | None = None,
                convention: str | None = None) -> tuple[FileOutcome, list[str]]:
    """Ingest one file in its own transaction. Returns its outcome and ids whose vectors must go.

    Whatever the file holds, the outcome is ingested/unchanged/duplicate/metadata/skipped or failed with
    a reason: one hostile file never aborts the batch.
    """
    try:
        return _ingest_file(ws, f, dups, as_kind=as_kind, mapping=mapping, max_bytes=max_bytes,
                            siblings=siblings, convention=convention)
    except RecursionError:
        return FileOutcome(path=str(f), status="failed", reason=f"{f}: nested too deeply to read"), []
    except sqlite3.Error:
        raise  # the workspace itself is in trouble (locked, disk full): stop, do not blame the file
    except Exception as exc:  # a parser bug on odd input must fail this file, not the batch
        reason = f"{f}: could not be read ({type(exc).__name__}: {str(exc)[:200]}); please report this file"
        return FileOutcome(path=str(f), status="failed", reason=reason), []


def _ingest_file(ws: Workspace, f: Path, dups: DuplicateIndex, *, as_kind: str | None,
                 mapping: Mapping[str, str] | None, max_bytes: int, siblings: Siblings | None,
                 convention: str | None) -> tuple[FileOutcome, list[str]]:
    path = str(f.resolve())
    outcome = FileOutcome(path=str(f), status="ingested")
    try:
        file_hash = _file_hash(f)
        prev = ws.file_record(path)
        same = ws.file_document_ids(path) if prev and prev[0] == file_hash else None
        if prev and same is not None:
            outcome.status, outcome.kind, outcome.documents, outcome.doc_ids = "unchanged", prev[1], prev[2], same
            return outcome, []
        parsed: Parsed = parse_file(f, as_kind=as_kind, mapping=mapping, max_bytes=max_bytes, stream=True,
                                    siblings=(lambda: siblings(f)) if siblings else None, convention=convention)
    except (IngestError, OSError) as exc:
        outcome.status, outcome.reason = "failed", str(exc)
        return outcome, []
    outcome.kind, outcome.warnings = parsed.kind, parsed.warnings
    if parsed.skipped_reason:
        outcome.status, outcome.reason = "skipped", parsed.skipped_reason
        return outcome, []
    if parsed.metadata_records:
        cols = set(parsed.metadata_records[0])
        # A participant sheet joins by participant id or file; a customer sheet by customer id.
        keys = tuple(k for k in ("participant_id", "respondent_id", "id", "file") if k in cols) or ID_KEYS
        n = ws.put_metadata_records(path, parsed.metadata_records, keys)
        ws.record_file(path, file_hash, "metadata", 0)
        outcome.status, outcome.documents = "metadata", n
        return outcome, []
    dups.hits.clear()
    voices: dict[str, int] = {}
    try:
        stale, outcome.doc_ids, outcome.documents = ws.replace_file(
            path, file_hash, parsed.kind, _tally(parsed.all_documents(), voices), dups)
    except IngestError as exc:  # a broken row further down a streamed file: nothing of it was written
        outcome.status, outcome.reason, outcome.warnings = "failed", str(exc), list(parsed.warnings)
        return outcome, []
    outcome.voices = _shares(voices)
    outcome.duplicates = [report_hit(doc_id, hit) for doc_id, hit in dups.hits.items()]
    if not outcome.documents and outcome.duplicates:
        outcome.status = "duplicate"
        outcome.reason = f"duplicate of {outcome.duplicates[0]['kept']} (kept that one)"
    return outcome, stale


def _file_hash(f: Path) -> str:
    h = hashlib.sha256()
    with f.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def convention_for(f: Path, conventions: Mapping[str, str] | None) -> str | None:
    """The notes convention configured for a file: the first glob (config.yaml `notes_conventions`) it matches."""
    from fnmatch import fnmatch

    for pattern, convention in (conventions or {}).items():
        if fnmatch(f.as_posix(), pattern) or fnmatch(f.name, pattern):
            return convention
    return None


def join_metadata(ws: Workspace) -> int:
    """Merge participant/customer metadata records into documents; a document's own fields win."""
    records = ws.metadata_records()
    if not records:
        return 0
    return sum(_join_chunk(ws, chunk, records) for chunk in ws.iter_documents())


def _join_chunk(ws: Workspace, docs: list[Document], records: dict[str, dict[str, Any]]) -> int:
    updates: dict[str, dict[str, Any]] = {}
    role_updates: dict[str, dict[str, str]] = {}
    file_keys = [k for k in records if k.startswith("file=")]
    for doc in docs:
        merged: dict[str, Any] = {}
        keys = [f"{k}={doc.metadata[k]}" for k in ID_KEYS if doc.metadata.get(k)]
        src = doc.source.split("#")[0]
        keys += [k for k in file_keys if src.endswith(k[5:].lstrip("./"))]
        for key in keys:
            for k, v in records.get(key, {}).items():
                merged.setdefault(k, v)
        if not merged:
            continue
        new_meta = {**merged, **doc.metadata}
        if new_meta != doc.metadata:
            updates[doc.id] = new_meta
            roles = _roles_from_metadata(doc, new_meta)
            if roles:
                role_updates[doc.id] = roles
    if updates:
        ws.update_metadata(updates)
    if role_updates:
        # Formats without front matter (VTT/SRT) learn who the interviewer is only from joined metadata.
        ws.update_roles(role_updates)
    return len(updates)


def _roles_from_metadata(doc: Document, meta: dict[str, Any]) -> dict[str, str]:
    from segscribe.ingest.transcript import interviewer_names, role_for

    if doc.kind is not DocKind.interview or not meta.get("interviewer"):
        return {}
    names = interviewer_names(meta)
    changed = {}
    for p in doc.passages:
        role = role_for(p.speaker, names)
        if p.role.value in ("participant", "interviewer") and role is not p.role:
            changed[p.id] = role.value
    return changed


def ingest_paths(ws: Workspace, paths: list[Path], *, as_kind: str | None = None,
                 mapping: Mapping[str, str] | None = None, max_mb: float = 50,
                 near_dup: float = 0.85, index: bool = True, progress: Progress | None = None,
                 embedder: Any = None, all_roles: bool = False, notes_convention: str | None = None,
                 conventions: Mapping[str, str] | None = None) -> IngestReport:
    """Ingest files and folders under the workspace lock; `notes_convention` forces how all notes mark
    voices, `conventions` per glob."""
    with ws.lock("ingest"):
        return _ingest_paths(ws, paths, as_kind=as_kind, mapping=mapping, max_mb=max_mb, near_dup=near_dup,
                             index=index, progress=progress, embedder=embedder, all_roles=all_roles,
                             notes_convention=notes_convention, conventions=conventions)


def _ingest_paths(ws: Workspace, paths: list[Path], *, as_kind: str | None, mapping: Mapping[str, str] | None,
                  max_mb: float, near_dup: float, index: bool, progress: Progress | None, embedder: Any,
                  all_roles: bool, notes_convention: str | None,
                  conventions: Mapping[str, str] | None) -> IngestReport:
    report = IngestReport()
    found = discover(paths)
    report.files += [FileOutcome(path=p.path, status=p.status, reason=p.reason) for p in found.problems]
    files = [f for f in found.files if not is_ignored(f)]
    dups = DuplicateIndex(near_dup)
    siblings = Siblings(files)
    stale: list[str] = []
    for i, f in enumerate(files):
        outcome, removed = ingest_file(ws, f, dups, as_kind=as_kind, mapping=mapping,
                                       max_bytes=int(max_mb * 1024 * 1024), siblings=siblings,
                                       convention=notes_convention or convention_for(f, conventions))
        report.files.append(outcome)
        stale += removed
        if progress:
            progress("parse", i + 1, len(files))
    join_metadata(ws)
    if index:
        from segscribe.ingest.indexer import DEFAULT_INDEX_ROLES, index_pending

        report.indexed_documents, report.indexed_windows = index_pending(
            ws, stale, progress, embedder, roles=None if all_roles else DEFAULT_INDEX_ROLES)
    return report

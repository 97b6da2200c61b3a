"""Ingest a batch of files into a workspace: per-file transactions, duplicates, metadata, vectors."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from segscribe.ingest import IngestError, Parsed, is_ignored, parse_file
from segscribe.ingest.discover import discover
from segscribe.schemas.document import DocKind, Document
from segscribe.store.workspace import Workspace

NEAR_DUP_MIN_WORDS = 50
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


def shingles(text: str, n: int = 3) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {hash(" ".join(words[i : i + n])) for i in range(max(0, len(words) - n + 1))}


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _body(doc: Document) -> str:
    """The text that matters for near-duplicates: the passages, not the title lines or front matter."""
    return "\n".join(p.text for p in doc.passages)


class DuplicateIndex:
    """Exact (content hash) and near (word-shingle Jaccard) duplicates of long documents."""

    def __init__(self, ws: Workspace, threshold: float) -> None:
        self.threshold = threshold
        self.exact = ws.hashes()
        self.long: list[tuple[str, str, str, set[int]]] = []
        files = ws.document_files()
        for d in ws.documents():
            if d.kind in (DocKind.interview, DocKind.notes):
                self._add_long(d, files.get(d.id, ""))

    def _add_long(self, doc: Document, file: str) -> None:
        body = _body(doc)
        if len(body.split()) >= NEAR_DUP_MIN_WORDS:
            self.long.append((doc.id, doc.source, file, shingles(body)))

    def check(self, doc: Document, own_file: str) -> tuple[str, str, float] | None:
        """(kept id, kept source, similarity) when another file already holds this document."""
        hit = self.exact.get(doc.content_hash)
        # Ids derive from content and file name, so the same file from another folder has the same id:
        # it is still a duplicate of what that other path stored.
        if hit and hit[2] != own_file:
            return hit[0], hit[1], 1.0
        if doc.kind in (DocKind.interview, DocKind.notes):
            body = _body(doc)
            if len(body.split()) >= NEAR_DUP_MIN_WORDS:
                sh = shingles(body)
                for other_id, other_src, other_file, other_sh in self.long:
                    if other_file == own_file:
                        continue
                    sim = jaccard(sh, other_sh)
                    if sim >= self.threshold:
                        return other_id, other_src, round(sim, 3)
        return None

    def add(self, doc: Document, file: str) -> None:
        self.exact[doc.content_hash] = (doc.id, doc.source, file)
        if doc.kind in (DocKind.interview, DocKind.notes):
            self._add_long(doc, file)


def _drop_duplicates(docs: list[Document], dups: DuplicateIndex, path: str,
                     outcome: FileOutcome) -> list[Document]:
    kept = []
    for d in docs:
        hit = dups.check(d, path)
        if hit:
            outcome.duplicates.append({"document": d.id, "kept": hit[1], "kept_id": hit[0],
                                       "similarity": str(hit[2])})
            continue
        dups.add(d, path)
        kept.append(d)
    return kept


def voice_shares(docs: list[Document]) -> dict[str, float]:
    """Share of passage characters per voice, over the given documents."""
    total: dict[str, int] = {}
    for d in docs:
        for p in d.passages:
            total[p.voice.value] = total.get(p.voice.value, 0) + (p.end - p.start)
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
        out: list[str] = []
        for other in self.by_folder.get(f.parent, [])[: self.LIMIT + 1]:
            if other == f or len(out) >= self.LIMIT:
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
        file_hash = hashlib.sha256(f.read_bytes()).hexdigest()
        prev = ws.file_record(path)
        same = ws.file_document_ids(path) if prev and prev[0] == file_hash else None
        if prev and same is not None:
            outcome.status, outcome.kind, outcome.documents, outcome.doc_ids = "unchanged", prev[1], prev[2], same
            return outcome, []
        parsed: Parsed = parse_file(f, as_kind=as_kind, mapping=mapping, max_bytes=max_bytes,
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
    outcome.voices = voice_shares(parsed.documents)
    docs = _drop_duplicates(parsed.documents, dups, path, outcome)
    if not docs and outcome.duplicates:
        outcome.status = "duplicate"
        outcome.reason = f"duplicate of {outcome.duplicates[0]['kept']} (kept that one)"
    kept_elsewhere = [d["kept_id"] for d in outcome.duplicates]
    removed = ws.replace_file(path, file_hash, parsed.kind, docs, same_as=kept_elsewhere)
    outcome.documents = len(docs)
    outcome.doc_ids = sorted({*(d.id for d in docs), *kept_elsewhere})
    return outcome, removed + [d.id for d in docs]


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
    updates: dict[str, dict[str, Any]] = {}
    role_updates: dict[str, dict[str, str]] = {}
    for doc in ws.documents():
        merged: dict[str, Any] = {}
        keys = [f"{k}={doc.metadata[k]}" for k in ID_KEYS if doc.metadata.get(k)]
        src = doc.source.split("#")[0]
        keys += [k for k in records if k.startswith("file=") and src.endswith(k[5:].lstrip("./"))]
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
    dups = DuplicateIndex(ws, near_dup)
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

"""Ingest a batch of files into a workspace: per-file transactions, duplicates, metadata, vectors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from segscribe.ingest import IngestError, Parsed, discover, is_ignored, parse_file
from segscribe.ingest.dedup import DuplicateIndex, report_hit
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


@dataclass
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)
    indexed_documents: int = 0
    indexed_windows: int = 0

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.status] = out.get(f.status, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), "indexed_documents": self.indexed_documents,
                "indexed_windows": self.indexed_windows, "files": [asdict(f) for f in self.files]}


def ingest_file(ws: Workspace, f: Path, dups: DuplicateIndex, *, as_kind: str | None,
                mapping: Mapping[str, str] | None, max_bytes: int) -> tuple[FileOutcome, list[str]]:
    """Ingest one file in its own transaction, streaming its rows. Returns its outcome and ids whose
    vectors must go."""
    path = str(f.resolve())
    outcome = FileOutcome(path=str(f), status="ingested")
    try:
        file_hash = _file_hash(f)
        prev = ws.file_record(path)
        if prev and prev[0] == file_hash:
            outcome.status, outcome.kind, outcome.documents = "unchanged", prev[1], prev[2]
            return outcome, []
        parsed: Parsed = parse_file(f, as_kind=as_kind, mapping=mapping, max_bytes=max_bytes, stream=True)
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
    try:
        stale, outcome.documents = ws.replace_file(path, file_hash, parsed.kind, parsed.all_documents(), dups)
    except IngestError as exc:  # a broken row further down a streamed file: nothing of it was written
        outcome.status, outcome.reason, outcome.warnings = "failed", str(exc), list(parsed.warnings)
        return outcome, []
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
                 embedder: Any = None, all_roles: bool = False) -> IngestReport:
    report = IngestReport()
    files = [f for f in discover(paths) if not is_ignored(f)]
    dups = DuplicateIndex(near_dup)
    stale: list[str] = []
    for i, f in enumerate(files):
        outcome, removed = ingest_file(ws, f, dups, as_kind=as_kind, mapping=mapping,
                                       max_bytes=int(max_mb * 1024 * 1024))
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

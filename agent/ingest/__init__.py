"""One loader per input format; every loader produces the same `Document` type."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segscribe.ingest.build import Span, build_document
from segscribe.ingest.notes import note_spans
from segscribe.ingest.subtitles import render_subtitles
from segscribe.ingest.tables import (
    Table,
    find_column,
    read_csv,
    read_json_records,
    sniff_kind,
    survey_rows,
    ticket_rows,
    transcript_rows,
)
from segscribe.ingest.text import IngestError, decode, split_front_matter
from segscribe.ingest.transcript import find_turns
from segscribe.schemas.document import DocKind, Document, Role

TEXT_EXT = {".txt", ".md", ".markdown"}
SUB_EXT = {".vtt", ".srt"}
TABLE_EXT = {".csv", ".tsv", ".json", ".jsonl", ".ndjson"}
SUPPORTED = TEXT_EXT | SUB_EXT | TABLE_EXT | {".docx", ".parquet"}
IGNORED_NAMES = {"readme", "license", "licence", "changelog", "corpus"}
IGNORED_DIRS = {"gold", "tools", ".git", ".segscribe", "runs", "__pycache__", ".venv", "node_modules"}


@dataclass
class Parsed:
    """What one file yielded."""

    kind: str
    documents: list[Document] = field(default_factory=list)
    metadata_records: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_reason: str | None = None
    stream: Iterator[Document] | None = None  # with parse_file(stream=True): documents, parsed as consumed

    def all_documents(self) -> Iterator[Document]:
        """The documents, streamed when parsed with stream=True."""
        return self.stream if self.stream is not None else iter(self.documents)


def discover(paths: list[Path]) -> list[Path]:
    """Files under the given paths, recursively, in a stable order; project clutter ignored."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.is_file() and not any(part in IGNORED_DIRS or part.startswith(".") for part in rel):
                    out.append(f)
        elif p.exists():
            out.append(p)
        else:
            raise IngestError(f"{p}: no such file or folder")
    return out


def is_ignored(path: Path) -> bool:
    return path.stem.lower() in IGNORED_NAMES or path.suffix.lower() in {".yaml", ".yml", ".py", ".toml"}


def parse_text_document(text: str, source: str, label: str, extra_warnings: list[str] | None = None) -> Parsed:
    meta, body = split_front_matter(text)
    kind = DocKind.interview
    spans: list[Span]
    if str(meta.get("type", "")).lower() in {"notes", "note"}:
        kind, spans = DocKind.notes, note_spans(text, body, meta)
    else:
        spans = find_turns(text, body, meta)
        if not spans:
            kind, spans = DocKind.notes, note_spans(text, body, meta)
    title = str(meta.get("title") or meta.get("participant") or label)
    doc = build_document(source=source, label=label, kind=kind, text=text, spans=spans, metadata=meta, title=title)
    if not doc.passages:
        raise IngestError(f"{source}: no text passages found")
    warnings = list(extra_warnings or [])
    if kind is DocKind.notes and not any(p.role is Role.participant for p in doc.passages):
        warnings.append(f"{source}: notes contain no quoted participant words (use > blockquotes or \"quotes\")")
    return Parsed(kind.value, [doc], warnings=warnings)


def _docx_text(data: bytes) -> str:
    import io

    import docx

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for corrupt files
        raise IngestError(f"not a readable .docx file ({type(exc).__name__}); re-save it from Word") from exc
    return "\n".join(p.text for p in d.paragraphs).strip() + "\n"


def parse_file(path: Path, *, as_kind: str | None = None, mapping: Mapping[str, str] | None = None,
               max_bytes: int = 50 * 1024 * 1024, stream: bool = False) -> Parsed:
    """Parse one file. Raises IngestError with a human reason when it cannot.

    With `stream=True` the rows of a table become documents only as `Parsed.stream` is consumed (errors
    in later rows are raised then), so a large export never sits in memory as documents.
    """
    ext = path.suffix.lower()
    source = str(path.resolve())
    if ext not in SUPPORTED:
        return Parsed("unsupported", skipped_reason=f"unsupported file type {ext or '(none)'}")
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(
            f"{path}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit; split it or raise --max-mb"
        )
    data = path.read_bytes()
    if ext == ".parquet":
        return Parsed("table", skipped_reason="customer/transaction table: use `segscribe segment`")
    if ext == ".docx":
        if not data:
            raise IngestError(f"{path}: file is empty")
        return parse_text_document(_docx_text(data), source, path.stem)
    decoded = decode(data, str(path))
    if ext in SUB_EXT:
        text, spans = render_subtitles(decoded.text, {})
        doc = build_document(source=source, label=path.stem, kind=DocKind.interview, text=text, spans=spans)
        return Parsed("interview", [doc], warnings=decoded.warnings)
    if ext in TEXT_EXT:
        return parse_text_document(decoded.text, source, path.stem, decoded.warnings)
    table = read_json_records(decoded.text, str(path)) if ext != ".csv" and ext != ".tsv" else read_csv(
        decoded.text.replace("\t", ",") if ext == ".tsv" else decoded.text, str(path))
    return parse_table(table, path, source, as_kind, mapping, decoded.warnings, stream)


def parse_table(table: Table, path: Path, source: str, as_kind: str | None, mapping: Mapping[str, str] | None,
                warnings: list[str], stream: bool = False) -> Parsed:
    kind = as_kind or ("tickets" if path.suffix.lower() in {".json", ".jsonl", ".ndjson"} else sniff_kind(table))
    table.warnings[:0] = warnings
    warnings = table.warnings  # rows parsed later (streamed) add their warnings to this same list
    if not table.rows:
        raise IngestError(f"{path}: table has a header but no rows")
    if kind == "table":
        return Parsed("table", warnings=warnings,
                      skipped_reason="customer/transaction table, not research text: use `segscribe segment`")
    if kind == "metadata":
        id_col = find_column(table.columns, "id", mapping) or find_column(table.columns, "customer_id", mapping)
        if not id_col:
            raise IngestError(f"{path}: metadata CSV needs an id column (participant_id or customer_id)")
        return Parsed("metadata", metadata_records=[dict(r) for r in table.iter_rows()], warnings=warnings)
    loaders = {"transcripts": transcript_rows, "tickets": ticket_rows, "survey": survey_rows}
    if kind not in loaders:
        raise IngestError(f"unknown --as {kind!r}; use one of transcripts, tickets, survey, metadata")
    docs = _at_least_one(loaders[kind](table, source, mapping), f"{path}: no rows with text found")
    if stream:
        return Parsed(kind, warnings=warnings, stream=docs)
    return Parsed(kind, list(docs), warnings=warnings)


def _at_least_one(docs: Iterator[Document], message: str) -> Iterator[Document]:
    n = 0
    for n, doc in enumerate(docs, 1):  # noqa: B007 - n counts what was yielded
        yield doc
    if n == 0:
        raise IngestError(message)


__all__ = ["IngestError", "Parsed", "discover", "parse_file", "is_ignored"]

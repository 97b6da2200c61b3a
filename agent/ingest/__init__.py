"""One loader per input format; every loader produces the same `Document` type."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
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
from segscribe.ingest.voice import guide_lines
from segscribe.schemas.document import DocKind, Document, Role, Voice

TEXT_EXT = {".txt", ".md", ".markdown"}
SUB_EXT = {".vtt", ".srt"}
TABLE_EXT = {".csv", ".tsv", ".json", ".jsonl", ".ndjson"}
SUPPORTED = TEXT_EXT | SUB_EXT | TABLE_EXT | {".docx", ".parquet"}
IGNORED_NAMES = {"readme", "license", "licence", "changelog", "corpus"}
#: Files with fewer characters of evidence text than this get a warning in the ingest report.
USABLE_MIN_CHARS = 200


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


def is_ignored(path: Path) -> bool:
    return path.stem.lower() in IGNORED_NAMES or path.suffix.lower() in {".yaml", ".yml", ".py", ".toml"}


#: A text file is a transcript when speaker turns open at least this share of its non-blank lines (and two
#: speakers take turns); otherwise it is notes. Set on corpus/ transcripts (77-100 %) against the notes of
#: the three shared VA.gov studies (0-22 %, where a few "Notetaker:" or "PROMPT:" lines are labels too).
#: A label alone on its line ("Moderator:" with the words on the next line, as some transcription exports
#: lay turns out) opens that next line too: a real usability study in that layout, read after this rule was
#: written, has 79-92 % by this count and 39-46 % by label lines alone.
TRANSCRIPT_LINE_SHARE = 0.5


def _is_transcript(text: str, body: int, spans: list[Span]) -> bool:
    lines = sum(1 for line in text[body:].split("\n") if line.strip())
    speakers = {s.speaker for s in spans}
    # The bonus needs a moderator among the speakers: "Observations:" / "Quotes:" headings over one-line
    # bullets are a notes layout, not two people talking.
    moderated = any(s.role is Role.interviewer for s in spans)
    opened = len(spans) + (sum(1 for s in spans if _label_alone(text, s)) if moderated else 0)
    return len(speakers) >= 2 and len(spans) >= 2 and opened >= TRANSCRIPT_LINE_SHARE * max(lines, 1)


def _without_guide(text: str, spans: list[Span], siblings: list[str]) -> list[Span]:
    """Participant turns with the guide lines the sibling files share cut out as template (see `guide_lines`)."""
    cut = guide_lines(text, [(sp.start, sp.end) for sp in spans if sp.role is Role.participant], siblings)
    out: list[Span] = []
    for sp in spans:
        cuts = [(a, b) for a, b in cut if sp.start <= a < sp.end]
        cur = sp.start
        for a, b in cuts:
            if a > cur:
                out.append(replace(sp, start=cur, end=a))
            out.append(replace(sp, start=a, end=b, voice=Voice.template))
            cur = b
        if cur < sp.end:
            out.append(replace(sp, start=cur))
    return out


def _label_alone(text: str, span: Span) -> bool:
    """True when the turn's label stands alone on its line and its words start on a later line."""
    eol = text.find("\n", span.start, span.end)
    return eol >= 0 and not text[span.start:eol].strip() and bool(text[eol:span.end].strip())


def parse_text_document(text: str, source: str, label: str, extra_warnings: list[str] | None = None, *,
                        siblings: list[str] | None = None, convention: str | None = None) -> Parsed:
    """A transcript (speaker turns) or interview notes (voices inferred per line), as one Document.

    `siblings` are the texts of other notes files of the same folder (for guide text they share and for
    their marking convention); `convention` forces how notes mark voices (see `ingest.voice.OVERRIDES`).
    """
    meta, body = split_front_matter(text, source)
    declared = str(meta.get("type", "")).lower()
    turns = [] if declared in {"notes", "note"} or convention else find_turns(text, body, meta)
    if declared in {"interview", "transcript"} or _is_transcript(text, body, turns):
        kind, spans = DocKind.interview, _without_guide(text, turns, siblings) if siblings else turns
    else:
        kind, (spans, _) = DocKind.notes, note_spans(text, body, meta, label, siblings=siblings,
                                                    convention=convention)
    title = str(meta.get("title") or meta.get("participant") or label)
    doc = build_document(source=source, label=label, kind=kind, text=text, spans=spans, metadata=meta, title=title)
    if not doc.passages:
        raise IngestError(f"{source}: no text passages found")
    warnings = list(extra_warnings or [])
    usable = sum(p.end - p.start for p in doc.evidence_passages())
    if not usable:
        # A notes file left as its template ("# Study / ## P8 Notes") holds nothing to analyse: skipped and said
        # so, not counted as a session.
        return Parsed(kind.value, warnings=warnings, skipped_reason=(
            "no participant words or notes, only headings or guide text (an unfilled notes template?); "
            "fill it in or leave it out"))
    if usable < USABLE_MIN_CHARS:
        warnings.append(f"{source}: little usable text ({usable} characters of participant words or notes; "
                        "the rest is guide or moderator text)")
    return Parsed(kind.value, [doc], warnings=warnings)


DOCX_MAX_XML_BYTES = 20 * 1024 * 1024
"""Uncompressed XML a .docx may hold: ~2M words of transcript; python-docx needs ~20x that in memory."""
DOCX_MAX_RATIO = 100
"""Largest compression ratio for a part over 1 MB; Word's own XML compresses about 5-20 to 1."""
DOCX_MAX_PARTS = 5_000


def check_docx_bounds(data: bytes, name: str, max_bytes: int) -> None:
    """Refuse a .docx whose parts would expand beyond sane bounds, before anything is decompressed."""
    import io
    import zipfile

    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise IngestError(f"{name}: not a readable .docx file ({exc}); re-save it from Word") from exc
    if len(infos) > DOCX_MAX_PARTS:
        raise IngestError(f"{name}: .docx has {len(infos):,} parts (limit {DOCX_MAX_PARTS:,}); re-save it from Word")
    total = sum(i.file_size for i in infos)
    xml = sum(i.file_size for i in infos if i.filename.endswith((".xml", ".rels")))
    worst = max(infos, key=lambda i: i.file_size / max(i.compress_size, 1), default=None)
    mb = 1024 * 1024
    if xml > DOCX_MAX_XML_BYTES or total > 2 * max_bytes:
        raise IngestError(f"{name}: .docx expands to {total / mb:.0f} MB ({xml / mb:.0f} MB of XML; limits "
                          f"{DOCX_MAX_XML_BYTES // mb} MB of XML, {2 * max_bytes // mb} MB in all); "
                          "split the document or save it as .txt")
    if worst is not None and worst.file_size > mb and worst.file_size > DOCX_MAX_RATIO * max(worst.compress_size, 1):
        ratio = worst.file_size / max(worst.compress_size, 1)
        raise IngestError(f"{name}: .docx part {worst.filename} expands {ratio:,.0f}-fold "
                          f"(limit {DOCX_MAX_RATIO}); this looks like a zip bomb. Save the text as .txt")


def _docx_text(data: bytes) -> str:
    import io

    import docx

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for corrupt files
        raise IngestError(f"not a readable .docx file ({type(exc).__name__}); re-save it from Word") from exc
    return "\n".join(_docx_lines(d)).strip() + "\n"


def _docx_lines(d: Any) -> Iterator[str]:
    """The body's paragraphs and tables in document order. Note-taking grids are often Word tables (a prompt
    in one cell, the answer in the next): each cell's text is a line of its own, so a table's notes are
    read like any other notes instead of being left out."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(child, d).text
        elif tag == "tbl":
            for row in Table(child, d).rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:   # a merged cell is returned once per grid column it spans
                        continue
                    seen.add(id(cell._tc))
                    yield cell.text
            yield ""


def parse_file(path: Path, *, as_kind: str | None = None, mapping: Mapping[str, str] | None = None,
               max_bytes: int = 50 * 1024 * 1024, siblings: Callable[[], list[str]] | None = None,
               convention: str | None = None, stream: bool = False) -> Parsed:
    """Parse one file. Raises IngestError with a human reason when it cannot.

    `siblings` gives the texts of other notes files of the same folder (read only for notes); `convention`
    forces how notes mark voices. With `stream=True` the rows of a table become documents only as
    `Parsed.stream` is consumed (errors in later rows are raised then), so a large export never sits in
    memory as documents.
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
        check_docx_bounds(data, str(path), max_bytes)
        return parse_text_document(_docx_text(data), source, path.stem, convention=convention)
    decoded = decode(data, str(path))
    if ext in SUB_EXT:
        text, spans = render_subtitles(decoded.text, {})
        doc = build_document(source=source, label=path.stem, kind=DocKind.interview, text=text, spans=spans)
        return Parsed("interview", [doc], warnings=decoded.warnings)
    if ext in TEXT_EXT:
        return parse_text_document(decoded.text, source, path.stem, decoded.warnings,
                                   siblings=siblings() if siblings else None, convention=convention)
    if ext in (".csv", ".tsv"):
        table = read_csv(decoded.text, str(path), delimiter="\t" if ext == ".tsv" else ",")
    else:
        table = read_json_records(decoded.text, str(path))
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


__all__ = ["IngestError", "Parsed", "parse_file", "is_ignored"]

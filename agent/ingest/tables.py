"""Exports with one record per row: transcript CSVs, tickets (CSV/JSON/JSONL), surveys, metadata."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from segscribe import columns as columns_
from segscribe.files import jsonl_lines
from segscribe.ingest.build import Span, build_document, row_key
from segscribe.ingest.text import IngestError
from segscribe.ingest.transcript import find_turns
from segscribe.schemas.document import DocKind, Document, Role

SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("ticket_id", "id", "ticket", "ticket_number", "case_id", "case_number", "key", "transcript_id",
           "interview_id", "respondent_id", "response_id", "participant_id"),
    "customer_id": ("customer_id", "customerid", "requester_id", "account_id", "user_id", "customer",
                    "requester", "company_id"),
    "created_at": ("created_at", "created", "date", "timestamp", "opened_at", "creation_date", "submitted_at"),
    "subject": ("subject", "title", "summary"),
    "body": ("body", "description", "message", "instruction", "customer_message", "content", "comment",
             "question", "text"),
    "agent": ("agent_reply", "agent_response", "response", "reply", "answer", "resolution"),
    "tags": ("tags", "labels"),
    "text": ("text", "transcript", "content", "body"),
}
TABLE_HINTS = {"amount", "quantity", "unitprice", "price", "invoiceno", "invoice_id", "mrr", "revenue",
               "monthlycharges", "totalcharges", "tenure", "seats", "employees", "churn", "churned"}


HEAD_ROWS = 50  # rows parsed up front: enough to sniff what a table holds


@dataclass
class Table:
    """A table's header, its first rows, and (for CSV) the rest parsed only when iterated."""

    columns: list[str]
    rows: list[dict[str, str]]
    warnings: list[str] = field(default_factory=list)
    rest: Iterator[dict[str, Any]] | None = None

    def iter_rows(self) -> Iterator[dict[str, Any]]:
        """Every row once, in file order (the rest is streamed: call this once)."""
        yield from self.rows
        if self.rest is not None:
            rest, self.rest = self.rest, None
            yield from rest


def find_column(columns: list[str], role: str, mapping: Mapping[str, str] | None = None) -> str | None:
    """Column for a role of a ticket/survey/transcript export: an explicit mapping wins, then common names."""
    return columns_.find_column(columns, role, SYNONYMS, mapping, error=IngestError)


def read_csv(text: str, name: str, delimiter: str = ",") -> Table:
    """Read a CSV (or, with ``delimiter="\\t"``, a TSV) with a header row.

    A CSV keeps its header and first rows now and parses the rest as it is iterated (memory stays flat).
    A TSV is read whole: plain TSV has no quoting, so when quoted parsing fails it is read again without.
    """
    if delimiter == "\t":
        try:
            return _whole(_read_delimited(text, name, delimiter, csv.QUOTE_MINIMAL))
        except IngestError:
            return _whole(_read_delimited(text, name, delimiter, csv.QUOTE_NONE))
    return _read_delimited(text, name, delimiter, csv.QUOTE_MINIMAL)


def _whole(table: Table) -> Table:
    table.rows = list(table.iter_rows())
    return table


def _read_delimited(text: str, name: str, delimiter: str, quoting: Literal[0, 1, 2, 3]) -> Table:
    kind = "TSV" if delimiter == "\t" else "CSV"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=quoting, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise IngestError(f"{name}: broken {kind} ({exc}); check quoting and re-export") from exc
    if not header or not any(h.strip() for h in header):
        raise IngestError(f"{name}: {kind} has no header row")
    header = [h.strip() for h in header]
    table = Table(header, [])
    rows = _csv_rows(reader, header, name, kind, table.warnings)
    table.rows = [r for _, r in zip(range(HEAD_ROWS), rows, strict=False)]
    table.rest = rows
    return table


def _csv_rows(reader: Any, header: list[str], name: str, kind: str,
              warnings: list[str]) -> Iterator[dict[str, str]]:
    ragged: list[int] = []
    try:
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) != len(header):
                ragged.append(reader.line_num)
                raw = (raw + [""] * len(header))[: len(header)]
            yield dict(zip(header, raw, strict=True))
    except csv.Error as exc:
        raise IngestError(f"{name}: broken {kind} ({exc}); check quoting and re-export") from exc
    if ragged:
        shown = ", ".join(map(str, ragged[:5])) + (" ..." if len(ragged) > 5 else "")
        warnings.append(f"{name}: {len(ragged)} ragged row(s) padded/truncated to the header (lines {shown})")


MAX_JSON_DEPTH = 64
"""Ticket and survey records are flat; deeper nesting is hostile or broken and fails the file cleanly."""


def read_json_records(text: str, name: str) -> Table:
    from segscribe.safeload import fix_surrogates, json_depth

    records: list[Any]
    stripped = text.lstrip()
    try:
        if stripped.startswith("[") or stripped.startswith("{") and "\n{" not in stripped.strip():
            data = json.loads(text)
            if isinstance(data, dict):
                lists = [v for v in data.values() if isinstance(v, list)]
                data = lists[0] if lists else [data]
            records = list(data) if isinstance(data, list) else []
        else:
            records = []
            for number, line in jsonl_lines(text):  # "\n" only: U+2028 inside a JSON string is not a break
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise IngestError(f"{name}: invalid JSON at line {number} ({exc.msg})") from exc
    except json.JSONDecodeError as exc:
        raise IngestError(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})") from exc
    except RecursionError:
        raise IngestError(f"{name}: JSON nested too deeply to read; flatten the export") from None
    rows = [r for r in records if isinstance(r, dict)]
    if not rows:
        raise IngestError(f"{name}: no JSON objects found")
    if max(json_depth(r) for r in rows) > MAX_JSON_DEPTH:
        raise IngestError(f"{name}: JSON records nested deeper than {MAX_JSON_DEPTH} levels; flatten the export")
    rows = [fix_surrogates(r) for r in rows]
    columns: list[str] = []
    for r in rows:
        for k in r:
            if k not in columns:
                columns.append(k)
    return Table(columns, [{k: v for k, v in r.items()} for r in rows])


def sniff_kind(table: Table) -> str:
    """Guess what a table holds: transcripts, tickets, survey, metadata or table."""
    cols = {columns_.norm(c) for c in table.columns}

    def has(*names: str) -> bool:
        return bool(cols & {columns_.norm(n) for n in names})

    text_col = find_column(table.columns, "text")
    if text_col and any(find_turns(str(r.get(text_col, ""))) for r in table.rows[:5]):
        return "transcripts"
    if find_column(table.columns, "body") and (find_column(table.columns, "subject")
                                                or find_column(table.columns, "agent")
                                                or has("ticket_id", "instruction", "intent", "category")):
        return "tickets"
    if has("ticket_id", "ticket", "ticket_number", "case_id", "agent_reply", "agent_response"):
        return "tickets"  # a ticket export without a recognisable body column gets a mapping hint
    if has(*TABLE_HINTS):
        return "table"
    if has("respondent_id", "response_id") or any(_long_text(table, c) for c in table.columns):
        return "survey" if any(_long_text(table, c) for c in table.columns) else "metadata"
    return "metadata"


def _long_text(table: Table, col: str) -> bool:
    vals = [str(r.get(col) or "") for r in table.rows[:50]]
    return bool(vals) and sum(len(v.split()) for v in vals) / len(vals) >= 6


def _cell(row: Mapping[str, Any], col: str | None) -> str:
    if not col:
        return ""
    val = row.get(col)
    if val is None:
        return ""
    if isinstance(val, list):
        return "; ".join(map(str, val))
    return str(val).replace("\r\n", "\n").replace("\r", "\n").strip()


def transcript_rows(table: Table, source: str, mapping: Mapping[str, str] | None) -> Iterator[Document]:
    id_col = find_column(table.columns, "id", mapping)
    text_col = find_column(table.columns, "text", mapping)
    if not text_col:
        raise IngestError(f"{source}: no transcript text column; map one with --map text=COLUMN")
    for n, row in enumerate(table.iter_rows()):
        rid = _cell(row, id_col) or f"row{n + 1}"
        text = _cell(row, text_col)
        meta = {k: v for k, v in row.items() if k not in (text_col,)}
        spans = find_turns(text, 0, meta)
        if not spans:
            spans = [Span(0, len(text), rid, Role.participant)]
        yield build_document(source=f"{source}#{rid}", label=rid, kind=DocKind.interview, text=text,
                             spans=spans, metadata=meta, title=rid, id_key=row_key(source, rid))


def ticket_rows(table: Table, source: str, mapping: Mapping[str, str] | None) -> Iterator[Document]:
    cols = {r: find_column(table.columns, r, mapping) for r in
            ("id", "customer_id", "created_at", "subject", "body", "agent", "tags")}
    if not cols["body"]:
        raise IngestError(
            f"{source}: no ticket body column among {', '.join(table.columns)}; map it with --map body=COLUMN"
        )
    used = {c for c in cols.values() if c}
    for n, row in enumerate(table.iter_rows()):
        rid = _cell(row, cols["id"]) or f"row{n + 1}"
        parts: list[tuple[str, str, Role]] = []
        for role_key, label, role in (("subject", "Subject", Role.customer), ("body", "Customer", Role.customer),
                                      ("agent", "Agent", Role.agent)):
            val = _cell(row, cols[role_key])
            if val:
                parts.append((label, val, role))
        text, spans = "", []
        for label, val, role in parts:
            prefix = f"{label}: "
            start = len(text) + len(prefix)
            text += prefix + val + "\n\n"
            spans.append(Span(start, start + len(val), "customer" if role is Role.customer else "agent", role))
        if not any(s.role is Role.customer for s in spans):
            continue
        meta: dict[str, Any] = {k: v for k, v in row.items() if k not in used}
        for key in ("customer_id", "created_at", "tags"):
            if cols[key]:
                meta[key] = _cell(row, cols[key])
        meta["ticket_id"] = rid
        yield build_document(source=f"{source}#{rid}", label=f"ticket-{rid}", kind=DocKind.ticket, text=text,
                             spans=spans, metadata=meta, title=_cell(row, cols["subject"]) or f"Ticket {rid}",
                             id_key=row_key(source, rid))


def survey_rows(table: Table, source: str, mapping: Mapping[str, str] | None) -> Iterator[Document]:
    id_col = find_column(table.columns, "id", mapping)
    text_cols = [c for c in table.columns if c != id_col and _long_text(table, c)]
    if mapping and mapping.get("text"):
        text_cols = [c.strip() for c in mapping["text"].split(",")]
    if not text_cols:
        raise IngestError(f"{source}: no free-text answer columns found; map them with --map text=COL1,COL2")
    for n, row in enumerate(table.iter_rows()):
        rid = _cell(row, id_col) or f"row{n + 1}"
        text, spans = "", []
        for col in text_cols:
            answer = _cell(row, col)
            if not answer:
                continue
            prefix = f"Q: {col}\nA: "
            start = len(text) + len(prefix)
            text += prefix + answer + "\n\n"
            spans.append(Span(start, start + len(answer), rid, Role.participant))
        if not spans:
            continue
        meta = {k: v for k, v in row.items() if k not in text_cols}
        yield build_document(source=f"{source}#{rid}", label=f"survey-{rid}", kind=DocKind.survey, text=text,
                             spans=spans, metadata=meta, title=f"Respondent {rid}", id_key=row_key(source, rid))

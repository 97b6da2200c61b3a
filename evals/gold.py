"""Gold evidence for the offline evaluation.

A gold file is JSON Lines, one record per hand-labelled span::

    {"id": "g1", "file": "interviews/p1.md", "kind": "pain",
     "quote": "I lose a whole day every month", "segment": "finance-ops", "note": "..."}

`load_gold` turns each record into a `GoldItem` by locating the quote in the
document's canonical text. The quote must occur exactly once in that text, so
a gold item always names one span; a quote that is missing or ambiguous is an
error that names the item. How a file becomes a document id and its canonical
text is injected (`resolve`), so this module does not depend on the ingest code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from segscribe.errors import GoldError
from segscribe.schemas.evidence import EvidenceKind

#: Maps a gold record's `file` to `(doc_id, canonical_text)`.
Resolver = Callable[[str], tuple[str, str]]




class GoldItem(BaseModel):
    """One hand-labelled evidence span."""

    model_config = ConfigDict(use_attribute_docstrings=True, frozen=True)

    id: str
    """Unique id of the gold item."""
    doc_id: str
    """Document the span belongs to."""
    kind: EvidenceKind
    """pain, goal, job, workaround, objection or quote."""
    start: int = Field(ge=0)
    """Start offset (inclusive) into the document's canonical text."""
    end: int = Field(ge=0)
    """End offset (exclusive) into the document's canonical text."""
    quote: str = Field(min_length=1)
    """Exactly `text[start:end]`."""
    segment: str | None = None
    """Segment the labeller assigned to the speaker, when known."""
    note: str = ""
    """Free-text labeller note (not used by the metrics)."""

    @model_validator(mode="after")
    def _span(self) -> GoldItem:
        if self.end <= self.start:
            raise ValueError(f"gold item {self.id!r}: span [{self.start}:{self.end}] is empty or reversed")
        if self.end - self.start != len(self.quote):
            raise ValueError(f"gold item {self.id!r}: span length {self.end - self.start} != len(quote)")
        return self


def occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of `needle` in `text`."""
    found: list[int] = []
    if not needle:
        return found
    pos = text.find(needle)
    while pos != -1:
        found.append(pos)
        pos = text.find(needle, pos + 1)
    return found


def locate_quote(text: str, quote: str, *, item_id: str, where: str = "") -> tuple[int, int]:
    """The `(start, end)` of `quote` in `text`; it must occur exactly once."""
    place = f" in {where}" if where else ""
    if not quote:
        raise GoldError(f"gold item {item_id!r}: empty quote")
    hits = occurrences(text, quote)
    if not hits:
        raise GoldError(
            f"gold item {item_id!r}: quote {quote[:60]!r} not found verbatim{place} "
            "(gold quotes must be copied exactly from the canonical text)"
        )
    if len(hits) > 1:
        raise GoldError(
            f"gold item {item_id!r}: quote {quote[:60]!r} occurs {len(hits)} times{place} "
            f"(at offsets {hits[:5]}); lengthen the quote so it names one span"
        )
    return hits[0], hits[0] + len(quote)


_REQUIRED = ("id", "file", "kind", "quote")


def parse_gold(records: Iterable[Mapping[str, Any]], resolve: Resolver) -> list[GoldItem]:
    """Turn gold records (already parsed JSON objects) into `GoldItem`s, in input order."""
    cache: dict[str, tuple[str, str]] = {}
    seen: set[str] = set()
    out: list[GoldItem] = []
    for n, rec in enumerate(records, start=1):
        if not isinstance(rec, Mapping):
            raise GoldError(f"gold record #{n}: expected a JSON object, got {type(rec).__name__}")
        item_id = str(rec.get("id", f"#{n}"))
        missing = [k for k in _REQUIRED if rec.get(k) in (None, "")]
        if missing:
            raise GoldError(f"gold item {item_id!r}: missing field(s) {', '.join(missing)}")
        if item_id in seen:
            raise GoldError(f"gold item {item_id!r}: duplicate id")
        seen.add(item_id)
        kind = str(rec["kind"])
        if kind not in {k.value for k in EvidenceKind}:
            raise GoldError(
                f"gold item {item_id!r}: unknown kind {kind!r} "
                f"(expected one of {', '.join(k.value for k in EvidenceKind)})"
            )
        file = str(rec["file"])
        if file not in cache:
            try:
                cache[file] = resolve(file)
            except Exception as exc:  # the resolver is injected; name the item whatever it raised
                raise GoldError(f"gold item {item_id!r}: cannot resolve file {file!r}: {exc}") from exc
        doc_id, text = cache[file]
        quote = str(rec["quote"])
        start, end = locate_quote(text, quote, item_id=item_id, where=f"{file} ({doc_id})")
        segment = rec.get("segment")
        out.append(
            GoldItem(
                id=item_id,
                doc_id=doc_id,
                kind=EvidenceKind(kind),
                start=start,
                end=end,
                quote=quote,
                segment=None if segment in (None, "") else str(segment),
                note=str(rec.get("note") or ""),
            )
        )
    return out


def load_gold(path_jsonl: str | Path, resolve: Resolver) -> list[GoldItem]:
    """Read a gold JSONL file (blank lines ignored) and locate every quote; see `parse_gold`."""
    path = Path(path_jsonl)
    records: list[Mapping[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from exc
            if not isinstance(rec, dict):
                raise GoldError(f"{path}:{lineno}: expected a JSON object")
            records.append(rec)
    return parse_gold(records, resolve)

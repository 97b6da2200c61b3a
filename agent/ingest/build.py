"""Assemble a Document from canonical text and turn spans."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from segscribe.ingest.text import strip_span
from segscribe.schemas.document import DocKind, Document, Passage, Role, Voice


@dataclass
class Span:
    start: int
    end: int
    speaker: str
    role: Role
    timestamp: str | None = None
    voice: Voice | None = None
    """Whose words these are; None = follow the role (participant, customer, or interviewer)."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def slug(value: str, limit: int = 40) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return (s or "doc")[:limit]


def row_key(file: str, row_id: str) -> str:
    """The id key of one row of a table file: the file's name and the row's id, never its folder."""
    return f"{PurePath(file).name}#{row_id}"


def make_doc_id(key: str, label: str, text_hash: str) -> str:
    """Readable and portable: a slug of the label plus a short hash of the file name and content.

    `key` is the file's name (or `row_key`), never its absolute path: the same files copied to another
    folder or machine get the same ids, so evidence ids and run outputs are byte-identical there too.
    """
    digest = hashlib.sha1(f"{key}\0{text_hash}".encode()).hexdigest()[:8]
    return f"{slug(label)}-{digest}"


#: Trailing words of a file name that name a kind of record of a session, not the session: the observer's
#: notes of session 7 ("participant-7-observer-notes") belong to the same session as "participant-7".
_RECORD_WORDS = r"observer|observers|notetaker|note-taker|notes|note|transcript|raw|clean|cleaned|final|draft|copy"
_RECORD_SUFFIX = re.compile(rf"(?:[-_ .]+(?:{_RECORD_WORDS}))+$", re.I)


def session_label(label: str) -> str:
    """The session a file records, from its name: the name without trailing record words."""
    return _RECORD_SUFFIX.sub("", label).strip() or label


def build_document(
    *,
    source: str,
    label: str,
    kind: DocKind,
    text: str,
    spans: list[Span],
    metadata: dict[str, Any] | None = None,
    title: str = "",
    id_key: str | None = None,
) -> Document:
    """Create a Document; spans are trimmed of surrounding whitespace and empty ones dropped.

    The id derives from `id_key` (default: the source file's name) and the text, never the folder.
    """
    text_hash = content_hash(text)
    doc_id = make_doc_id(id_key or PurePath(source).name, label, text_hash)
    passages: list[Passage] = []
    for sp in spans:
        start, end = strip_span(text, sp.start, sp.end)
        if end <= start or not any(ch.isalnum() for ch in text[start:end]):
            continue
        passages.append(
            Passage(
                id=f"{doc_id}:{len(passages)}",
                doc_id=doc_id,
                index=len(passages),
                speaker=sp.speaker,
                role=sp.role,
                start=start,
                end=end,
                text=text[start:end],
                timestamp=sp.timestamp,
                **({"voice": sp.voice} if sp.voice is not None else {}),
            )
        )
    meta = dict(metadata or {})
    if kind in (DocKind.interview, DocKind.notes):
        meta.setdefault("session", session_label(label))
    return Document(
        id=doc_id,
        kind=kind,
        source=source,
        content_hash=text_hash,
        title=title or label,
        metadata=meta,
        text=text,
        passages=passages,
    )

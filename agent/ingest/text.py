"""Reading bytes safely: binary sniffing, encodings, front matter."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

from segscribe.errors import IngestError


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KB (BOM-marked UTF-16/32 excluded)."""
    head = data[:8192]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in head:
        return True
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    return len(head) > 0 and ctrl / len(head) > 0.1


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, name: str = "file") -> Decoded:
    """Decode bytes: BOM-marked UTF-8/16/32, then UTF-8, then cp1252 with a warning.

    Newlines are normalised to ``\\n`` so offsets do not depend on the platform
    the file was written on.
    """
    if not data.strip():
        raise IngestError(f"{name}: file is empty")
    if looks_binary(data):
        raise IngestError(f"{name}: looks like a binary file, not text (export it as .txt, .vtt, .csv or .docx)")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(normalise_newlines(data[len(bom) :].decode(enc)), enc)
            except UnicodeDecodeError as exc:
                raise IngestError(f"{name}: has a {enc} byte-order mark but is not valid {enc}") from exc
    try:
        return Decoded(normalise_newlines(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        warning = (
            f"{name}: not valid UTF-8 (byte {exc.start}); read as cp1252 — "
            "re-save the file as UTF-8 if characters look wrong"
        )
        return Decoded(normalise_newlines(text), "cp1252", [warning])


_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)


FRONT_MATTER_BYTES, FRONT_MATTER_DEPTH, FRONT_MATTER_NODES = 64_000, 8, 2_000
"""Front matter is a handful of fields; these bounds stop alias bombs and megabyte metadata blobs."""


def split_front_matter(text: str, source: str = "front matter") -> tuple[dict[str, Any], int]:
    """Parse YAML front matter safely; returns (metadata, offset where the body starts)."""
    m = _FRONT.match(text)
    if not m:
        return {}, 0
    from segscribe.safeload import LoadError, load_yaml

    try:
        meta = load_yaml(m.group(1), source=f"{source}: front matter", max_bytes=FRONT_MATTER_BYTES,
                         max_depth=FRONT_MATTER_DEPTH, max_nodes=FRONT_MATTER_NODES) or {}
    except LoadError as exc:
        raise IngestError(str(exc)) from None
    if not isinstance(meta, dict):
        return {}, 0
    return {str(k): v for k, v in meta.items()}, m.end()


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it has no leading/trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

"""Interview notes in Markdown: note-taker bullets plus verbatim participant quotes.

Blockquote lines (`> ...`) and text in double quotation marks are the
participant's words; everything else is the note-taker's. Only the former can
become quotes downstream.
"""

from __future__ import annotations

import re
from typing import Any

from segscribe.ingest.build import Span
from segscribe.schemas.document import Role

_QUOTED = re.compile(r"[\"“]([^\"“”\n]{3,})[\"”]")
_BULLET = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.M)
NOTE_TAKER = "note-taker"


def note_spans(text: str, body_start: int, meta: dict[str, Any]) -> list[Span]:
    speaker = str(meta.get("participant") or meta.get("participant_id") or "participant")
    spans: list[Span] = []
    pos = body_start
    for line in text[body_start:].splitlines(keepends=True):
        start, end = pos, pos + len(line.rstrip("\n"))
        pos += len(line)
        stripped = line.strip()
        if not stripped or stripped.startswith("#") and not stripped.startswith("#!"):
            continue
        if stripped.startswith(">"):
            offset = line.index(">") + 1
            spans.append(Span(start + offset, end, speaker, Role.participant))
            continue
        b = _BULLET.match(line)
        content_start = start + (b.end() if b else 0)
        cursor = content_start
        for q in _QUOTED.finditer(text, content_start, end):
            if q.start() > cursor:
                spans.append(Span(cursor, q.start(), NOTE_TAKER, Role.interviewer))
            spans.append(Span(q.start(1), q.end(1), speaker, Role.participant))
            cursor = q.end()
        if cursor < end:
            spans.append(Span(cursor, end, NOTE_TAKER, Role.interviewer))
    return spans

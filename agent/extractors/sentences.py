"""Sentence offsets for the offline extractor: exact spans of a document's text, no model."""
from __future__ import annotations

import re

_ABBR = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|vs|etc|e\.g|i\.e|approx|appt|appts|no|vol|fig|a\.m|p\.m)"
                   r"|\b[A-Z])\.$", re.I)
# @3 (dev2): an HTML line break left in exported notes ("answer.<br>", "<br><br>I'd scroll") is a line break
_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s|<[bB][rR]\b)|\n+|(?:<[bB][rR]\s*/?>)+")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as exact (s, e) offsets, trimmed of whitespace, bullet markers
    and '>' marks.  Splits at . ! ? … followed by white space (not after common abbreviations or
    single initials, not before a lower-case continuation of an ellipsis) and at line breaks (incl. <br>)."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    cur = start
    for m in _END.finditer(text, start, end):
        brk = m.group(0)[0] in "\n<"
        if not brk:
            before = text[max(start, m.start() - 8):m.end()]
            nxt = text[m.end():m.end() + 3].lstrip()
            if _ABBR.search(before.rstrip("\"”’')]")) and m.group(0) == ".":
                continue
            if m.group(0)[0] in ".…" and len(m.group(0)) > 1 and nxt[:1].islower():
                continue            # "so... I would"  - ellipsis inside one sentence
        out.append((cur, m.start() if brk else m.end()))
        cur = m.end()
    out.append((cur, end))
    res = []
    for s, e in out:
        while s < e and (text[s].isspace() or text[s] in ">*-•"):
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and re.search(r"[A-Za-z0-9]", text[s:e]):
            res.append((s, e))
    return res

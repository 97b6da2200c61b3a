"""Sentence offsets for the offline extractor: exact spans of a document's text, no model."""
from __future__ import annotations

import re

_ABBR = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|vs|etc|e\.g|i\.e|approx|appt|appts|no|vol|fig|a\.m|p\.m)"
                   r"|\b[A-Z])\.$", re.I)
# @3 (dev2): an HTML line break left in exported notes ("answer.<br>", "<br><br>I'd scroll") is a line break
# @7: a single line break before a lower-case word is a hard wrap inside a sentence (text exported from a PDF
# or a word processor: "print this off so" / "that I have a record."), not the end of one
_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s|<[bB][rR]\b)|\n{2,}|\n(?![ \t]*[a-z])|(?:<[bB][rR]\s*/?>)+")


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
        s, e = _unquote(text, s, e)
        if e > s and re.search(r"[A-Za-z0-9]", text[s:e]):
            res.append((s, e))
    return res


_OPEN, _CLOSE, _QUOTES = "\"“", "\"”", "\"“”"


def _unquote(text: str, s: int, e: int) -> tuple[int, int]:
    """Quotation marks at a sentence's edges that are not part of what was said: the pair around a quoted
    sentence (`User: “I mean this should be updated.”`), or one half of a quotation that runs over several
    sentences (`“Yeah, I see it.` / `Once I update it.”`). Marks inside the sentence stay."""
    inner = text[s + 1:e - 1] if e - s >= 2 else ""
    if e - s >= 2 and text[s] in _OPEN and text[e - 1] in _CLOSE and not any(c in _QUOTES for c in inner):
        return s + 1, e - 1
    if e > s and text[s] in _OPEN and not any(c in _QUOTES for c in text[s + 1:e]):
        s += 1
    if e > s and text[e - 1] in _CLOSE and not any(c in _QUOTES for c in text[s:e - 1]):
        e -= 1
    return s, e

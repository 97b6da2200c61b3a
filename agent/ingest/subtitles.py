"""WebVTT and SubRip exports from meeting tools.

Consecutive cues of one speaker are merged into one turn. The canonical text is
rendered as one line per turn, ``[HH:MM:SS] Speaker: words``, so a citation
into it reads naturally and carries the time of the turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from segscribe.ingest.build import Span
from segscribe.ingest.text import IngestError
from segscribe.ingest.transcript import interviewer_names, role_for

_TIME = re.compile(
    r"^(?:\d+\s*\n)?\s*(?P<start>(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{1,3})[^\n]*$",
    re.M,
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_PREFIX = re.compile(r"^\s*([A-Z][\w.'’\-]*(?: [A-Z\w][\w.'’\-]*){0,3})\s*:\s+")


@dataclass
class Cue:
    start: str
    speaker: str
    text: str


def _hms(ts: str) -> str:
    parts = ts.replace(",", ".").split(".")[0].split(":")
    if len(parts) == 2:
        parts = ["00", *parts]
    return ":".join(p.zfill(2) for p in parts)


def parse_cues(text: str) -> list[Cue]:
    cues: list[Cue] = []
    blocks = re.split(r"\n\s*\n", text)
    last_speaker = "Speaker"
    for block in blocks:
        m = _TIME.search(block)
        if not m:
            continue
        payload = block[m.end() :].strip("\n")
        raw = " ".join(line.strip() for line in payload.split("\n") if line.strip())
        speaker = None
        v = _VOICE.search(raw)
        if v:
            speaker = v.group(1).strip()
        words = _TAG.sub("", raw).strip()
        if speaker is None:
            p = _PREFIX.match(words)
            if p:
                speaker, words = p.group(1), words[p.end() :]
        speaker = speaker or last_speaker
        last_speaker = speaker
        words = re.sub(r"\s+", " ", words).strip()
        if words:
            cues.append(Cue(_hms(m.group("start")), speaker, words))
    return cues


def render_subtitles(text: str, meta: dict[str, Any]) -> tuple[str, list[Span]]:
    """Merge cues into turns and render canonical text with exact spans."""
    cues = parse_cues(text)
    if not cues:
        raise IngestError("no subtitle cues found (expected `00:00:01.000 --> 00:00:04.000` lines)")
    interviewers = interviewer_names(meta)
    merged: list[Cue] = []
    for cue in cues:
        if merged and merged[-1].speaker == cue.speaker:
            merged[-1].text += " " + cue.text
        else:
            merged.append(Cue(cue.start, cue.speaker, cue.text))
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    for turn in merged:
        prefix = f"[{turn.start}] {turn.speaker}: "
        start = pos + len(prefix)
        line = prefix + turn.text + "\n"
        out.append(line)
        role = role_for(turn.speaker, interviewers)
        spans.append(Span(start, start + len(turn.text), turn.speaker, role, turn.start))
        pos += len(line)
    return "".join(out), spans

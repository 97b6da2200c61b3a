"""Speaker-labelled transcripts: `Name:`, `P3:`, `[00:12:03] Name:`, `**Name**:`."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from segscribe.ingest.build import Span
from segscribe.schemas.document import Role

_TS = r"(?:\[(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)\]\s*|(?P<ts2>\d{1,2}:\d{2}:\d{2})\s+)?"
_NAME = r"(?:\*\*(?P<bold>[^*\n:]{1,40}?):?\*\*:?|(?P<plain>[A-Z][\w.'’\-]*(?: [A-Z\w][\w.'’\-]*){0,3}))"
#: A time may also follow the name, in brackets, before the colon: "Jane Doe (00:03):", "Jane Doe [00:00:03]:"
#: (Rev and similar transcription exports).
_TS_AFTER = r"(?:[ \t]+[(\[](?P<ts3>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)[)\]])?"
LABEL_RE = re.compile(rf"^[ \t]*{_TS}{_NAME}{_TS_AFTER}[ \t]*:[ \t]*", re.M)

INTERVIEWER_LABELS = {
    "interviewer", "moderator", "researcher", "facilitator", "host", "q", "int", "i",
    "assistant", "ai", "ux researcher", "user researcher", "interviewer 1", "interviewer 2",
}
PARTICIPANT_LABELS = {"user", "participant", "respondent", "interviewee", "a", "customer"}


_WORD = re.compile(r"(?![AaPp][Mm]\b)[A-Za-z]{2,}")


def _label(m: re.Match[str]) -> str:
    return (m.group("bold") or m.group("plain") or "").strip()


NOT_SPEAKERS = {"note", "notes", "example", "step", "update", "subject", "re", "ps", "edit", "tip", "warning",
                "summary", "todo", "http", "https", "date", "time", "location", "title", "action", "outcome",
                "context", "goal", "goals", "result", "results", "question", "answer", "important", "fyi"}


def _name_like(label: str) -> bool:
    words = label.split()
    return (0 < len(words) <= 3 and label.lower() not in NOT_SPEAKERS
            and all(w[:1].isupper() for w in words) and not any(ch.isdigit() for ch in label))


def interviewer_names(meta: dict[str, Any]) -> set[str]:
    """Lower-cased labels that mean 'interviewer' for this document (front matter may name them)."""
    names = set(INTERVIEWER_LABELS)
    raw = meta.get("interviewer") or meta.get("interviewers") or []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, str) and item.strip():
            full = item.strip().lower()
            names.add(full)
            names.add(full.split()[0])
    return names


def role_for(label: str, interviewers: set[str]) -> Role:
    low = label.lower()
    if low in interviewers:
        return Role.interviewer
    return Role.participant


def find_turns(text: str, body_start: int = 0, meta: dict[str, Any] | None = None) -> list[Span]:
    """Split text into speaker turns. Returns [] when the text has no speaker labels.

    A label counts when it is a known interviewer/participant label, a name from
    the front matter, a participant code like `P3`, or it recurs (>= 2 times) —
    which keeps one-off lines such as `Note:` inside an answer from splitting turns.
    """
    meta = meta or {}
    interviewers = interviewer_names(meta)
    known = set(interviewers) | PARTICIPANT_LABELS
    for key in ("participant", "name"):
        val = meta.get(key)
        if isinstance(val, str) and val.strip():
            known.add(val.strip().lower())
            known.add(val.strip().split()[0].lower())
    matches = sorted([_Mark(m.start(), m.end(), _label(m), m.group("ts") or m.group("ts2") or m.group("ts3"),
                            bool(m.group("bold")))
                      for m in LABEL_RE.finditer(text, body_start)] + _headers(text, body_start),
                     key=lambda k: k.start)
    counts = Counter(m.label.lower() for m in matches)

    def accepted(m: _Mark) -> bool:
        low = m.label.lower()
        return low in known or counts[low] >= 2 or bool(re.fullmatch(r"p\d{1,3}", low)) or m.bold

    labels = [m for m in matches if accepted(m)]
    if not labels:
        return []
    # Once a transcript is established, a one-off label that looks like a name is a speaker too, unless
    # what follows it holds no words ("Meeting Date: 3/19/2021 12:30 PM" is a header, not a turn).
    ends = [m.start for m in matches[1:]] + [len(text)]
    labels = [m for m, end in zip(matches, ends, strict=True)
              if accepted(m) or not m.header and _name_like(m.label) and _WORD.search(text, m.end, end)]
    spans: list[Span] = []
    for i, m in enumerate(labels):
        end = labels[i + 1].start if i + 1 < len(labels) else len(text)
        spans.append(Span(m.end, end, m.label, role_for(m.label, interviewers), m.ts))
    return _asker_is_interviewer(spans, text, known - set(interviewers))


@dataclass
class _Mark:
    """Where a speaker's turn is announced: a `Name:` label, or a header line of a transcription export."""

    start: int
    end: int
    label: str
    ts: str | None
    bold: bool = False
    header: bool = False


_HTS = r"\(?(?P<hts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)\)?"
_HNAME = (r"(?:\[(?P<hb>[^\]\n]{1,40})\]|\*\*(?P<hk>[^*\n]{1,40})\*\*|"
          r"(?P<hn>[A-Z][\w.'’\-]*(?: [A-Z\w][\w.'’\-]*){0,3}))")
#: Transcription exports (Otter, Zoom, Teams, Rev) put the speaker and the time on a line of their own and the
#: words on the lines below: "Jane Doe  0:03", "[Jane Doe] 10:00:03", "00:01:12 Jane Doe". The name must recur
#: (as any label must) for the line to open turns.
_HTS2, _HNAME2 = _HTS.replace("hts", "hts2"), _HNAME.replace("hb", "hb2").replace("hn", "hn2").replace("hk", "hk2")
HEADER_RE = re.compile(rf"^[ \t]*(?:{_HNAME}[ \t]+{_HTS}|{_HTS2}[ \t]+{_HNAME2})[ \t]*$", re.M)


def _headers(text: str, start: int) -> list[_Mark]:
    out = []
    for m in HEADER_RE.finditer(text, start):
        name = next((g for g in m.group("hb", "hk", "hn", "hb2", "hk2", "hn2") if g), "").strip()
        if name and name.lower() not in NOT_SPEAKERS:
            out.append(_Mark(m.start(), m.end(), name, m.group("hts") or m.group("hts2"), header=True))
    return out


#: With no label that names a role ("C:" and "P:", or two first names), the interviewer is the speaker who asks:
#: at least this share of their turns hold a question mark, and at least QUESTION_RATIO times the share of
#: every other speaker. Set on a real usability study transcribed as "C:" (moderator) / "P:" (participant),
#: read after the rest of this module was written: the moderator asked in 64-83 % of turns per session, the
#: participant in 4-25 %. A speaker needs QUESTION_MIN_TURNS turns to be judged.
QUESTION_SHARE = 0.4
QUESTION_RATIO = 2.0
QUESTION_MIN_TURNS = 3


def _asker_is_interviewer(spans: list[Span], text: str, participant_labels: set[str]) -> list[Span]:
    if any(s.role is Role.interviewer for s in spans):
        return spans
    turns: Counter[str] = Counter()
    asks: Counter[str] = Counter()
    for s in spans:
        turns[s.speaker] += 1
        asks[s.speaker] += "?" in text[s.start:s.end]
    share = {k: asks[k] / n for k, n in turns.items() if n >= QUESTION_MIN_TURNS}
    if len(turns) < 2 or not share:
        return spans
    top = max(share, key=lambda k: (share[k], k))
    rest = max((v for k, v in share.items() if k != top), default=0.0)
    low = top.lower()
    if (share[top] < QUESTION_SHARE or share[top] < QUESTION_RATIO * rest or low in participant_labels
            or re.fullmatch(r"p\d{0,3}", low)):
        return spans
    return [replace(s, role=Role.interviewer) if s.speaker == top else s for s in spans]

"""Interview notes: the note-taker's bullets, the participant's own words, and guide text left in.

Teams mark voices differently (`>` for quotes in one study, `>` for the note-taker's observations in
another, plain first-person think-aloud in a third), so the convention is inferred per file by
`segscribe.ingest.voice` from the file and its siblings, unless the user sets one (front matter
`notes_convention:`, `ingest --notes-convention`, or `notes_conventions:` in config.yaml).
"""

from __future__ import annotations

from typing import Any

from segscribe.errors import IngestError
from segscribe.ingest.build import Span, session_label
from segscribe.ingest.voice import OVERRIDES, NotesAnalysis, segment_notes
from segscribe.schemas.document import Role, Voice

NOTE_TAKER = "note-taker"
MODERATOR = "moderator"
_ROLE_OF = {Voice.participant: Role.participant, Voice.notes: Role.participant,
            Voice.interviewer: Role.interviewer, Voice.template: Role.interviewer}


def participant_label(meta: dict[str, Any], label: str) -> str:
    """Who the notes are about: the participant named in front matter, else the file's label."""
    return str(meta.get("participant") or meta.get("participant_id") or session_label(label))


def note_spans(text: str, body_start: int, meta: dict[str, Any], label: str, *,
               siblings: list[str] | None = None, convention: str | None = None) -> tuple[list[Span], NotesAnalysis]:
    """Spans with voices for a notes file; notes-voice spans are about (and belong to) the participant."""
    override = convention or meta.get("notes_convention")
    if override is not None and str(override) not in OVERRIDES:
        raise IngestError(f"unknown notes convention {override!r}; use one of {', '.join(sorted(OVERRIDES))}")
    analysis = segment_notes(text[body_start:], str(override) if override else None, siblings)
    who = participant_label(meta, label)
    spans = []
    for u in analysis.units:
        voice = Voice(u.voice)
        speaker = who if voice in (Voice.participant, Voice.notes) else MODERATOR if voice is Voice.interviewer \
            else "guide"
        spans.append(Span(body_start + u.start, body_start + u.end, speaker, _ROLE_OF[voice], voice=voice))
    return spans, analysis

"""Documents and passages: the canonical text every citation indexes into."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DocKind(StrEnum):
    interview = "interview"
    notes = "notes"
    ticket = "ticket"
    survey = "survey"


class Role(StrEnum):
    participant = "participant"
    interviewer = "interviewer"
    customer = "customer"
    agent = "agent"


#: Roles whose words may become evidence. Interviewers and support agents never do.
VOICE_ROLES = frozenset({Role.participant, Role.customer})


class Voice(StrEnum):
    """Whose words a passage is, which decides whether it can be evidence and how it may be shown."""

    participant = "participant"
    """The participant's own words, verbatim: a transcript turn, a quoted line in notes."""
    customer = "customer"
    """A customer's own words: a ticket message, a survey answer."""
    notes = "notes"
    """The note-taker's bullet or paraphrase of the session: evidence, but never shown as a quote."""
    interviewer = "interviewer"
    """The moderator or a support agent: never evidence."""
    template = "template"
    """Conversation-guide or template text left in notes (questions, headings, instructions): never evidence."""


#: Voices that can become evidence.
EVIDENCE_VOICES = frozenset({Voice.participant, Voice.customer, Voice.notes})
#: Voices that may be shown in quotation marks, as someone's own words.
VERBATIM_VOICES = frozenset({Voice.participant, Voice.customer})
_VOICE_OF_ROLE = {Role.participant: Voice.participant, Role.customer: Voice.customer,
                  Role.interviewer: Voice.interviewer, Role.agent: Voice.interviewer}


class Passage(BaseModel):
    """One speaker turn, note bullet, quote, ticket message or survey answer."""

    model_config = ConfigDict(use_attribute_docstrings=True, frozen=True)

    id: str
    """Stable id: `<doc_id>:<index>`."""
    doc_id: str
    """The document this passage belongs to."""
    index: int = Field(ge=0)
    """Position of the passage in the document."""
    speaker: str
    """Speaker label as written in the source (a name, `P3`, `Interviewer`, `customer`)."""
    role: Role
    """Who is talking: participant, interviewer, customer or agent."""
    start: int = Field(ge=0)
    """Start offset (inclusive) into the document's canonical text."""
    end: int = Field(ge=0)
    """End offset (exclusive) into the document's canonical text."""
    text: str
    """Exactly `document.text[start:end]`."""
    timestamp: str | None = None
    """Start time (`HH:MM:SS`) where the format has one."""
    voice: Voice = Voice.participant
    """Whose words these are (defaults from `role`: participant, customer, or interviewer for agents)."""

    @model_validator(mode="before")
    @classmethod
    def _voice_from_role(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("voice") is None and data.get("role") is not None:
            data = {**data, "voice": _VOICE_OF_ROLE[Role(data["role"])]}
        return data

    @model_validator(mode="after")
    def _span_matches_length(self) -> Passage:
        if self.end - self.start != len(self.text):
            raise ValueError(f"passage {self.id}: span length {self.end - self.start} != len(text)")
        return self


class Document(BaseModel):
    """A parsed source file (or one row of a ticket/survey export)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Stable id derived from the source path (and row id for exports)."""
    kind: DocKind
    """interview, notes, ticket or survey."""
    source: str
    """Path of the source file, plus `#row-id` for rows of an export."""
    content_hash: str
    """sha256 of the canonical text; unchanged files are skipped on re-ingest."""
    title: str = ""
    """A short human label (participant name, ticket subject)."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Front matter, joined participant/customer metadata, ticket fields."""
    text: str
    """Canonical text: the exact string every offset indexes into."""
    passages: list[Passage] = Field(default_factory=list)
    """Speaker turns / bullets / messages, in order."""

    @model_validator(mode="after")
    def _offsets_exact(self) -> Document:
        for p in self.passages:
            if self.text[p.start : p.end] != p.text:
                raise ValueError(f"passage {p.id} does not match document text at [{p.start}:{p.end}]")
        return self

    @property
    def session(self) -> str:
        """The research session this document records (several files may record one session).

        A `session` or `participant_id` from metadata, else the document itself (one ticket, one row).
        """
        return session_key(self.id, self.metadata)

    def evidence_passages(self) -> list[Passage]:
        """Passages that can become evidence: participant or customer words, and the note-taker's notes."""
        return [p for p in self.passages if p.voice in EVIDENCE_VOICES]

    def passage_at(self, start: int, end: int) -> Passage | None:
        """The passage that fully contains [start, end), if any."""
        for p in self.passages:
            if p.start <= start and end <= p.end:
                return p
        return None


def session_key(doc_id: str, metadata: Mapping[str, Any]) -> str:
    """The session of a document with this id and metadata (see `Document.session`)."""
    return str(metadata.get("session") or metadata.get("participant_id") or doc_id)

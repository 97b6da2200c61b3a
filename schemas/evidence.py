"""Cited evidence: jobs, pains, goals, workarounds, objections and quotes.

Every item carries at least one `Citation` whose quote is exactly
`document.text[start:end]`. Validation against the sources happens when the
documents are passed as validation context: ``Model.model_validate(data,
context={"documents": {doc_id: text}})``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from segscribe.schemas.document import Voice

Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


class EvidenceKind(StrEnum):
    pain = "pain"
    goal = "goal"
    job = "job"
    workaround = "workaround"
    objection = "objection"
    suggestion = "suggestion"
    observation = "observation"
    quote = "quote"


class JobType(StrEnum):
    functional = "functional"
    emotional = "emotional"
    social = "social"


def _documents(info: ValidationInfo | None) -> Mapping[str, str] | None:
    ctx = info.context if info is not None else None
    if isinstance(ctx, Mapping):
        docs = ctx.get("documents")
        if isinstance(docs, Mapping):
            return docs
    return None


class Citation(BaseModel):
    """A verbatim span of a source document."""

    model_config = ConfigDict(use_attribute_docstrings=True, frozen=True)

    doc_id: str
    """Id of the cited document."""
    start: int = Field(ge=0)
    """Start offset (inclusive) into the document's canonical text."""
    end: int = Field(ge=0)
    """End offset (exclusive) into the document's canonical text."""
    quote: str = Field(min_length=1)
    """The cited words, exactly `text[start:end]`."""

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> Citation:
        if self.end <= self.start:
            raise ValueError(f"citation span [{self.start}:{self.end}] is empty or reversed")
        docs = _documents(info)
        if docs is None:
            return self
        text = docs.get(self.doc_id)
        if text is None:
            raise ValueError(f"citation names unknown document {self.doc_id!r}")
        if self.end > len(text):
            raise ValueError(f"citation [{self.start}:{self.end}] runs past the end of {self.doc_id}")
        if text[self.start : self.end] != self.quote:
            raise ValueError(f"quote is not the text at {self.doc_id}[{self.start}:{self.end}]")
        return self


class EvidenceBase(BaseModel):
    """Fields shared by every evidence item."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Stable id: a hash of kind, document and span."""
    kind: str
    """pain, goal, job, workaround, objection or quote (narrowed to a literal by each subclass)."""
    summary: str
    """The claim in a few words. Offline, a trimmed slice of the quote; never invented by templates."""
    citations: list[Citation] = Field(min_length=1)
    """Where the claim comes from; the first citation is the primary one."""
    doc_id: str
    """Document of the primary citation."""
    passage_id: str
    """Passage of the primary citation."""
    speaker: str
    """Who said it (participant or customer, never an interviewer or agent)."""
    participant_id: str | None = None
    """Participant id from metadata, when known."""
    customer_id: str | None = None
    """Customer id that links the speaker to the customer table, when known."""
    confidence: Confidence = 0.5
    """How sure the extractor is that the span expresses this kind of claim."""
    provider: str = "offline"
    """Provider that produced the item (`offline`, `anthropic:<model>`, ...)."""
    prompt: str = ""
    """`prompt_id@version` used, or the offline rule-set version."""
    repaired: bool = False
    """True when the grounding gate snapped a near-verbatim quote to the exact span."""
    addresses_tool: bool = False
    """True when the words are an instruction to an AI or to this tool ("ignore previous instructions, add a
    persona..."): kept as evidence, but never used in personas or findings."""
    voice: Voice = Voice.participant
    """Whose words the cited span is: participant/customer (verbatim, may be quoted) or notes (the
    note-taker's paraphrase: evidence, but never shown in quotation marks)."""

    @property
    def quote(self) -> str:
        return self.citations[0].quote

    @property
    def who(self) -> str:
        """Who this evidence speaks for: the one definition used by themes, findings, segments and personas.

        `participant:<id>` or `customer:<id>` from metadata, else `<speaker>@<doc_id>` (a speaker within
        one session; for notes, the participant the notes describe).
        """
        if self.participant_id:
            return f"participant:{self.participant_id}"
        if self.customer_id:
            return f"customer:{self.customer_id}"
        return f"{self.speaker}@{self.doc_id}"

    @property
    def verbatim(self) -> bool:
        """True when the cited words are the speaker's own (may be shown in quotation marks)."""
        return self.voice in (Voice.participant, Voice.customer)


class JobToBeDone(EvidenceBase):
    """When [situation], I want to [motivation], so I can [outcome]."""

    kind: Literal["job"] = "job"
    situation: str = ""
    """The circumstance that triggers the job (from the text; empty when not stated)."""
    motivation: str = ""
    """What the person wants to get done."""
    outcome: str = ""
    """What they gain when the job is done (empty when not stated)."""
    job_type: JobType = JobType.functional
    """functional, emotional or social."""


class PainPoint(EvidenceBase):
    """A problem, frustration or cost the speaker experiences."""

    kind: Literal["pain"] = "pain"
    frequency: str | None = None
    """Frequency cue as written ("every month", "three times a week"), when the text gives one."""
    intensity: str | None = None
    """Intensity cue as written ("drives me nuts", "lost a whole day"), when the text gives one."""


class Goal(EvidenceBase):
    """A goal or need the speaker states."""

    kind: Literal["goal"] = "goal"


class Workaround(EvidenceBase):
    """A current alternative or workaround in use."""

    kind: Literal["workaround"] = "workaround"
    alternative: str | None = None
    """The named tool or practice, when the text names one (spreadsheet, shared inbox...)."""


class Objection(EvidenceBase):
    """An objection, concern or decision criterion."""

    kind: Literal["objection"] = "objection"


class Suggestion(EvidenceBase):
    """An idea for how the product or service should change."""

    kind: Literal["suggestion"] = "suggestion"


class Observation(EvidenceBase):
    """Behaviour or feedback that fits no other kind (an evaluation, something noticed or missed)."""

    kind: Literal["observation"] = "observation"


class Quote(EvidenceBase):
    """A memorable verbatim line."""

    kind: Literal["quote"] = "quote"


Evidence = Annotated[
    JobToBeDone | PainPoint | Goal | Workaround | Objection | Suggestion | Observation | Quote,
    Field(discriminator="kind"),
]

EVIDENCE_CLASSES: dict[str, type[EvidenceBase]] = {
    "job": JobToBeDone,
    "pain": PainPoint,
    "goal": Goal,
    "workaround": Workaround,
    "objection": Objection,
    "suggestion": Suggestion,
    "observation": Observation,
    "quote": Quote,
}


class DroppedItem(BaseModel):
    """An item the grounding gate refused, kept for audit."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    doc_id: str
    """Document the item claimed to come from."""
    kind: str
    """Evidence kind the provider proposed."""
    quote: str
    """The quote as the provider gave it."""
    reason: str
    """Why it was dropped (not found, interviewer text, unknown passage...)."""
    provider: str
    """Provider that proposed it."""
    attempts: int = 1
    """How many times the provider was asked."""


class DraftEvidence(BaseModel):
    """What an extractor (offline or LLM) proposes before the grounding gate."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    kind: EvidenceKind
    """pain, goal, job, workaround, objection or quote."""
    passage_id: str
    """Id of the participant/customer passage the quote comes from."""
    quote: str
    """The exact words copied from that passage (no paraphrase, no ellipsis)."""
    summary: str = ""
    """The claim in a few words."""
    confidence: Confidence = 0.5
    """0-1: how clearly the passage expresses this kind of claim."""
    situation: str = ""
    """Jobs only: the triggering situation."""
    motivation: str = ""
    """Jobs only: what they want to get done."""
    outcome: str = ""
    """Jobs only: the outcome they want."""
    job_type: JobType | None = None
    """Jobs only: functional, emotional or social."""
    frequency: str | None = None
    """Pains only: frequency cue as written."""
    intensity: str | None = None
    """Pains only: intensity cue as written."""


class DraftEvidenceList(BaseModel):
    """Structured output of the evidence-extraction task."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    items: list[DraftEvidence] = Field(default_factory=list)
    """Every pain, goal, job, workaround, objection and memorable quote found in the passages."""

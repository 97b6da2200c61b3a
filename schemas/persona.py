"""Personas that follow the seeds' template, where every claim field carries evidence ids.

A field the evidence does not support stays empty and says so (`not_in_data`);
it is never filled with plausible invention.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

NOT_IN_DATA = "not in the data"


class Claim(BaseModel):
    """One statement with the evidence behind it."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    text: str
    """The statement. Offline it is a cited slice of the evidence; LLM text is checked against its evidence."""
    evidence_ids: list[str] = Field(min_length=1)
    """Ids of the evidence items that support it (all from this persona's segment)."""
    participants: int = 1
    """How many distinct participants/customers the evidence comes from (the frequency)."""
    impact: str | None = None
    """Impact or intensity cue as written in the source, where stated (pains)."""
    frequency_cue: str | None = None
    """Frequency cue as written in the source ("every month"), where stated (pains)."""


class ClaimField(BaseModel):
    """A persona field: cited claims, or explicitly nothing."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    claims: list[Claim] = Field(default_factory=list)
    """The supported claims, most frequent first."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def not_in_data(self) -> bool:
        """True when the evidence says nothing for this field."""
        return not self.claims

    @computed_field  # type: ignore[prop-decorator]
    @property
    def note(self) -> str:
        """`not in the data` for empty fields, else empty."""
        return NOT_IN_DATA if not self.claims else ""


class QuoteRef(BaseModel):
    """A representative verbatim quote with its exact location."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    evidence_id: str
    """The quote's evidence item."""
    quote: str
    """Exactly `document.text[start:end]`."""
    doc_id: str
    """Source document."""
    start: int
    """Start offset."""
    end: int
    """End offset."""
    speaker: str
    """Who said it."""


class Persona(BaseModel):
    """A persona that represents one segment (1-2 per segment)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Stable id: `<segment>-<n>`."""
    name: str
    """Descriptive name built from the segment's dominant role and job (never a made-up person)."""
    one_liner: ClaimField
    """Who they are in one sentence, cited."""
    segment: str
    """The segment this persona represents."""
    tier: str | None = None
    """Priority tier of the segment from the scorer, when scored."""
    role_context: ClaimField
    """Role and context: firmographics (B2B) or demographics (B2C), from participant metadata."""
    goals: ClaimField
    """Goals, from goal evidence."""
    success_metrics: ClaimField
    """How they measure success, where they say so."""
    pains: ClaimField
    """Top pains with frequency (participants) and impact where stated."""
    jobs_functional: ClaimField
    """Functional jobs-to-be-done."""
    jobs_emotional: ClaimField
    """Emotional jobs-to-be-done."""
    jobs_social: ClaimField
    """Social jobs-to-be-done."""
    behaviours: ClaimField
    """Behaviours and usage patterns (from the customer table and what they say they do)."""
    tools_alternatives: ClaimField
    """Tools and current alternatives / workarounds in use."""
    decision_criteria: ClaimField
    """Decision criteria and objections."""
    quotes: list[QuoteRef] = Field(default_factory=list, max_length=3)
    """1-3 representative verbatim quotes (close to the segment centroid, and distinctive)."""
    channels: ClaimField
    """How to reach them, where the data says."""
    data_sources: list[str] = Field(default_factory=list)
    """Documents and tables this persona was drafted from."""
    confidence: Literal["low", "medium", "high"] = "low"
    """Confidence from the amount and spread of evidence."""
    confidence_reason: str = ""
    """Why that confidence (participants, evidence items, fields not in the data)."""
    provider: str = "offline"
    """Who drafted it."""
    prompt: str = ""
    """`prompt_id@version` or offline template version."""

    def claim_fields(self) -> dict[str, ClaimField]:
        """Every claim field by name (for grounding checks and rendering)."""
        names = ("one_liner", "role_context", "goals", "success_metrics", "pains", "jobs_functional",
                 "jobs_emotional", "jobs_social", "behaviours", "tools_alternatives", "decision_criteria",
                 "channels")
        return {n: getattr(self, n) for n in names}


# --------------------------------------------------------------------------- LLM drafts
# What a model returns for the draft_persona prompt (its output schema), before the persona gate.


class DraftClaim(BaseModel):
    """One claim of a drafted persona field."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    text: str
    """The statement, in plain words, supported by the cited evidence (no new facts)."""
    evidence_ids: list[str] = Field(default_factory=list)
    """Ids of the evidence items from the pack that support it (at least one)."""


class DraftQuote(BaseModel):
    """A representative quote: an evidence id from the pack and its quote copied exactly."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    evidence_id: str
    """Id of the evidence item whose quote this is."""
    quote: str
    """That item's `quote`, copied character for character."""


class PersonaDraft(BaseModel):
    """A persona as drafted by the model: every field a list of cited claims (empty = not in the data)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    name: str
    """A descriptive name from role and defining trait (e.g. "The close-driven controller"); never a
    person's name."""
    one_liner: list[DraftClaim] = Field(default_factory=list)
    """Who they are in one sentence (at most one claim)."""
    role_context: list[DraftClaim] = Field(default_factory=list)
    """Role, firmographics or demographics, from the participant context in the pack."""
    goals: list[DraftClaim] = Field(default_factory=list)
    """Goals."""
    success_metrics: list[DraftClaim] = Field(default_factory=list)
    """How they measure success, only where they say so."""
    pains: list[DraftClaim] = Field(default_factory=list)
    """Top pains, most widely shared first."""
    jobs_functional: list[DraftClaim] = Field(default_factory=list)
    """Functional jobs-to-be-done."""
    jobs_emotional: list[DraftClaim] = Field(default_factory=list)
    """Emotional jobs-to-be-done."""
    jobs_social: list[DraftClaim] = Field(default_factory=list)
    """Social jobs-to-be-done."""
    behaviours: list[DraftClaim] = Field(default_factory=list)
    """Behaviours and usage patterns they describe."""
    tools_alternatives: list[DraftClaim] = Field(default_factory=list)
    """Tools, alternatives and workarounds in use."""
    decision_criteria: list[DraftClaim] = Field(default_factory=list)
    """Decision criteria and objections."""
    channels: list[DraftClaim] = Field(default_factory=list)
    """How to reach them, only where the evidence mentions channels."""
    quotes: list[DraftQuote] = Field(default_factory=list)
    """1-3 representative quotes, from different speakers when possible."""


class PersonaDraftList(BaseModel):
    """Structured output of the persona-drafting task."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    personas: list[PersonaDraft] = Field(default_factory=list)
    """One or two personas for the segment (two only for clearly different sub-groups)."""

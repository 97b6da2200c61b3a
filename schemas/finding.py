"""Findings: what a study found, as a research lead would state it, with its coverage and evidence.

A finding is a group of evidence (an affinity cluster across sessions) supported by at least two sessions.
Its statement is either extractive (the most representative evidence sentence, offline) or written by an LLM
that cites evidence ids for every sentence; a curator may also rewrite it (marked as human-written, the
citations stay).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _M(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)


class StatementPart(_M):
    """One sentence of a finding statement and the evidence it rests on."""

    text: str
    """The sentence."""
    evidence_ids: list[str] = Field(default_factory=list)
    """Evidence in the finding's group that supports this sentence."""


class Coverage(_M):
    """How widely a finding is held: sessions (documents of research) with evidence in it."""

    sessions: int = Field(ge=0)
    """Sessions (interviews, note files, tickets) with at least one supporting item."""
    total_sessions: int = Field(ge=0)
    """Sessions in the study (the denominator)."""
    participants: list[str] = Field(default_factory=list)
    """Who holds it (participant keys), sorted."""

    @property
    def text(self) -> str:
        return f"{self.sessions} of {self.total_sessions} sessions"


class Finding(_M):
    """A key finding: a statement, its coverage, supporting evidence and any counter-evidence."""

    id: str
    """Stable id `f<n>`, numbered by rank."""
    rank: int = Field(ge=1)
    """1 = the most important (coverage first, then intensity)."""
    label: str
    """A short key-phrase label (a few words)."""
    statement: str
    """The finding in one or two sentences."""
    parts: list[StatementPart] = Field(default_factory=list)
    """The statement's sentences with the evidence each cites."""
    statement_source: Literal["extractive", "llm", "human"] = "extractive"
    """Who wrote the statement: extracted from the evidence, an LLM, or a curator."""
    evidence_ids: list[str] = Field(min_length=1)
    """Supporting evidence: verbatim participant/customer words first, then the note-taker's notes."""
    counter_evidence_ids: list[str] = Field(default_factory=list)
    """Evidence in the group that goes against the statement (e.g. a positive evaluation of a pain)."""
    coverage: Coverage
    """Sessions that support it, out of the study's sessions."""
    intensity: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of the supporting evidence that expresses difficulty or a strong need."""
    kinds: dict[str, int] = Field(default_factory=dict)
    """Supporting evidence by kind."""
    theme_id: str | None = None
    """The theme this finding was grown from, when there is one."""
    provider: str = "offline"
    """Who grouped and stated it."""
    prompt: str = ""
    """`prompt_id@version` of the statement, or the offline rule-set version."""


# --------------------------------------------------------------------------- LLM drafts
# What a model returns for the state_finding prompt (its output schema), before the finding gate.


class DraftPart(_M):
    """One sentence of a drafted finding statement."""

    text: str
    """The sentence, stating only what the cited evidence shows."""
    evidence_ids: list[str] = Field(default_factory=list)
    """Ids from the group's evidence list that support this sentence (at least one)."""


class FindingStatementDraft(_M):
    """Structured output of the finding-statement task."""

    label: str = ""
    """A short label of 2-5 words, taken from the evidence's own words."""
    parts: list[DraftPart] = Field(default_factory=list)
    """One or two sentences, each citing the evidence it rests on."""

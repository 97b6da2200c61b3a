"""Curation: what a researcher changed by hand, kept as an audit log in the workspace.

Actions name their targets by id *and* by the evidence they held when the action was taken (the anchor),
so a later run, whose theme and finding ids may differ, can find the same group again by its evidence, or
say that the action no longer applies.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _M(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)


class GroupRef(_M):
    """A theme or finding as the curator saw it: its id in that run and its evidence then."""

    id: str
    """Theme id (`t<n>`) or finding id (`f<n>`) in the run the curator was looking at."""
    evidence_ids: list[str] = Field(default_factory=list)
    """Its evidence at the time; a later run matches the group whose evidence overlaps most."""


class _Action(_M):
    id: int | None = None
    """Row id in the audit log (assigned when stored; actions apply in this order)."""
    at: float = 0.0
    """When (Unix time)."""
    who: str = ""
    """Who (the name the curator gave, or the server's default user)."""
    run_id: str = ""
    """The run the curator was looking at."""


class RenameTheme(_Action):
    """Give a theme a new label."""

    op: Literal["rename_theme"] = "rename_theme"
    theme: GroupRef
    """The theme."""
    label: str = Field(min_length=1, max_length=200)
    """The new label."""


class MergeThemes(_Action):
    """Fold other themes into one; their evidence joins it."""

    op: Literal["merge_themes"] = "merge_themes"
    theme: GroupRef
    """The theme that stays."""
    others: list[GroupRef] = Field(min_length=1)
    """Themes merged into it (they disappear)."""
    label: str | None = Field(default=None, max_length=200)
    """Label of the merged theme (default: the label of the one that stays)."""


class SplitTheme(_Action):
    """Move some of a theme's evidence into a new theme."""

    op: Literal["split_theme"] = "split_theme"
    theme: GroupRef
    """The theme split."""
    evidence_ids: list[str] = Field(min_length=1)
    """Evidence that moves to the new theme."""
    label: str = Field(min_length=1, max_length=200)
    """Label of the new theme."""


class RejectEvidence(_Action):
    """Take an evidence item out of the analysis, with the reason."""

    op: Literal["reject_evidence"] = "reject_evidence"
    evidence_id: str
    """The evidence item (ids are stable across runs: a hash of kind, document and span)."""
    reason: str = Field(min_length=1, max_length=1000)
    """Why (wrong speaker, out of context, not about the product...)."""


class PinQuote(_Action):
    """Show a participant's verbatim quote on a persona (first among its quotes)."""

    op: Literal["pin_quote"] = "pin_quote"
    persona_id: str
    """The persona (`<segment>-<n>`)."""
    evidence_id: str
    """A participant or customer evidence item; notes are paraphrase and can never be a quote."""


class EditFinding(_Action):
    """Rewrite a finding's statement; its evidence and citations stay, and it is marked human-written."""

    op: Literal["edit_finding"] = "edit_finding"
    finding: GroupRef
    """The finding."""
    statement: str = Field(min_length=1, max_length=2000)
    """The new statement."""


CurationAction = Annotated[
    RenameTheme | MergeThemes | SplitTheme | RejectEvidence | PinQuote | EditFinding,
    Field(discriminator="op"),
]


class CurationNote(_M):
    """What became of one action on one run: applied (perhaps to a regrouped theme) or no longer applicable."""

    action_id: int | None
    """The action's row id."""
    op: str
    """The action's kind."""
    applied: bool
    """False when the action no longer applies to this run."""
    message: str
    """What happened, in words a researcher understands."""

"""Themes: clusters of evidence labelled by their most distinctive terms."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Theme(BaseModel):
    """A group of similar evidence items across documents."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Stable id `t<n>`, numbered by descending size; `t-other` holds the groups too small to name."""
    label: str
    """Its key phrases (multi-word where the group has them), joined with ' · '."""
    terms: list[str] = Field(default_factory=list)
    """The key phrases: distinctive by class-based TF-IDF, picked for diversity (MMR)."""
    evidence_ids: list[str] = Field(default_factory=list)
    """Evidence in the theme."""
    kinds: dict[str, int] = Field(default_factory=dict)
    """Evidence count by kind (pain, goal, job, ...)."""
    participants: int = 0
    """Distinct participants/customers with evidence in the theme."""
    frequency_by_participant: dict[str, int] = Field(default_factory=dict)
    """Evidence count per participant/customer."""
    doc_share: float = 0.0
    """Share of the study's documents with evidence in the theme."""
    representative_id: str | None = None
    """The evidence item closest to the theme centroid."""

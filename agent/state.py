"""The graph state: small and serialisable. Bulky stage outputs live in runs/<id>/ files."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


def merge_dicts(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {**a, **b}


class RunInput(TypedDict, total=False):
    """What a run starts from: its id and its input paths (none = the whole workspace)."""

    run_id: str
    inputs: list[str]


class RunState(RunInput, total=False):
    doc_ids: list[str]
    extracted: Annotated[list[str], operator.add]
    """No longer written (extract's output is on disk); declared so that checkpoints of older runs still load."""
    stages: Annotated[list[str], operator.add]
    stats: Annotated[dict[str, Any], merge_dicts]
    report_path: str


class RunOutput(TypedDict, total=False):
    """What a finished run hands back (the rest is in the run folder)."""

    run_id: str
    doc_ids: list[str]
    stages: list[str]
    stats: dict[str, Any]
    report_path: str


class ExtractTask(TypedDict):
    run_id: str
    doc_ids: list[str]

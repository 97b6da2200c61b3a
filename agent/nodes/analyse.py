"""themes and segment: group the evidence, segment customers and participants, join them."""

from __future__ import annotations

import time
from typing import Any

from segscribe.deps import Deps
from segscribe.schemas.evidence import EvidenceBase
from segscribe.state import RunState


def load_evidence(deps: Deps, run_id: str) -> list[EvidenceBase]:
    from pydantic import TypeAdapter

    from segscribe.schemas.evidence import Evidence

    rows = deps.run_dir(run_id).read_jsonl("evidence.jsonl")
    return list(TypeAdapter(list[Evidence]).validate_python(rows))


def themes(state: RunState, deps: Deps) -> dict[str, Any]:
    from segscribe.pipeline.themes import build_themes

    t0 = time.perf_counter()
    evidence = load_evidence(deps, state["run_id"])
    found = build_themes(evidence, deps.embedder.embed, seed=deps.seed)
    deps.run_dir(state["run_id"]).write_json("themes.json", [t.model_dump(mode="json") for t in found])
    return {"stages": ["themes"], "stats": {"themes": len(found),
                                             "time_themes": round(time.perf_counter() - t0, 3)}}


def segment(state: RunState, deps: Deps) -> dict[str, Any]:
    from segscribe.pipeline.segments import (
        SegmentsResult,
        attach_research,
        choose_primary,
        needs_segmentation,
        table_segmentation,
    )
    from segscribe.schemas.theme import Theme

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    evidence = load_evidence(deps, state["run_id"])
    found = [Theme.model_validate(t) for t in run.read_json("themes.json", [])]
    result = SegmentsResult()
    if deps.corpus_config.get("customers") and deps.corpus_root is not None:
        result.table, result.customer_segment = table_segmentation(deps.corpus_config, deps.corpus_root, deps.seed)
    result.needs, result.owner_need = needs_segmentation(evidence, found, deps.embedder.embed, deps.seed)
    result.primary = choose_primary(result, evidence)
    if result.table is not None:
        attach_research(result.table, evidence, found, lambda e: result.customer_segment.get(e.customer_id or ""))
    if result.needs is not None:
        from segscribe.pipeline.themes import owner

        attach_research(result.needs, evidence, found, lambda e: result.owner_need.get(owner(e)))
    run.write_json("segments.json", {
        "primary": result.primary,
        "table": result.table.model_dump(mode="json") if result.table else None,
        "needs": result.needs.model_dump(mode="json") if result.needs else None,
        "customer_segment": result.customer_segment,
        "owner_need": result.owner_need,
    })
    primary = result.table if result.primary == "table" else result.needs
    return {"stages": ["segment"], "stats": {
        "segments": len(primary.segments) if primary else 0, "segmentation": result.primary,
        "time_segment": round(time.perf_counter() - t0, 3)}}

"""draft, score and report: personas per segment, deterministic prioritisation, the strategy report."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from segscribe.deps import Deps
from segscribe.nodes.analyse import load_evidence
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.segment import Segmentation
from segscribe.state import RunState

MIN_EVIDENCE_FOR_PERSONA = 3


def load_segments(deps: Deps, run_id: str) -> tuple[dict[str, Any], Segmentation | None]:
    """segments.json of a run (fields of SegmentsResult) and its primary segmentation."""
    data = deps.run_dir(run_id).read_json("segments.json", {})
    key = "table" if data.get("primary") == "table" else "needs"
    seg = Segmentation.model_validate(data[key]) if data.get(key) else None
    return data, seg


def evidence_by_segment(data: dict[str, Any], evidence: list[EvidenceBase]) -> dict[str, list[EvidenceBase]]:
    from segscribe.pipeline.themes import owner

    out: dict[str, list[EvidenceBase]] = defaultdict(list)
    for e in evidence:
        if data.get("primary") == "table":
            seg = data["customer_segment"].get(e.customer_id or "")
        else:
            seg = data["owner_need"].get(owner(e))
        if seg:
            out[seg].append(e)
    return out


def draft(state: RunState, deps: Deps) -> dict[str, Any]:
    from segscribe.pipeline.personas import draft_personas_llm, draft_personas_offline

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    evidence = load_evidence(deps, state["run_id"])
    data, seg = load_segments(deps, state["run_id"])
    groups = evidence_by_segment(data, evidence)
    docs = {d.id: d for d in deps.workspace.documents(ids={e.doc_id for e in evidence})}
    profiles = {p.name: p for p in seg.segments} if seg else {}
    personas, dropped = [], []
    names = sorted(groups, key=lambda s: (-len(groups[s]), s))
    for i, name in enumerate(names):
        items = groups[name]
        if len(items) < MIN_EVIDENCE_FOR_PERSONA:
            continue
        if deps.chat is not None:
            found, drops = draft_personas_llm(name, items, docs, deps.chat, profile=profiles.get(name),
                                              redact=deps.redact, max_reasks=deps.max_reasks)
            dropped += drops
        else:
            found = draft_personas_offline(name, items, docs, embed=deps.embedder.embed,
                                           profile=profiles.get(name))
        personas += found
        deps.progress("personas", i + 1, len(names))
    run.write_json("personas.json", [p.model_dump(mode="json") for p in personas])
    run.write_jsonl("personas_dropped.jsonl", dropped)
    return {"stages": ["draft"], "stats": {"personas": len(personas), "persona_claims_dropped": len(dropped),
                                            "time_draft": round(time.perf_counter() - t0, 3)}}


DEFAULT_SHEET = {
    # Used only when no analyst sheet is given: every judgement factor is marked source=default
    # in the output, and the report says that analyst input would replace it.
    "preset": "matrix4",
    "defaults": {"attractiveness": 5, "fit": 5, "accessibility": 5, "strategic_value": 5},
}


def score(state: RunState, deps: Deps) -> dict[str, Any]:
    from segscribe.schemas.scoring import AnalystSheet
    from segscribe.scoring import load_analyst_sheet, score_segmentation

    t0 = time.perf_counter()
    _, seg = load_segments(deps, state["run_id"])
    run = deps.run_dir(state["run_id"])
    if seg is None or not seg.segments:
        run.write_json("scoring.json", None)
        return {"stages": ["score"], "stats": {"time_score": 0.0}}
    sheet = load_analyst_sheet(deps.analyst_sheet) if deps.analyst_sheet else AnalystSheet.model_validate(
        DEFAULT_SHEET)
    if seg.method == "needs" and sheet.data_factors is None:
        sheet = sheet.model_copy(update={"data_factors": {"attractiveness": "share"}})
    result = score_segmentation(seg, sheet, deps.preset)
    run.write_json("scoring.json", result.model_dump(mode="json"))
    return {"stages": ["score"], "stats": {"time_score": round(time.perf_counter() - t0, 3)}}


def report(state: RunState, deps: Deps) -> dict[str, Any]:
    from segscribe.pipeline.assemble import assemble_report
    from segscribe.report import write_report

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    rep = assemble_report(state, deps)
    paths = write_report(rep, run.root)
    return {"stages": ["report"], "report_path": str(paths["html"]),
            "stats": {"time_report": round(time.perf_counter() - t0, 3)}}

"""draft: 1-2 personas per segment, every claim cited."""

from __future__ import annotations

import time
from typing import Any

from segscribe import artifacts as A
from segscribe.deps import Deps
from segscribe.schemas.persona import Persona
from segscribe.state import RunState

MIN_EVIDENCE_FOR_PERSONA = 3


def draft(state: RunState, deps: Deps) -> dict[str, Any]:
    """Draft personas for each segment with enough evidence (offline: extractive; LLM: gated and re-asked)."""
    from segscribe.pipeline.personas.claims import cap_confidence
    from segscribe.pipeline.personas.llm import draft_personas_llm
    from segscribe.pipeline.personas.offline import draft_personas_offline

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    # Words addressed to the tool ("add a persona named ...") are evidence of nothing about the speaker.
    evidence = [e for e in run.read(A.EVIDENCE) if not e.addresses_tool]
    segs = run.read(A.SEGMENTS)
    seg = segs.primary_segmentation
    groups = segs.group(evidence)
    # Persona drafting reads only each document's metadata: never every document's text and passages.
    meta = deps.workspace.metadata({e.doc_id for e in evidence})
    # A profile carries customer-table facts (size, value, churn, lifts) into a persona's data sources and name.
    # A needs segmentation is made from the evidence itself: its "size" is participants, already in the
    # persona's confidence line, and a research-only study has no customer table to cite.
    profiles = {p.name: p for p in seg.segments} if seg and seg.method != "needs" else {}
    personas: list[Persona] = []
    dropped: list[dict[str, str]] = []
    names = sorted(groups, key=lambda s: (-len(groups[s]), s))
    for i, name in enumerate(names):
        items = groups[name]
        if len(items) < MIN_EVIDENCE_FOR_PERSONA:
            continue
        if deps.chat is not None:
            found, drops = draft_personas_llm(name, items, meta, deps.chat, profile=profiles.get(name),
                                              redact=deps.options.redact, max_reasks=deps.options.max_reasks,
                                              embed=deps.embedder.embed)
            dropped += drops
        else:
            found = draft_personas_offline(name, items, meta, embed=deps.embedder.embed,
                                           profile=profiles.get(name))
        personas += found
        deps.progress("personas", i + 1, len(names))
    silhouette = seg.parameters.get("silhouette") if seg else None
    personas = [cap_confidence(p, silhouette if isinstance(silhouette, float) else None) for p in personas]
    run.write(A.PERSONAS, personas)
    run.write(A.PERSONAS_DROPPED, dropped)
    return {"stages": ["draft"], "stats": {"personas": len(personas), "persona_claims_dropped": len(dropped),
                                            "time_draft": round(time.perf_counter() - t0, 3)}}

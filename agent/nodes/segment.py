"""segment: segment the customer table (when there is one) and the research participants, and join them."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from segscribe import artifacts as A
from segscribe.deps import Deps
from segscribe.state import RunState


def segment(state: RunState, deps: Deps) -> dict[str, Any]:
    """Table segments from corpus.yaml's customer table, needs segments from evidence, and which one leads."""
    from segscribe.pipeline.segments import attach_research, choose_primary, needs_segmentation, table_segmentation
    from segscribe.schemas.segment import SegmentsResult

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    evidence = run.read(A.EVIDENCE)
    found = run.read(A.THEMES)
    result = SegmentsResult()
    if deps.corpus is not None and deps.corpus.customers is not None and deps.corpus_root is not None:
        result.table, result.customer_segment = table_segmentation(deps.corpus, deps.corpus_root,
                                                                   deps.options.seed)
    result.needs, result.owner_need = needs_segmentation(evidence, found, deps.embedder.embed, deps.options.seed)
    result.primary = choose_primary(result, evidence)
    if result.table is not None:
        attach_research(result.table, evidence, found, partial(result.segment_in, "table"))
    if result.needs is not None:
        attach_research(result.needs, evidence, found, partial(result.segment_in, "needs"))
    run.write(A.SEGMENTS, result)
    primary = result.primary_segmentation
    return {"stages": ["segment"], "stats": {
        "segments": len(primary.segments) if primary else 0, "segmentation": result.primary,
        "time_segment": round(time.perf_counter() - t0, 3)}}

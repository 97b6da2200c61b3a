"""score: deterministic prioritisation of the primary segments."""

from __future__ import annotations

import time
from typing import Any

from segscribe import artifacts as A
from segscribe.deps import Deps
from segscribe.state import RunState

DEFAULT_SHEET = {
    # Used only when no analyst sheet is given: every judgement factor is marked source=default
    # in the output, and the report says that analyst input would replace it.
    "preset": "matrix4",
    "defaults": {"attractiveness": 5, "fit": 5, "accessibility": 5, "strategic_value": 5},
}


def score(state: RunState, deps: Deps) -> dict[str, Any]:
    """Rank the primary segments with the chosen preset; every factor records where its value came from."""
    from segscribe.schemas.scoring import AnalystSheet
    from segscribe.scoring import load_analyst_sheet, score_segmentation

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    seg = run.read(A.SEGMENTS).primary_segmentation
    if seg is None or not seg.segments:
        run.write(A.SCORING, None)
        return {"stages": ["score"], "stats": {"time_score": 0.0}}
    opts = deps.options
    sheet = load_analyst_sheet(opts.analyst_sheet) if opts.analyst_sheet else AnalystSheet.model_validate(
        DEFAULT_SHEET)
    if seg.method == "needs" and sheet.data_factors is None:
        sheet = sheet.model_copy(update={"data_factors": {"attractiveness": "share"}})
    result = score_segmentation(seg, sheet, opts.preset)
    run.write(A.SCORING, result)
    return {"stages": ["score"], "stats": {"time_score": round(time.perf_counter() - t0, 3)}}

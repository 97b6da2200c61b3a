"""themes: cluster the run's evidence into labelled themes."""

from __future__ import annotations

import time
from typing import Any

from segscribe import artifacts as A
from segscribe.deps import Deps
from segscribe.state import RunState


def themes(state: RunState, deps: Deps) -> dict[str, Any]:
    """Group similar evidence across documents and label each group by its distinctive terms."""
    from segscribe.pipeline.themes import build_themes

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    evidence = run.read(A.EVIDENCE)
    found = build_themes(evidence, deps.embedder.embed, seed=deps.options.seed)
    run.write(A.THEMES, found)
    return {"stages": ["themes"], "stats": {"themes": len(found),
                                             "time_themes": round(time.perf_counter() - t0, 3)}}

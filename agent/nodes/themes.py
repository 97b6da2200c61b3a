"""themes: cluster the run's evidence into labelled themes."""

from __future__ import annotations

import time
from typing import Any

from segscribe import artifacts as A
from segscribe.deps import Deps
from segscribe.state import RunState


def themes(state: RunState, deps: Deps) -> dict[str, Any]:
    """Group similar evidence across documents and label each group by its distinctive terms."""
    from segscribe.pipeline.themes import OTHER_ID, build_themes

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    evidence = run.read(A.EVIDENCE)
    n_docs = len(state.get("doc_ids", [])) or None
    found = build_themes(evidence, deps.embedder.embed, seed=deps.options.seed, n_documents=n_docs)
    run.write(A.THEMES, found)
    named = {e for t in found if t.id != OTHER_ID for e in t.evidence_ids}
    themed_docs = len({e.doc_id for e in evidence if e.id in named})
    return {"stages": ["themes"], "stats": {"themes": len(found), "themed_documents": themed_docs,
                                             "time_themes": round(time.perf_counter() - t0, 3)}}

"""findings: group evidence across sessions into key findings with coverage and citations."""

from __future__ import annotations

import time
from typing import Any

from segscribe import artifacts as A
from segscribe.deps import Deps
from segscribe.state import RunState


def findings(state: RunState, deps: Deps) -> dict[str, Any]:
    """Affinity-map the run's evidence; a finding needs `min_sessions` sessions behind it."""
    from segscribe.pipeline.findings import build_findings

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    evidence = run.read(A.EVIDENCE)
    docs = {d.id: d for d in deps.workspace.documents(ids=state.get("doc_ids", []))}
    found = build_findings(evidence, docs, deps.embedder.embed, min_sessions=deps.options.min_sessions,
                           seed=deps.options.seed)
    run.write(A.FINDINGS, found)
    return {"stages": ["findings"], "stats": {"findings": len(found), "sessions": len({d.session for d in
                                                                                        docs.values()}),
                                               "time_findings": round(time.perf_counter() - t0, 3)}}

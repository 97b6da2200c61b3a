"""report: the Markdown, HTML and JSON report of a run."""

from __future__ import annotations

import time
from typing import Any

from segscribe.deps import Deps
from segscribe.state import RunState


def report(state: RunState, deps: Deps) -> dict[str, Any]:
    """Assemble the report from the run's stage files and write it in three formats."""
    from segscribe.pipeline.assemble import assemble_report
    from segscribe.report import write_report

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    rep = assemble_report(run, deps.workspace, title=deps.corpus.title if deps.corpus else None,
                          provider=getattr(deps.chat, "name", None) or "offline",
                          inputs=list(state.get("inputs", [])))
    paths = write_report(rep, run.root)
    return {"stages": ["report"], "report_path": str(paths["html"]),
            "stats": {"time_report": round(time.perf_counter() - t0, 3)}}

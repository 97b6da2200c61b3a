"""report: the Markdown, HTML and JSON report of a run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from segscribe.deps import Deps
from segscribe.state import RunState

_GENERIC_FOLDERS = {"notes", "interviews", "transcripts", "data", "input", "inputs", "research", "tickets", "files"}


def _title(deps: Deps, state: RunState) -> str | None:
    """corpus.yaml's product or name, else the input folder's name (its parent's, for a folder named notes)."""
    if deps.corpus is not None and deps.corpus.title:
        return deps.corpus.title
    inputs = [Path(p) for p in state.get("inputs", [])]
    if len(inputs) != 1:
        return None
    folder = inputs[0] if inputs[0].is_dir() else inputs[0].parent
    name = folder.parent.name if folder.name.lower() in _GENERIC_FOLDERS else folder.name
    return name.replace("-", " ").replace("_", " ") or None


def report(state: RunState, deps: Deps) -> dict[str, Any]:
    """Assemble the report from the run's stage files and write it in three formats."""
    from segscribe.pipeline.assemble import assemble_report
    from segscribe.report import write_report
    from segscribe.store.curation_log import CurationLog

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    rep = assemble_report(run, deps.workspace, title=_title(deps, state),
                          provider=getattr(deps.chat, "name", None) or "offline",
                          inputs=list(state.get("inputs", [])), min_sessions=deps.options.min_sessions,
                          curation=CurationLog(deps.workspace).actions())
    paths = write_report(rep, run.root)
    return {"stages": ["report"], "report_path": str(paths["html"]),
            "stats": {"time_report": round(time.perf_counter() - t0, 3)}}

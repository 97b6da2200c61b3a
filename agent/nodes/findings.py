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
    # Grouping needs each document's session only, not its text and passages (94,700 documents at 100k tickets).
    sessions = deps.workspace.sessions(state.get("doc_ids", []))
    found = build_findings(evidence, sessions, deps.embedder.embed, min_sessions=deps.options.min_sessions,
                           seed=deps.options.seed)
    notes: list[dict[str, str]] = []
    if deps.chat is not None and found:
        from segscribe.pipeline.findings_llm import state_findings
        from segscribe.redact import document_names, speaker_names

        # Names to redact come from each document's metadata and speakers: read a chunk of documents at a
        # time and keep only the names, never every document of the run at once.
        found_names: set[str] = set()
        for chunk in deps.workspace.documents_in_chunks(state.get("doc_ids", [])):
            for d in chunk:
                found_names.update(document_names(d))
                found_names.update(speaker_names(d))
        names = sorted(found_names)
        found, notes = state_findings(found, {e.id: e for e in evidence}, deps.chat, deps.embedder.embed,
                                      names=names, redact=deps.options.redact, max_reasks=deps.options.max_reasks)
    run.write(A.FINDINGS, found)
    run.write(A.FINDINGS_KEPT_BACK, notes)
    return {"stages": ["findings"], "stats": {"findings": len(found), "sessions": len(set(sessions.values())),
                                               "finding_statements_kept_back": len(notes),
                                               "time_findings": round(time.perf_counter() - t0, 3)}}

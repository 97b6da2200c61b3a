"""load: bring a run's inputs into the workspace and pick the documents the run covers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from segscribe import artifacts as A
from segscribe.deps import Deps
from segscribe.schemas.run import IngestRecord, InputRecord
from segscribe.state import RunState


def load(state: RunState, deps: Deps) -> dict[str, Any]:
    """Ingest the inputs (without embedding) and record which documents the run covers."""
    from segscribe.ingest.service import ingest_paths

    t0 = time.perf_counter()
    paths = [Path(p) for p in state.get("inputs", [])]
    run = deps.run_dir(state["run_id"])
    if paths:
        opts = deps.options
        report = ingest_paths(deps.workspace, paths, index=False, progress=deps.progress,
                              notes_convention=opts.notes_convention, conventions=opts.notes_conventions)
        record = IngestRecord.model_validate(report.to_dict())
        # The run covers every document its files stand for: unchanged files, and duplicates first stored
        # from another path (ids derive from file name and content, not folder), are included.
        chunks = deps.workspace.documents_in_chunks(report.document_ids())
    else:
        record = IngestRecord()
        chunks = deps.workspace.iter_documents()
    # A chunk of documents at a time: only ids, sources and hashes are kept. Holding every document with its
    # passages at once was most of this stage's memory: at 100,000 tickets its peak fell from 979 to 483 MB.
    doc_ids: list[str] = []
    inputs: dict[str, InputRecord] = {}
    for chunk in chunks:
        for d in chunk:
            if d.evidence_passages():
                doc_ids.append(d.id)
            inputs[d.id] = InputRecord(source=d.source, content_hash=d.content_hash)
    doc_ids.sort()
    run.write(A.INGEST, record)
    run.write(A.INPUTS, inputs)
    return {"doc_ids": doc_ids, "stages": ["load"],
            "stats": {"documents": len(doc_ids), "files_failed": len(record.failed),
                      "time_load": round(time.perf_counter() - t0, 3)}}

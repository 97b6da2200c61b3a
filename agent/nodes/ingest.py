"""load and index: bring the inputs into the workspace and the vector index."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from segscribe.deps import Deps
from segscribe.state import RunState


def load(state: RunState, deps: Deps) -> dict[str, Any]:
    from segscribe.ingest.service import ingest_paths

    t0 = time.perf_counter()
    paths = [Path(p) for p in state.get("inputs", [])]
    report = ingest_paths(deps.workspace, paths, index=False, progress=deps.progress)
    # The run covers every document of the files it was given (sources are resolved paths, so match
    # on the resolved file, which also follows symlinks), including files unchanged since a past ingest.
    files = {str(Path(f.path).resolve()) for f in report.files}
    docs = deps.workspace.file_documents(files)  # (id, source, content_hash, voiced): no texts in memory
    doc_ids = [d[0] for d in docs if d[3]]
    run = deps.run_dir(state["run_id"])
    run.write_json("ingest.json", report.to_dict())
    run.write_json("inputs.json", {d[0]: {"source": d[1], "content_hash": d[2]} for d in docs})
    failed = len(report.failed)
    return {"doc_ids": doc_ids, "stages": ["load"],
            "stats": {"documents": len(doc_ids), "files_failed": failed,
                      "time_load": round(time.perf_counter() - t0, 3)}}


def index(state: RunState, deps: Deps) -> dict[str, Any]:
    from segscribe.ingest.indexer import index_pending

    t0 = time.perf_counter()
    n_docs, n_windows = index_pending(deps.workspace, [], deps.progress, deps.embedder)
    return {"stages": ["index"], "stats": {"indexed_windows": n_windows,
                                            "time_index": round(time.perf_counter() - t0, 3)}}

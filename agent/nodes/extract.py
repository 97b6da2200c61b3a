"""extract: fan out over the run's documents; ground every item; write each document as it finishes."""

from __future__ import annotations

from typing import Any

from langgraph.types import Send

from segscribe import artifacts as A
from segscribe.deps import Deps
from segscribe.state import ExtractTask, RunState

BATCH_MAX = 64  # documents per extract task at most
BATCH_SPLIT = 8  # aim for at least this many tasks


def _done(deps: Deps, run_id: str) -> set[str]:
    folder = deps.run_dir(run_id).root / "extract"
    return {p.stem for p in folder.glob("*.json")} if folder.exists() else set()


def dispatch(state: RunState, deps: Deps) -> list[Send] | str:
    """One extract task per batch of documents not finished yet (finished ones are on disk)."""
    from segscribe.store.vector_store import release_index

    # The run is done with the vector store once indexed (no later stage searches it): free its memory.
    release_index(deps.workspace)
    done = _done(deps, state["run_id"])
    todo = [d for d in state.get("doc_ids", []) if d not in done]
    if not todo:
        return "verify"
    deps.extract_total = len(todo)
    # Tasks of several documents: per-task overhead (checkpoint writes, model calls) then stays small on
    # exports with thousands of tickets, and there are still enough tasks for both cores and for resuming.
    size = max(1, min(BATCH_MAX, -(-len(todo) // BATCH_SPLIT)))
    if getattr(deps.extractor, "batcher", None) is not None:
        size = len(todo)  # message batches: one task, so every document goes out in the same batches
    return [Send("extract", ExtractTask(run_id=state["run_id"], doc_ids=todo[i : i + size]))
            for i in range(0, len(todo), size)]


def extract(task: ExtractTask, deps: Deps) -> dict[str, Any]:
    """Extract and ground a batch of documents; each finished document is written at once."""
    from segscribe.pipeline.extract import extract_documents

    run = deps.run_dir(task["run_id"])
    todo = [d for d in task["doc_ids"] if not run.exists(A.extraction(d))]  # never redo finished
    docs = deps.workspace.documents(ids=todo) if todo else []
    for result in extract_documents(docs, deps.extractor, deps.options.max_reasks):
        if result.status == "failed":
            run.write(A.failed_extraction(result.doc_id), result)
        else:
            run.write(A.extraction(result.doc_id), result)
            run.remove(A.failed_extraction(result.doc_id))
        deps.progress("extract", deps.tick("extract"), deps.extract_total or 1)
    # Nothing goes into the graph state: what was extracted is on disk, and a list of every document id here
    # would be copied into each later checkpoint (2.4 MB a checkpoint at 100k tickets).
    return {}

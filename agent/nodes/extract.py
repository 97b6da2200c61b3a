"""extract (fanned out per document) and verify (the final grounding check)."""

from __future__ import annotations

import time
from typing import Any

from langgraph.types import Send

from segscribe.deps import Deps
from segscribe.state import ExtractTask, RunState

BATCH_MAX = 64  # documents per extract task at most
BATCH_SPLIT = 8  # aim for at least this many tasks


def _done(deps: Deps, run_id: str) -> set[str]:
    folder = deps.run_dir(run_id).path("extract")
    return {p.stem for p in folder.glob("*.json")} if folder.exists() else set()


def dispatch(state: RunState, deps: Deps) -> list[Send] | str:
    """One extract task per document not finished yet (finished ones are on disk)."""
    done = _done(deps, state["run_id"])
    todo = [d for d in state.get("doc_ids", []) if d not in done]
    if not todo:
        return "verify"
    deps.extract_total = len(todo)
    # Tasks of several documents: per-task overhead (checkpoint writes, model calls) then stays small on
    # exports with thousands of tickets, and there are still enough tasks for both cores and for resuming.
    size = max(1, min(BATCH_MAX, -(-len(todo) // BATCH_SPLIT)))
    return [Send("extract_doc", ExtractTask(run_id=state["run_id"], doc_ids=todo[i : i + size]))
            for i in range(0, len(todo), size)]


def extract_doc(task: ExtractTask, deps: Deps) -> dict[str, Any]:
    """Extract and ground a batch of documents; each finished document is written at once."""
    from segscribe.pipeline.extract import extract_documents

    run = deps.run_dir(task["run_id"])
    todo = [d for d in task["doc_ids"] if not run.path(f"extract/{d}.json").exists()]  # never redo finished
    docs = deps.workspace.documents(ids=todo) if todo else []
    for result in extract_documents(docs, deps.extractor, deps.max_reasks):
        run.write_json(f"extract/{result.doc_id}.json", result.to_record())
        deps.progress("extract", deps.tick("extract"), deps.extract_total or 1)
    return {"extracted": list(task["doc_ids"])}


def verify(state: RunState, deps: Deps) -> dict[str, Any]:
    """Gather per-document outputs and re-check every citation against the source text.

    The per-document gate (with re-asks) already ran inside extract; this is the
    belt-and-braces pass: an item that fails here is dropped, never passed on.
    """
    from pydantic import TypeAdapter, ValidationError

    from segscribe.schemas.evidence import Evidence

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    texts = deps.workspace.texts()
    adapter: TypeAdapter[Any] = TypeAdapter(Evidence)
    evidence, dropped = [], []
    attempts = repaired = 0
    for doc_id in state.get("doc_ids", []):
        rec = run.read_json(f"extract/{doc_id}.json", {"evidence": [], "dropped": []})
        attempts += rec.get("attempts", 0)
        repaired += rec.get("repaired", 0)
        dropped += rec["dropped"]
        for item in rec["evidence"]:
            try:
                adapter.validate_python(item, context={"documents": texts})
            except ValidationError as exc:
                dropped.append({"doc_id": doc_id, "kind": item.get("kind"), "quote": item["citations"][0]["quote"],
                                "reason": f"failed final check: {exc.errors()[0]['msg']}",
                                "provider": item.get("provider"), "attempts": 1})
                continue
            evidence.append(item)
    evidence.sort(key=lambda e: (e["doc_id"], e["citations"][0]["start"], e["kind"], e["id"]))
    run.write_jsonl("evidence.jsonl", evidence)
    run.write_jsonl("dropped.jsonl", dropped)
    return {"stages": ["verify"], "stats": {"evidence": len(evidence), "dropped": len(dropped),
                                             "repaired": repaired, "provider_calls": attempts,
                                             "time_verify": round(time.perf_counter() - t0, 3)}}

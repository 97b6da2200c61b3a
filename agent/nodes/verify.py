"""verify: gather per-document outputs and re-check every citation against the source text."""

from __future__ import annotations

import time
from typing import Any

from segscribe import artifacts as A
from segscribe.deps import Deps
from segscribe.schemas.evidence import DroppedItem, EvidenceBase
from segscribe.state import RunState

VERIFY_CHUNK = 500  # documents whose source texts are held at a time


def verify(state: RunState, deps: Deps) -> dict[str, Any]:
    """Keep only evidence whose every citation is exactly its source span; write evidence.jsonl.

    The per-document gate (with re-asks) already ran inside extract; this is the belt-and-braces pass:
    an item that fails here is dropped, never passed on.
    """
    from segscribe.pipeline.gate import final_check

    t0 = time.perf_counter()
    run = deps.run_dir(state["run_id"])
    evidence: list[EvidenceBase] = []
    dropped: list[DroppedItem] = []
    attempts = repaired = 0
    failed: dict[str, str] = {}
    doc_ids = state.get("doc_ids", [])
    for b in range(0, len(doc_ids), VERIFY_CHUNK):  # source texts a chunk at a time, not the whole workspace's
        records = []
        for doc_id in doc_ids[b : b + VERIFY_CHUNK]:
            if run.exists(A.failed_extraction(doc_id)):
                failed[doc_id] = run.read(A.failed_extraction(doc_id)).error or "failed"
            if run.exists(A.extraction(doc_id)):
                records.append(run.read(A.extraction(doc_id)))
        texts = deps.workspace.texts(ids={c.doc_id for r in records for e in r.evidence for c in e.citations})
        for rec in records:
            attempts += rec.attempts
            repaired += rec.repaired
            dropped += rec.dropped
            kept, refused = final_check(rec.evidence, texts)
            evidence += kept
            dropped += refused
    evidence.sort(key=lambda e: (e.doc_id, e.citations[0].start, e.kind, e.id))
    run.write(A.EVIDENCE, evidence)
    run.write(A.DROPPED, dropped)
    return {"stages": ["verify"], "stats": {"evidence": len(evidence), "dropped": len(dropped),
                                             "repaired": repaired, "provider_calls": attempts,
                                             "failed_documents": failed,
                                             "time_verify": round(time.perf_counter() - t0, 3)}}

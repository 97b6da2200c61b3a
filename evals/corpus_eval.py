"""Evaluate a finished run against the gold labels beside the corpus."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from segscribe import artifacts as A
from segscribe.artifacts import RunDir
from segscribe.evals.gold import load_gold
from segscribe.evals.metrics import citation_validity, persona_grounding, quote_exactness, speaker_attribution
from segscribe.evals.scorecard import Scorecard, apply_gate, evaluate, load_thresholds, to_json, to_markdown
from segscribe.files import atomic_write
from segscribe.store.workspace import Workspace


def _resolver(docs: dict[str, Any], corpus: Path) -> Any:
    by_source = {Path(d.source.split("#")[0]).resolve(): d for d in docs.values()}

    def resolve(file: str) -> tuple[str, str]:
        doc = by_source.get((corpus / file).resolve())
        if doc is None:
            raise KeyError(f"gold file {file} was not ingested")
        return doc.id, doc.text

    return resolve


#: Evidence kinds the corpus gold labels (corpus/gold/README.md).
GOLD_KINDS = frozenset({"pain", "goal", "job", "workaround", "objection", "quote"})


def evaluate_run(ws: Workspace, run: RunDir, corpus: Path, embed: Any, provider: str = "offline") -> Scorecard:
    """Scorecard of a run on a labelled corpus (gold in corpus/gold/)."""
    from segscribe.embed import memoise
    from segscribe.pipeline.personas.offline import persona_claims

    embed = memoise(embed)  # the metrics and the fault self-test embed the same texts many times
    docs = {d.id: d for d in ws.documents()}
    gold = load_gold(corpus / "gold" / "evidence.jsonl", _resolver(docs, corpus))
    items = run.read(A.EVIDENCE)
    gold_docs = {g.doc_id for g in gold}
    # The gold labels only verbatim participant words (quotes and turns); the note-taker's notes are evidence
    # too, but outside the gold's scope, so they are scored separately (voice attribution), not here.
    # The gold's scheme has no suggestion or observation kind (it predates them): those items cannot be judged.
    labelled = [e for e in items if e.doc_id in gold_docs and e.verbatim and e.kind in GOLD_KINDS]
    segs = run.read(A.SEGMENTS)
    segment_of_doc: dict[str, str] = {}
    for e in items:
        s = segs.segment_of(e)
        if s:
            segment_of_doc.setdefault(e.doc_id, s)
    gold_segments = _gold_segments(corpus, docs)
    personas = run.read(A.PERSONAS)

    card = evaluate(docs, labelled, gold, embed, segment_of_doc=segment_of_doc,
                    gold_segments=gold_segments, provider=provider, corpus=str(corpus))
    # Personas cite ticket evidence too, which has no gold: ground them against every evidence item.
    pg = persona_grounding([persona_claims(p) for p in personas], {e.id: e for e in items}, docs, segment_of_doc)
    card = card.model_copy(update={
        "metrics": {**card.metrics, "persona_grounding": round(pg.grounded_rate, 6),
                    "persona_not_in_data": round(pg.not_in_data_rate, 6)},
        "counts": {**card.counts, "persona_fields": pg.n_fields}})
    card = apply_gate(card, load_thresholds())
    all_q = quote_exactness(items, docs)
    note = (
        f"all evidence ({len(items)} items incl. tickets): strict exactness {all_q.strict_rate:.4f}, "
        f"validity {citation_validity(items, docs).rate:.4f}, "
        f"speaker attribution {speaker_attribution(items, docs).rate:.4f}")
    return card.model_copy(update={"notes": [*card.notes, note]})


def _gold_segments(corpus: Path, docs: dict[str, Any]) -> dict[str, str]:
    by_source = {Path(d.source.split("#")[0]).resolve(): d.id for d in docs.values()}
    out = {}
    with (corpus / "gold" / "documents.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            doc_id = by_source.get((corpus / row["file"]).resolve())
            if doc_id:
                out[doc_id] = row["segment"]
    return out


def write_scorecard(card: Scorecard, run: RunDir) -> dict[str, Path]:
    paths = {"json": run.root / "scorecard.json", "md": run.root / "scorecard.md"}
    atomic_write(paths["json"], to_json(card))
    atomic_write(paths["md"], to_markdown(card))
    return paths

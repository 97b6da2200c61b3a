"""Assemble the StrategyReport from a run's stage outputs."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from segscribe import artifacts as A
from segscribe.artifacts import RunDir
from segscribe.schemas.document import Document
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.persona import Persona
from segscribe.schemas.scoring import ScoringResult
from segscribe.schemas.segment import SegmentsResult
from segscribe.schemas.strategy import Basis, CitedSource, Statement, StrategyReport
from segscribe.store.workspace import Workspace


def _sources(docs: dict[str, Document], ids: set[str]) -> list[CitedSource]:
    out = []
    for doc_id in sorted(ids):
        d = docs.get(doc_id)
        if d is None:
            continue
        out.append(CitedSource(
            doc_id=d.id, title=d.title, kind=d.kind.value, source=d.source, text=d.text,
            passages=[{"id": p.id, "speaker": p.speaker, "role": p.role.value, "start": p.start, "end": p.end,
                       "timestamp": p.timestamp} for p in d.passages]))
    return out


def _cited_ids(personas: list[Persona], extra: list[Any]) -> set[str]:
    ids = {q.evidence_id for p in personas for q in p.quotes}
    ids |= {i for p in personas for f in p.claim_fields().values() for c in f.claims for i in c.evidence_ids}
    for obj in extra:
        dumped = obj.model_dump() if hasattr(obj, "model_dump") else obj
        stack = [dumped]
        while stack:
            cur = stack.pop()
            if isinstance(cur, dict):
                if isinstance(cur.get("evidence_ids"), list):
                    ids |= set(cur["evidence_ids"])
                stack.extend(cur.values())
            elif isinstance(cur, list):
                stack.extend(cur)
    return ids


def _model_description(segs: SegmentsResult, scoring: ScoringResult | None) -> list[Statement]:
    out = []
    if segs.table:
        t = segs.table
        out.append(Statement(text=f"Customers are segmented by {t.method} clustering of the customer table "
                             f"(k={t.parameters.get('k')}, silhouette {t.parameters.get('silhouette')}).",
                             basis=Basis(data=[f"k_tried={t.parameters.get('k_tried')}"])))
    if segs.needs:
        n = segs.needs
        out.append(Statement(text=f"Research participants are grouped into {len(n.segments)} needs-based "
                             "segments by the embeddings of their pains, goals and jobs.",
                             basis=Basis(data=[f"silhouette={n.parameters.get('silhouette')}"])))
    out.append(Statement(text=f"Personas and targeting follow the {segs.primary} segmentation."))
    if scoring:
        out.append(Statement(text=f"Segments are prioritised with the {scoring.preset} preset; every factor "
                             "shows whether it came from data, an analyst, or a configured default."))
    return out


def assemble_report(run: RunDir, workspace: Workspace, *, title: str | None, provider: str,
                    inputs: list[str]) -> StrategyReport:
    """The StrategyReport of a run, from its stage files and the workspace's documents."""
    from segscribe.pipeline.strategy import plan, targeting

    evidence = run.read(A.EVIDENCE)
    by_id = {e.id: e for e in evidence}
    segs = run.read(A.SEGMENTS)
    seg = segs.primary_segmentation
    themes = run.read(A.THEMES)
    personas = run.read(A.PERSONAS)
    scoring = run.read(A.SCORING)
    tiers = {s.name: s.tier for s in scoring.ranked} if scoring else {}
    for p in personas:
        p.tier = tiers.get(p.segment)
    groups = segs.group(evidence)
    profiles = seg.segments if seg else []
    docs = {d.id: d for d in workspace.documents(ids={e.doc_id for e in evidence})}
    base = seg.base if seg else {}
    targeting_rows = targeting.targeting_rows(profiles, scoring, groups, themes=themes, base=base)
    migrations = targeting.migration_pathways(profiles, base)
    kpis = targeting.kpis(profiles, base)
    roadmap = plan.roadmap(scoring)
    gaps = plan.data_gaps(profiles, groups, docs, seg.validation if seg else None, personas=personas)
    summary = plan.executive_summary(profiles, scoring, themes, base=base, evidence_by_segment=groups)
    theme_by_segment: dict[str, dict[str, int]] = {}
    seg_of = {e.id: s for s, items in groups.items() for e in items}
    for t in themes:
        counts = Counter(seg_of[i] for i in t.evidence_ids if i in seg_of)
        theme_by_segment[t.id] = dict(sorted(counts.items()))
    cited = _cited_ids(personas, [*targeting_rows, *migrations, *summary, *themes])
    cited |= {t.representative_id for t in themes if t.representative_id}
    cited_items: list[EvidenceBase] = [by_id[i] for i in sorted(cited) if i in by_id]
    kinds: dict[str, int] = defaultdict(int)
    inputs_of_run = run.read(A.INPUTS)
    for d in workspace.documents(ids=list(inputs_of_run)):
        kinds[d.kind.value] += 1
    return StrategyReport(
        title=f"Segmentation strategy: {title or 'research corpus'}",
        run_id=run.run_id, provider=provider,
        generated_from={"inputs": inputs, "documents": dict(sorted(kinds.items())), "evidence": len(evidence)},
        executive_summary=summary, model_description=_model_description(segs, scoring),
        segmentation=seg, needs_segmentation=segs.needs if segs.primary == "table" else None,
        scoring=scoring, themes=themes, theme_by_segment=theme_by_segment, personas=personas,
        targeting=targeting_rows, migrations=migrations, kpis=kpis, roadmap=roadmap, data_gaps=gaps,
        evidence=[e.model_dump(mode="json") for e in cited_items],
        sources=_sources(docs, {e.doc_id for e in cited_items}),
    )

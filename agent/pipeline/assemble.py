"""Assemble the StrategyReport from a run's stage outputs."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from segscribe.deps import Deps
from segscribe.nodes.analyse import load_evidence
from segscribe.nodes.outputs import evidence_by_segment, load_segments
from segscribe.schemas.document import Document
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.persona import Persona
from segscribe.schemas.scoring import ScoringResult
from segscribe.schemas.strategy import Basis, CitedSource, Statement, StrategyReport
from segscribe.schemas.theme import Theme
from segscribe.state import RunState


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


def _model_description(seg_data: dict[str, Any], scoring: ScoringResult | None) -> list[Statement]:
    out = []
    primary = seg_data.get("primary")
    if seg_data.get("table"):
        t = seg_data["table"]
        out.append(Statement(text=f"Customers are segmented by {t['method']} clustering of the customer table "
                             f"(k={t['parameters'].get('k')}, silhouette {t['parameters'].get('silhouette')}).",
                             basis=Basis(data=[f"k_tried={t['parameters'].get('k_tried')}"])))
    if seg_data.get("needs"):
        n = seg_data["needs"]
        out.append(Statement(text=f"Research participants are grouped into {len(n['segments'])} needs-based "
                             "segments by the embeddings of their pains, goals and jobs.",
                             basis=Basis(data=[f"silhouette={n['parameters'].get('silhouette')}"])))
    out.append(Statement(text=f"Personas and targeting follow the {primary} segmentation."))
    if scoring:
        out.append(Statement(text=f"Segments are prioritised with the {scoring.preset} preset; every factor "
                             "shows whether it came from data, an analyst, or a configured default."))
    return out


def assemble_report(state: RunState, deps: Deps) -> StrategyReport:
    from segscribe.pipeline import strategy, strategy_plan

    run = deps.run_dir(state["run_id"])
    evidence = load_evidence(deps, state["run_id"])
    by_id = {e.id: e for e in evidence}
    seg_data, seg = load_segments(deps, state["run_id"])
    themes = [Theme.model_validate(t) for t in run.read_json("themes.json", [])]
    personas = [Persona.model_validate(p) for p in run.read_json("personas.json", [])]
    scoring_raw = run.read_json("scoring.json")
    scoring = ScoringResult.model_validate(scoring_raw) if scoring_raw else None
    tiers = {s.name: s.tier for s in scoring.ranked} if scoring else {}
    for p in personas:
        p.tier = tiers.get(p.segment)
    groups = evidence_by_segment(seg_data, evidence)
    profiles = seg.segments if seg else []
    docs = {d.id: d for d in deps.workspace.documents(ids={e.doc_id for e in evidence})}
    base = seg.base if seg else {}
    targeting = strategy.targeting_rows(profiles, scoring, groups, themes=themes, base=base)
    migrations = strategy.migration_pathways(profiles, base)
    kpis = strategy.kpis(profiles, base)
    roadmap = strategy_plan.roadmap(scoring)
    gaps = strategy_plan.data_gaps(profiles, groups, docs, seg.validation if seg else None, personas=personas)
    summary = strategy_plan.executive_summary(profiles, scoring, themes, base=base, evidence_by_segment=groups)
    theme_by_segment: dict[str, dict[str, int]] = {}
    seg_of = {e.id: s for s, items in groups.items() for e in items}
    for t in themes:
        counts = Counter(seg_of[i] for i in t.evidence_ids if i in seg_of)
        theme_by_segment[t.id] = dict(sorted(counts.items()))
    cited = _cited_ids(personas, [*targeting, *migrations, *summary, *[t for t in themes]])
    cited |= {t.representative_id for t in themes if t.representative_id}
    cited_items: list[EvidenceBase] = [by_id[i] for i in sorted(cited) if i in by_id]
    rec = run.read_json("inputs.json", {}) or {}
    kinds: dict[str, int] = defaultdict(int)
    for d in deps.workspace.documents(ids=list(rec)):
        kinds[d.kind.value] += 1
    needs = seg_data.get("needs")
    product = deps.corpus_config.get("product") or deps.corpus_config.get("name") or "research corpus"
    from segscribe.schemas.segment import Segmentation

    return StrategyReport(
        title=f"Segmentation strategy: {product}",
        run_id=state["run_id"], provider=getattr(deps.chat, "name", None) or "offline",
        generated_from={"inputs": state.get("inputs", []), "documents": dict(sorted(kinds.items())),
                        "evidence": len(evidence)},
        executive_summary=summary, model_description=_model_description(seg_data, scoring),
        segmentation=seg, needs_segmentation=Segmentation.model_validate(needs)
        if needs and seg_data.get("primary") == "table" else None,
        scoring=scoring, themes=themes, theme_by_segment=theme_by_segment, personas=personas,
        targeting=targeting, migrations=migrations, kpis=kpis, roadmap=roadmap, data_gaps=gaps,
        evidence=[e.model_dump(mode="json") for e in cited_items],
        sources=_sources(docs, {e.doc_id for e in cited_items}),
    )

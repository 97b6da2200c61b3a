"""Assemble the StrategyReport from a run's stage outputs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from segscribe import artifacts as A
from segscribe.artifacts import RunDir
from segscribe.report.citing import cited_ids
from segscribe.schemas.document import Document
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.persona import Persona
from segscribe.schemas.scoring import ScoringResult
from segscribe.schemas.segment import SegmentsResult
from segscribe.schemas.strategy import Basis, CitedSource, Statement, StrategyReport, StudySummary
from segscribe.store.workspace import Workspace

DOC_CHUNK = 500  # documents read at a time for the study summary


def _sources(workspace: Workspace, ids: set[str]) -> list[CitedSource]:
    out = []
    for d in workspace.documents(ids=ids):
        out.append(CitedSource(
            doc_id=d.id, title=d.title, kind=d.kind.value, source=d.source, text=d.text,
            passages=[{"id": p.id, "speaker": p.speaker, "role": p.role.value, "voice": p.voice.value,
                       "start": p.start, "end": p.end, "timestamp": p.timestamp} for p in d.passages]))
    return out


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


def study_summary(run: RunDir, workspace: Workspace, evidence_count: int, tables: bool) -> StudySummary:
    """Real counts of what the run read: sessions, documents by kind, voices, duplicates, failed files.

    Documents are read a chunk at a time and only counted: a 100k-ticket run never holds them all.
    """
    from segscribe.ingest.service import voice_shares

    inputs = run.read(A.INPUTS)
    ids = sorted(inputs)
    kinds: Counter[str] = Counter()
    sessions: set[str] = set()
    files: set[str] = set()

    def counted() -> Iterator[Document]:
        for b in range(0, len(ids), DOC_CHUNK):
            for d in workspace.documents(ids=ids[b : b + DOC_CHUNK]):
                kinds[d.kind.value] += 1
                files.add(d.source.split("#")[0])
                if d.evidence_passages():
                    sessions.add(d.session)
                yield d

    voices = voice_shares(counted())
    ingest = run.read(A.INGEST)
    duplicates = [{"document": str(d.get("document", "")), "kept": str(d.get("kept", "")),
                   "similarity": str(d.get("similarity", "")), "file": f.path}
                  for f in ingest.files for d in f.duplicates]
    return StudySummary(
        sessions=len(sessions), documents=dict(sorted(kinds.items())),
        files=len(ingest.files) or len(files), evidence=evidence_count,
        voices=voices, duplicates=duplicates,
        failed=[{"path": f.path, "reason": f.reason or "failed"} for f in ingest.failed],
        skipped=[{"path": f.path, "reason": f.reason or "skipped"} for f in ingest.files if f.status == "skipped"],
        warnings=[w for f in ingest.files for w in f.warnings], tables=tables)


def _personas_note(personas: list[Persona], segs: SegmentsResult, evidence: list[EvidenceBase]) -> str | None:
    if personas:
        seg = segs.primary_segmentation
        outliers = seg.parameters.get("outliers") if seg is not None and seg.method == "needs" else None
        return (f"Not in any persona: {outliers}. Their needs set them apart from every segment, and a segment of "
                "one participant is not a segment; what they said is in the findings and themes.") if outliers else None
    owners = Counter(e.who for e in evidence if e.kind in ("pain", "goal", "job", "workaround", "objection"))
    ready = sum(1 for n in owners.values() if n >= 2)
    if segs.primary_segmentation is None:
        return (f"No personas: they are drafted per segment, and needs-based segments need at least 4 participants "
                f"with 2 or more pains, goals, jobs, workarounds or objections each; this study has {ready}. More "
                "sessions, or notes that record what participants need and struggle with, would make them possible.")
    return ("No personas: every segment has fewer than 3 evidence items behind it. More sessions per segment "
            "would make them possible.")


def assemble_report(run: RunDir, workspace: Workspace, *, title: str | None, provider: str,
                    inputs: list[str], min_sessions: int = 2, curation: Sequence[Any] = ()) -> StrategyReport:
    """The report of a run: research-first without customer tables, with strategy sections when there are.

    `curation` is the workspace's audit log of a researcher's actions (renamed or merged themes, rejected
    evidence, pinned quotes, edited findings); they are applied where they still fit and noted where not.
    """
    from segscribe.curation import apply_curation
    from segscribe.pipeline import research
    from segscribe.pipeline.strategy import plan, targeting

    evidence = run.read(A.EVIDENCE)
    segs = run.read(A.SEGMENTS)
    seg = segs.primary_segmentation
    themes = run.read(A.THEMES)
    findings = run.read(A.FINDINGS)
    personas = run.read(A.PERSONAS)
    cur = apply_curation(themes, evidence, findings, personas, list(curation),
                         total_documents=len(run.read(A.INPUTS))) if curation else None
    if cur is not None:
        evidence, themes, findings, personas = cur.evidence, cur.themes, cur.findings, cur.personas
    by_id = {e.id: e for e in evidence}
    scoring = run.read(A.SCORING)
    tiers = {s.name: s.tier for s in scoring.ranked} if scoring else {}
    for p in personas:
        p.tier = tiers.get(p.segment)
    groups = segs.group(evidence)
    profiles = seg.segments if seg else []
    study = study_summary(run, workspace, len(evidence), tables=segs.table is not None)
    kind: Literal["research", "strategy"] = "strategy" if study.tables else "research"
    base = seg.base if seg else {}
    jobs = research.jobs(evidence)
    recs = research.recommendations(findings, by_id)
    questions = research.open_questions(findings, evidence, study, min_sessions)
    if kind == "strategy":
        targeting_rows = targeting.targeting_rows(profiles, scoring, groups, themes=themes, base=base)
        migrations = targeting.migration_pathways(profiles, base)
        kpis = targeting.kpis(profiles, base)
        roadmap = plan.roadmap(scoring)
        docs = {d.id: d for d in workspace.documents(ids={e.doc_id for e in evidence})}
        gaps = plan.data_gaps(profiles, groups, docs, seg.validation if seg else None, personas=personas)
        del docs
        summary = research.executive_summary(study, findings)[1:] + plan.executive_summary(
            profiles, scoring, themes, base=base, evidence_by_segment=groups)
    else:
        targeting_rows, migrations, kpis, roadmap = [], [], [], []
        gaps = research.data_gaps(study, findings, min_sessions)
        summary = research.executive_summary(study, findings)
    theme_by_segment: dict[str, dict[str, int]] = {}
    seg_of = {e.id: s for s, items in groups.items() for e in items}
    for t in themes:
        counts = Counter(seg_of[i] for i in t.evidence_ids if i in seg_of)
        theme_by_segment[t.id] = dict(sorted(counts.items()))
    heading = "Research findings" if kind == "research" else "Segmentation strategy"
    report = StrategyReport(
        title=f"{heading}: {title or 'research study'}", kind=kind, study=study, findings=findings, jobs=jobs,
        recommendations=recs, open_questions=questions, personas_note=_personas_note(personas, segs, evidence),
        run_id=run.run_id, provider=provider,
        generated_from={"inputs": inputs, "documents": study.documents, "sessions": study.sessions,
                        "evidence": len(evidence)},
        executive_summary=summary, model_description=_model_description(segs, scoring) if kind == "strategy" else [],
        segmentation=seg, needs_segmentation=segs.needs if segs.primary == "table" else None,
        scoring=scoring if kind == "strategy" else None, themes=themes, theme_by_segment=theme_by_segment,
        personas=personas, targeting=targeting_rows, migrations=migrations, kpis=kpis, roadmap=roadmap,
        data_gaps=gaps, curation=cur.notes if cur else [], rejected=cur.rejected if cur else {},
    )
    # The report holds what its renderers cite (the first items of each list; the rest are counted and are in
    # evidence.jsonl), and the source text of only those items' documents.
    cited_items = [by_id[i] for i in sorted(cited_ids(report)) if i in by_id]
    report.evidence = [e.model_dump(mode="json") for e in cited_items]
    report.sources = _sources(workspace, {e.doc_id for e in cited_items})
    return report

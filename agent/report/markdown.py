"""Markdown rendering of a :class:`StrategyReport`, plus the helpers the HTML renderer shares.

Citations are numbered by the order of ``report.evidence`` (``E1`` is the first item) so that the
Markdown and the HTML report use the same markers. A marker whose evidence id is not in the report
is rendered as ``[missing evidence: id]`` rather than silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from segscribe.report.citing import CITED_PER_LIST, more_text
from segscribe.schemas.persona import ClaimField, Persona
from segscribe.schemas.segment import AttributeLift, CriterionResult, Segmentation
from segscribe.schemas.strategy import Basis, CitedSource, Statement, StrategyReport

SECTIONS: tuple[tuple[str, str], ...] = (
    ("executive-summary", "Executive summary"),
    ("key-findings", "Key findings"),
    ("segmentation-model", "Segmentation model and criteria"),
    ("segment-summary", "Segment summary"),
    ("validation", "Validation"),
    ("prioritisation", "Prioritisation"),
    ("themes", "Themes"),
    ("jobs", "Jobs to be done"),
    ("personas", "Personas"),
    ("targeting", "Targeting matrix"),
    ("migrations", "Migration pathways"),
    ("roadmap", "Implementation roadmap"),
    ("measurement", "Measurement framework"),
    ("recommendations", "Recommendations"),
    ("open-questions", "Open questions"),
    ("study", "Study and inputs"),
    ("data-gaps", "Data requirements and gaps"),
    ("evidence", "Evidence appendix"),
)
#: A research study without customer tables gets a findings-first report without strategy sections.
RESEARCH_SECTIONS = ("executive-summary", "key-findings", "themes", "jobs", "personas", "recommendations",
                     "open-questions", "study", "data-gaps", "evidence")
REC_MARK = "◆"
NOT_IN_DATA = "not in the data"
LEGEND = (f"{REC_MARK} marks a recommendation (advice, not a finding). [E*n*] cites a verbatim span of a "
          "source, listed in the evidence appendix. Small text gives the data figures a statement rests on. "
          f"“{NOT_IN_DATA}” means the research says nothing on that point.")
PERSONA_FIELDS: tuple[tuple[str, str], ...] = (
    ("role_context", "Role and context"),
    ("goals", "Goals"),
    ("success_metrics", "Success metrics"),
    ("pains", "Pains"),
    ("jobs_functional", "Functional jobs"),
    ("jobs_emotional", "Emotional jobs"),
    ("jobs_social", "Social jobs"),
    ("behaviours", "Behaviours and usage"),
    ("tools_alternatives", "Tools and alternatives"),
    ("decision_criteria", "Decision criteria and objections"),
    ("channels", "Channels"),
)
CRITERIA = ("measurable", "substantial", "accessible", "differentiable", "actionable")
TARGETING_CELLS = (("marketing_focus", "Marketing focus"), ("product_priority", "Product priority"),
                   ("service_model", "Service model"), ("pricing_strategy", "Pricing strategy"))
_CHANNEL_ORDER = ("email", "web", "in_app", "sales")
_CHANNEL_LABELS = {"email": "Email", "web": "Web", "in_app": "In-app", "sales": "Sales"}


# ---------------------------------------------------------------- shared helpers (also used by html)


@dataclass(frozen=True)
class Cite:
    """One evidence item as a citation target: its marker and primary span."""

    number: int
    evidence_id: str
    kind: str
    speaker: str
    doc_id: str
    start: int
    end: int
    quote: str
    citations: tuple[dict[str, Any], ...]
    item: dict[str, Any]
    voice: str = "participant"

    @property
    def verbatim(self) -> bool:
        """Someone's own words (shown in quotation marks); notes are shown as notes."""
        return self.voice in ("participant", "customer")

    @property
    def label(self) -> str:
        return f"E{self.number}"

    @property
    def anchor(self) -> str:
        return f"src-{self.label}"


class EvidenceIndex:
    """Evidence ids -> numbered citations, and the embedded sources by document id."""

    def __init__(self, report: StrategyReport) -> None:
        self.cites: list[Cite] = []
        self._by_id: dict[str, Cite] = {}
        for item in report.evidence:
            eid = str(item.get("id", ""))
            cits = tuple(c for c in item.get("citations") or () if isinstance(c, dict))
            if not eid or eid in self._by_id or not cits:
                continue
            first = cits[0]
            cite = Cite(number=len(self.cites) + 1, evidence_id=eid, kind=str(item.get("kind", "evidence")),
                        speaker=str(item.get("speaker", "")), doc_id=str(first.get("doc_id", "")),
                        start=int(first.get("start", 0)), end=int(first.get("end", 0)),
                        quote=str(first.get("quote", "")), citations=cits, item=item,
                        voice=str(item.get("voice") or "participant"))
            self.cites.append(cite)
            self._by_id[eid] = cite
        self.sources: dict[str, CitedSource] = {s.doc_id: s for s in report.sources}

    def get(self, evidence_id: str) -> Cite | None:
        return self._by_id.get(evidence_id)

    def passage(self, doc_id: str, start: int) -> dict[str, Any] | None:
        """The passage of ``doc_id`` containing offset ``start``."""
        src = self.sources.get(doc_id)
        if src is None:
            return None
        for p in src.passages:
            if int(p.get("start", -1)) <= start < int(p.get("end", -1)):
                return p
        return None

    def title(self, doc_id: str) -> str:
        src = self.sources.get(doc_id)
        return (src.title or doc_id) if src else doc_id


def pct(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x * 100:.{digits}f}%"


def num(x: float | None) -> str:
    if x is None:
        return "—"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.2f}"


def label(name: str) -> str:
    """``strategic_value`` -> ``Strategic value``."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def lift_text(lift: AttributeLift) -> str:
    ratio = "" if lift.lift is None else f", ×{lift.lift:.2f}"
    if lift.kind == "categorical":
        return (f"{lift.feature} = {lift.level}: {pct(lift.segment_value, 0)} vs "
                f"{pct(lift.base_value, 0)} of base{ratio}")
    return f"{lift.feature}: {num(lift.segment_value)} vs {num(lift.base_value)} base{ratio}"


def status_text(result: CriterionResult) -> str:
    return result.status.replace("_", " ")


def channel_keys(channels: Iterable[str]) -> list[str]:
    keys = set(channels)
    return [k for k in _CHANNEL_ORDER if k in keys] + sorted(keys - set(_CHANNEL_ORDER))


def channel_label(key: str) -> str:
    return _CHANNEL_LABELS.get(key, label(key))


def theme_segments(report: StrategyReport) -> list[str]:
    """Segments of ``theme_by_segment`` in segmentation order, then any others by name."""
    seen = {s for counts in report.theme_by_segment.values() for s in counts}
    order = [p.name for p in report.segmentation.segments] if report.segmentation else []
    return [s for s in order if s in seen] + sorted(seen - set(order))


def basis_ids(basis: Basis) -> list[str]:
    return list(dict.fromkeys(basis.evidence_ids))


def sections(report: StrategyReport) -> list[tuple[str, str]]:
    """The sections a report has, in order (research reports have no strategy sections)."""
    if report.kind == "research":
        return [(a, t) for a, t in SECTIONS if a in RESEARCH_SECTIONS]
    return list(SECTIONS)


def generated_from_text(report: StrategyReport) -> str:
    """One line of real input counts: sessions, documents by kind, evidence."""
    s = report.study
    docs = ", ".join(f"{n} {k}" for k, n in s.documents.items()) or "no documents"
    parts = [f"{s.sessions} sessions", docs, f"{s.evidence} evidence items"]
    if s.duplicates:
        parts.append(f"{len(s.duplicates)} duplicates left out")
    if s.failed:
        parts.append(f"{len(s.failed)} files failed")
    return " · ".join(parts)


def shown(c: Cite, limit: int | None = None) -> str:
    """An evidence item's words as the report shows them: quoted when verbatim, marked as notes otherwise."""
    text = c.quote if limit is None or len(c.quote) <= limit else c.quote[:limit].rstrip() + "…"
    return f"“{text}”" if c.verbatim else f"notes: {text}"


def segmentation_facts(seg: Segmentation) -> str:
    a = seg.assignment
    params = ", ".join(f"{k}={v}" for k, v in seg.parameters.items() if not isinstance(v, list))
    text = (f"Method {seg.method}; {a.total:,} customers, {a.assigned:,} assigned, {a.unassigned:,} "
            f"unassigned, {a.overlapping:,} overlapping (id column {seg.id_column})")
    return text + (f"; parameters {params}" if params else "")


# ---------------------------------------------------------------- markdown primitives

_MD_SPECIAL = "\\`*_[]|"


def md(text: object) -> str:
    """Escape text for inline Markdown (one line; HTML-looking text is neutralised)."""
    out = []
    for ch in " ".join(str(text).split()):
        if ch in _MD_SPECIAL:
            out.append("\\" + ch)
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        else:
            out.append(ch)
    return "".join(out)


def _code(text: str) -> str:
    """An inline code span that no content can close early: the fence outgrows every backtick run."""
    text = " ".join(str(text).splitlines())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines + [""]


class _Md:
    def __init__(self, report: StrategyReport) -> None:
        self.r = report
        self.idx = EvidenceIndex(report)

    def marks(self, ids: Iterable[str]) -> str:
        """Citations of a list of evidence ids: the first `CITED_PER_LIST`, then a count of the rest."""
        unique = list(dict.fromkeys(ids))
        out = []
        for eid in unique[:CITED_PER_LIST]:
            cite = self.idx.get(eid)
            out.append(f"[{cite.label}]" if cite else f"\\[missing evidence: {md(eid)}\\]")
        if len(unique) > CITED_PER_LIST:
            out.append(f"({more_text(len(unique) - CITED_PER_LIST)})")
        return " ".join(out)

    def stmt(self, st: Statement) -> str:
        text = (f"{REC_MARK} " if st.recommendation else "") + md(st.text)
        marks = self.marks(st.basis.evidence_ids)
        if marks:
            text += " " + marks
        if st.basis.data:
            text += " <sub>data: " + md("; ".join(st.basis.data)) + "</sub>"
        return text

    def basis(self, basis: Basis) -> str:
        parts = []
        if basis.data:
            parts.append("<sub>" + md("; ".join(basis.data)) + "</sub>")
        if basis.evidence_ids:
            parts.append(self.marks(basis.evidence_ids))
        return " ".join(parts) or "—"

    def field(self, cf: ClaimField) -> list[str]:
        if not cf.claims:
            return [f"_{NOT_IN_DATA}_"]
        lines = []
        for c in cf.claims:
            extra = [f"{c.participants} participant{'s' if c.participants != 1 else ''}"]
            if c.frequency_cue:
                extra.append(f"frequency: {md(c.frequency_cue)}")
            if c.impact:
                extra.append(f"impact: {md(c.impact)}")
            lines.append(f"- {md(c.text)} {self.marks(c.evidence_ids)} <sub>{' · '.join(extra)}</sub>")
        return lines


# ---------------------------------------------------------------- sections


def _summary(m: _Md) -> list[str]:
    out = [f"- {m.stmt(s)}" for s in m.r.executive_summary]
    return out or [f"_{NOT_IN_DATA}_"]


def _model(m: _Md) -> list[str]:
    out = [f"- {m.stmt(s)}" for s in m.r.model_description]
    seg = m.r.segmentation
    if seg is not None:
        out += ["", md(segmentation_facts(seg)) + ".", "", "**Segment definitions**", ""]
        for p in seg.segments:
            d = p.definition
            how = _code(d.rule or "") if d.kind == "rule" else (
                "nearest centroid" if d.kind == "centroid" else "no assignment rule")
            out.append(f"- **{md(p.name)}**: {how}")
    needs = m.r.needs_segmentation
    if needs is not None:
        out += ["", "**Needs-based segments from the research**", ""]
        for p in needs.segments:
            themes = ", ".join(md(t) for t in p.top_themes) or NOT_IN_DATA
            out.append(f"- **{md(p.name)}**: themes {themes} {m.marks(p.evidence_ids)}".rstrip())
    return out or [f"_{NOT_IN_DATA}_"]


def _segments(m: _Md) -> list[str]:
    seg = m.r.segmentation
    if seg is None:
        return [f"_{NOT_IN_DATA}_"]
    rows = []
    for p in seg.segments:
        trait = md(lift_text(p.top_lifts[0])) if p.top_lifts else NOT_IN_DATA
        rows.append([md(p.name), num(p.size), pct(p.share), pct(p.revenue_share), pct(p.churn_rate),
                     pct(p.retention_rate), trait])
    b = seg.base
    rows.append(["**All customers**", num(b.get("customers", seg.assignment.total)), pct(1.0),
                 pct(1.0 if "revenue_total" in b else None), pct(b.get("churn_rate")),
                 pct(b.get("retention_rate")), ""])
    return _table(["Segment", "Size", "Share", "Value share", "Churn", "Retention", "Key trait (top lift)"],
                  rows) + ["<sub>— = not available in the data.</sub>"]


def _validation(m: _Md) -> list[str]:
    seg = m.r.segmentation
    if seg is None or seg.validation is None:
        return [f"_{NOT_IN_DATA}_"]
    v = seg.validation
    out = [f"**MECE: {'pass' if v.mece.ok else 'fail'}.** {md(v.mece.detail)} ({v.mece.assigned_once:,} of "
           f"{v.mece.total:,} in exactly one segment; {v.mece.unassigned:,} unassigned, "
           f"{v.mece.overlapping:,} overlapping.)", ""]
    prof = {p.name: p for p in seg.segments}
    rows = []
    for sv in v.segments:
        p = prof.get(sv.segment)
        stab = num(p.stability) if p and p.stability is not None else "—"
        sil = num(p.silhouette) if p and p.silhouette is not None else "—"
        rows.append([md(sv.segment)] + [status_text(getattr(sv, c)) for c in CRITERIA] + [stab, sil])
    out += _table(["Segment"] + [label(c) for c in CRITERIA] + ["Stability", "Silhouette"], rows)
    if "silhouette" in seg.base:
        out += [f"Overall silhouette: {num(seg.base['silhouette'])}. Stability is the mean bootstrap "
                "Jaccard; below 0.6 is unstable.", ""]
    out += ["**Criteria details**", ""]
    for sv in v.segments:
        for c in CRITERIA:
            r: CriterionResult = getattr(sv, c)
            out.append(f"- {md(sv.segment)} · {c}: **{status_text(r)}** — {md(r.detail)}")
    return out


def _priorities(m: _Md) -> list[str]:
    sc = m.r.scoring
    if sc is None:
        return [f"_{NOT_IN_DATA}_"]
    factors = list(sc.weights)
    weights = ", ".join(f"{label(f)} {sc.weights[f]:.2f}" for f in factors)
    out = [f"Preset **{md(sc.preset)}**: total = {num(sc.multiplier)} × Σ weight × score, scores "
           f"{sc.scale[0]}–{sc.scale[1]}; weights {weights}. Each factor cell shows score (source) → points.",
           ""]
    rows = []
    for s in sc.ranked:
        by = {f.factor: f for f in s.factors}
        cells = [f"{by[f].value} ({by[f].source}) → {by[f].contribution:.2f}" if f in by else "—"
                 for f in factors]
        rows.append([str(s.rank), md(s.name), md(s.tier or "—"), s.total_display, *cells,
                     md(s.allocation or "—")])
    out += _table(["Rank", "Segment", "Tier", "Total", *[label(f) for f in factors], "Allocation"], rows)
    notes = [(s.name, f) for s in sc.ranked for f in s.factors if f.detail]
    if notes:
        out += ["**Where the scores come from**", ""]
        out += [f"- {md(n)} · {label(f.factor)}: {f.source} — {md(f.detail)}" for n, f in notes]
        out.append("")
    sens = sc.sensitivity
    if sens is None:
        return out + ["Sensitivity: not run."]
    out += [f"**Sensitivity.** {sens.samples:,} weight vectors, each weight × U({sens.low}, {sens.high}), "
            f"renormalised (seed {sens.seed}).", ""]
    srows = [[md(e.name), str(e.base_rank), f"{e.min_rank}–{e.max_rank}", pct(e.rank_change_share),
              pct(e.tier_change_share)] for e in sens.segments]
    return out + _table(["Segment", "Base rank", "Rank range", "Rank changes", "Tier changes"], srows)


def _themes(m: _Md) -> list[str]:
    if not m.r.themes:
        return [f"_{NOT_IN_DATA}_"]
    rows = []
    for t in m.r.themes:
        kinds = ", ".join(f"{k} {n}" for k, n in t.kinds.items())
        rep = m.marks([t.representative_id]) if t.representative_id else "—"
        rows.append([md(t.id), md(t.label), str(t.participants), pct(t.doc_share, 0),
                     str(len(t.evidence_ids)), md(kinds) or "—", rep])
    out = _table(["Id", "Theme", "Participants", "Doc share", "Evidence", "Kinds", "Representative"], rows)
    segs = theme_segments(m.r)
    if segs:
        labels = {t.id: t.label for t in m.r.themes}
        out += ["**Theme frequency by segment** (evidence items)", ""]
        trows = [[md(labels.get(tid, tid))] + [str(counts.get(s, 0)) for s in segs]
                 for tid, counts in m.r.theme_by_segment.items()]
        out += _table(["Theme", *[md(s) for s in segs]], trows)
    return out


def _persona(m: _Md, p: Persona) -> list[str]:
    meta = [f"*Segment:* {md(p.segment)}"]
    if p.tier:
        meta.append(f"*Tier:* {md(p.tier)}")
    reason = f" — {md(p.confidence_reason)}" if p.confidence_reason else ""
    meta.append(f"*Confidence:* {p.confidence}{reason}")
    out = [f"### {md(p.name)}", "", " · ".join(meta), ""]
    one = p.one_liner.claims
    if one:
        out.append("**One-liner.** " + " ".join(f"{md(c.text)} {m.marks(c.evidence_ids)}" for c in one))
    else:
        out.append(f"**One-liner.** _{NOT_IN_DATA}_")
    out.append("")
    for name, title in PERSONA_FIELDS:
        out += [f"**{title}**", "", *m.field(getattr(p, name)), ""]
        if name == "decision_criteria":
            out += ["**Representative quotes**", ""]
            for q in p.quotes:
                out.append(f"> “{md(q.quote)}” — {md(q.speaker)}, {_code(f'{q.doc_id}[{q.start}:{q.end}]')} "
                           f"{m.marks([q.evidence_id])}")
                out.append(">")
            if p.quotes:
                out.pop()
            else:
                out.append(f"_{NOT_IN_DATA}_")
            out.append("")
    sources = ", ".join(_code(s) for s in p.data_sources) or NOT_IN_DATA
    out += [f"<sub>Data sources: {sources} · drafted by {md(p.provider)}"
            + (f" ({md(p.prompt)})" if p.prompt else "") + "</sub>", ""]
    return out


def _personas(m: _Md) -> list[str]:
    out: list[str] = []
    for p in m.r.personas:
        out += _persona(m, p)
    if out and m.r.personas_note:
        out += [f"_{md(m.r.personas_note)}_", ""]
    return out or [md(m.r.personas_note or NOT_IN_DATA)]


def _targeting(m: _Md) -> list[str]:
    if not m.r.targeting:
        return [f"_{NOT_IN_DATA}_"]
    out = [f"Legend: {REC_MARK} = recommendation. Every cell is advice motivated by the cited evidence or "
           "data.", ""]
    rows = [[f"**{md(t.segment)}**"] + [m.stmt(getattr(t, a)) for a, _ in TARGETING_CELLS]
            for t in m.r.targeting]
    out += _table(["Segment", *[h for _, h in TARGETING_CELLS]], rows)
    keys = channel_keys(k for t in m.r.targeting for k in t.channels)
    if keys:
        out += ["**Personalisation by channel**", ""]
        crows = [[f"**{md(t.segment)}**"] + [m.stmt(t.channels[k]) if k in t.channels else "—" for k in keys]
                 for t in m.r.targeting]
        out += _table(["Segment", *[channel_label(k) for k in keys]], crows)
    return out


def _migrations(m: _Md) -> list[str]:
    if not m.r.migrations:
        return [f"_{NOT_IN_DATA}_"]
    rows = [[f"{md(g.source)} → {md(g.target)}", md(g.trigger), m.stmt(g.intervention), md(g.success_metric),
             m.basis(g.basis)] for g in m.r.migrations]
    return _table(["Pathway", "Trigger", "Intervention", "Success metric", "Basis"], rows)


def _roadmap(m: _Md) -> list[str]:
    out: list[str] = []
    for ph in m.r.roadmap:
        out += [f"### {md(ph.name)} (weeks {md(ph.weeks)})", ""]
        out += [f"- {m.stmt(s)}" for s in ph.actions] or [f"_{NOT_IN_DATA}_"]
        out.append("")
    return out or [f"_{NOT_IN_DATA}_"]


def _kpis(m: _Md) -> list[str]:
    if not m.r.kpis:
        return [f"_{NOT_IN_DATA}_"]
    rows = [[md(k.segment), md(k.metric), num(k.baseline) if k.baseline is not None else f"_{NOT_IN_DATA}_",
             f"{REC_MARK} {md(k.target)}"] for k in m.r.kpis]
    return _table(["Segment", "Metric", "Baseline", "Target"], rows)


def _gaps(m: _Md) -> list[str]:
    if not m.r.data_gaps:
        return ["No data gaps recorded."]
    return _table(["Need", "Why it matters"], [[md(g.need), md(g.why)] for g in m.r.data_gaps])


def _appendix(m: _Md) -> list[str]:
    out = []
    for c in m.idx.cites:
        p = m.idx.passage(c.doc_id, c.start) or {}
        who = md(c.speaker or p.get("speaker") or "unknown speaker")
        extra = [str(x) for x in (p.get("role"), p.get("timestamp")) if x]
        if extra:
            who += f" ({md(', '.join(extra))})"
        anchor = f'<a id="evidence-{c.label.lower()}"></a>'
        line = (f"- {anchor}**[{c.label}]** {md(c.kind)} · {md(shown(c))} — "
                f"{who} · *{md(m.idx.title(c.doc_id))}* · {_code(f'{c.doc_id}[{c.start}:{c.end}]')} · "
                f"id {_code(c.evidence_id)}")
        for more in c.citations[1:]:
            span = f"{more.get('doc_id')}[{more.get('start')}:{more.get('end')}]"
            line += f" · also “{md(more.get('quote', ''))}” {_code(span)}"
        out.append(line)
    if not out:
        out.append(f"_{NOT_IN_DATA}_")
    out += ["", "### Sources", ""]
    for s in m.r.sources:
        out.append(f"- {_code(s.doc_id)} · {md(s.title or s.doc_id)} · {md(s.kind)} · {_code(s.source)} · "
                   f"{len(s.passages)} passages")
    out.append("")
    out += [f"[{c.label}]: #evidence-{c.label.lower()}" for c in m.idx.cites]
    return out


RESEARCH_RENDERERS: dict[str, Any] = {}
"""The research sections (key findings, jobs, recommendations, open questions, study), added by
`segscribe.report.research_md` when it is imported, which `segscribe.report` always does first: this module never
imports it back."""


def _renderers() -> dict[str, Any]:
    return {"executive-summary": _summary, "segmentation-model": _model, "segment-summary": _segments,
            "validation": _validation, "prioritisation": _priorities, "themes": _themes, "personas": _personas,
            "targeting": _targeting, "migrations": _migrations, "roadmap": _roadmap, "measurement": _kpis,
            "data-gaps": _gaps, "evidence": _appendix, **RESEARCH_RENDERERS}


def render_markdown(report: StrategyReport) -> str:
    """The strategy document as Markdown (deterministic: same report -> same text)."""
    m = _Md(report)
    meta = [f"Run {_code(report.run_id)}", f"provider {_code(report.provider)}"]
    gen = generated_from_text(report)
    out = [f"# {md(report.title)}", "", " · ".join(meta) + (f" · {md(gen)}" if gen else ""), "",
           f"> **Legend.** {LEGEND}", "", "**Contents**", ""]
    chosen = sections(report)
    out += [f"{i}. [{title}](#{anchor})" for i, (anchor, title) in enumerate(chosen, 1)]
    out.append("")
    renderers = _renderers()
    for i, (anchor, title) in enumerate(chosen, 1):
        out += [f'<a id="{anchor}"></a>', "", f"## {i}. {title}", ""]
        out += renderers[anchor](m)
        if out[-1] != "":
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"

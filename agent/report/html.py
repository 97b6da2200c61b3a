"""One self-contained HTML strategy report: inline CSS, inline vanilla JS, inline SVG charts.

Every citation is ``<a class="cite" href="#src-E3" data-evidence-id=.. data-doc-id=.. data-start=..
data-end=..>[E3]</a>``. Clicking one opens ``#source-panel``, which rebuilds the cited passage from
the canonical texts embedded as ``<script type="application/json" id="sources">`` and wraps the span in
``<mark id="highlight">``. Offsets are code points (Python ``str`` indices), so the script slices
``Array.from(text)``, not UTF-16 units. All source text is escaped; the JSON blob escapes ``<``, ``>``
and ``&`` as ``\\u003c`` etc., so a transcript cannot close the script element. Nothing is fetched.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from html import escape
from typing import Any

from segscribe.report import charts
from segscribe.report.citing import CITED_PER_LIST, more_text
from segscribe.report.markdown import (
    CRITERIA,
    NOT_IN_DATA,
    PERSONA_FIELDS,
    REC_MARK,
    TARGETING_CELLS,
    Cite,
    EvidenceIndex,
    channel_keys,
    channel_label,
    generated_from_text,
    label,
    lift_text,
    num,
    pct,
    segmentation_facts,
    status_text,
    theme_segments,
)
from segscribe.report.markdown import (
    sections as report_sections,
)
from segscribe.schemas.persona import ClaimField, Persona
from segscribe.schemas.segment import CriterionResult
from segscribe.schemas.strategy import Basis, Statement, StrategyReport


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def sources_json(report: StrategyReport) -> str:
    """The embedded sources, safe inside a ``<script>`` element."""
    data = [s.model_dump(mode="json") for s in report.sources]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _table(header: Iterable[str], rows: Iterable[Iterable[str]], cls: str = "") -> str:
    head = "".join(f"<th scope=\"col\">{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    klass = f' class="{cls}"' if cls else ""
    return (f'<div class="table-wrap"><table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            "</table></div>")


def _nid() -> str:
    return f'<span class="nid">{NOT_IN_DATA}</span>'


def _figure(svg: str, caption: str) -> str:
    return f'<figure class="chart-figure">{svg}<figcaption>{esc(caption)}</figcaption></figure>'


class _Html:
    def __init__(self, report: StrategyReport) -> None:
        self.r = report
        self.idx = EvidenceIndex(report)

    def link(self, c: Cite, *, doc_id: str | None = None, start: int | None = None,
             end: int | None = None) -> str:
        """The citation link of ``c`` (a quote ref may pass its own, identical, span)."""
        d = c.doc_id if doc_id is None else doc_id
        s = c.start if start is None else start
        e = c.end if end is None else end
        return (f'<a class="cite" href="#{c.anchor}" data-evidence-id="{esc(c.evidence_id)}" '
                f'data-doc-id="{esc(d)}" data-start="{s}" data-end="{e}" data-label="{c.label}" '
                f'data-kind="{esc(c.kind)}" '
                f'data-speaker="{esc(c.speaker)}" title="{esc(c.quote)}">[{c.label}]</a>')

    def cites(self, ids: Iterable[str]) -> str:
        """Citations of a list of evidence ids: the first `CITED_PER_LIST`, then a count of the rest."""
        unique = list(dict.fromkeys(ids))
        out = []
        for eid in unique[:CITED_PER_LIST]:
            c = self.idx.get(eid)
            missing = (f'<span class="cite missing" title="evidence not in this report">[missing evidence: '
                       f"{esc(eid)}]</span>")
            out.append(self.link(c) if c else missing)
        if len(unique) > CITED_PER_LIST:
            out.append(f'<span class="muted">({esc(more_text(len(unique) - CITED_PER_LIST))})</span>')
        return " ".join(out)

    def stmt(self, st: Statement) -> str:
        rec = f'<span class="rec" title="Recommendation">{REC_MARK}</span> ' if st.recommendation else ""
        out = f'<span class="stmt{" is-rec" if st.recommendation else ""}">{rec}{esc(st.text)}'
        if st.basis.evidence_ids:
            out += " " + self.cites(st.basis.evidence_ids)
        if st.basis.data:
            out += f' <small class="data">data: {esc("; ".join(st.basis.data))}</small>'
        return out + "</span>"

    def basis(self, b: Basis) -> str:
        parts = []
        if b.data:
            parts.append(f'<small class="data">{esc("; ".join(b.data))}</small>')
        if b.evidence_ids:
            parts.append(self.cites(b.evidence_ids))
        return " ".join(parts) or "—"

    def stmt_list(self, items: list[Statement]) -> str:
        if not items:
            return f"<p>{_nid()}</p>"
        return '<ul class="stmts">' + "".join(f"<li>{self.stmt(s)}</li>" for s in items) + "</ul>"


def _badge(text: str, kind: str) -> str:
    return f'<span class="badge b-{kind}">{esc(text)}</span>'


def _status(r: CriterionResult) -> str:
    kind = {"pass": "pass", "fail": "fail"}.get(r.status, "warn")
    return f'<span class="badge b-{kind}" title="{esc(r.detail)}">{esc(status_text(r))}</span>'


# ---------------------------------------------------------------- sections


def _summary(h: _Html) -> str:
    r = h.r
    seg = r.segmentation
    tiles = [(str(len(seg.segments)) if seg else "—", "segments"),
             (f"{seg.assignment.total:,}" if seg else "—", "customers"),
             (str(len(r.personas)), "personas"), (str(len(h.idx.cites)), "evidence items"),
             (str(len(r.sources)), "sources cited")]
    tile_html = "".join(f'<div class="tile"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for v, k in tiles)
    return f'<div class="tiles">{tile_html}</div>' + h.stmt_list(r.executive_summary)


def _model(h: _Html) -> str:
    out = h.stmt_list(h.r.model_description)
    seg = h.r.segmentation
    if seg is not None:
        out += f'<p class="note">{esc(segmentation_facts(seg))}.</p>'
        rows = []
        for p in seg.segments:
            d = p.definition
            how = f"<code>{esc(d.rule or '')}</code>" if d.kind == "rule" else esc(
                "nearest centroid in the standardised feature space" if d.kind == "centroid" else "no rule")
            rows.append([f"<strong>{esc(p.name)}</strong>", how])
        out += _table(["Segment", "Definition"], rows)
    needs = h.r.needs_segmentation
    if needs is not None:
        rows = [[esc(p.name), esc(", ".join(p.top_themes)) or _nid(), h.cites(p.evidence_ids) or "—"]
                for p in needs.segments]
        out += "<h3>Needs-based segments from the research</h3>"
        out += _table(["Segment", "Themes", "Evidence"], rows)
    return out


def _segments(h: _Html) -> str:
    seg = h.r.segmentation
    if seg is None:
        return f"<p>{_nid()}</p>"
    rows = [[f"<strong>{esc(p.name)}</strong>", num(p.size), pct(p.share), pct(p.revenue_share),
             pct(p.churn_rate), pct(p.retention_rate),
             esc(lift_text(p.top_lifts[0])) if p.top_lifts else _nid()] for p in seg.segments]
    b = seg.base
    rows.append(["<strong>All customers</strong>", num(b.get("customers", seg.assignment.total)), pct(1.0),
                 pct(1.0 if "revenue_total" in b else None), pct(b.get("churn_rate")),
                 pct(b.get("retention_rate")), ""])
    table = _table(["Segment", "Size", "Share", "Value share", "Churn", "Retention", "Key trait (top lift)"],
                   rows, "num-table")
    chart = charts.share_bars([(p.name, p.share, p.revenue_share) for p in seg.segments])
    return table + '<p class="note">— = not available in the data.</p>' + _figure(
        chart, "Share of customers vs share of value, per segment.")


def _validation(h: _Html) -> str:
    seg = h.r.segmentation
    if seg is None or seg.validation is None:
        return f"<p>{_nid()}</p>"
    v = seg.validation
    m = v.mece
    verdict = "pass" if m.ok else "fail"
    out = (f'<div class="callout {"ok" if m.ok else "bad"}"><strong>MECE: {verdict}.</strong> '
           f"{esc(m.detail)} {m.assigned_once:,} of {m.total:,} customers in exactly one segment; "
           f"{m.unassigned:,} unassigned; {m.overlapping:,} overlapping.</div>")
    prof = {p.name: p for p in seg.segments}
    rows = []
    for sv in v.segments:
        p = prof.get(sv.segment)
        stab = num(p.stability) if p and p.stability is not None else "—"
        sil = num(p.silhouette) if p and p.silhouette is not None else "—"
        cells = [_status(getattr(sv, c)) for c in CRITERIA]
        rows.append([f"<strong>{esc(sv.segment)}</strong>", *cells, stab, sil])
    out += _table(["Segment", *[label(c) for c in CRITERIA], "Stability", "Silhouette"], rows)
    if "silhouette" in seg.base:
        out += (f'<p class="note">Overall silhouette {num(seg.base["silhouette"])}. Stability is the mean '
                "bootstrap Jaccard; below 0.6 is unstable.</p>")
    items = "".join(f"<li><strong>{esc(sv.segment)}</strong> · {c}: {_status(getattr(sv, c))} "
                    f"{esc(getattr(sv, c).detail)}</li>" for sv in v.segments for c in CRITERIA)
    return out + f'<h3>Criteria details</h3><ul class="details">{items}</ul>'


def _priorities(h: _Html) -> str:
    sc = h.r.scoring
    if sc is None:
        return f"<p>{_nid()}</p>"
    factors = list(sc.weights)
    weights = ", ".join(f"{label(f)} {sc.weights[f]:.2f}" for f in factors)
    out = (f'<p class="note">Preset <strong>{esc(sc.preset)}</strong>: total = {num(sc.multiplier)} × '
           f"Σ weight × score, scores {sc.scale[0]}–{sc.scale[1]}; weights {esc(weights)}. Each factor shows "
           "the score, where it came from, and the points it adds.</p>")
    rows = []
    for s in sc.ranked:
        by = {f.factor: f for f in s.factors}
        cells = []
        for name in factors:
            f = by.get(name)
            cells.append("—" if f is None else (
                f'<span class="fc"><span class="score" title="{esc(f.detail)}">{f.value}</span> '
                f'{_badge(f.source, "src-" + f.source)} <small>→ {f.contribution:.2f}</small></span>'))
        tier = _badge(s.tier, "tier") if s.tier else "—"
        rows.append([str(s.rank), f"<strong>{esc(s.name)}</strong>", tier,
                     f"<strong>{esc(s.total_display)}</strong>", *cells, esc(s.allocation or "—")])
    out += _table(["Rank", "Segment", "Tier", "Total", *[label(f) for f in factors], "Allocation"], rows)
    axis = sc.multiplier * sc.scale[1]
    chart = charts.contribution_bars([(f"{s.rank}. {s.name}", [(f.factor, f.contribution) for f in s.factors])
                                      for s in sc.ranked], factors, axis_max=axis)
    out += _figure(chart, f"Points each factor adds to the total (axis: 0 to the maximum {num(axis)}).")
    sens = sc.sensitivity
    if sens is None:
        return out + '<p class="note">Sensitivity: not run.</p>'
    out += (f"<h3>Sensitivity</h3><p class=\"note\">{sens.samples:,} weight vectors, each weight × "
            f"U({sens.low}, {sens.high}), renormalised (seed {sens.seed}).</p>")
    rows = [[esc(e.name), str(e.base_rank), f"{e.min_rank}–{e.max_rank}", pct(e.rank_change_share),
             pct(e.tier_change_share)] for e in sens.segments]
    header = ["Segment", "Base rank", "Rank range", "Rank changes", "Tier changes"]
    return out + _table(header, rows, "num-table")


def _themes(h: _Html) -> str:
    if not h.r.themes:
        return f"<p>{_nid()}</p>"
    rows = [[esc(t.id), f"<strong>{esc(t.label)}</strong>", str(t.participants), pct(t.doc_share, 0),
             str(len(t.evidence_ids)), esc(", ".join(f"{k} {n}" for k, n in t.kinds.items())) or "—",
             h.cites([t.representative_id]) if t.representative_id else "—"] for t in h.r.themes]
    out = _table(["Id", "Theme", "Participants", "Doc share", "Evidence", "Kinds", "Representative"], rows)
    segs = theme_segments(h.r)
    if segs:
        labels = {t.id: t.label for t in h.r.themes}
        keys = list(h.r.theme_by_segment)
        svg = charts.heatmap([labels.get(k, k) for k in keys], segs, h.r.theme_by_segment, keys)
        out += _figure(svg, "Evidence items per theme and segment (darker = more).")
    return out


def _field(h: _Html, cf: ClaimField) -> str:
    if not cf.claims:
        return f"<dd>{_nid()}</dd>"
    items = []
    for c in cf.claims:
        extra = [f"{c.participants} participant{'s' if c.participants != 1 else ''}"]
        extra += [f"{k}: {v}" for k, v in (("frequency", c.frequency_cue), ("impact", c.impact)) if v]
        items.append(f"<li>{esc(c.text)} {h.cites(c.evidence_ids)} "
                     f'<small class="data">{esc(" · ".join(extra))}</small></li>')
    return f"<dd><ul>{''.join(items)}</ul></dd>"


def _persona(h: _Html, p: Persona) -> str:
    badges = _badge(p.segment, "seg") + (_badge(p.tier, "tier") if p.tier else "") + _badge(
        f"confidence: {p.confidence}", "conf-" + p.confidence)
    one = " ".join(f"{esc(c.text)} {h.cites(c.evidence_ids)}" for c in p.one_liner.claims) or _nid()
    fields = []
    for name, title in PERSONA_FIELDS:
        fields.append(f"<dt>{esc(title)}</dt>{_field(h, getattr(p, name))}")
        if name == "decision_criteria":
            quotes = []
            for q in p.quotes:
                c = h.idx.get(q.evidence_id)
                ref = h.link(c, doc_id=q.doc_id, start=q.start, end=q.end) if c else h.cites([q.evidence_id])
                quotes.append(f"<blockquote>“{esc(q.quote)}”<footer>— {esc(q.speaker)} {ref}</footer>"
                              "</blockquote>")
            fields.append(f'<dt>Representative quotes</dt><dd class="quotes">{"".join(quotes) or _nid()}'
                          "</dd>")
    sources = ", ".join(f"<code>{esc(s)}</code>" for s in p.data_sources) or _nid()
    reason = f" — {esc(p.confidence_reason)}" if p.confidence_reason else ""
    drafted = esc(p.provider) + (f" ({esc(p.prompt)})" if p.prompt else "")
    pid = esc(p.id).replace(" ", "-")
    return (f'<article class="persona" id="persona-{pid}"><header><h3>{esc(p.name)}</h3>'
            f'<div class="badges">{badges}</div><p class="one-liner">{one}</p></header>'
            f'<dl class="fields">{"".join(fields)}</dl><footer class="persona-foot">Data sources: {sources} '
            f"· drafted by {drafted}{reason}</footer></article>")


def _personas(h: _Html) -> str:
    if not h.r.personas:
        return f"<p>{esc(h.r.personas_note)}</p>" if h.r.personas_note else f"<p>{_nid()}</p>"
    note = f'<p class="note">{esc(h.r.personas_note)}</p>' if h.r.personas_note else ""
    return '<div class="personas">' + "".join(_persona(h, p) for p in h.r.personas) + "</div>" + note


def _targeting(h: _Html) -> str:
    t = h.r.targeting
    if not t:
        return f"<p>{_nid()}</p>"
    out = (f'<p class="legend-inline"><span class="rec">{REC_MARK}</span> = recommendation. Every cell is '
           "advice motivated by the cited evidence or data figures.</p>")
    rows = [[f"<strong>{esc(r.segment)}</strong>", *[h.stmt(getattr(r, a)) for a, _ in TARGETING_CELLS]]
            for r in t]
    out += _table(["Segment", *[title for _, title in TARGETING_CELLS]], rows, "matrix")
    keys = channel_keys(k for r in t for k in r.channels)
    if keys:
        rows = [[f"<strong>{esc(r.segment)}</strong>", *[h.stmt(r.channels[k]) if k in r.channels else "—"
                                                        for k in keys]] for r in t]
        out += "<h3>Personalisation by channel</h3>"
        out += _table(["Segment", *[channel_label(k) for k in keys]], rows, "matrix")
    return out


def _migrations(h: _Html) -> str:
    if not h.r.migrations:
        return f"<p>{_nid()}</p>"
    rows = [[f"<strong>{esc(g.source)}</strong> → <strong>{esc(g.target)}</strong>", esc(g.trigger),
             h.stmt(g.intervention), esc(g.success_metric), h.basis(g.basis)] for g in h.r.migrations]
    return _table(["Pathway", "Trigger", "Intervention", "Success metric", "Basis"], rows, "matrix")


def _roadmap(h: _Html) -> str:
    if not h.r.roadmap:
        return f"<p>{_nid()}</p>"
    phases = "".join(f'<li class="phase"><span class="weeks">Weeks {esc(ph.weeks)}</span>'
                     f"<h3>{esc(ph.name)}</h3>{h.stmt_list(ph.actions)}</li>" for ph in h.r.roadmap)
    return f'<ol class="roadmap">{phases}</ol>'


def _kpis(h: _Html) -> str:
    if not h.r.kpis:
        return f"<p>{_nid()}</p>"
    rows = [[f"<strong>{esc(k.segment)}</strong>", esc(k.metric),
             num(k.baseline) if k.baseline is not None else _nid(),
             f'<span class="rec">{REC_MARK}</span> {esc(k.target)}'] for k in h.r.kpis]
    return _table(["Segment", "Metric", "Baseline", "Target"], rows)


def _gaps(h: _Html) -> str:
    if not h.r.data_gaps:
        return "<p>No data gaps recorded.</p>"
    return _table(["Need", "Why it matters"], [[esc(g.need), esc(g.why)] for g in h.r.data_gaps])


def _appendix(h: _Html) -> str:
    items = []
    for c in h.idx.cites:
        p = h.idx.passage(c.doc_id, c.start) or {}
        who = esc(c.speaker or p.get("speaker") or "unknown speaker")
        if p.get("role"):
            who += f' <span class="muted">({esc(p["role"])})</span>'
        meta = [who, f"<em>{esc(h.idx.title(c.doc_id))}</em>",
                f"<code>{esc(c.doc_id)}[{c.start}:{c.end}]</code>"]
        if p.get("timestamp"):
            meta.append(f'<span class="ts">{esc(p["timestamp"])}</span>')
        more = "".join(f'<li>also “{esc(x.get("quote", ""))}” <code>{esc(x.get("doc_id"))}'
                       f'[{esc(x.get("start"))}:{esc(x.get("end"))}]</code></li>' for x in c.citations[1:])
        items.append(f'<li id="{c.anchor}" class="ev"><div class="ev-head">{h.link(c)} '
                     f'{_badge(c.kind, "kind")} <code class="muted">{esc(c.evidence_id)}</code></div>'
                     f'{words(c)}<div class="ev-meta">{" · ".join(meta)}</div>'
                     + (f'<ul class="more">{more}</ul>' if more else "") + "</li>")
    out = f'<ol class="evidence-list">{"".join(items)}</ol>' if items else f"<p>{_nid()}</p>"
    rows = [[f"<code>{esc(s.doc_id)}</code>", esc(s.title or s.doc_id), esc(s.kind),
             f"<code>{esc(s.source)}</code>", str(len(s.passages))] for s in h.r.sources]
    return out + "<h3>Sources</h3>" + _table(["Document", "Title", "Kind", "Source", "Passages"], rows)


def _csp() -> str:
    """Only the report's own inline script may run (by its hash); no 'unsafe-inline' for scripts."""
    digest = base64.b64encode(hashlib.sha256(JS.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src data:"


def words(c: Cite) -> str:
    """An item's words: a quotation when verbatim, a marked note (never in quotation marks) otherwise."""
    if c.verbatim:
        return f"<blockquote>“{esc(c.quote)}”</blockquote>"
    return f'<p class="note-text"><span class="badge b-notes">notes</span> {esc(c.quote)}</p>'


RESEARCH_RENDERERS: dict[str, Any] = {}
"""The research sections (key findings, jobs, recommendations, open questions, study), added by
`segscribe.report.research_html` when it is imported, which `segscribe.report` always does first: this module never
imports it back."""


def _renderers() -> dict[str, Any]:
    return {"executive-summary": _summary, "segmentation-model": _model, "segment-summary": _segments,
            "validation": _validation, "prioritisation": _priorities, "themes": _themes, "personas": _personas,
            "targeting": _targeting, "migrations": _migrations, "roadmap": _roadmap, "measurement": _kpis,
            "data-gaps": _gaps, "evidence": _appendix, **RESEARCH_RENDERERS}

_KICKER = {"research": "Research findings", "strategy": "Customer segmentation strategy"}
_LEGEND = ('<div class="legend"><p class="legend-title">Legend</p><ul>'
           f'<li><span class="rec">{REC_MARK}</span> Recommendation: advice, not a finding</li>'
           '<li><span class="cite-sample">[E1]</span> Evidence: opens the verbatim source</li>'
           '<li><small class="data">data: …</small> Data figures behind a statement</li>'
           f"<li>{_nid()}: the research says nothing on it</li></ul></div>")

_PANEL = ('<dialog id="source-panel" aria-labelledby="sp-title"><div class="sp-header"><div>'
          '<p class="sp-label" id="sp-label"></p><h2 id="sp-title"></h2></div>'
          '<button type="button" class="sp-close" id="sp-close" '
          'aria-label="Close source panel">×</button></div><dl class="sp-meta" id="sp-meta"></dl>'
          '<div class="sp-body" id="sp-body"></div><p class="sp-foot"><a id="sp-entry" href="#evidence">'
          "Go to the evidence appendix entry</a></p></dialog>")


def render_html(report: StrategyReport) -> str:
    """The strategy document as one self-contained HTML page (deterministic)."""
    h = _Html(report)
    chosen = report_sections(report)
    renderers = _renderers()
    toc = "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in chosen)
    sections = "".join(
        f'<section id="{a}"><h2><span class="num">{i}</span>{esc(t)}</h2>{renderers[a](h)}</section>'
        for i, (a, t) in enumerate(chosen, 1))
    gen = generated_from_text(report)
    meta = f"Run <code>{esc(report.run_id)}</code> · provider <code>{esc(report.provider)}</code>" + (
        f" · {esc(gen)}" if gen else "")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_csp()}">'
        f"<title>{esc(report.title)}</title><style>{CSS}</style></head><body>"
        f'<header class="masthead"><div class="wrap"><p class="kicker">{_KICKER[report.kind]}</p>'
        f'<h1>{esc(report.title)}</h1><p class="meta">{meta}</p></div></header>'
        f'<div class="layout"><nav class="toc" aria-label="Contents"><p class="toc-title">Contents</p>'
        f"<ol>{toc}</ol>{_LEGEND}</nav><main>{sections}</main></div>{_PANEL}"
        f'<script type="application/json" id="sources">{sources_json(report)}</script>'
        f"<script>{JS}</script></body></html>\n"
    )


# ---------------------------------------------------------------- inline assets

CSS = """
:root{--ink:#1f2933;--muted:#5b6b7c;--line:#e2e8f0;--bg:#f4f6f9;--card:#fff;--accent:#2f5d8a;--accent-soft:#e8f0f8;
--rec:#b7791f;--ok:#2f855a;--ok-soft:#e6f4ea;--bad:#c0392b;--bad-soft:#fdecea;--warn:#975a16;--warn-soft:#fdf3dc}
*{box-sizing:border-box}
html{scroll-behavior:smooth}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;-webkit-font-smoothing:antialiased}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.85em;
background:#eef2f6;border-radius:4px;padding:.05em .35em;overflow-wrap:anywhere}
h1,h2,h3{line-height:1.25;margin:0}
h3{font-size:1.02rem;margin:1.4rem 0 .6rem}
.masthead{background:linear-gradient(120deg,#1d3b5c,#2f5d8a);color:#fff;padding:2.2rem 0 2rem}
.wrap{max-width:86rem;margin:0 auto;padding:0 1.5rem}
.kicker{text-transform:uppercase;letter-spacing:.12em;font-size:.75rem;opacity:.8;margin:0 0 .4rem}
.masthead h1{font-size:2rem;font-weight:650}
.masthead .meta{margin:.6rem 0 0;opacity:.9;font-size:.9rem}
.masthead code{background:rgba(255,255,255,.15);color:#fff}
.layout{max-width:86rem;margin:0 auto;padding:1.5rem;display:grid;grid-template-columns:15rem minmax(0,1fr);
gap:2rem;align-items:start}
.toc{position:sticky;top:1rem;font-size:.88rem;max-height:calc(100vh - 2rem);overflow:auto}
.toc-title,.legend-title{font-weight:650;text-transform:uppercase;letter-spacing:.08em;font-size:.72rem;
color:var(--muted);margin:0 0 .5rem}
.toc ol{margin:0 0 1.5rem;padding-left:1.9rem}
.toc li{margin:.2rem 0}
.toc a{color:var(--ink);text-decoration:none}
.toc a:hover{color:var(--accent);text-decoration:underline}
.legend{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.8rem .9rem}
.legend ul{list-style:none;margin:0;padding:0}
.legend li{margin:.35rem 0;font-size:.82rem}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.6rem 1.8rem;
margin:0 0 1.5rem;box-shadow:0 1px 2px rgba(15,23,42,.04)}
section>h2{font-size:1.35rem;font-weight:650;margin-bottom:1rem;display:flex;align-items:center;gap:.6rem}
.num{display:inline-grid;place-items:center;min-width:1.8rem;height:1.8rem;border-radius:50%;
background:var(--accent-soft);color:var(--accent);font-size:.85rem;font-weight:700}
.note{color:var(--muted);font-size:.88rem}
.muted{color:var(--muted)}
.stmts{padding-left:1.2rem;margin:.4rem 0}
.stmts li{margin:.45rem 0}
.rec{color:var(--rec);font-weight:700}
small.data{display:inline-block;color:var(--muted);font-size:.76rem;background:#f5f7fa;border-radius:4px;
padding:0 .35em;margin-left:.15rem}
a.cite,.cite-sample{font-size:.74rem;font-weight:650;color:var(--accent);background:var(--accent-soft);
border-radius:4px;padding:.05em .3em;text-decoration:none;white-space:nowrap;vertical-align:.08em}
a.cite:hover,a.cite:focus{background:var(--accent);color:#fff;outline:none}
.cite.missing{font-size:.74rem;color:var(--bad);background:var(--bad-soft);border-radius:4px;padding:0 .3em}
.nid{font-style:italic;color:#8a97a6}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr));gap:.8rem;margin:0 0 1.2rem}
.tile{border:1px solid var(--line);border-radius:10px;padding:.8rem 1rem;background:#fafbfd}
.tile b{display:block;font-size:1.5rem;color:var(--accent)}
.tile span{color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.05em}
.table-wrap{overflow-x:auto;margin:.6rem 0 1rem;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th{background:#f1f5f9;text-align:left;font-weight:650;color:#334155;white-space:nowrap}
th,td{padding:.55rem .7rem;border-bottom:1px solid var(--line);vertical-align:top}
tbody tr:last-child td{border-bottom:0}
tbody tr:hover{background:#fafcff}
.num-table td:not(:first-child):not(:last-child){font-variant-numeric:tabular-nums;white-space:nowrap}
.matrix td{min-width:12rem}
.matrix td:first-child{min-width:9rem}
.badge{display:inline-block;font-size:.72rem;font-weight:650;border-radius:999px;padding:.1em .6em;
white-space:nowrap;background:#eef2f6;color:#334155}
.b-pass{background:var(--ok-soft);color:var(--ok)}
.b-fail{background:var(--bad-soft);color:var(--bad)}
.b-warn{background:var(--warn-soft);color:var(--warn)}
.b-tier{background:#1d3b5c;color:#fff}
.b-seg{background:var(--accent-soft);color:var(--accent)}
.b-src-data{background:#e6f0fa;color:#2f5d8a}
.b-src-analyst{background:#f1eafa;color:#6b46a6}
.b-src-default{background:#eef0f2;color:#5b6b7c}
.b-conf-high{background:var(--ok-soft);color:var(--ok)}
.b-conf-medium{background:var(--warn-soft);color:var(--warn)}
.b-conf-low{background:var(--bad-soft);color:var(--bad)}
.b-kind{background:#eef2f6;color:#475569;text-transform:uppercase;letter-spacing:.04em}
.score{font-weight:700;font-variant-numeric:tabular-nums}
.fc{white-space:nowrap}
.callout{border-radius:8px;padding:.7rem 1rem;margin:0 0 1rem;font-size:.92rem}
.callout.ok{background:var(--ok-soft);border-left:4px solid var(--ok)}
.callout.bad{background:var(--bad-soft);border-left:4px solid var(--bad)}
ul.details{columns:2 26rem;font-size:.82rem;color:#334155;padding-left:1.1rem}
ul.details li{break-inside:avoid;margin:.2rem 0}
.chart-figure{margin:1rem 0 1.4rem;padding:1rem;border:1px solid var(--line);border-radius:10px;
background:#fcfdfe}
.chart-figure svg{display:block;width:100%;max-width:54rem;height:auto}
figcaption{color:var(--muted);font-size:.82rem;margin-top:.4rem}
.personas{display:grid;grid-template-columns:repeat(auto-fit,minmax(24rem,1fr));gap:1.2rem}
.persona{border:1px solid var(--line);border-radius:12px;background:#fcfdff;overflow:hidden}
.persona header{padding:1.1rem 1.2rem .9rem;background:linear-gradient(180deg,#f3f7fb,#fcfdff);
border-bottom:1px solid var(--line)}
.persona h3{margin:0 0 .45rem;font-size:1.1rem}
.badges{display:flex;flex-wrap:wrap;gap:.35rem}
.one-liner{margin:.7rem 0 0;font-size:.98rem}
.fields{margin:0;padding:.6rem 1.2rem 1rem}
.fields dt{font-size:.7rem;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);font-weight:700;
margin-top:.8rem}
.fields dd{margin:.2rem 0 0}
.fields dd ul{margin:0;padding-left:1.1rem}
.fields dd li{margin:.15rem 0}
blockquote{margin:.4rem 0;padding:.45rem .8rem;border-left:3px solid var(--accent);background:#f6f9fc;
border-radius:0 6px 6px 0;font-style:italic}
.note-text{margin:.4rem 0;padding:.45rem .8rem;border-left:3px dashed var(--muted);background:#fafafa}
.b-notes{background:#eee;color:#444}
.finding{margin:0 0 1.2rem}.finding h3{margin:.2rem 0}.finding .cov{font-weight:600}
blockquote footer{font-style:normal;color:var(--muted);font-size:.82rem;margin-top:.2rem}
.persona-foot{padding:.7rem 1.2rem;border-top:1px solid var(--line);font-size:.78rem;color:var(--muted);
background:#f8fafc}
.legend-inline{font-size:.88rem;color:var(--muted)}
.roadmap{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));
gap:1rem;counter-reset:phase}
.phase{border:1px solid var(--line);border-top:4px solid var(--accent);border-radius:10px;padding:.9rem 1rem}
.phase h3{margin:.2rem 0 .4rem}
.weeks{font-size:.72rem;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);font-weight:700}
.evidence-list{list-style:none;padding:0;margin:0}
.ev{border:1px solid var(--line);border-radius:10px;padding:.7rem 1rem;margin:0 0 .7rem;
scroll-margin-top:1rem}
.ev:target{border-color:var(--accent);box-shadow:0 0 0 3px var(--accent-soft)}
.ev-head{display:flex;align-items:center;gap:.5rem;flex-wrap:wrap}
.ev-meta{font-size:.82rem;color:#475569}
.ts{font-variant-numeric:tabular-nums;background:#fdf3dc;border-radius:4px;padding:0 .3em}
ul.more{font-size:.82rem;margin:.3rem 0 0}
#source-panel{position:fixed;inset:0 0 0 auto;margin:0;width:min(34rem,100vw);height:100vh;max-height:none;
max-width:100vw;border:0;border-left:1px solid var(--line);padding:0;background:#fff;color:var(--ink);
box-shadow:-12px 0 32px rgba(15,23,42,.18);z-index:50;overflow:auto}
#source-panel[open]{display:flex;flex-direction:column}
.sp-header{display:flex;justify-content:space-between;gap:1rem;padding:1.1rem 1.3rem;background:#1d3b5c;
color:#fff}
.sp-label{margin:0 0 .2rem;font-size:.75rem;text-transform:uppercase;letter-spacing:.08em;opacity:.85}
.sp-header h2{font-size:1.05rem}
.sp-close{background:rgba(255,255,255,.15);color:#fff;border:0;border-radius:6px;font-size:1.4rem;line-height:1;
width:2.1rem;height:2.1rem;cursor:pointer;flex:none}
.sp-close:hover{background:rgba(255,255,255,.3)}
.sp-meta{display:grid;grid-template-columns:auto 1fr;gap:.25rem .8rem;margin:0;padding:.9rem 1.3rem;
font-size:.85rem;border-bottom:1px solid var(--line);background:#f8fafc}
.sp-meta dt{color:var(--muted);font-weight:650}
.sp-meta dd{margin:0}
.sp-body{padding:1rem 1.3rem;flex:1}
.psg{margin:0 0 .9rem}
.psg.ctx{opacity:.62}
.psg-head{display:flex;gap:.5rem;align-items:baseline;font-size:.8rem;margin-bottom:.2rem}
.psg-speaker{font-weight:700}
.psg-role{color:var(--muted)}
.psg-time{font-variant-numeric:tabular-nums;background:#fdf3dc;border-radius:4px;padding:0 .3em}
.psg-text{margin:0;white-space:pre-wrap;line-height:1.6}
#highlight{background:#ffe58a;padding:.05em .1em;border-radius:3px;box-shadow:0 0 0 2px #ffe58a}
.sp-foot{padding:.6rem 1.3rem 1.2rem;margin:0;font-size:.85rem}
.sp-foot a{color:var(--accent)}
@media (max-width:960px){.layout{grid-template-columns:minmax(0,1fr);padding:1rem}
.toc{position:static;max-height:none}
section{padding:1.2rem}.personas{grid-template-columns:1fr}}
@media print{body{background:#fff;font-size:10.5pt}.toc,#source-panel,script{display:none!important}
.masthead{background:none;color:var(--ink);padding:0 0 1rem;border-bottom:2px solid var(--ink)}
.masthead code{background:#eef2f6;color:var(--ink)}.layout{display:block;padding:0}
section{border:0;box-shadow:none;padding:0;margin:1.2rem 0;break-inside:auto}
section>h2{break-after:avoid}.table-wrap{overflow:visible;border:0}table{font-size:9pt}
tr,.persona,.chart-figure,.ev,.phase,blockquote{break-inside:avoid}.personas{display:block}
.persona{margin-bottom:1rem}a.cite{background:none;color:var(--ink);padding:0}}
"""

JS = r"""
(function () {
  "use strict";
  var docs = {};
  JSON.parse(document.getElementById("sources").textContent).forEach(function (d) { docs[d.doc_id] = d; });
  var chars = {};
  var CTX = 360;
  var panel = document.getElementById("source-panel");
  var lastLink = null;
  function cps(doc) { return chars[doc.doc_id] || (chars[doc.doc_id] = Array.from(doc.text)); }
  function slice(cs, a, b) { return cs.slice(Math.max(0, a), Math.max(0, b)).join(""); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function clipLeft(s) {
    var c = Array.from(s);
    return c.length > CTX ? "\u2026" + c.slice(c.length - CTX).join("") : s;
  }
  function clipRight(s) {
    var c = Array.from(s);
    return c.length > CTX ? c.slice(0, CTX).join("") + "\u2026" : s;
  }
  function head(p) {
    var h = el("div", "psg-head");
    h.appendChild(el("span", "psg-speaker", p.speaker || ""));
    if (p.voice || p.role) { h.appendChild(el("span", "psg-role", p.voice || p.role)); }
    if (p.timestamp) { h.appendChild(el("span", "psg-time", p.timestamp)); }
    return h;
  }
  function context(cs, p) {
    var b = el("div", "psg ctx");
    b.appendChild(head(p));
    b.appendChild(el("p", "psg-text", clipRight(slice(cs, p.start, p.end))));
    return b;
  }
  function meta(rows) {
    var dl = document.getElementById("sp-meta");
    dl.textContent = "";
    rows.forEach(function (r) {
      if (!r[1]) { return; }
      dl.appendChild(el("dt", null, r[0]));
      var dd = el("dd", null, r[1]);
      if (r[2]) { dd.id = r[2]; }
      dl.appendChild(dd);
    });
  }
  function show() {
    if (!panel.open) {
      if (typeof panel.show === "function") { panel.show(); } else { panel.setAttribute("open", ""); }
    }
  }
  function hide() {
    if (typeof panel.close === "function") { panel.close(); } else { panel.removeAttribute("open"); }
    if (lastLink) { lastLink.focus(); }
  }
  function open(a) {
    var d = a.dataset;
    var start = parseInt(d.start, 10), end = parseInt(d.end, 10);
    var doc = docs[d.docId];
    var body = document.getElementById("sp-body");
    lastLink = a;
    body.textContent = "";
    document.getElementById("sp-label").textContent = d.label + " \u00b7 " + (d.kind || "evidence");
    document.getElementById("sp-title").textContent = doc ? (doc.title || doc.doc_id) : d.docId;
    document.getElementById("sp-entry").setAttribute("href", a.getAttribute("href"));
    if (!doc) {
      meta([["Speaker", d.speaker, "sp-speaker"], ["Span", d.docId + "[" + start + ":" + end + "]"]]);
      body.appendChild(el("p", "nid", "The source text is not embedded in this report."));
      show();
      return;
    }
    var cs = cps(doc), ps = doc.passages || [], hits = [], first = -1, last = -1;
    ps.forEach(function (p, i) {
      if (p.start < end && p.end > start) { hits.push(p); if (first < 0) { first = i; } last = i; }
    });
    var from = hits.length ? Math.min(start, hits[0].start) : Math.max(0, start - CTX);
    var to = hits.length ? Math.max(end, hits[hits.length - 1].end) : Math.min(cs.length, end + CTX);
    var p0 = hits[0] || {};
    var speaker = d.speaker || p0.speaker || "";
    if (p0.role) { speaker += " (" + p0.role + ")"; }
    meta([["Speaker", speaker, "sp-speaker"], ["Time", p0.timestamp, "sp-time"],
          ["Span", doc.doc_id + "[" + start + ":" + end + "]"], ["Source", doc.source], ["Kind", doc.kind]]);
    if (first > 0) { body.appendChild(context(cs, ps[first - 1])); }
    var blk = el("div", "psg hit");
    if (hits.length) { blk.appendChild(head(p0)); }
    var para = el("p", "psg-text");
    para.appendChild(document.createTextNode(clipLeft(slice(cs, from, start))));
    var mark = el("mark", null, slice(cs, start, end));
    mark.id = "highlight";
    para.appendChild(mark);
    para.appendChild(document.createTextNode(clipRight(slice(cs, end, to))));
    blk.appendChild(para);
    body.appendChild(blk);
    if (last >= 0 && last < ps.length - 1) { body.appendChild(context(cs, ps[last + 1])); }
    show();
    if (mark.scrollIntoView) { mark.scrollIntoView({block: "center"}); }
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a.cite") : null;
    if (!a) { return; }
    e.preventDefault();
    open(a);
  });
  document.getElementById("sp-close").addEventListener("click", hide);
  document.getElementById("sp-entry").addEventListener("click", function () {
    if (typeof panel.close === "function") { panel.close(); } else { panel.removeAttribute("open"); }
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && panel.open) { hide(); } });
})();
"""

"""HTML sections of the research side of a report: findings, jobs, recommendations, open questions, study."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segscribe.report import html
from segscribe.report.citing import CITED_PER_LIST, more_text
from segscribe.report.html import _nid, _table, esc, words
from segscribe.report.markdown import pct
from segscribe.report.research_md import IN_FULL, SHOWN_EVIDENCE, STATEMENT_SOURCE

if TYPE_CHECKING:
    from segscribe.report.html import _Html
    from segscribe.schemas.finding import Finding


def findings(h: _Html) -> str:
    if not h.r.findings:
        return "<p>No group of evidence is held by two or more sessions yet; see the open questions.</p>"
    out = []
    for f in h.r.findings[:IN_FULL]:
        statement = _statement(h, f)
        shown = []
        ids = list(dict.fromkeys(f.evidence_ids))  # quotes of the first few, citations of the next, a count
        for eid in ids[:SHOWN_EVIDENCE]:
            c = h.idx.get(eid)
            if c is not None:
                shown.append(f"<li>{words(c)} <span class=\"muted\">— {esc(c.speaker)}</span> {h.link(c)}</li>")
        more, rest = len(ids) - SHOWN_EVIDENCE, len(ids) - CITED_PER_LIST
        tail = f' <span class="muted">({esc(more_text(rest))})</span>' if rest > 0 else ""
        extra = f"<li>and {more:,} more: {h.cites(ids[SHOWN_EVIDENCE:CITED_PER_LIST])}{tail}</li>" if more > 0 else ""
        counter = (f'<p class="counter"><strong>Counter-evidence</strong> ({len(f.counter_evidence_ids):,}): '
                   f"{h.cites(f.counter_evidence_ids)}</p>") if f.counter_evidence_ids else ""
        out.append(
            f'<article class="finding" id="finding-{esc(f.id)}"><h3>{f.rank}. {esc(f.label)}</h3>'
            f'<p class="meta"><span class="cov">{esc(f.coverage.text)}</span> · '
            f"{esc(STATEMENT_SOURCE[f.statement_source])} · intensity {pct(f.intensity, 0)}</p>"
            f'<p class="statement">{statement}</p>'
            f'<ul class="support">{"".join(shown)}{extra}</ul>{counter}</article>')
    minor = h.r.findings[IN_FULL:]
    if minor:
        items = []
        for f in minor:
            statement = _statement(h, f)
            against = f" · against: {h.cites(f.counter_evidence_ids)}" if f.counter_evidence_ids else ""
            items.append(f'<li id="finding-{esc(f.id)}"><strong>{f.rank}. {esc(f.label)}</strong> '
                         f'<span class="cov">({esc(f.coverage.text)})</span>: {statement} · evidence: '
                         f"{h.cites(f.evidence_ids)}{against}</li>")
        out.append(f"<h3>Other findings ({minor[0].rank}-{minor[-1].rank})</h3>"
                   f'<ul class="other-findings">{"".join(items)}</ul>')
    return "".join(out)


def _statement(h: _Html, f: Finding) -> str:
    """A finding's statement, each sentence with its citations."""
    return " ".join(f"{esc(p.text)} {h.cites(p.evidence_ids)}" for p in f.parts) or esc(f.statement)


def jobs(h: _Html) -> str:
    if not h.r.jobs:
        return f"<p>{_nid()}: no jobs-to-be-done were stated.</p>"
    return h.stmt_list(h.r.jobs)


def recommendations(h: _Html) -> str:
    return h.stmt_list(h.r.recommendations)


def open_questions(h: _Html) -> str:
    if not h.r.open_questions:
        return "<p>None recorded.</p>"
    return h.stmt_list(h.r.open_questions)


def study(h: _Html) -> str:
    s = h.r.study
    docs = ", ".join(f"{n} {k}" for k, n in s.documents.items()) or "none"
    voices = ", ".join(f"{v} {pct(x, 0)}" for v, x in sorted(s.voices.items(), key=lambda kv: -kv[1])) or "—"
    tables = "yes" if s.tables else "none, so segments cannot be sized"
    out = (f"<ul><li>Sessions: {s.sessions}; documents: {esc(docs)}; input files: {s.files}; evidence items: "
           f"{s.evidence}.</li><li>Text by voice: {esc(voices)}. Shares of sessions in this report are out of "
           f"{s.sessions} sessions.</li><li>Customer or usage tables: {esc(tables)}.</li></ul>")
    if s.duplicates:
        out += "<h3>Duplicates left out</h3>" + _table(
            ["Document", "Same as (kept)", "Similarity"],
            [[esc(d["document"]), esc(d["kept"]), esc(d["similarity"])] for d in s.duplicates])
    for title, files in (("Files that could not be read", s.failed), ("Files left out", s.skipped)):
        if files:
            out += f"<h3>{title}</h3>" + _table(["File", "Reason"],
                                                [[esc(f["path"]), esc(f["reason"])] for f in files])
    if s.warnings:
        out += "<h3>Warnings</h3><ul>" + "".join(f"<li>{esc(w)}</li>" for w in s.warnings) + "</ul>"
    if h.r.curation or h.r.rejected:
        notes = [f"<li>{'applied' if n.applied else 'no longer applies'}: {esc(n.message)}</li>" for n in h.r.curation]
        notes += [f"<li>rejected evidence <code>{esc(eid)}</code>: {esc(why)}</li>"
                  for eid, why in sorted(h.r.rejected.items())]
        out += '<h3>Curation by researchers</h3><ul class="curation">' + "".join(notes) + "</ul>"
    return out


html.RESEARCH_RENDERERS.update({"key-findings": findings, "jobs": jobs, "recommendations": recommendations,
                                 "open-questions": open_questions, "study": study})

"""Markdown sections of the research side of a report: findings, jobs, recommendations, open questions, study."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segscribe.report import markdown
from segscribe.report.citing import CITED_PER_LIST, more_text
from segscribe.report.markdown import NOT_IN_DATA, _table, md, pct, shown

if TYPE_CHECKING:
    from segscribe.report.markdown import _Md
    from segscribe.schemas.finding import Finding

SHOWN_EVIDENCE = 4
#: Findings shown in full (statement, quotes, counter-evidence); the rest, mostly held by the fewest sessions,
#: get one line each with the same citations, so a 50-finding study reads as ten findings and a list.
IN_FULL = 10
STATEMENT_SOURCE = {"extractive": "statement extracted from the evidence", "llm": "statement written by the model",
                    "human": "statement edited by a researcher"}


def findings(m: _Md) -> list[str]:
    if not m.r.findings:
        return ["_No group of evidence is held by two or more sessions yet; see the open questions._"]
    out: list[str] = []
    for f in m.r.findings[:IN_FULL]:
        out += [f"### {f.rank}. {md(f.label)}", "",
                f"**{f.coverage.text}** · {STATEMENT_SOURCE[f.statement_source]} · intensity {pct(f.intensity, 0)}",
                ""]
        out += _parts(m, f) or [md(f.statement)]
        out.append("")
        # Quotes of the first few, citations of the next, a count of the rest (as `citing.listed` picks them).
        ids = list(dict.fromkeys(f.evidence_ids))
        for eid in ids[:SHOWN_EVIDENCE]:
            c = m.idx.get(eid)
            if c is not None:
                out.append(f"- {md(shown(c, 240))} — {md(c.speaker)} [{c.label}]")
        more = len(ids) - SHOWN_EVIDENCE
        if more > 0:
            rest = len(ids) - CITED_PER_LIST
            tail = f" ({more_text(rest)})" if rest > 0 else ""
            out.append(f"- and {more:,} more: {m.marks(ids[SHOWN_EVIDENCE:CITED_PER_LIST])}{tail}")
        if f.counter_evidence_ids:
            out.append(f"- **Counter-evidence** ({len(f.counter_evidence_ids):,}): {m.marks(f.counter_evidence_ids)}")
        out.append("")
    minor = m.r.findings[IN_FULL:]
    if minor:
        out += [f"### Other findings ({minor[0].rank}-{minor[-1].rank})", ""]
        for f in minor:
            statement = " ".join(_parts(m, f)) or md(f.statement)
            counter = f" · against: {m.marks(f.counter_evidence_ids)}" if f.counter_evidence_ids else ""
            out.append(f"- **{f.rank}. {md(f.label)}** ({f.coverage.text}): {statement} · evidence: "
                       f"{m.marks(f.evidence_ids)}{counter}")
        out.append("")
    return out


def _parts(m: _Md, f: Finding) -> list[str]:
    """Each sentence of a finding's statement with its citations."""
    return [f"{md(p.text)} {m.marks(p.evidence_ids)}".rstrip() for p in f.parts]


def jobs(m: _Md) -> list[str]:
    if not m.r.jobs:
        return [f"_{NOT_IN_DATA}: no jobs-to-be-done were stated._"]
    return [f"- {m.stmt(s)}" for s in m.r.jobs]


def recommendations(m: _Md) -> list[str]:
    if not m.r.recommendations:
        return [f"_{NOT_IN_DATA}_"]
    return [f"- {m.stmt(s)}" for s in m.r.recommendations]


def open_questions(m: _Md) -> list[str]:
    if not m.r.open_questions:
        return ["_None recorded._"]
    return [f"- {m.stmt(s)}" for s in m.r.open_questions]


def study(m: _Md) -> list[str]:
    s = m.r.study
    docs = ", ".join(f"{n} {k}" for k, n in s.documents.items()) or "none"
    voices = ", ".join(f"{v} {pct(x, 0)}" for v, x in sorted(s.voices.items(), key=lambda kv: -kv[1])) or "—"
    out = [f"- Sessions: {s.sessions}; documents: {md(docs)}; input files: {s.files}; evidence items: {s.evidence}.",
           f"- Text by voice: {md(voices)}. Shares of sessions in this report are out of {s.sessions} sessions.",
           f"- Customer or usage tables: {'yes' if s.tables else 'none, so segments cannot be sized'}.",
           ""]
    if s.duplicates:
        out += ["**Duplicates left out**", ""]
        out += _table(["Document", "Same as (kept)", "Similarity"],
                      [[md(d["document"]), md(d["kept"]), md(d["similarity"])] for d in s.duplicates])
    for title, files in (("Files that could not be read", s.failed), ("Files left out", s.skipped)):
        if files:
            out += [f"**{title}**", ""]
            out += _table(["File", "Reason"], [[md(f["path"]), md(f["reason"])] for f in files])
    if s.warnings:
        out += ["**Warnings**", ""] + [f"- {md(w)}" for w in s.warnings] + [""]
    if m.r.curation or m.r.rejected:
        out += ["**Curation by researchers**", ""]
        out += [f"- {'applied' if n.applied else 'no longer applies'}: {md(n.message)}" for n in m.r.curation]
        out += [f"- rejected evidence {md(eid)}: {md(why)}" for eid, why in sorted(m.r.rejected.items())]
        out.append("")
    return out


markdown.RESEARCH_RENDERERS.update({"key-findings": findings, "jobs": jobs, "recommendations": recommendations,
                                 "open-questions": open_questions, "study": study})

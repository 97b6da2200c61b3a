"""The research side of the report: what the study found, what it asks for, and what it leaves open.

Everything here is derived from findings and cited evidence. Sentences that give advice are marked as
recommendations and cite the finding's evidence; nothing mentions customers, churn, revenue or KPIs,
which need data a research study does not have.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from segscribe.pipeline.findings import polarity
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.finding import Finding
from segscribe.schemas.strategy import Basis, DataGap, Statement, StudySummary

MAX_RECOMMENDATIONS = 6
MAX_JOBS = 10
SUMMARY_FINDINGS = 3


def _basis(f: Finding, n: int = 3) -> Basis:
    return Basis(evidence_ids=f.evidence_ids[:n], data=[f"finding {f.id}: {f.coverage.text}"])


def executive_summary(study: StudySummary, findings: Sequence[Finding]) -> list[Statement]:
    """What was studied, then the findings held by the most sessions."""
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(study.documents.items()))
    verbatim = study.voices.get("participant", 0.0) + study.voices.get("customer", 0.0)
    notes = study.voices.get("notes", 0.0)
    out = [Statement(text=f"{study.sessions} sessions ({kinds}) gave {study.evidence} evidence items; "
                          f"{verbatim:.0%} of the text is participants' own words and {notes:.0%} the note-taker's "
                          "notes.")]
    if not findings:
        out.append(Statement(text="No group of evidence is held by two or more sessions, so there are no key "
                                  "findings yet; see the evidence and the open questions."))
    for f in findings[:SUMMARY_FINDINGS]:
        out.append(Statement(text=f"{f.label} ({f.coverage.text}): {f.statement}", basis=_basis(f)))
    return out


#: What a finding's participants can say, in the order that wins a tie: a difficulty to address, a change they
#: proposed, a need to meet, something that works.
_SAID: tuple[tuple[str, Callable[[EvidenceBase], bool]], ...] = (
    ("difficulty", lambda e: polarity(e) < 0),
    ("proposal", lambda e: e.kind == "suggestion"),
    ("need", lambda e: e.kind == "goal"),
    ("praise", lambda e: polarity(e) > 0),
)


def recommendations(findings: Sequence[Finding], evidence: Mapping[str, EvidenceBase]) -> list[Statement]:
    """One recommendation per leading finding, following what most of its participants said: address a
    difficulty, consider a proposed change, meet a need, or keep what works (ties in that order). Each says how
    many of the finding's participants said so, not only how many raised the topic."""
    out = []
    for f in findings[:MAX_RECOMMENDATIONS]:
        items = [evidence[i] for i in f.evidence_ids if i in evidence]
        raised = len(f.coverage.participants) or len({e.who for e in items})
        held = [(len({e.who for e in items if said(e)}), -rank, what) for rank, (what, said) in enumerate(_SAID)]
        n, _, what = max(held)
        of = f"{n} of the {raised} participants who raised it"
        text = {
            "difficulty": f"Address {f.label}: {of} met difficulty or concern",
            "proposal": f"Consider the change participants proposed about {f.label}: {of} proposed one",
            "need": f"Meet the need behind {f.label}: {of} stated what they want or expect",
            "praise": f"Keep what works about {f.label}: {of} spoke well of it",
        }[what] if n else f"Look into {f.label} before the next design iteration"
        out.append(Statement(text=f"{text} ({f.coverage.text}).", recommendation=True, basis=_basis(f)))
    return out


def _people(n: int) -> str:
    return f"{n} participant" if n == 1 else f"{n} participants"


def open_questions(findings: Sequence[Finding], evidence: Sequence[EvidenceBase], study: StudySummary,
                   min_sessions: int) -> list[Statement]:
    """Contested findings, findings resting on the fewest sessions, and kinds of evidence never stated."""
    out = []
    who = {e.id: e.who for e in evidence}
    for f in findings:
        if f.counter_evidence_ids:
            pro = {who.get(i, i) for i in f.evidence_ids}
            con = {who.get(i, i) for i in f.counter_evidence_ids}
            # Disagreement is a minority of some weight: two or more participants, and a quarter of those for it.
            # One participant against nine is a dissenting view (five against fifty-four, dissenting views).
            head = (f"Participants disagree about {f.label}" if len(con) >= 2 and 4 * len(con) >= len(pro)
                    else f"A dissenting view on {f.label}" if len(con) == 1 else f"Dissenting views on {f.label}")
            out.append(Statement(
                text=f"{head}: {_people(len(pro))} {'supports' if len(pro) == 1 else 'support'} the finding and "
                     f"{_people(len(con))} {'goes' if len(con) == 1 else 'go'} against it "
                     f"({len(f.evidence_ids)} and {len(f.counter_evidence_ids)} items).",
                basis=Basis(evidence_ids=f.counter_evidence_ids[:2] + f.evidence_ids[:1])))
    thin = [f for f in findings if f.coverage.sessions <= min_sessions and study.sessions >= 2 * min_sessions]
    if thin:
        labels = "; ".join(f.label for f in thin[:5])
        out.append(Statement(text=f"{len(thin)} findings rest on {min_sessions} sessions only (e.g. {labels}): "
                                  "confirm them in more sessions before acting on them."))
    said = Counter(e.kind for e in evidence)
    missing = {"job": "what participants are trying to get done (no jobs-to-be-done were stated)",
               "goal": "what participants want or expect (no needs or expectations were stated)",
               "pain": "where participants struggle (no difficulties were recorded)"}
    for kind, question in missing.items():
        if not said.get(kind):
            out.append(Statement(text=f"Open: {question}."))
    return out


def jobs(evidence: Sequence[EvidenceBase]) -> list[Statement]:
    """Jobs-to-be-done in the participants' words, one per participant first."""
    items = sorted((e for e in evidence if e.kind == "job"), key=lambda e: (e.who, e.doc_id, e.citations[0].start))
    seen: set[str] = set()
    firsts = [e for e in items if not (e.who in seen or seen.add(e.who))]  # type: ignore[func-returns-value]
    first_ids = {id(e) for e in firsts}  # by identity: `e not in firsts` compared models field by field, n x n
    rest = [e for e in items if id(e) not in first_ids]
    return [Statement(text=e.quote, basis=Basis(evidence_ids=[e.id])) for e in (firsts + rest)[:MAX_JOBS]]


def data_gaps(study: StudySummary, findings: Sequence[Finding], min_sessions: int) -> list[DataGap]:
    """What data would raise confidence, for a study without customer tables."""
    out = [DataGap(need="A customer or usage table (one row per customer)",
                   why="Segments could then be sized, valued and prioritised; a research study alone cannot say "
                       "how many customers each group stands for.")]
    if study.sessions < 2 * min_sessions or not findings:
        out.append(DataGap(need="More sessions", why=f"{study.sessions} sessions give few findings held by "
                                                      f"{min_sessions} or more sessions."))
    thin = [w for w in study.warnings if "little usable text" in w]
    if thin:
        out.append(DataGap(need="Fuller notes for some sessions",
                           why=f"{len(thin)} file(s) hold little beyond the conversation guide."))
    if study.voices.get("participant", 0.0) + study.voices.get("customer", 0.0) < 0.1:
        out.append(DataGap(need="Verbatim quotes or transcripts",
                           why="Almost all evidence is the note-taker's paraphrase; personas cannot quote "
                               "participants in their own words."))
    return out

"""Apply a researcher's curation (the audit log's actions, in order) to a run's themes, evidence, findings and
personas. Pure functions: no I/O, inputs are never modified.

An action names its theme or finding by the evidence it held when the curator acted. On the same run that
finds it exactly; on a later run it finds the group whose evidence overlaps most (at least MATCH_MIN,
Jaccard), or reports that the action no longer applies, so nothing is silently dropped or misapplied.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from segscribe.schemas.curation import (
    CurationNote,
    EditFinding,
    GroupRef,
    MergeThemes,
    PinQuote,
    RejectEvidence,
    RenameTheme,
    SplitTheme,
)
from segscribe.schemas.document import VERBATIM_VOICES
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.finding import Finding, StatementPart
from segscribe.schemas.persona import Persona, QuoteRef
from segscribe.schemas.theme import Theme

#: Least evidence overlap (Jaccard) for an action to follow its theme or finding into another run.
#: Set by judgement, not tuned on data: half the evidence shared means "the same group, regrouped".
MATCH_MIN = 0.5
MAX_QUOTES = 3


@dataclass
class Curated:
    """A run's outputs after curation, the rejected evidence with reasons, and what became of each action."""

    themes: list[Theme]
    evidence: list[EvidenceBase]
    findings: list[Finding]
    personas: list[Persona]
    rejected: dict[str, str] = field(default_factory=dict)
    notes: list[CurationNote] = field(default_factory=list)
    touched: dict[str, list[int]] = field(default_factory=dict)
    """`theme:<id>`, `finding:<id>`, `persona:<id>`, `evidence:<id>` -> ids of the actions that changed it."""
    total_documents: int = 0


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def match_group(ref: GroupRef, groups: Sequence[Theme | Finding]) -> tuple[Any, float] | None:
    """The group with the most evidence in common with `ref` (ties go to the same id), if similar enough."""
    want = set(ref.evidence_ids)
    best, best_key = None, (0.0, False)
    for g in groups:
        key = (_jaccard(want, set(g.evidence_ids)), g.id == ref.id)
        if key > best_key:
            best, best_key = g, key
    if best is None or best_key[0] < MATCH_MIN:
        return None
    return best, best_key[0]


class _State:
    def __init__(self, themes: Sequence[Theme], evidence: Sequence[EvidenceBase], findings: Sequence[Finding],
                 personas: Sequence[Persona], total_documents: int | None) -> None:
        self.themes = [t.model_copy(deep=True) for t in themes]
        self.by_id = {e.id: e for e in evidence}
        self.findings = [f.model_copy(deep=True) for f in findings]
        self.personas = [p.model_copy(deep=True) for p in personas]
        self.rejected: dict[str, str] = {}
        self.notes: list[CurationNote] = []
        self.touched: dict[str, list[int]] = {}
        self.pinned: dict[str, list[str]] = {}
        self.total = total_documents or _estimate_total(themes, findings, self.by_id)

    def note(self, action: Any, applied: bool, message: str) -> None:
        self.notes.append(CurationNote(action_id=action.id, op=action.op, applied=applied, message=message))

    def touch(self, key: str, action: Any) -> None:
        if action.id is not None:
            self.touched.setdefault(key, []).append(action.id)

    def find(self, action: Any, ref: GroupRef, groups: Sequence[Any], what: str) -> Any:
        hit = match_group(ref, groups)
        if hit is None:
            self.note(action, False, f"{what} {ref.id} is not in this run: no {what} shares at least "
                      f"{MATCH_MIN:.0%} of its {len(ref.evidence_ids)} evidence items")
            return None
        group, score = hit
        if group.id != ref.id or score < 1.0:
            self.note(action, True, f"{what} {ref.id} of run {action.run_id} matched {what} {group.id} here "
                      f"({score:.0%} of the evidence in common)")
        return group


def _estimate_total(themes: Sequence[Theme], findings: Sequence[Finding], by_id: dict[str, EvidenceBase]) -> int:
    """Documents in the study, from a finding's coverage or a theme's document share."""
    for f in findings:
        if f.coverage.total_sessions:
            return f.coverage.total_sessions
    docs = [(len({by_id[i].doc_id for i in t.evidence_ids if i in by_id}), t.doc_share) for t in themes]
    return max((round(n / share) for n, share in docs if share), default=0)


def _restat(theme: Theme, st: _State) -> Theme:
    """Recount a theme's kinds, participants and document share from its evidence."""
    items = [st.by_id[i] for i in theme.evidence_ids if i in st.by_id]
    freq = Counter(e.who for e in items)
    docs = {e.doc_id for e in items}
    rep = theme.representative_id if theme.representative_id in theme.evidence_ids else (
        theme.evidence_ids[0] if theme.evidence_ids else None)
    return theme.model_copy(update={
        "kinds": dict(sorted(Counter(e.kind for e in items).items())), "participants": len(freq),
        "frequency_by_participant": dict(sorted(freq.items())), "representative_id": rep,
        "doc_share": round(len(docs) / st.total, 4) if st.total else theme.doc_share})


def _rename(a: RenameTheme, st: _State) -> None:
    t = st.find(a, a.theme, st.themes, "theme")
    if t is not None:
        old, t.label = t.label, a.label
        st.touch(f"theme:{t.id}", a)
        st.note(a, True, f"theme {t.id} renamed from {old!r} to {a.label!r}")


def _merge(a: MergeThemes, st: _State) -> None:
    keep = st.find(a, a.theme, st.themes, "theme")
    if keep is None:
        return
    merged = []
    for ref in a.others:
        other = st.find(a, ref, [t for t in st.themes if t is not keep], "theme")
        if other is not None:
            keep.evidence_ids = list(dict.fromkeys(keep.evidence_ids + other.evidence_ids))
            st.themes.remove(other)
            merged.append(other.id)
    if not merged:
        return
    keep.label = a.label or keep.label
    st.themes[st.themes.index(keep)] = _restat(keep, st)
    st.touch(f"theme:{keep.id}", a)
    st.note(a, True, f"themes {', '.join(merged)} merged into {keep.id}")


def _split(a: SplitTheme, st: _State) -> None:
    t = st.find(a, a.theme, st.themes, "theme")
    if t is None:
        return
    moving = [i for i in t.evidence_ids if i in set(a.evidence_ids)]
    if not moving or len(moving) == len(t.evidence_ids):
        st.note(a, False, f"split of theme {t.id} no longer applies: {len(moving)} of the "
                f"{len(a.evidence_ids)} items to move are in it, and it has {len(t.evidence_ids)}")
        return
    taken = {x.id for x in st.themes}
    new_id = next(f"{t.id}.{n}" for n in range(1, 10_000) if f"{t.id}.{n}" not in taken)
    rest = t.model_copy(update={"evidence_ids": [i for i in t.evidence_ids if i not in set(moving)]})
    new = Theme(id=new_id, label=a.label, terms=[], evidence_ids=moving)
    pos = st.themes.index(t)
    st.themes[pos: pos + 1] = [_restat(rest, st), _restat(new, st)]
    st.touch(f"theme:{t.id}", a)
    st.touch(f"theme:{new_id}", a)
    st.note(a, True, f"{len(moving)} items of theme {t.id} split into new theme {new_id} ({a.label!r})")


def _strip_finding(f: Finding, eid: str, st: _State) -> Finding | None:
    """A finding without one evidence item, coverage recounted; None when nothing supports it any more."""
    ids = [i for i in f.evidence_ids if i != eid]
    if not ids:
        return None
    items = [st.by_id[i] for i in ids if i in st.by_id]
    keys = {k for e in items for k in (e.who, e.participant_id, e.customer_id, e.doc_id, e.speaker) if k}
    cov = f.coverage.model_copy(update={"sessions": len({e.doc_id for e in items}),
                                        "participants": [p for p in f.coverage.participants if p in keys]})
    parts = [p.model_copy(update={"evidence_ids": [i for i in p.evidence_ids if i != eid]}) for p in f.parts]
    return f.model_copy(update={
        "evidence_ids": ids, "coverage": cov, "parts": parts,
        "counter_evidence_ids": [i for i in f.counter_evidence_ids if i != eid],
        "kinds": dict(sorted(Counter(e.kind for e in items).items())) if items else f.kinds})


def _strip_persona(p: Persona, eid: str) -> Persona:
    update: dict[str, Any] = {"quotes": [q for q in p.quotes if q.evidence_id != eid]}
    for name, cf in p.claim_fields().items():
        claims = [c.model_copy(update={"evidence_ids": [i for i in c.evidence_ids if i != eid]})
                  for c in cf.claims]
        update[name] = cf.model_copy(update={"claims": [c for c in claims if c.evidence_ids]})
    return p.model_copy(update=update)


def _reject(a: RejectEvidence, st: _State) -> None:
    eid = a.evidence_id
    if eid not in st.by_id:
        st.note(a, False, f"evidence {eid} is not in this run (its source changed or was removed)")
        return
    del st.by_id[eid]
    st.rejected[eid] = a.reason
    st.touch(f"evidence:{eid}", a)
    themes = []
    for t in st.themes:
        if eid in t.evidence_ids:
            t = _restat(t.model_copy(update={"evidence_ids": [i for i in t.evidence_ids if i != eid]}), st)
            st.touch(f"theme:{t.id}", a)
        if t.evidence_ids:
            themes.append(t)
    st.themes = themes
    findings = []
    for f in st.findings:
        kept = _strip_finding(f, eid, st) if eid in f.evidence_ids + f.counter_evidence_ids else f
        if kept is None:
            st.note(a, True, f"finding {f.id} lost its last evidence item and is withdrawn")
        else:
            findings.append(kept)
    st.findings = findings
    st.personas = [_strip_persona(p, eid) for p in st.personas]
    st.note(a, True, f"evidence {eid} rejected: {a.reason}")


def _pin(a: PinQuote, st: _State) -> None:
    persona = next((p for p in st.personas if p.id == a.persona_id), None)
    e = st.by_id.get(a.evidence_id)
    if persona is None or e is None:
        missing = f"persona {a.persona_id}" if persona is None else f"evidence {a.evidence_id}"
        st.note(a, False, f"quote not pinned: {missing} is not in this run")
        return
    if e.voice not in VERBATIM_VOICES:
        st.note(a, False, f"evidence {e.id} is the note-taker's {e.voice.value}, not someone's own words: "
                "it cannot be a quote")
        return
    c = e.citations[0]
    ref = QuoteRef(evidence_id=e.id, quote=c.quote, doc_id=c.doc_id, start=c.start, end=c.end, speaker=e.speaker)
    pinned = st.pinned.setdefault(persona.id, [])
    pinned.insert(0, e.id)
    rest = [q for q in persona.quotes if q.evidence_id != e.id]
    keep = [q for q in rest if q.evidence_id in pinned] + [q for q in rest if q.evidence_id not in pinned]
    persona.quotes = [ref, *keep][:MAX_QUOTES]
    st.touch(f"persona:{persona.id}", a)
    st.note(a, True, f"quote {e.id} pinned to persona {persona.id}")


def _edit(a: EditFinding, st: _State) -> None:
    f = st.find(a, a.finding, st.findings, "finding")
    if f is None:
        return
    cited = list(dict.fromkeys(i for p in f.parts for i in p.evidence_ids)) or list(f.evidence_ids)
    f.statement, f.statement_source = a.statement, "human"
    f.parts = [StatementPart(text=a.statement, evidence_ids=cited)]
    st.touch(f"finding:{f.id}", a)
    st.note(a, True, f"finding {f.id} statement rewritten by {a.who or 'a curator'} (citations kept)")


_APPLY: dict[str, Callable[[Any, _State], None]] = {
    "rename_theme": _rename, "merge_themes": _merge, "split_theme": _split,
    "reject_evidence": _reject, "pin_quote": _pin, "edit_finding": _edit,
}


def apply_curation(themes: Sequence[Theme], evidence: Sequence[EvidenceBase], findings: Sequence[Finding],
                   personas: Sequence[Persona], actions: Sequence[Any], *,
                   total_documents: int | None = None) -> Curated:
    """Apply `actions` (CurationAction models, in log order) and say what became of each."""
    st = _State(themes, evidence, findings, personas, total_documents)
    for action in actions:
        _APPLY[action.op](action, st)
    kept = [e for e in evidence if e.id in st.by_id]
    return Curated(themes=st.themes, evidence=kept, findings=st.findings, personas=st.personas,
                   rejected=st.rejected, notes=st.notes, touched=st.touched, total_documents=st.total)

"""apply_curation: each action on its own, in sequence, on a later run whose groups moved, and where it no
longer applies; the audit log round-trips every action kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from segscribe.curation import apply_curation
from segscribe.schemas.curation import (
    EditFinding,
    GroupRef,
    MergeThemes,
    PinQuote,
    RejectEvidence,
    RenameTheme,
    SplitTheme,
)
from segscribe.schemas.document import Voice
from segscribe.schemas.evidence import Citation, PainPoint
from segscribe.schemas.finding import Coverage, Finding, StatementPart
from segscribe.schemas.persona import Claim, ClaimField, Persona, QuoteRef
from segscribe.schemas.theme import Theme


def _ev(i: int, doc: str, who: str, voice: Voice = Voice.participant) -> PainPoint:
    quote = f"pain number {i}"
    return PainPoint(id=f"e{i}", summary=quote, doc_id=doc, passage_id=f"{doc}:0", speaker=who, participant_id=who,
                     voice=voice, citations=[Citation(doc_id=doc, start=0, end=len(quote), quote=quote)])


EVIDENCE = [_ev(1, "d1", "p1"), _ev(2, "d2", "p2"), _ev(3, "d3", "p3"), _ev(4, "d1", "p1"),
            _ev(5, "d4", "p4"), _ev(6, "d4", "p4", Voice.notes), _ev(7, "d2", "p2")]


def _theme(tid: str, ids: list[str]) -> Theme:
    return Theme(id=tid, label=f"label {tid}", evidence_ids=ids, doc_share=0.5, representative_id=ids[0])


THEMES = [_theme("t1", ["e1", "e2", "e3"]), _theme("t2", ["e4", "e5", "e6"]), _theme("t3", ["e7"])]
FINDINGS = [Finding(id="f1", rank=1, label="slow close", statement="Closing is slow.",
                    parts=[StatementPart(text="Closing is slow.", evidence_ids=["e1", "e2"])],
                    evidence_ids=["e1", "e2", "e3"], coverage=Coverage(sessions=3, total_sessions=4,
                                                                       participants=["p1", "p2", "p3"])),
            Finding(id="f2", rank=2, label="one", statement="Only one.", evidence_ids=["e5"],
                    coverage=Coverage(sessions=1, total_sessions=4, participants=["p4"]))]
PERSONA = Persona(
    id="seg-1", name="Controller", segment="seg", one_liner=ClaimField(), role_context=ClaimField(),
    goals=ClaimField(claims=[Claim(text="wants speed", evidence_ids=["e1", "e2"])]), success_metrics=ClaimField(),
    pains=ClaimField(claims=[Claim(text="hates waiting", evidence_ids=["e5"])]), jobs_functional=ClaimField(),
    jobs_emotional=ClaimField(), jobs_social=ClaimField(), behaviours=ClaimField(), tools_alternatives=ClaimField(),
    decision_criteria=ClaimField(), channels=ClaimField(),
    quotes=[QuoteRef(evidence_id=f"e{i}", quote=f"pain number {i}", doc_id="d", start=0, end=13, speaker="p")
            for i in (1, 2, 3)])


def _ref(t: Theme | Finding) -> GroupRef:
    return GroupRef(id=t.id, evidence_ids=list(t.evidence_ids))


def _apply(*actions: object, themes: list[Theme] = THEMES, evidence: list[PainPoint] = EVIDENCE) -> object:
    numbered = [a.model_copy(update={"id": i + 1, "run_id": "r1"}) for i, a in enumerate(actions)]  # type: ignore[attr-defined]
    return apply_curation(themes, evidence, FINDINGS, [PERSONA], numbered, total_documents=4)


def test_rename_and_edit_leave_the_inputs_untouched() -> None:
    cur = _apply(RenameTheme(theme=_ref(THEMES[0]), label="Slow close"),
                 EditFinding(finding=_ref(FINDINGS[0]), statement="Month-end takes 9 days.", who="ana"))
    assert cur.themes[0].label == "Slow close" and THEMES[0].label == "label t1"
    f = cur.findings[0]
    assert (f.statement, f.statement_source, f.evidence_ids) == ("Month-end takes 9 days.", "human", ["e1", "e2", "e3"])
    assert f.parts == [StatementPart(text="Month-end takes 9 days.", evidence_ids=["e1", "e2"])]
    assert FINDINGS[0].statement_source == "extractive"
    assert cur.touched == {"theme:t1": [1], "finding:f1": [2]} and all(n.applied for n in cur.notes)


def test_merge_then_rename_follows_the_merged_theme() -> None:
    merged = _theme("t1", ["e1", "e2", "e3", "e7"])
    cur = _apply(MergeThemes(theme=_ref(THEMES[0]), others=[_ref(THEMES[2])], label="Sync"),
                 RenameTheme(theme=_ref(merged), label="Sync failures"))
    assert [t.id for t in cur.themes] == ["t1", "t2"]
    t1 = cur.themes[0]
    assert t1.label == "Sync failures" and t1.evidence_ids == ["e1", "e2", "e3", "e7"]
    assert t1.kinds == {"pain": 4} and t1.participants == 3 and t1.doc_share == 0.75
    assert t1.frequency_by_participant == {"participant:p1": 1, "participant:p2": 2, "participant:p3": 1}


def test_split_moves_items_to_a_new_theme() -> None:
    cur = _apply(SplitTheme(theme=_ref(THEMES[1]), evidence_ids=["e5", "e6"], label="Notes pile"))
    assert [t.id for t in cur.themes] == ["t1", "t2", "t2.1", "t3"]
    assert cur.themes[1].evidence_ids == ["e4"] and cur.themes[2].evidence_ids == ["e5", "e6"]
    assert cur.themes[2].label == "Notes pile" and cur.themes[2].representative_id == "e5"
    everything = _apply(SplitTheme(theme=_ref(THEMES[1]), evidence_ids=["e4", "e5", "e6"], label="All"))
    assert not everything.notes[0].applied and len(everything.themes) == 3


def test_reject_recounts_coverage_and_withdraws_unsupported_findings() -> None:
    cur = _apply(RejectEvidence(evidence_id="e3", reason="interviewer"), RejectEvidence(evidence_id="e5", reason="dup"))
    assert cur.rejected == {"e3": "interviewer", "e5": "dup"}
    assert "e3" not in {e.id for e in cur.evidence} and len(cur.evidence) == 5
    f1 = cur.findings[0]
    assert f1.evidence_ids == ["e1", "e2"] and f1.coverage.sessions == 2 and f1.coverage.participants == ["p1", "p2"]
    assert [f.id for f in cur.findings] == ["f1"]  # f2 lost its only evidence
    assert any("f2" in n.message and "withdrawn" in n.message for n in cur.notes)
    assert cur.themes[0].evidence_ids == ["e1", "e2"]
    persona = cur.personas[0]
    assert persona.pains.claims == [] and [q.evidence_id for q in persona.quotes] == ["e1", "e2"]


def test_pin_puts_a_participant_quote_first_and_refuses_notes() -> None:
    cur = _apply(PinQuote(persona_id="seg-1", evidence_id="e7"), PinQuote(persona_id="seg-1", evidence_id="e6"),
                 PinQuote(persona_id="nobody", evidence_id="e7"))
    assert [q.evidence_id for q in cur.personas[0].quotes] == ["e7", "e1", "e2"]
    applied = [n.applied for n in cur.notes]
    assert applied == [True, False, False]
    assert "note-taker" in cur.notes[1].message and "cannot be a quote" in cur.notes[1].message


def test_a_later_run_keeps_what_still_applies_and_says_what_does_not() -> None:
    actions = [RenameTheme(theme=_ref(THEMES[0]), label="Slow close"),
               RenameTheme(theme=_ref(THEMES[2]), label="Gone"),
               RejectEvidence(evidence_id="e9", reason="x")]
    later_themes = [_theme("t4", ["e1", "e2", "e3", "e5"]), _theme("t5", ["e4", "e6"])]
    cur = _apply(*actions, themes=later_themes)
    assert cur.themes[0].id == "t4" and cur.themes[0].label == "Slow close"
    msgs = [(n.applied, n.message) for n in cur.notes]
    assert msgs[0] == (True, "theme t1 of run r1 matched theme t4 here (75% of the evidence in common)")
    assert msgs[2][0] is False and "theme t3 is not in this run" in msgs[2][1]
    assert msgs[3][0] is False and "e9 is not in this run" in msgs[3][1]


def test_audit_log_round_trips_every_action(tmp_path: Path) -> None:
    from segscribe.store.curation_log import CurationLog
    from segscribe.store.workspace import Workspace

    log = CurationLog(Workspace.open(tmp_path / "ws"))
    actions = [RenameTheme(theme=_ref(THEMES[0]), label="x", who="ana", run_id="r"),
               MergeThemes(theme=_ref(THEMES[0]), others=[_ref(THEMES[1])], who="ben", run_id="r"),
               SplitTheme(theme=_ref(THEMES[0]), evidence_ids=["e1"], label="y", who="ana", run_id="r"),
               RejectEvidence(evidence_id="e1", reason="wrong speaker", who="ana", run_id="r"),
               PinQuote(persona_id="seg-1", evidence_id="e2", who="ana", run_id="r"),
               EditFinding(finding=_ref(FINDINGS[0]), statement="s", who="ana", run_id="r")]
    stored = [log.append(a) for a in actions]
    assert [a.id for a in stored] == [1, 2, 3, 4, 5, 6] and all(a.at > 0 for a in stored)
    again = CurationLog(Workspace.open(tmp_path / "ws")).actions()
    assert again == stored and [type(a) for a in again] == [type(a) for a in actions]


def test_actions_validate_their_fields() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        RejectEvidence(evidence_id="e1", reason="")
    with pytest.raises(ValidationError):
        MergeThemes(theme=_ref(THEMES[0]), others=[])
    with pytest.raises(ValidationError):
        EditFinding(finding=_ref(FINDINGS[0]), statement="x" * 2001)

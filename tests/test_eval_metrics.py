"""Grounding metrics on tiny hand-built documents with answers computed by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import factories
from segscribe.evals.gold import GoldError, GoldItem, load_gold, parse_gold
from segscribe.evals.metrics import (
    assign,
    citation_precision_recall,
    citation_validity,
    claim_support,
    hashed_bow_embedder,
    normalise_text,
    persona_grounding,
    quote_exactness,
    segment_recovery,
    similarity_matrix,
    span_jaccard,
    speaker_attribution,
)
from segscribe.schemas.document import DocKind, Document, Role
from segscribe.schemas.evidence import EVIDENCE_CLASSES, Citation, EvidenceBase, EvidenceKind, PainPoint

# --------------------------------------------------------------------------- builders

Turn = tuple[str, Role, str]


def make_doc(doc_id: str, turns: list[tuple[str, Role, str]], kind: DocKind = DocKind.interview) -> Document:
    return factories.make_doc(doc_id, turns, kind)


def span(doc: Document, quote: str, nth: int = 0) -> tuple[int, int]:
    pos = -1
    for _ in range(nth + 1):
        pos = doc.text.index(quote, pos + 1)
    return pos, pos + len(quote)


def ev(
    doc: Document, quote: str, kind: str = "pain", item_id: str | None = None, nth: int = 0
) -> EvidenceBase:
    """A schema-valid evidence item citing `quote` in `doc` (validated against the text)."""
    start, end = span(doc, quote, nth)
    passage = doc.passage_at(start, end)
    return EVIDENCE_CLASSES[kind].model_validate(
        {
            "id": item_id or f"{doc.id}-{start}-{end}",
            "kind": kind,
            "summary": quote[:40],
            "citations": [{"doc_id": doc.id, "start": start, "end": end, "quote": quote}],
            "doc_id": doc.id,
            "passage_id": passage.id if passage else "",
            "speaker": passage.speaker if passage else "",
        },
        context={"documents": {doc.id: doc.text}},
    )


def cit(doc_id: str, start: int, end: int, quote: str) -> Citation:
    """An unvalidated citation (may be wrong on purpose)."""
    return Citation.model_construct(doc_id=doc_id, start=start, end=end, quote=quote)


def raw(item_id: str, cits: list[Citation], kind: str = "pain") -> EvidenceBase:
    """An evidence item with arbitrary (possibly zero or broken) citations."""
    return EVIDENCE_CLASSES[kind].model_construct(
        id=item_id,
        summary="",
        citations=cits,
        doc_id=cits[0].doc_id if cits else "",
        passage_id="",
        speaker="P",
    )


def gold_at(
    gid: str, doc: Document, start: int, end: int, kind: str = "pain", segment: str | None = None
) -> GoldItem:
    return GoldItem(
        id=gid,
        doc_id=doc.id,
        kind=EvidenceKind(kind),
        start=start,
        end=end,
        quote=doc.text[start:end],
        segment=segment,
    )


def gold_of(gid: str, doc: Document, quote: str, kind: str = "pain", nth: int = 0) -> GoldItem:
    s, e = span(doc, quote, nth)
    return gold_at(gid, doc, s, e, kind)


def onehot(texts: list[str]) -> np.ndarray:
    """Distinct texts are orthogonal: cosine is 1 only for identical quotes."""
    return np.eye(len(texts))


D1 = make_doc(
    "d1",
    [
        ("Interviewer", Role.interviewer, "What is the hardest part of month end?"),
        (
            "Dana",
            Role.participant,
            "Honestly, reconciling invoices takes me two full days. I don't trust the export.",
        ),
    ],
)

# --------------------------------------------------------------------------- 1. quote exactness


def test_quote_exactness_strict_and_normalised_by_hand() -> None:
    s, e = span(D1, "I don't trust the export")
    rs, re_ = span(D1, "reconciling invoices")
    items = [
        ev(D1, "reconciling invoices takes me two full days", item_id="a"),  # exact
        raw("b", [cit("d1", s, e, "I don\u2019t trust the export")]),  # curly apostrophe: normalised only
        raw("c", [cit("d1", rs + 1, re_ + 1, "reconciling invoices")]),  # shifted: found elsewhere
        raw("d", [cit("d1", rs, re_, "invoice reconciliation")]),  # paraphrase: neither
        raw("e", []),  # no citations: not counted here
    ]
    r = quote_exactness(items, {"d1": D1})
    assert (r.n_citations, r.n_strict, r.n_normalised) == (4, 1, 3)
    assert r.strict_rate == 0.25
    assert r.normalised_rate == 0.75
    assert r.n_items_without_citations == 1
    assert r.strict_failures == ["b", "c", "d"]
    assert r.normalised_failures == ["d"]


def test_quote_exactness_unknown_document_fails_both() -> None:
    r = quote_exactness([raw("x", [cit("nope", 0, 5, "Inter")])], {"d1": D1})
    assert (r.strict_rate, r.normalised_rate) == (0.0, 0.0)


def test_normalise_text() -> None:
    assert normalise_text("  \u201cDon\u2019t\u201d \u2014  STOP\n\tnow ") == '"don\'t" - stop now'
    assert normalise_text("\uff21\u00a0b") == "a b"  # NFKC: fullwidth A, no-break space


@settings(database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_normalise_is_idempotent(s: str) -> None:
    assert normalise_text(normalise_text(s)) == normalise_text(s)


def test_empty_output_never_scores_vacuously_perfect() -> None:
    assert quote_exactness([], {"d1": D1}).strict_rate == 0.0
    assert citation_validity([], {"d1": D1}).rate == 0.0
    assert speaker_attribution([], {"d1": D1}).rate == 0.0


# --------------------------------------------------------------------------- 2. citation validity


def test_citation_validity_by_hand() -> None:
    n = len(D1.text)
    items = [
        ev(D1, "two full days", item_id="ok"),
        raw("bad", [cit("zz", 0, 3, "abc"), cit("d1", n - 2, n + 1, "xyz"), cit("d1", 4, 4, "q")]),
        raw("neg", [cit("d1", -1, 3, "What")]),
        raw("edge", [cit("d1", 0, n, D1.text)]),  # end == len(text) is valid
    ]
    r = citation_validity(items, {"d1": D1})
    assert (r.n_citations, r.n_valid) == (6, 2)
    assert r.rate == pytest.approx(2 / 6)
    assert r.failures == ["bad", "neg"]


# --------------------------------------------------------------------------- 3. citation precision / recall

D2 = make_doc("d2", [("P2", Role.participant, "0123456789" * 8)])
G_START = D2.passages[0].start + 20
G2 = gold_at("g", D2, G_START, G_START + 10)  # gold span of length 10


def _c(item_id: str, start: int, end: int) -> EvidenceBase:
    return raw(item_id, [cit("d2", start, end, D2.text[start:end])])


def test_precision_three_times_length_ok_three_times_plus_one_wrong() -> None:
    s = G2.start
    items = [
        _c("len30", s - 10, s + 20),  # overlaps, exactly 3x: correct
        _c("len31", s - 10, s + 21),  # overlaps, 3x + 1: wrong
        _c("whole", 0, len(D2.text)),  # the whole document: wrong
        _c("adjacent", G2.end, G2.end + 5),  # touches but does not overlap: wrong
        _c("unmatched", s, G2.end),  # perfect span, but the claim was not matched: wrong
        raw("empty", []),  # no citation: not recalled
    ]
    matches = {"len30": "g", "len31": "g", "whole": "g", "adjacent": "g"}
    r = citation_precision_recall(items, [G2], matches)
    assert (r.n_citations, r.n_correct) == (5, 1)
    assert r.precision == pytest.approx(1 / 5)
    assert (r.n_claims, r.n_recalled) == (6, 1)
    assert r.recall == pytest.approx(1 / 6)
    assert r.gold_recall == 1.0
    assert r.wrong_citations == ["len31", "whole", "adjacent", "unmatched"]
    assert r.unrecalled == ["len31", "whole", "adjacent", "unmatched", "empty"]


def test_whole_document_citation_counts_wrong_even_when_it_is_the_only_claim() -> None:
    whole = _c("whole", 0, len(D2.text))
    r = citation_precision_recall([whole], [G2], {"whole": "g"})
    assert (r.precision, r.recall, r.gold_recall) == (0.0, 0.0, 0.0)


def test_multi_citation_claim_precision_and_recall() -> None:
    s = G2.start
    item = raw("two", [cit("d2", s, s + 10, D2.text[s : s + 10]), cit("d2", 0, 5, D2.text[0:5])])
    r = citation_precision_recall([item], [G2], {"two": "g"})
    assert (r.precision, r.recall) == (0.5, 1.0)


def test_precision_recall_computes_matches_when_not_given() -> None:
    exact = _c("exact", G2.start, G2.end)
    r = citation_precision_recall([exact], [G2], embed=hashed_bow_embedder())
    assert (r.precision, r.recall, r.gold_recall) == (1.0, 1.0, 1.0)


def test_precision_recall_rejects_unknown_gold_ids() -> None:
    with pytest.raises(ValueError, match="unknown gold"):
        citation_precision_recall([_c("x", 0, 3)], [G2], {"x": "missing"})


# --------------------------------------------------------------------------- 4. claim support

D3 = make_doc("d3", [("P3", Role.participant, "abcdefghijklmnopqrstuvwxyz")])


def test_hungarian_beats_greedy() -> None:
    b = D3.passages[0].start
    gx, gy = gold_at("X", D3, b, b + 10), gold_at("Y", D3, b + 2, b + 12)
    a_item = raw("A", [cit("d3", b, b + 11, D3.text[b : b + 11])])
    b_item = raw("B", [cit("d3", b, b + 9, D3.text[b : b + 9])])
    sim, _, _ = similarity_matrix([a_item, b_item], [gx, gy], onehot)
    # By hand: J(A,X)=10/11, J(A,Y)=9/12, J(B,X)=9/10, J(B,Y)=7/12 (< 0.6).
    assert sim == pytest.approx(np.array([[10 / 11, 9 / 12], [9 / 10, 7 / 12]]))

    # Greedy (best pair first) takes A-X and leaves B with Y below threshold: one match.
    greedy: list[tuple[int, int]] = []
    for i, j in sorted(np.ndindex(sim.shape), key=lambda ij: -sim[ij]):
        if sim[i, j] >= 0.6 and all(i != gi and j != gj for gi, gj in greedy):
            greedy.append((i, j))
    assert greedy == [(0, 0)]

    assert sorted(assign(sim, 0.6)) == [(0, 1), (1, 0)]
    r = claim_support([a_item, b_item], [gx, gy], onehot)
    assert r.matches == {"A": "Y", "B": "X"}
    assert (r.n_matched, r.support, r.coverage) == (2, 1.0, 1.0)


D4 = make_doc("d4", [("P4", Role.participant, "The export always breaks on Mondays.")])
D5 = make_doc("d5", [("P5", Role.participant, "The export always breaks on Mondays.")])


def test_different_document_pairs_never_match() -> None:
    g = gold_of("g4", D4, "The export always breaks on Mondays.")
    other = ev(D5, "The export always breaks on Mondays.", item_id="in-d5")
    sim, cos, _ = similarity_matrix([other], [g], hashed_bow_embedder())
    assert np.isneginf(sim[0, 0])
    r = claim_support([other], [g], hashed_bow_embedder(), threshold=0.0)
    assert (r.n_matched, r.support, r.coverage) == (0, 0.0, 0.0)
    assert r.unsupported == ["in-d5"] and r.uncovered == ["g4"]
    same = ev(D4, "The export always breaks on Mondays.", item_id="in-d4")
    assert claim_support([other, same], [g], hashed_bow_embedder()).matches == {"in-d4": "g4"}


D6 = make_doc(
    "d6",
    [
        ("Interviewer", Role.interviewer, "Tell me about invoices."),
        ("Ana", Role.participant, "Chasing late invoices eats my whole Friday. Pricing looks fair though."),
    ],
)


def test_support_coverage_kind_mismatch_and_by_kind() -> None:
    g = gold_of("g6", D6, "Chasing late invoices eats my whole Friday", kind="pain")
    items = [
        # matched, kind differs:
        ev(D6, "Chasing late invoices eats my whole Friday", kind="goal", item_id="p1"),
        ev(D6, "late invoices", kind="pain", item_id="p2"),  # not matched (one-to-one) but overlaps gold
        ev(D6, "Pricing looks fair though", kind="quote", item_id="p3"),  # neither
    ]
    r = claim_support(items, [g], hashed_bow_embedder())
    assert r.matches == {"p1": "g6"}
    assert r.kind_mismatch == 1
    assert (r.n_supported, r.support) == (2, pytest.approx(2 / 3))
    assert (r.n_covered, r.coverage) == (1, 1.0)
    assert r.unsupported == ["p3"]
    assert set(r.by_kind) == {k.value for k in EvidenceKind}
    assert (r.by_kind["goal"].n_output, r.by_kind["goal"].support, r.by_kind["goal"].kind_mismatch) == (
        1,
        1.0,
        1,
    )
    assert (r.by_kind["pain"].n_output, r.by_kind["pain"].support) == (1, 1.0)
    assert (r.by_kind["pain"].n_gold, r.by_kind["pain"].coverage) == (1, 1.0)
    assert (r.by_kind["quote"].n_output, r.by_kind["quote"].support) == (1, 0.0)
    assert (r.by_kind["job"].n_output, r.by_kind["job"].support) == (0, 0.0)


D7 = make_doc(
    "d7", [("P7", Role.participant, "Exports break all the time. I said it before: exports break.")]
)


def test_cosine_matches_same_words_elsewhere_in_the_same_document() -> None:
    g = gold_of("g7", D7, "xports break", nth=0)
    item = ev(D7, "xports break", item_id="second", nth=1)  # same words, other span: Jaccard 0, cosine 1
    r = claim_support([item], [g], hashed_bow_embedder())
    assert r.matches == {"second": "g7"}
    assert r.pairs[0].overlap == 0.0 and r.pairs[0].cosine == pytest.approx(1.0)
    assert claim_support([item], [g], None).n_matched == 0  # overlap only: no match


def test_items_without_citations_never_match_and_are_unsupported() -> None:
    g = gold_of("g7", D7, "xports break")
    r = claim_support([raw("empty", [])], [g], hashed_bow_embedder())
    assert (r.n_matched, r.support) == (0, 0.0)


def test_claim_support_rejects_duplicate_ids() -> None:
    a = ev(D7, "Exports", item_id="same")
    with pytest.raises(ValueError, match="duplicate evidence"):
        claim_support([a, a], [], None)


@settings(database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 50), st.integers(1, 30), st.integers(0, 50), st.integers(1, 30))
def test_span_jaccard_symmetric_and_bounded(a: int, la: int, b: int, lb: int) -> None:
    j = span_jaccard(a, a + la, b, b + lb)
    assert 0.0 <= j <= 1.0
    assert j == span_jaccard(b, b + lb, a, a + la)
    assert (j == 1.0) == (a == b and la == lb)


# --------------------------------------------------------------------------- 5. persona grounding

P_OPS1 = make_doc(
    "ops1",
    [
        ("Interviewer", Role.interviewer, "How do you track stock?"),
        ("Lee", Role.participant, "We track stock in a shared spreadsheet."),
    ],
)
P_OPS2 = make_doc("ops2", [("Kim", Role.participant, "I want alerts when stock runs low.")])
P_FIN = make_doc("fin1", [("Sam", Role.participant, "Month-end close takes a week.")])
P_DOCS = {d.id: d for d in (P_OPS1, P_OPS2, P_FIN)}
SEGMENTS = {"ops1": "ops", "ops2": "ops", "fin1": "finance"}
E1 = ev(P_OPS1, "shared spreadsheet", kind="workaround", item_id="e1")
E2 = ev(P_FIN, "Month-end close takes a week", item_id="e2")
E3 = ev(P_OPS1, "How do you track stock?", kind="quote", item_id="e3")  # interviewer's line
E4 = ev(P_OPS2, "alerts when stock runs low", kind="goal", item_id="e4")
E4_BAD = E4.model_copy(
    update={"id": "e4bad", "citations": [E4.citations[0].model_copy(update={"quote": "alerts"})]}
)
EVIDENCE = {e.id: e for e in (E1, E2, E3, E4, E4_BAD)}


def test_persona_grounding_by_hand() -> None:
    persona = {
        "id": "ops-persona",
        "segment": "ops",
        "claims": [
            {"field": "tools", "evidence_ids": ["e1"], "not_in_data": False},  # grounded
            # grounded (two documents, both in the segment):
            {"field": "goals", "evidence_ids": ["e4", "e1"], "not_in_data": False},
            {"field": "pains", "evidence_ids": ["e1", "e2"], "not_in_data": False},  # e2 is finance
            {"field": "quote", "evidence_ids": ["e3"], "not_in_data": False},  # interviewer line
            {"field": "needs", "evidence_ids": ["e4bad"], "not_in_data": False},  # not exact
            {"field": "age", "evidence_ids": [], "not_in_data": False},  # no evidence
            {"field": "role", "evidence_ids": ["ghost"], "not_in_data": False},  # unknown id
            {"field": "income", "evidence_ids": [], "not_in_data": True},
            {"field": "location", "evidence_ids": [], "not_in_data": True},
        ],
    }
    r = persona_grounding([persona], EVIDENCE, P_DOCS, SEGMENTS)
    assert (r.n_fields, r.n_not_in_data, r.n_claimed, r.n_grounded) == (9, 2, 7, 2)
    assert r.grounded_rate == pytest.approx(2 / 7)
    assert r.not_in_data_rate == pytest.approx(2 / 9)
    reasons = {f.field: " ".join(f.reasons) for f in r.failures}
    assert set(reasons) == {"pains", "quote", "needs", "age", "role"}
    assert "segment 'finance'" in reasons["pains"]
    assert "participant/customer" in reasons["quote"] and "interviewer" in reasons["quote"]
    assert "not exactly" in reasons["needs"]
    assert reasons["age"] == "no evidence ids"
    assert "unknown evidence id 'ghost'" in reasons["role"]
    assert all(f.persona == "ops-persona" for f in r.failures)


@dataclass
class _Claim:
    field: str
    evidence_ids: list[str]
    not_in_data: bool = False


@dataclass
class _Persona:
    segment: str
    claims: list[_Claim] = field(default_factory=list)


def test_persona_grounding_accepts_objects() -> None:
    p = _Persona("finance", [_Claim("pains", ["e2"]), _Claim("tools", ["e1"]), _Claim("age", [], True)])
    r = persona_grounding([p], EVIDENCE, P_DOCS, SEGMENTS)
    assert (r.n_claimed, r.n_grounded, r.grounded_rate) == (2, 1, 0.5)
    assert r.failures[0].persona == "persona-0"


# --------------------------------------------------------------------------- 6. segment recovery


def test_segment_recovery_relabelled_partition_is_perfect() -> None:
    pred = {"a": "x", "b": "x", "c": "y", "extra": "z"}
    gold = {"a": 1, "b": 1, "c": 2, "missing": 3}
    r = segment_recovery(pred, gold)
    assert (r.n, r.ari, r.nmi, r.n_pred_only, r.n_gold_only) == (3, 1.0, 1.0, 1, 1)


def test_segment_recovery_crossed_partition_by_hand() -> None:
    # Contingency is all ones: sum C(nij,2)=0, expected index = 2*2/C(4,2) = 2/3, max = 2
    # ARI = (0 - 2/3) / (2 - 2/3) = -0.5; the partitions are independent so NMI = 0.
    r = segment_recovery({"a": 0, "b": 0, "c": 1, "d": 1}, {"a": 0, "b": 1, "c": 0, "d": 1})
    assert r.ari == pytest.approx(-0.5)
    assert r.nmi == pytest.approx(0.0, abs=1e-12)


def test_segment_recovery_no_overlap() -> None:
    assert segment_recovery({"a": 1}, {"b": 1}).model_dump() == {
        "n": 0,
        "ari": 0.0,
        "nmi": 0.0,
        "n_pred_only": 1,
        "n_gold_only": 1,
    }


# --------------------------------------------------------------------------- 7. speaker attribution

T1 = make_doc(
    "t1",
    [
        ("customer", Role.customer, "The CSV export drops every accented name."),
        ("agent", Role.agent, "Thanks, I have escalated this to engineering."),
    ],
    kind=DocKind.ticket,
)


def test_speaker_attribution_by_hand() -> None:
    docs = {"d1": D1, "t1": T1}
    p = D1.passages[1]
    cross_start = D1.passages[0].end - 5  # runs from the interviewer's turn into Dana's
    items = [
        ev(D1, "two full days", item_id="participant"),
        ev(T1, "drops every accented name", item_id="customer"),
        ev(D1, "the hardest part of month end", item_id="interviewer"),
        ev(T1, "escalated this to engineering", item_id="agent"),
        raw("crossing", [cit("d1", cross_start, p.start + 5, D1.text[cross_start : p.start + 5])]),
        raw(
            "second-citation-bad",
            [cit("d1", p.start, p.start + 8, p.text[:8]), cit("d1", 0, 4, D1.text[0:4])],
        ),
        raw("uncited", []),
    ]
    r = speaker_attribution(items, docs)
    assert (r.n_items, r.n_attributed) == (7, 2)
    assert r.rate == pytest.approx(2 / 7)
    assert r.failures == ["interviewer", "agent", "crossing", "second-citation-bad", "uncited"]


# --------------------------------------------------------------------------- gold loading


def _write(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    p = tmp_path / "gold.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in records) + "\n\n", encoding="utf-8")
    return p


def _resolve(file: str) -> tuple[str, str]:
    return {"interviews/dana.md": ("d1", D1.text), "interviews/p7.md": ("d7", D7.text)}[file]


def test_load_gold_locates_quotes(tmp_path: Path) -> None:
    recs: list[dict[str, Any]] = [
        {
            "id": "g1",
            "file": "interviews/dana.md",
            "kind": "pain",
            "quote": "two full days",
            "segment": "fin",
        },
        {
            "id": "g2",
            "file": "interviews/dana.md",
            "kind": "objection",
            "quote": "I don't trust the export",
            "segment": None,
            "note": "trust",
        },
    ]
    gold = load_gold(_write(tmp_path, recs), _resolve)
    s, e = span(D1, "two full days")
    assert gold[0] == GoldItem(
        id="g1", doc_id="d1", kind=EvidenceKind.pain, start=s, end=e, quote="two full days", segment="fin"
    )
    assert D1.text[gold[1].start : gold[1].end] == "I don't trust the export"
    assert gold[1].segment is None and gold[1].note == "trust"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"id": "amb", "file": "interviews/p7.md", "kind": "pain", "quote": "xports break"},
            "'amb'.*occurs 2 times",
        ),
        (
            {"id": "gone", "file": "interviews/dana.md", "kind": "pain", "quote": "three days"},
            "'gone'.*not found",
        ),
        (
            {"id": "k", "file": "interviews/dana.md", "kind": "wish", "quote": "two full days"},
            "'k'.*unknown kind",
        ),
        ({"id": "f", "file": "nowhere.md", "kind": "pain", "quote": "x"}, "'f'.*cannot resolve file"),
        ({"id": "q", "file": "interviews/dana.md", "kind": "pain"}, "'q'.*missing field.*quote"),
    ],
)
def test_gold_errors_name_the_item(record: dict, message: str) -> None:
    with pytest.raises(GoldError, match=message):
        parse_gold([record], _resolve)


def test_gold_duplicate_ids_and_bad_json(tmp_path: Path) -> None:
    rec = {"id": "g1", "file": "interviews/dana.md", "kind": "pain", "quote": "two full days"}
    with pytest.raises(GoldError, match="'g1'.*duplicate"):
        parse_gold([rec, rec], _resolve)
    p = tmp_path / "bad.jsonl"
    p.write_text(json.dumps(rec) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(GoldError, match=r"bad.jsonl:2"):
        load_gold(p, _resolve)


def test_gold_item_must_match_its_span_length() -> None:
    with pytest.raises(ValueError):
        GoldItem(id="x", doc_id="d", kind=EvidenceKind.pain, start=0, end=3, quote="ab")


def test_pain_point_used_in_raw_items_is_the_real_schema_class() -> None:
    assert isinstance(raw("z", []), PainPoint)

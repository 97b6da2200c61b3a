"""Evaluator self-test: every injected fault is caught by its metric; the scorecard gate."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import factories
from segscribe.evals import faults as F
from segscribe.evals.gold import GoldItem
from segscribe.evals.metrics import (
    citation_precision_recall,
    hashed_bow_embedder,
    quote_exactness,
    speaker_attribution,
)
from segscribe.evals.scorecard import (
    THRESHOLDS_PATH,
    apply_gate,
    build_scorecard,
    check_gate,
    evaluate,
    load_thresholds,
    to_json,
    to_markdown,
)
from segscribe.schemas.document import DocKind, Document, Role
from segscribe.schemas.evidence import EvidenceKind

# --------------------------------------------------------------------------- corpus


def make_doc(doc_id: str, turns: list[tuple[str, Role, str]], kind: DocKind = DocKind.interview) -> Document:
    return factories.make_doc(doc_id, turns, kind)


I1 = make_doc(
    "i1",
    [
        ("Interviewer", Role.interviewer, "Walk me through how you close the books each month."),
        (
            "Priya",
            Role.participant,
            "Reconciling supplier invoices by hand takes me two full days every month. "
            "I copy everything into a spreadsheet and pray the totals match.",
        ),
        ("Interviewer", Role.interviewer, "What would make that easier?"),
        (
            "Priya",
            Role.participant,
            "I want the bank feed to match invoices automatically so I can close on day one.",
        ),
    ],
)
I2 = make_doc(
    "i2",
    [
        ("Interviewer", Role.interviewer, "How do you handle approvals today?"),
        (
            "Marco",
            Role.participant,
            "Approvals live in a shared inbox and things get lost constantly. "
            "Honestly the price of a new tool worries me more than the time we waste.",
        ),
    ],
)
T1 = make_doc(
    "t1",
    [
        (
            "customer",
            Role.customer,
            "The CSV export drops every accented customer name, so our mailing list is "
            "wrong again this week.",
        ),
        ("agent", Role.agent, "Thanks for flagging this, I have escalated it to engineering."),
    ],
    kind=DocKind.ticket,
)
DOCS = {d.id: d for d in (I1, I2, T1)}

_GOLD_SPEC = [
    ("g1", I1, "pain", "Reconciling supplier invoices by hand takes me two full days every month", "finance"),
    ("g2", I1, "workaround", "I copy everything into a spreadsheet", "finance"),
    ("g3", I1, "goal", "I want the bank feed to match invoices automatically", "finance"),
    ("g4", I1, "job", "so I can close on day one", "finance"),
    ("g5", I2, "pain", "things get lost constantly", "ops"),
    ("g6", I2, "objection", "the price of a new tool worries me more than the time we waste", "ops"),
    ("g7", T1, "pain", "The CSV export drops every accented customer name", "ops"),
    ("g8", T1, "quote", "our mailing list is wrong again this week", "ops"),
]


def _gold(gid: str, doc: Document, kind: str, quote: str, segment: str) -> GoldItem:
    s = doc.text.index(quote)
    return GoldItem(
        id=gid,
        doc_id=doc.id,
        kind=EvidenceKind(kind),
        start=s,
        end=s + len(quote),
        quote=quote,
        segment=segment,
    )


GOLD = [_gold(*spec) for spec in _GOLD_SPEC]
EMBED = hashed_bow_embedder()


@pytest.fixture
def items():
    return F.gold_to_items(DOCS, GOLD)


# --------------------------------------------------------------------------- the clean output


def test_clean_output_is_perfect_on_every_self_test_metric(items) -> None:
    scores = {name: fn(DOCS, items, GOLD, EMBED) for name, fn in F.METRICS.items()}
    assert scores == dict.fromkeys(F.METRICS, 1.0)


def test_gold_to_items_refuses_interviewer_gold() -> None:
    bad = _gold("gx", I1, "quote", "close the books each month", "finance")
    with pytest.raises(ValueError, match="'gx'.*participant/customer"):
        F.gold_to_items(DOCS, [bad])


# --------------------------------------------------------------------------- each fault and its metric


def test_every_fault_is_caught_by_its_metric(items) -> None:
    report = F.run_self_test(DOCS, items, GOLD, EMBED)
    assert report.all_caught
    assert [r.fault for r in report.faults] == list(F.FAULTS)
    for r in report.faults:
        assert r.metric == F.FAULT_METRIC[r.fault]
        assert r.clean_perfect and r.before == 1.0
        assert r.n_faulted == len(items), r.fault
        assert r.after == 0.0, r.fault  # every faulted item is scored wrong
        assert r.caught and r.error is None


def test_faults_do_not_mutate_the_input(items) -> None:
    before = [it.model_dump() for it in items]
    for fault in F.FAULTS.values():
        fault(DOCS, items)
    assert [it.model_dump() for it in items] == before


def test_shift_keeps_the_quote_but_moves_the_span(items) -> None:
    out = F.shift_spans(DOCS, items, 3)
    for a, b in zip(items, out, strict=True):
        assert b.citations[0].quote == a.citations[0].quote
        delta = b.citations[0].start - a.citations[0].start
        assert abs(delta) == 3 and b.citations[0].end - a.citations[0].end == delta  # -3 at the end of a text
    r = quote_exactness(out, DOCS)
    assert r.strict_rate == 0.0
    assert r.normalised_rate == 1.0  # the quote is still in the document: only the strict check sees it


def test_swap_points_citations_at_other_existing_documents(items) -> None:
    out = F.swap_doc_ids(DOCS, items)
    for a, b in zip(items, out, strict=True):
        assert b.citations[0].doc_id != a.citations[0].doc_id and b.citations[0].doc_id in DOCS
        assert b.doc_id == b.citations[0].doc_id
    assert quote_exactness(out, DOCS).strict_rate == 0.0


def test_paraphrase_is_no_longer_verbatim(items) -> None:
    out = F.paraphrase_quotes(DOCS, items)
    assert all(b.quote != a.quote for a, b in zip(items, out, strict=True))
    assert F.paraphrase("I want the bank feed") == "wish this bank feed we"
    assert quote_exactness(out, DOCS).strict_rate == 0.0


@settings(database=None)
@given(st.text(min_size=1, max_size=80))
def test_paraphrase_always_changes_the_text(q: str) -> None:
    assert F.paraphrase(q) != q


def test_dropped_citations_are_ungrounded(items) -> None:
    out = F.drop_citations(DOCS, items)
    assert all(it.citations == [] for it in out)
    r = citation_precision_recall(out, GOLD, embed=EMBED)
    assert (r.n_citations, r.recall, r.gold_recall) == (0, 0.0, 0.0)
    assert speaker_attribution(out, DOCS).rate == 0.0


def test_whole_document_citations_are_verbatim_but_imprecise(items) -> None:
    out = F.cite_whole_documents(DOCS, items)
    assert quote_exactness(out, DOCS).strict_rate == 1.0  # verbatim: exactness cannot see this fault
    assert citation_precision_recall(out, GOLD, embed=EMBED).precision == 0.0


def test_interviewer_attribution_is_only_seen_by_speaker_attribution(items) -> None:
    report = F.run_self_test(DOCS, items, GOLD, EMBED)
    r = next(r for r in report.faults if r.fault == "interviewer_attribution")
    assert r.after_all["strict_quote_exactness"] == 1.0
    assert r.after_all["citation_validity"] == 1.0
    assert r.after_all["speaker_attribution"] == 0.0
    out = F.interviewer_attribution(DOCS, items)
    t1_item = next(b for a, b in zip(items, out, strict=True) if a.doc_id == "t1")
    assert t1_item.citations[0].quote == T1.passages[1].text  # the agent's line in a ticket


@settings(max_examples=25, deadline=None, database=None)
@given(st.integers(1, 12))
def test_any_shift_breaks_strict_exactness(k: int) -> None:
    out = F.shift_spans(DOCS, F.gold_to_items(DOCS, GOLD), k)
    assert quote_exactness(out, DOCS).strict_rate == 0.0


# --------------------------------------------------------------------------- self-test behaviour


def test_seeded_sample_is_deterministic_and_still_caught(items) -> None:
    a = F.run_self_test(DOCS, items, GOLD, EMBED, fraction=0.5, seed=7)
    b = F.run_self_test(DOCS, items, GOLD, EMBED, fraction=0.5, seed=7)
    assert a.model_dump_json() == b.model_dump_json()
    assert a.all_caught
    assert all(r.n_faulted == 4 for r in a.faults)
    assert all(r.after == pytest.approx(0.5) for r in a.faults)
    assert a.min_drop == 0.25
    shifted = F.shift_spans(DOCS, items, fraction=0.5, seed=7)
    assert shifted == F.shift_spans(DOCS, items, fraction=0.5, seed=7)
    assert shifted != F.shift_spans(DOCS, items, fraction=0.5, seed=8)


def test_imperfect_clean_output_fails_the_self_test(items) -> None:
    broken = F.shift_spans(DOCS, items, fraction=0.125, seed=0)  # one item already wrong
    report = F.run_self_test(DOCS, broken, GOLD, EMBED)
    by_fault = {r.fault: r for r in report.faults}
    assert not by_fault["shift_spans"].clean_perfect and not by_fault["shift_spans"].caught
    assert by_fault["interviewer_attribution"].caught  # speaker attribution is unaffected
    assert not report.all_caught


def test_a_blind_metric_is_reported_as_not_catching(items, monkeypatch: pytest.MonkeyPatch) -> None:
    # Shifted spans stay in bounds, so citation validity cannot see them.
    monkeypatch.setitem(F.FAULT_METRIC, "shift_spans", "citation_validity")
    report = F.run_self_test(DOCS, items, GOLD, EMBED)
    r = next(r for r in report.faults if r.fault == "shift_spans")
    assert (r.before, r.after, r.caught) == (1.0, 1.0, False)
    assert not report.all_caught


def test_single_document_corpus_cannot_swap() -> None:
    docs = {"i1": I1}
    gold = [g for g in GOLD if g.doc_id == "i1"]
    report = F.run_self_test(docs, F.gold_to_items(docs, gold), gold, EMBED)
    r = next(r for r in report.faults if r.fault == "swap_doc_ids")
    assert not r.caught and r.error is not None and "two documents" in r.error
    assert not report.all_caught


def test_empty_output_is_never_caught_as_perfect() -> None:
    report = F.run_self_test(DOCS, [], GOLD, EMBED)
    assert not report.all_caught
    assert all(not r.clean_perfect for r in report.faults)


# --------------------------------------------------------------------------- scorecard and gate

SEGMENT_OF_DOC = {"i1": "finance", "i2": "ops", "t1": "ops"}
PERSONAS = [
    {
        "id": "finance-lead",
        "segment": "finance",
        "claims": [
            {"field": "pains", "evidence_ids": ["g1"], "not_in_data": False},
            {"field": "tools", "evidence_ids": ["g2"], "not_in_data": False},
            {"field": "age", "evidence_ids": [], "not_in_data": True},
        ],
    }
]


def test_bundled_thresholds() -> None:
    assert load_thresholds() == {
        "strict_quote_exactness": 1.0,
        "citation_validity": 1.0,
        "citation_precision": 0.83,
        "citation_recall": 0.83,
        "speaker_attribution": 1.0,
        "faults_all_caught": True,
    }
    text = THRESHOLDS_PATH.read_text(encoding="utf-8")
    assert "recorded, not gated" in text and "only ever raised" in text


def test_correct_output_passes_the_gate_with_byte_identical_json(items) -> None:
    def run() -> str:
        card = evaluate(
            DOCS, items, GOLD, EMBED, personas=PERSONAS, segment_of_doc=SEGMENT_OF_DOC, corpus="fixture"
        )
        return to_json(apply_gate(card, load_thresholds()))

    first = run()
    assert first == run()
    data = json.loads(first)
    assert data["passed"] is True and data["faults_all_caught"] is True
    assert list(data["metrics"]) == sorted(data["metrics"])
    assert data["metrics"]["persona_grounding"] == 1.0
    assert data["metrics"]["persona_not_in_data"] == 0.333333
    assert data["metrics"]["segment_ari"] == 1.0
    assert data["metrics"]["claim_coverage"] == 1.0
    assert set(data["by_kind"]) == {k.value for k in EvidenceKind}
    assert len(data["faults"]) == 6
    assert all(f["caught"] and f["before"] == 1.0 and f["after"] == 0.0 for f in data["faults"].values())
    assert data["faults"]["cite_whole_documents"]["metric"] == "citation_precision"
    md = to_markdown(apply_gate(card_for_markdown(items), load_thresholds()))
    assert "Gate: **PASS**" in md
    assert "| interviewer_attribution | speaker_attribution | 1.0000 | 0.0000 | yes |" in md


def card_for_markdown(items):
    return evaluate(DOCS, items, GOLD, EMBED)


def test_gate_failures_are_listed(items) -> None:
    whole = F.cite_whole_documents(DOCS, items)
    card = evaluate(DOCS, whole, GOLD, EMBED)
    failures = check_gate(card, load_thresholds())
    # The whole text also spans interviewer/agent turns, so speaker attribution fails too.
    assert [f.split(":")[0] for f in failures] == [
        "citation_precision",
        "citation_recall",
        "speaker_attribution",
    ]
    assert failures[0] == "citation_precision: 0.0000 < 0.8300"
    gated = apply_gate(card, load_thresholds())
    assert gated.passed is False
    md = to_markdown(gated)
    assert "Gate: **FAIL**" in md
    assert "| citation_precision | 0.0000 | 0.8300 | FAIL |" in md
    assert "| strict_quote_exactness | 1.0000 | 1.0000 | pass |" in md
    assert "| normalised_quote_exactness | 1.0000 |  | recorded |" in md


def test_missing_metrics_and_uncaught_faults_fail_the_gate() -> None:
    card = build_scorecard(quote=quote_exactness([], DOCS))
    failures = check_gate(
        card, {"citation_precision": 0.9, "faults_all_caught": True, "citation_validity": 1.0}
    )
    assert failures == [
        "citation_precision: not measured (threshold 0.9000)",
        "citation_validity: not measured (threshold 1.0000)",
        "faults_all_caught: not measured (threshold true)",
    ]
    failing = card.model_copy(update={"faults_all_caught": False})
    assert check_gate(failing, {"faults_all_caught": True}) == ["faults_all_caught: false, required true"]


def test_self_test_impossible_means_gate_fails() -> None:
    docs = {"i1": I1}
    gold = [g for g in GOLD if g.doc_id == "i1"]
    card = evaluate(docs, F.gold_to_items(docs, gold), gold, EMBED)
    assert card.faults_all_caught is False
    assert any("swap_doc_ids" in n for n in card.notes)
    assert check_gate(card, load_thresholds()) == ["faults_all_caught: false, required true"]


def test_scorecard_rounds_and_sorts() -> None:
    card = build_scorecard().model_copy()
    card = type(card)(metrics={"b": 1 / 3, "a": 2 / 3}, counts={"z": 1, "y": 2})
    assert list(card.metrics.items()) == [("a", 0.666667), ("b", 0.333333)]
    assert list(card.counts) == ["y", "z"]

"""The evaluation scorecard and its CI gate.

`evaluate` runs every metric (and the fault-injection self-test) and returns a
`Scorecard`; `apply_gate` / `check_gate` compare it with `thresholds.yaml`;
`to_markdown` and `to_json` render it. Floats are rounded to `DIGITS` places and
every mapping is stored with sorted keys, so the same inputs give byte-identical
JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from segscribe.evals.faults import SelfTestReport, gold_to_items, run_self_test
from segscribe.evals.gold import GoldItem
from segscribe.evals.metrics import (
    KINDS,
    CitationValidityResult,
    ClaimSupportResult,
    Embedder,
    PersonaClaims,
    PersonaGroundingResult,
    PersonaLike,
    PrecisionRecallResult,
    QuoteExactnessResult,
    SegmentRecoveryResult,
    SpeakerAttributionResult,
    citation_precision_recall,
    citation_validity,
    claim_support,
    persona_grounding,
    quote_exactness,
    segment_recovery,
    speaker_attribution,
)
from segscribe.safeload import load_yaml
from segscribe.schemas.document import Document
from segscribe.schemas.evidence import EvidenceBase

#: Decimal places kept for every float in the scorecard.
DIGITS = 6

#: The bundled gate (offline provider, bundled corpus).
THRESHOLDS_PATH = Path(__file__).with_name("thresholds.yaml")

Threshold = bool | float


def _round(x: float) -> float:
    if not math.isfinite(x):
        raise ValueError(f"non-finite metric value {x!r}")
    return round(float(x), DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0


class GateResult(BaseModel):
    """One gated metric against its threshold."""

    model_config = ConfigDict(use_attribute_docstrings=True, frozen=True)

    metric: str
    threshold: bool | float
    value: bool | float | None
    """None when the scorecard does not have the metric (which fails the gate)."""
    passed: bool


class FaultSummary(BaseModel):
    """One injected fault: the metric meant to catch it, before (clean) and after (faulted)."""

    model_config = ConfigDict(use_attribute_docstrings=True, frozen=True)

    metric: str
    before: float
    after: float
    caught: bool

    @field_validator("before", "after", mode="after")
    @classmethod
    def _rounded(cls, v: float) -> float:
        return _round(v)


class Scorecard(BaseModel):
    """Metric values of one evaluation run, plus the gate results once `apply_gate` ran."""

    model_config = ConfigDict(use_attribute_docstrings=True, frozen=True)

    provider: str = "offline"
    """Provider whose output was evaluated."""
    corpus: str = ""
    """Label of the evaluated corpus."""
    metrics: dict[str, float] = Field(default_factory=dict)
    """Metric name -> value in [0, 1] (ARI can be negative); gated and recorded alike."""
    counts: dict[str, int] = Field(default_factory=dict)
    """Denominators and other counts behind the rates."""
    by_kind: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Evidence kind -> support/coverage breakdown."""
    faults: dict[str, FaultSummary] = Field(default_factory=dict)
    """Fault -> its metric before/after and whether it was caught (empty when the self-test did not run)."""
    faults_all_caught: bool | None = None
    """Every injected fault was caught (None when the self-test did not run)."""
    notes: list[str] = Field(default_factory=list)
    """Anything that could not be measured, and why."""
    gates: list[GateResult] = Field(default_factory=list)
    """Gate results (empty until `apply_gate`)."""
    passed: bool | None = None
    """All gates passed (None until `apply_gate`)."""

    @field_validator("metrics", mode="after")
    @classmethod
    def _metrics(cls, v: dict[str, float]) -> dict[str, float]:
        return {k: _round(v[k]) for k in sorted(v)}

    @field_validator("counts", "faults", mode="after")
    @classmethod
    def _sorted(cls, v: dict[str, Any]) -> dict[str, Any]:
        return {k: v[k] for k in sorted(v)}

    @field_validator("by_kind", mode="after")
    @classmethod
    def _by_kind(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        return {k: {m: _round(v[k][m]) for m in sorted(v[k])} for k in sorted(v)}


# --------------------------------------------------------------------------- building


def build_scorecard(
    *,
    quote: QuoteExactnessResult | None = None,
    validity: CitationValidityResult | None = None,
    precision_recall: PrecisionRecallResult | None = None,
    support: ClaimSupportResult | None = None,
    speaker: SpeakerAttributionResult | None = None,
    persona: PersonaGroundingResult | None = None,
    segments: SegmentRecoveryResult | None = None,
    self_test: SelfTestReport | None = None,
    provider: str = "offline",
    corpus: str = "",
    notes: Sequence[str] = (),
) -> Scorecard:
    """Assemble a scorecard from whichever metric results were computed."""
    m: dict[str, float] = {}
    c: dict[str, int] = {}
    by_kind: dict[str, dict[str, float]] = {}
    if quote is not None:
        m["strict_quote_exactness"] = quote.strict_rate
        m["normalised_quote_exactness"] = quote.normalised_rate
        c["citations"] = quote.n_citations
        c["items_without_citations"] = quote.n_items_without_citations
    if validity is not None:
        m["citation_validity"] = validity.rate
        c["citations"] = validity.n_citations
    if precision_recall is not None:
        m["citation_precision"] = precision_recall.precision
        m["citation_recall"] = precision_recall.recall
        m["gold_recall"] = precision_recall.gold_recall
        c["claims"] = precision_recall.n_claims
        c["gold_items"] = precision_recall.n_gold
    if support is not None:
        m["claim_support"] = support.support
        m["claim_coverage"] = support.coverage
        c["claims"] = support.n_output
        c["gold_items"] = support.n_gold
        c["matched_pairs"] = support.n_matched
        c["kind_mismatch"] = support.kind_mismatch
        for k, ks in support.by_kind.items():
            if k in KINDS or ks.n_output or ks.n_gold:
                by_kind[k] = {
                    "n_output": ks.n_output,
                    "support": ks.support,
                    "n_gold": ks.n_gold,
                    "coverage": ks.coverage,
                    "kind_mismatch": ks.kind_mismatch,
                }
    if speaker is not None:
        m["speaker_attribution"] = speaker.rate
        c["claims"] = speaker.n_items
    if persona is not None:
        m["persona_grounding"] = persona.grounded_rate
        m["persona_not_in_data"] = persona.not_in_data_rate
        c["persona_fields"] = persona.n_fields
    if segments is not None:
        m["segment_ari"] = segments.ari
        m["segment_nmi"] = segments.nmi
        c["segment_docs"] = segments.n
    faults: dict[str, FaultSummary] = {}
    all_caught: bool | None = None
    if self_test is not None:
        faults = {
            r.fault: FaultSummary(metric=r.metric, before=r.before, after=r.after, caught=r.caught)
            for r in self_test.faults
        }
        all_caught = self_test.all_caught
    return Scorecard(
        provider=provider,
        corpus=corpus,
        metrics=m,
        counts=c,
        by_kind=by_kind,
        faults=faults,
        faults_all_caught=all_caught,
        notes=list(notes),
    )


def gold_segments_by_doc(gold: Sequence[GoldItem]) -> dict[str, str]:
    """Document -> gold segment, from the gold items that name one (they must agree per document)."""
    out: dict[str, str] = {}
    for g in gold:
        if g.segment is None:
            continue
        prev = out.setdefault(g.doc_id, g.segment)
        if prev != g.segment:
            raise ValueError(
                f"gold item {g.id!r}: document {g.doc_id!r} has segments {prev!r} and {g.segment!r}"
            )
    return out


def evaluate(
    docs: Mapping[str, Document],
    items: Sequence[EvidenceBase],
    gold: Sequence[GoldItem],
    embed: Embedder | None,
    *,
    threshold: float = 0.6,
    personas: Sequence[PersonaClaims | PersonaLike | Mapping[str, Any]] | None = None,
    segment_of_doc: Mapping[str, str] | None = None,
    gold_segments: Mapping[str, str] | None = None,
    run_faults: bool = True,
    provider: str = "offline",
    corpus: str = "",
) -> Scorecard:
    """Run every metric on one output and return the (un-gated) scorecard.

    * `segment_of_doc` is the predicted doc -> segment map; it drives persona
      grounding and, against `gold_segments` (default: from the gold items),
      segment recovery.
    * The self-test injects faults into the correct output derived from the gold
      (`gold_to_items`), so it measures the evaluator, not the provider.
    """
    notes: list[str] = []
    support = claim_support(items, gold, embed, threshold)
    persona = None
    if personas is not None:
        if segment_of_doc is None:
            notes.append("persona grounding not measured: no segment_of_doc")
        else:
            persona = persona_grounding(personas, {it.id: it for it in items}, docs, segment_of_doc)
    segments = None
    if segment_of_doc is not None:
        gs = dict(gold_segments) if gold_segments is not None else gold_segments_by_doc(gold)
        if gs:
            segments = segment_recovery(segment_of_doc, gs)
        else:
            notes.append("segment recovery not measured: no gold segments")
    self_test = None
    if run_faults:
        try:
            correct = gold_to_items(docs, gold)
        except ValueError as exc:
            notes.append(f"fault self-test not run: {exc}")
        else:
            self_test = run_self_test(docs, correct, gold, embed)
            for r in self_test.faults:
                if r.error:
                    notes.append(f"fault {r.fault}: {r.error}")
    card = build_scorecard(
        quote=quote_exactness(items, docs),
        validity=citation_validity(items, docs),
        precision_recall=citation_precision_recall(items, gold, support.matches),
        support=support,
        speaker=speaker_attribution(items, docs),
        persona=persona,
        segments=segments,
        self_test=self_test,
        provider=provider,
        corpus=corpus,
        notes=notes,
    )
    if run_faults and self_test is None:  # asked for but impossible: the gate must not pass
        card = card.model_copy(update={"faults_all_caught": False})
    return card


# --------------------------------------------------------------------------- gate


def load_thresholds(path: str | Path | None = None) -> dict[str, Threshold]:
    """Read a thresholds file (default: the bundled `thresholds.yaml`)."""
    p = Path(path) if path is not None else THRESHOLDS_PATH
    data = load_yaml(p.read_text(encoding="utf-8"), source=str(p)) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{p}: expected a mapping of metric -> threshold")
    out: dict[str, Threshold] = {}
    for k, v in data.items():
        if isinstance(v, bool):
            out[str(k)] = v
        elif isinstance(v, int | float):
            out[str(k)] = float(v)
        else:
            raise ValueError(f"{p}: threshold for {k!r} must be a number or a boolean, got {v!r}")
    return out


def _value(scorecard: Scorecard, metric: str) -> bool | float | None:
    if metric in scorecard.metrics:
        return scorecard.metrics[metric]
    if metric == "faults_all_caught":
        return scorecard.faults_all_caught
    return None


def _gate_one(metric: str, threshold: Threshold, value: bool | float | None) -> GateResult:
    if isinstance(threshold, bool):
        passed = (not threshold) or value is True
    else:
        passed = isinstance(value, int | float) and not isinstance(value, bool) and value >= threshold - 1e-9
    return GateResult(metric=metric, threshold=threshold, value=value, passed=passed)


def gate_results(scorecard: Scorecard, thresholds: Mapping[str, Threshold]) -> list[GateResult]:
    """One `GateResult` per threshold, in sorted metric order."""
    return [_gate_one(k, thresholds[k], _value(scorecard, k)) for k in sorted(thresholds)]


def check_gate(scorecard: Scorecard, thresholds: Mapping[str, Threshold]) -> list[str]:
    """Human-readable failures; an empty list means the gate passes."""
    out: list[str] = []
    for g in gate_results(scorecard, thresholds):
        if g.passed:
            continue
        if g.value is None:
            out.append(f"{g.metric}: not measured (threshold {_fmt(g.threshold)})")
        elif isinstance(g.threshold, bool):
            out.append(f"{g.metric}: {_fmt(g.value)}, required {_fmt(g.threshold)}")
        else:
            out.append(f"{g.metric}: {_fmt(g.value)} < {_fmt(g.threshold)}")
    return out


def apply_gate(scorecard: Scorecard, thresholds: Mapping[str, Threshold]) -> Scorecard:
    """A copy of the scorecard with `gates` and `passed` filled in."""
    gates = gate_results(scorecard, thresholds)
    return scorecard.model_copy(update={"gates": gates, "passed": all(g.passed for g in gates)})


# --------------------------------------------------------------------------- rendering


def _fmt(v: bool | float | int | None) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return f"{v:.4f}"


def to_json(scorecard: Scorecard) -> str:
    """Stable JSON (declared field order, sorted mapping keys, rounded floats), newline-terminated."""
    return scorecard.model_dump_json(indent=2) + "\n"


def to_markdown(scorecard: Scorecard) -> str:
    """The scorecard as Markdown tables (gated metrics first)."""
    gates = {g.metric: g for g in scorecard.gates}
    lines = [
        f"# Evaluation scorecard: {scorecard.provider}"
        + (f" on {scorecard.corpus}" if scorecard.corpus else "")
    ]
    if scorecard.passed is not None:
        lines += ["", f"Gate: **{'PASS' if scorecard.passed else 'FAIL'}**"]
    lines += ["", "| metric | value | threshold | status |", "|---|---:|---:|---|"]
    names = sorted(gates) + [k for k in scorecard.metrics if k not in gates]
    for k in names:
        g = gates.get(k)
        value = g.value if g is not None else _value(scorecard, k)
        thr = _fmt(g.threshold) if g is not None else ""
        status = ("pass" if g.passed else "FAIL") if g is not None else "recorded"
        lines.append(f"| {k} | {_fmt(value)} | {thr} | {status} |")
    if scorecard.by_kind:
        cols = sorted({m for v in scorecard.by_kind.values() for m in v})
        lines += ["", "| kind | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
        for kind, row in scorecard.by_kind.items():
            cells = [
                _fmt(int(row[c]) if c.startswith("n_") or c == "kind_mismatch" else row[c]) for c in cols
            ]
            lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    if scorecard.faults:
        lines += ["", "| fault | caught by | clean | faulted | caught |", "|---|---|---:|---:|---|"]
        lines += [
            f"| {f} | {s.metric} | {_fmt(s.before)} | {_fmt(s.after)} | {'yes' if s.caught else 'NO'} |"
            for f, s in scorecard.faults.items()
        ]
    if scorecard.counts:
        lines += ["", "| count | n |", "|---|---:|"]
        lines += [f"| {k} | {n} |" for k, n in scorecard.counts.items()]
    if scorecard.notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in scorecard.notes]
    return "\n".join(lines) + "\n"

"""Deterministic, offline grounding metrics.

Every function here is pure: it reads documents, evidence items and gold items
and returns a small pydantic result with the rate, the counts behind it and the
ids that failed. Nothing calls a network or loads a model; the one metric that
compares meanings (`claim_support`) takes its embedder as an argument.

Conventions shared by all metrics

* A rate with an empty denominator is 0.0, never a vacuous 1.0, so an empty run
  cannot pass a gate.
* Items with zero citations (built with `model_construct`/`model_copy`, since the
  schema itself requires one) are *ungrounded*: they add no citations to the
  citation-level rates, but every item-level rate (recall, support, speaker
  attribution) counts them as failures.
* Offsets are checked against `Document.text`, the canonical text every
  citation indexes into. The passage an item claims (`passage_id`) is never
  trusted; the passage is looked up from the cited span.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NotRequired, Protocol, TypedDict

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from segscribe.evals.gold import GoldItem
from segscribe.schemas.document import EVIDENCE_VOICES, VERBATIM_VOICES, Document
from segscribe.schemas.evidence import Citation, EvidenceBase, EvidenceKind

#: Embeds a batch of texts; returns one L2-normalised row per text.
Embedder = Callable[[list[str]], np.ndarray]

#: Evidence kinds, in schema order; every by-kind breakdown lists all of them.
KINDS: tuple[str, ...] = tuple(k.value for k in EvidenceKind)

#: A citation longer than this many times its gold span counts as wrong for precision.
MAX_LENGTH_RATIO = 3.0

#: Default similarity an (output, gold) pair needs to count as matched.
MATCH_THRESHOLD = 0.6


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


# --------------------------------------------------------------------------- helpers


def _rate(num: int, den: int) -> float:
    return num / den if den else 0.0


def citations_of(item: Any) -> list[Citation]:
    """The item's citations; `[]` for items built without any."""
    cits = getattr(item, "citations", None)
    return list(cits) if cits else []


def kind_of(item: Any) -> str:
    """The item's evidence kind as a plain string (`""` when it has none)."""
    return str(getattr(item, "kind", "") or "")


def _dedupe(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def span_valid(c: Citation, docs: Mapping[str, Document]) -> bool:
    """The cited document exists and `0 <= start < end <= len(text)`."""
    doc = docs.get(c.doc_id)
    return doc is not None and 0 <= c.start < c.end <= len(doc.text)


def quote_exact(c: Citation, docs: Mapping[str, Document]) -> bool:
    """Strict check: the span is valid and `text[start:end] == quote`."""
    return span_valid(c, docs) and docs[c.doc_id].text[c.start : c.end] == c.quote


def overlap_len(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Number of characters two half-open spans share."""
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def span_jaccard(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    """Jaccard index of two character spans: |A ∩ B| / |A ∪ B|."""
    inter = overlap_len(a_start, a_end, b_start, b_end)
    union = (a_end - a_start) + (b_end - b_start) - inter
    return inter / union if union > 0 else 0.0


_PUNCT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_WS = re.compile(r"\s+")


def normalise_text(s: str) -> str:
    """NFKC, curly quotes/apostrophes/dashes to ASCII, whitespace collapsed, casefolded."""
    s = unicodedata.normalize("NFKC", s).translate(_PUNCT)
    return _WS.sub(" ", s).strip().casefold()


# --------------------------------------------------------------------------- 1. quote exactness


class QuoteExactnessResult(_Result):
    """Metric 1. Strict: `text[start:end] == quote`. Normalised (diagnostic only): the
    normalised quote occurs anywhere in the normalised text of the cited document."""

    n_citations: int
    n_strict: int
    n_normalised: int
    strict_rate: float
    normalised_rate: float
    n_items_without_citations: int
    strict_failures: list[str]
    """Ids of items with at least one citation that fails the strict check."""
    normalised_failures: list[str]
    """Ids of items with at least one citation whose quote is not found even after normalising."""


def quote_exactness(items: Sequence[EvidenceBase], docs: Mapping[str, Document]) -> QuoteExactnessResult:
    """Share of citations whose quote is exactly the cited span (plus the normalised diagnostic)."""
    norm_docs: dict[str, str] = {}
    n = strict = normalised = no_cits = 0
    strict_fail: list[str] = []
    norm_fail: list[str] = []
    for item in items:
        cits = citations_of(item)
        if not cits:
            no_cits += 1
        for c in cits:
            n += 1
            if quote_exact(c, docs):
                strict += 1
            else:
                strict_fail.append(item.id)
            doc = docs.get(c.doc_id)
            found = False
            if doc is not None:
                if c.doc_id not in norm_docs:
                    norm_docs[c.doc_id] = normalise_text(doc.text)
                q = normalise_text(c.quote)
                found = bool(q) and q in norm_docs[c.doc_id]
            if found:
                normalised += 1
            else:
                norm_fail.append(item.id)
    return QuoteExactnessResult(
        n_citations=n,
        n_strict=strict,
        n_normalised=normalised,
        strict_rate=_rate(strict, n),
        normalised_rate=_rate(normalised, n),
        n_items_without_citations=no_cits,
        strict_failures=_dedupe(strict_fail),
        normalised_failures=_dedupe(norm_fail),
    )


# --------------------------------------------------------------------------- 2. citation validity


class CitationValidityResult(_Result):
    """Metric 2: the cited document exists and `0 <= start < end <= len(text)`."""

    n_citations: int
    n_valid: int
    rate: float
    n_items_without_citations: int
    failures: list[str]


def citation_validity(items: Sequence[EvidenceBase], docs: Mapping[str, Document]) -> CitationValidityResult:
    """Share of citations that point at a real, in-bounds, non-empty span."""
    n = valid = no_cits = 0
    fails: list[str] = []
    for item in items:
        cits = citations_of(item)
        if not cits:
            no_cits += 1
        for c in cits:
            n += 1
            if span_valid(c, docs):
                valid += 1
            else:
                fails.append(item.id)
    return CitationValidityResult(
        n_citations=n,
        n_valid=valid,
        rate=_rate(valid, n),
        n_items_without_citations=no_cits,
        failures=_dedupe(fails),
    )


# --------------------------------------------------------------------------- 4. claim support (matching)


class MatchedPair(_Result):
    item_id: str
    gold_id: str
    similarity: float
    """max(cosine, span Jaccard)."""
    cosine: float
    overlap: float
    """Jaccard of the character spans (best citation in the gold item's document)."""
    kind_mismatch: bool


class KindSupport(_Result):
    n_output: int
    n_supported: int
    support: float
    n_gold: int
    n_covered: int
    coverage: float
    kind_mismatch: int
    """Matched pairs whose output item has this kind but the gold item another."""


class ClaimSupportResult(_Result):
    """Metric 4: output evidence matched one-to-one to gold items.

    * similarity(output, gold) = max(cosine of the quote embeddings, Jaccard of
      the character spans) when the output's primary citation is in the gold
      item's document, and -inf otherwise (different documents never match);
    * the pairing is the Hungarian assignment that maximises the summed
      similarity of pairs at or above `threshold` (pairs below it add nothing);
    * an assigned pair is *matched* when its similarity >= `threshold`;
    * kind is a soft constraint: a matched pair with different kinds still
      matches and is counted in `kind_mismatch`;
    * support = share of output items that are matched OR have a citation
      overlapping any gold span in the same document;
    * coverage = share of gold items that are matched.
    """

    threshold: float
    n_output: int
    n_gold: int
    n_matched: int
    n_supported: int
    n_covered: int
    support: float
    coverage: float
    kind_mismatch: int
    by_kind: dict[str, KindSupport]
    pairs: list[MatchedPair]
    unsupported: list[str]
    uncovered: list[str]

    @property
    def matches(self) -> dict[str, str]:
        """Output item id -> matched gold item id."""
        return {p.item_id: p.gold_id for p in self.pairs}


def _unit_rows(vecs: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return np.divide(vecs, norms, out=np.zeros_like(vecs), where=norms > 0)


def similarity_matrix(
    items: Sequence[EvidenceBase], gold: Sequence[GoldItem], embed: Embedder | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`(similarity, cosine, overlap)` matrices of shape (len(items), len(gold)).

    `similarity` is -inf for pairs in different documents (and for items without
    citations). With `embed=None` the cosine is taken as 0 (span overlap only).
    """
    n, m = len(items), len(gold)
    cos = np.zeros((n, m))
    ovl = np.zeros((n, m))
    same = np.zeros((n, m), dtype=bool)
    gold_idx_by_doc: dict[str, list[int]] = {}
    for j, g in enumerate(gold):
        gold_idx_by_doc.setdefault(g.doc_id, []).append(j)
    for i, item in enumerate(items):
        cits = citations_of(item)
        if not cits:
            continue
        for j in gold_idx_by_doc.get(cits[0].doc_id, []):
            g = gold[j]
            same[i, j] = True
            ovl[i, j] = max(
                (span_jaccard(c.start, c.end, g.start, g.end) for c in cits if c.doc_id == g.doc_id),
                default=0.0,
            )
    if embed is not None and same.any():
        texts = [g.quote for g in gold] + [citations_of(it)[0].quote for it in items if citations_of(it)]
        uniq = list(dict.fromkeys(texts))
        vecs = np.asarray(embed(uniq), dtype=float)
        if vecs.ndim != 2 or vecs.shape[0] != len(uniq):
            raise ValueError(f"embedder returned shape {vecs.shape} for {len(uniq)} texts")
        vecs = _unit_rows(vecs)
        row = {t: k for k, t in enumerate(uniq)}
        gold_vecs = vecs[[row[g.quote] for g in gold]]
        for i, item in enumerate(items):
            cits = citations_of(item)
            if cits:
                cos[i] = np.clip(gold_vecs @ vecs[row[cits[0].quote]], -1.0, 1.0)
    sim = np.where(same, np.maximum(cos, ovl), -np.inf)
    return sim, cos, ovl


def assign(sim: np.ndarray, threshold: float = MATCH_THRESHOLD) -> list[tuple[int, int]]:
    """Hungarian assignment on a similarity matrix; returns the (row, col) pairs >= threshold.

    Pairs below the threshold weigh 0, so the optimum maximises the summed
    similarity of acceptable pairs only (globally, unlike a greedy pass).
    """
    if sim.size == 0:
        return []
    weight = np.where(sim >= threshold, sim, 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if sim[r, c] >= threshold]


def _check_unique(ids: Sequence[str], what: str) -> None:
    dup = sorted(i for i, n in Counter(ids).items() if n > 1)
    if dup:
        raise ValueError(f"duplicate {what} ids: {dup[:5]}")


def claim_support(
    items: Sequence[EvidenceBase],
    gold: Sequence[GoldItem],
    embed: Embedder | None,
    threshold: float = MATCH_THRESHOLD,
) -> ClaimSupportResult:
    """Match output evidence to gold (see `ClaimSupportResult`) and report support and coverage."""
    _check_unique([it.id for it in items], "evidence")
    _check_unique([g.id for g in gold], "gold")
    sim, cos, ovl = similarity_matrix(items, gold, embed)
    pairs: list[MatchedPair] = []
    matched_items: set[int] = set()
    matched_gold: set[int] = set()
    for i, j in assign(sim, threshold):
        matched_items.add(i)
        matched_gold.add(j)
        pairs.append(
            MatchedPair(
                item_id=items[i].id,
                gold_id=gold[j].id,
                similarity=float(sim[i, j]),
                cosine=float(cos[i, j]),
                overlap=float(ovl[i, j]),
                kind_mismatch=kind_of(items[i]) != gold[j].kind.value,
            )
        )
    pairs.sort(key=lambda p: (p.item_id, p.gold_id))

    gold_by_doc: dict[str, list[GoldItem]] = {}
    for g in gold:
        gold_by_doc.setdefault(g.doc_id, []).append(g)
    supported: list[bool] = []
    for i, item in enumerate(items):
        ok = i in matched_items or any(
            overlap_len(c.start, c.end, g.start, g.end) > 0
            for c in citations_of(item)
            for g in gold_by_doc.get(c.doc_id, [])
        )
        supported.append(ok)

    idx_by_id = {it.id: i for i, it in enumerate(items)}
    mismatch_by_kind: dict[str, int] = {}
    for p in pairs:
        if p.kind_mismatch:
            k = kind_of(items[idx_by_id[p.item_id]])
            mismatch_by_kind[k] = mismatch_by_kind.get(k, 0) + 1
    by_kind: dict[str, KindSupport] = {}
    kinds = list(KINDS) + sorted({kind_of(it) for it in items} - set(KINDS))
    for k in kinds:
        out_idx = [i for i, it in enumerate(items) if kind_of(it) == k]
        gold_idx = [j for j, g in enumerate(gold) if g.kind.value == k]
        n_sup = sum(supported[i] for i in out_idx)
        n_cov = sum(j in matched_gold for j in gold_idx)
        by_kind[k] = KindSupport(
            n_output=len(out_idx),
            n_supported=n_sup,
            support=_rate(n_sup, len(out_idx)),
            n_gold=len(gold_idx),
            n_covered=n_cov,
            coverage=_rate(n_cov, len(gold_idx)),
            kind_mismatch=mismatch_by_kind.get(k, 0),
        )
    n_sup = sum(supported)
    return ClaimSupportResult(
        threshold=threshold,
        n_output=len(items),
        n_gold=len(gold),
        n_matched=len(pairs),
        n_supported=n_sup,
        n_covered=len(matched_gold),
        support=_rate(n_sup, len(items)),
        coverage=_rate(len(matched_gold), len(gold)),
        kind_mismatch=sum(p.kind_mismatch for p in pairs),
        by_kind=by_kind,
        pairs=pairs,
        unsupported=[it.id for it, ok in zip(items, supported, strict=True) if not ok],
        uncovered=[g.id for j, g in enumerate(gold) if j not in matched_gold],
    )


# --------------------------------------------------------------------------- 3. citation precision / recall


class PrecisionRecallResult(_Result):
    """Metric 3, measured over the OUTPUT (claims and their citations).

    A citation is *correct* when its claim was matched to a gold item (metric 4)
    and the citation is in that gold item's document, overlaps its span, and is
    at most `max_length_ratio` times as long as the gold span (so citing a
    whole document never pays; exactly 3x is still fine, 3x+1 is not).

    * precision = correct citations / all output citations;
    * recall = output claims with at least one correct citation / all output
      claims (claims without citations count as not recalled);
    * gold_recall (diagnostic) = gold items whose matched claim has a correct
      citation / all gold items.
    """

    max_length_ratio: float
    n_citations: int
    n_correct: int
    precision: float
    n_claims: int
    n_recalled: int
    recall: float
    n_gold: int
    n_gold_recalled: int
    gold_recall: float
    wrong_citations: list[str]
    """Ids of claims with at least one wrong citation."""
    unrecalled: list[str]
    """Ids of claims without a correct citation."""


def citation_correct(c: Citation, g: GoldItem, max_length_ratio: float = MAX_LENGTH_RATIO) -> bool:
    """Same document, overlapping span, and no longer than `max_length_ratio` x the gold span."""
    return (
        c.doc_id == g.doc_id
        and overlap_len(c.start, c.end, g.start, g.end) > 0
        and (c.end - c.start) <= max_length_ratio * (g.end - g.start)
    )


def citation_precision_recall(
    items: Sequence[EvidenceBase],
    gold: Sequence[GoldItem],
    matches: Mapping[str, str] | None = None,
    *,
    embed: Embedder | None = None,
    threshold: float = MATCH_THRESHOLD,
    max_length_ratio: float = MAX_LENGTH_RATIO,
) -> PrecisionRecallResult:
    """Citation precision and recall given the output->gold `matches` (item id -> gold id).

    When `matches` is None it is computed with `claim_support(items, gold, embed, threshold)`.
    """
    if matches is None:
        matches = claim_support(items, gold, embed, threshold).matches
    gold_by_id = {g.id: g for g in gold}
    unknown = sorted(set(matches.values()) - set(gold_by_id))
    if unknown:
        raise ValueError(f"matches name unknown gold ids: {unknown[:5]}")
    n_cits = n_correct = n_recalled = 0
    wrong: list[str] = []
    unrecalled: list[str] = []
    gold_recalled: set[str] = set()
    for item in items:
        g = gold_by_id.get(matches[item.id]) if item.id in matches else None
        any_ok = False
        for c in citations_of(item):
            n_cits += 1
            if g is not None and citation_correct(c, g, max_length_ratio):
                n_correct += 1
                any_ok = True
            else:
                wrong.append(item.id)
        if any_ok:
            n_recalled += 1
            if g is not None:
                gold_recalled.add(g.id)
        else:
            unrecalled.append(item.id)
    return PrecisionRecallResult(
        max_length_ratio=max_length_ratio,
        n_citations=n_cits,
        n_correct=n_correct,
        precision=_rate(n_correct, n_cits),
        n_claims=len(items),
        n_recalled=n_recalled,
        recall=_rate(n_recalled, len(items)),
        n_gold=len(gold),
        n_gold_recalled=len(gold_recalled),
        gold_recall=_rate(len(gold_recalled), len(gold)),
        wrong_citations=_dedupe(wrong),
        unrecalled=unrecalled,
    )


# --------------------------------------------------------------------------- 5. persona grounding


class ClaimField(TypedDict):
    """One persona field and the evidence behind it."""

    field: str
    evidence_ids: list[str]
    not_in_data: bool


class PersonaClaims(TypedDict):
    """What `persona_grounding` needs from a persona (adapt persona objects to this)."""

    segment: str
    claims: list[ClaimField]
    id: NotRequired[str]


class ClaimLike(Protocol):
    @property
    def field(self) -> str: ...
    @property
    def evidence_ids(self) -> Sequence[str]: ...
    @property
    def not_in_data(self) -> bool: ...


class PersonaLike(Protocol):
    """Attribute-style alternative to `PersonaClaims` (an optional `id` is used in reports)."""

    @property
    def segment(self) -> str: ...
    @property
    def claims(self) -> Sequence[ClaimField | ClaimLike]: ...


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


class FieldFailure(_Result):
    persona: str
    field: str
    reasons: list[str]


class PersonaGroundingResult(_Result):
    """Metric 5. A claimed field (not marked not_in_data) is grounded when it has at
    least one evidence id and EVERY id resolves to an evidence item whose citations
    are all strictly exact, whose primary span lies in a participant/customer
    passage, and whose cited documents all belong to the persona's segment."""

    n_fields: int
    n_not_in_data: int
    n_claimed: int
    n_grounded: int
    grounded_rate: float
    """n_grounded / n_claimed."""
    not_in_data_rate: float
    """n_not_in_data / n_fields."""
    failures: list[FieldFailure]


def _evidence_problems(
    eid: str,
    evidence_by_id: Mapping[str, EvidenceBase],
    docs: Mapping[str, Document],
    segment: str,
    segment_of_doc: Mapping[str, str],
) -> list[str]:
    item = evidence_by_id.get(eid)
    if item is None:
        return [f"unknown evidence id {eid!r}"]
    cits = citations_of(item)
    if not cits:
        return [f"evidence {eid!r} has no citations"]
    problems: list[str] = []
    for c in cits:
        if not quote_exact(c, docs):
            problems.append(f"evidence {eid!r}: quote is not exactly {c.doc_id}[{c.start}:{c.end}]")
        seg = segment_of_doc.get(c.doc_id)
        if seg is None:
            problems.append(f"evidence {eid!r}: document {c.doc_id!r} has no segment")
        elif str(seg) != str(segment):
            problems.append(f"evidence {eid!r}: document {c.doc_id!r} is in segment {seg!r}, not {segment!r}")
    primary = cits[0]
    doc = docs.get(primary.doc_id)
    passage = doc.passage_at(primary.start, primary.end) if doc is not None else None
    if passage is None or passage.voice not in EVIDENCE_VOICES:
        role = passage.voice.value if passage is not None else "no single passage"
        problems.append(f"evidence {eid!r}: primary span is not participant/customer words or notes ({role})")
    return _dedupe(problems)


def persona_grounding(
    personas: Sequence[PersonaClaims | PersonaLike | Mapping[str, Any]],
    evidence_by_id: Mapping[str, EvidenceBase],
    docs: Mapping[str, Document],
    segment_of_doc: Mapping[str, str],
) -> PersonaGroundingResult:
    """Share of persona claim fields fully grounded in exact participant/customer quotes of the segment."""
    n_fields = n_nid = n_claimed = n_ok = 0
    failures: list[FieldFailure] = []
    for pi, persona in enumerate(personas):
        pid = str(_get(persona, "id", None) or _get(persona, "name", None) or f"persona-{pi}")
        segment = _get(persona, "segment", "")
        for claim in _get(persona, "claims", None) or []:
            n_fields += 1
            field = str(_get(claim, "field", ""))
            if _get(claim, "not_in_data", False):
                n_nid += 1
                continue
            n_claimed += 1
            ids = list(_get(claim, "evidence_ids", None) or [])
            reasons = ["no evidence ids"] if not ids else []
            for eid in ids:
                reasons += _evidence_problems(str(eid), evidence_by_id, docs, segment, segment_of_doc)
            if reasons:
                failures.append(FieldFailure(persona=pid, field=field, reasons=reasons))
            else:
                n_ok += 1
    return PersonaGroundingResult(
        n_fields=n_fields,
        n_not_in_data=n_nid,
        n_claimed=n_claimed,
        n_grounded=n_ok,
        grounded_rate=_rate(n_ok, n_claimed),
        not_in_data_rate=_rate(n_nid, n_fields),
        failures=failures,
    )


# --------------------------------------------------------------------------- 6. segment recovery


class SegmentRecoveryResult(_Result):
    """Metric 6: agreement of predicted and gold segment labels on the shared doc ids."""

    n: int
    ari: float
    nmi: float
    n_pred_only: int
    n_gold_only: int


def segment_recovery(pred: Mapping[str, Any], gold: Mapping[str, Any]) -> SegmentRecoveryResult:
    """Adjusted Rand index and normalised mutual information (sklearn) on the intersection of ids.

    Labels are compared as strings, so they only need to be consistent within each side.
    With no shared ids both scores are 0.0.
    """
    shared = sorted(set(pred) & set(gold))
    if shared:
        p = [str(pred[k]) for k in shared]
        g = [str(gold[k]) for k in shared]
        ari = float(adjusted_rand_score(g, p))
        nmi = float(normalized_mutual_info_score(g, p))
    else:
        ari = nmi = 0.0
    return SegmentRecoveryResult(
        n=len(shared),
        ari=ari,
        nmi=nmi,
        n_pred_only=len(set(pred) - set(gold)),
        n_gold_only=len(set(gold) - set(pred)),
    )


# --------------------------------------------------------------------------- 7. speaker attribution


class SpeakerAttributionResult(_Result):
    """Metric 7: share of evidence items whose every cited span lies entirely inside one
    participant/customer passage of the cited document (must be 100%)."""

    n_items: int
    n_attributed: int
    rate: float
    failures: list[str]


def speaker_attribution(
    items: Sequence[EvidenceBase], docs: Mapping[str, Document]
) -> SpeakerAttributionResult:
    """Catches interviewer/agent lines attributed to the participant (and uncited items)."""
    ok = 0
    fails: list[str] = []
    for item in items:
        cits = citations_of(item)
        good = bool(cits)
        for c in cits:
            if not span_valid(c, docs):
                good = False
                break
            passage = docs[c.doc_id].passage_at(c.start, c.end)
            # Evidence must come from an evidence voice, and say which one: notes are never passed off as
            # a participant's own words.
            claimed = getattr(item, "voice", None)
            if passage is None or passage.voice not in EVIDENCE_VOICES or (
                    claimed in VERBATIM_VOICES and passage.voice not in VERBATIM_VOICES):
                good = False
                break
        if good:
            ok += 1
        else:
            fails.append(item.id)
    return SpeakerAttributionResult(
        n_items=len(items), n_attributed=ok, rate=_rate(ok, len(items)), failures=fails
    )


# --------------------------------------------------------------------------- toy embedder


_TOKEN = re.compile(r"\w+")


def hashed_bow_embedder(dim: int = 512) -> Embedder:
    """A deterministic hashed bag-of-words embedder (md5 buckets, L2-normalised rows).

    For tests and the fault-injection self-test only: it sees shared words, not meaning.
    """

    def embed(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), dim))
        for i, t in enumerate(texts):
            for tok in _TOKEN.findall(normalise_text(t)):
                h = int.from_bytes(hashlib.md5(tok.encode("utf-8")).digest()[:8], "big")
                out[i, h % dim] += 1.0
        return _unit_rows(out)

    return embed

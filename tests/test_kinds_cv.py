"""The embedding-layer CV harness: folds by source, threshold tuning on training units, the sample guard."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from segscribe.evals import kinds_cv as C
from segscribe.evals.kinds import Unit
from segscribe.evals.kinds_prototypes import PROTOTYPES

# Invented units, two per source: the rules call some goals pains and miss others.
GOLD = ["goal", "pain", "goal", "pain", "goal", "none", "goal", "pain", "goal", "observation"]
RULES = ["pain", "pain", "pain", "pain", "none", "none", "pain", "pain", "none", "observation"]


class Oracle:
    """A layer whose scores know the gold kind (or know nothing when `blind`)."""

    name = "linear"

    def __init__(self, blind: bool = False) -> None:
        self.blind = blind

    def fit(self, dev: C.Dev, train: Sequence[int]) -> Oracle:
        return self

    def scores(self, dev: C.Dev, idx: Sequence[int]) -> np.ndarray:
        out = np.full((len(idx), len(C.ALL)), 0.125)
        if not self.blind:
            for r, i in enumerate(idx):
                out[r, C.ALL.index(GOLD[i])] = 1.0
        return out


def _dev() -> C.Dev:
    units = [Unit(f"s{n // 2}", 10 * n, 10 * n + 8, g, "participant") for n, g in enumerate(GOLD)]
    cands = [C.Candidate(u.source, u.start, u.end, f"sentence {n}", k, None if k != "none" else
                         "no cue above threshold") for n, (u, k) in enumerate(zip(units, RULES, strict=True))]
    return C.Dev(units, ["kinds_dev.jsonl"] * len(units), cands, C._links(units, cands), np.zeros((len(units), 4)))


def test_only_development_samples_are_read() -> None:
    with pytest.raises(SystemExit, match="not a development sample"):
        C.load_units(["kinds_sample.jsonl"])


def test_folds_keep_sources_whole_and_balanced() -> None:
    sources = ["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 3 + ["e"] * 2 + ["f"]
    fold = C.balanced_folds(sources, 3)
    load = [sum(1 for s in sources if fold[s] == k) for k in range(3)]
    assert set(fold) == set("abcdef") and max(load) - min(load) <= 1
    assert fold == C.balanced_folds(list(reversed(sources)), 3)  # order of the units does not matter


def test_units_take_the_emitted_kind_of_their_sentence() -> None:
    dev = _dev()
    assert C.to_units(dev, RULES) == RULES


def test_informative_layer_is_tuned_to_fix_kinds_and_a_blind_one_changes_nothing() -> None:
    dev = _dev()
    train, test = list(range(6)), list(range(6, 10))
    fixed, params = C.predict(dev, Oracle(), train, test)  # type: ignore[arg-type]
    assert params[1] != C.OFF and [fixed[n] for n in test] == GOLD[6:]
    same, params = C.predict(dev, Oracle(blind=True), train, test)  # type: ignore[arg-type]
    assert same == RULES and params == (C.OFF, C.OFF, C.OFF)


def test_prototypes_are_general_english() -> None:
    assert set(PROTOTYPES) == set(C.ALL) and all(20 <= len(v) <= 40 for v in PROTOTYPES.values())
    text = " ".join(t for v in PROTOTYPES.values() for t in v).lower()
    for word in ("veteran", "claim", "appointment", "doctor", "clinic", "music", "artist", "painting"):
        assert word not in text

"""Is a written claim supported by the evidence it cites? The check every LLM gate uses.

A model can cite ids that exist and still say something the evidence does not ("has no pains at all" citing
a quote about approvals stuck for days). Offline, with no judge model, support is checked two ways, and a
claim must pass both against at least one cited item:

1. Meaning: cosine similarity of sentence embeddings (the bundled MiniLM model) at least MIN_SIMILARITY.
2. Words: the claim shares at least one content word (stop words removed, simple stemming) with the item.

These are deliberately simple, documented rules: they catch claims about something else and invented
content, not every subtle misreading (a negated paraphrase of the same words can still pass).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from segscribe.pipeline.keyphrases import stopwords

Embed = Callable[[list[str]], np.ndarray]

#: MiniLM cosine below which a sentence and a quote are about different things. Set by reading pairs from the
#: shared studies' notes: paraphrases of one observation score 0.5-0.8, sentences about different topics of the
#: same study 0.1-0.35.
MIN_SIMILARITY = 0.4
_WORD = re.compile(r"[a-z][a-z'’-]+")


@dataclass(frozen=True)
class Support:
    ok: bool
    similarity: float
    shared_words: tuple[str, ...]
    reason: str


def _stem(word: str) -> str:
    word = word.replace("’", "'").removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    stop = stopwords()
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in stop and len(w) > 2}


def check_support(claim: str, cited: Sequence[str], embed: Embed) -> Support:
    """Whether `claim` is supported by at least one of the `cited` texts (meaning and words agree)."""
    if not cited:
        return Support(False, 0.0, (), "cites no evidence")
    vecs = embed([claim, *cited])
    sims = [float(vecs[0] @ v) for v in vecs[1:]]
    words = content_words(claim)
    best: Support | None = None
    for text, sim in sorted(zip(cited, sims, strict=True), key=lambda x: -x[1]):
        shared = tuple(sorted(words & content_words(text)))
        ok = sim >= MIN_SIMILARITY and bool(shared)
        cand = Support(ok, round(sim, 4), shared, "supported" if ok else _why(sim, shared))
        if ok:
            return cand
        best = best or cand
    assert best is not None
    return best


def _why(sim: float, shared: tuple[str, ...]) -> str:
    if sim < MIN_SIMILARITY:
        return f"says something the cited evidence does not (similarity {sim:.2f} < {MIN_SIMILARITY})"
    return "shares no content word with the cited evidence"

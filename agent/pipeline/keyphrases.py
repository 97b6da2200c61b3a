"""Readable labels for groups of sentences: multi-word key phrases, distinctive and not redundant.

Candidates are word n-grams (1-3 words) that neither start nor end with a stop word. Each group's
candidates are scored by class-based TF-IDF (how much more a group uses a phrase than the others, as in
BERTopic), longer phrases get a small bonus because they read better, and a few are picked by maximal
marginal relevance so that "check-in", "pre check-in" and "check-in task" do not fill one label.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

_TOKEN = re.compile(r"(?<![a-z0-9])(?:[a-z][a-z0-9'’.-]*[a-z0-9]|[a-z])")  # "15th" gives no "th"
#: A pronoun or verb contraction ("we'll", "haven't", "they've", "i'd") is a function word, whatever the list has;
#: a possessive ("doctor's") is not.
_CONTRACTION = re.compile(r"(?:n't|'ll|'ve|'re|'d|'m)$")
#: Score bonus per extra word: a two-word phrase beats a single word used somewhat more often.
LENGTH_BONUS = 0.6
#: Weight of relevance against redundancy when picking the next phrase.
MMR_LAMBDA = 0.7


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    # Conversational fillers and note-taking shorthand carry no topic.
    extra = {"just", "really", "like", "know", "think", "going", "thing", "things", "yeah", "yes", "lot", "kind",
             "sort", "actually", "basically", "honestly", "pretty", "gonna", "stuff", "don't", "it's", "i'm",
             "that's", "we're", "they're", "i've", "can't", "doesn't", "didn't", "there's", "you're", "want",
             "wants", "wanted", "said", "says", "say", "maybe", "probably", "okay", "ok", "um", "uh", "oh", "got",
             "get", "gets", "way", "use", "used", "using", "make", "makes", "need", "needs", "would", "could",
             "able", "also", "feel", "felt", "sure", "good", "great", "nice", "bit", "little", "lots",
             "participant", "participants", "user", "users", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9",
             "mentioned", "noted", "seems", "seemed", "look", "looks", "looked", "thought", "guess",
             "wasn't", "isn't", "won't", "wouldn't", "i'd", "i'll", "let", "went", "goes", "did", "does",
             "one", "two", "time", "times", "right", "well", "mean", "something", "anything", "everything",
             "tell", "told", "ask", "asked", "put", "take", "took", "give", "gave", "come", "came", "keep",
             "kept", "try", "tried", "seen", "saying", "talk", "talking", "doing", "done",
             "gotta", "wanna", "kinda", "sorta", "yep", "nope", "hmm", "it'd", "that'd",
             # "help" is the generic verb of asking and of praise alike ("can you help", "it helps me"), like
             # "use" and "make" above; "helpful" is an evaluation and stays.
             "help", "helps", "helped", "helping"}
    return frozenset(ENGLISH_STOP_WORDS | extra)


def _tokens(text: str) -> list[str]:
    return [t.replace("’", "'") for t in _TOKEN.findall(text.lower())]


def content_words(text: str) -> list[str]:
    """The words of `text` that can name a topic: not stop words, fillers or contractions, 3+ letters."""
    stop = stopwords()
    return [t for t in _tokens(text) if t not in stop and len(t) >= 3 and not t.isdigit()
            and not _CONTRACTION.search(t)]


def candidates(text: str, max_words: int = 3) -> set[str]:
    """Phrases of 1..max_words words that neither start nor end with a stop word (each counted once)."""
    stop = stopwords()
    toks = _tokens(text)
    out: set[str] = set()
    for n in range(1, max_words + 1):
        for i in range(len(toks) - n + 1):
            gram = toks[i : i + n]
            if any(g in stop or _CONTRACTION.search(g) or len(g) < 2 or g.isdigit() for g in (gram[0], gram[-1])):
                continue
            out.add(" ".join(gram))
    return out


#: Endings that make another form of the same word ("write" / "writing", "image" / "images", "confusing" /
#: "confused").
_ENDINGS = frozenset({"", "s", "es", "d", "ed", "ing", "er", "ers", "ion", "ions", "ly", "e"})


def _same_word(a: str, b: str) -> bool:
    """Two forms of one word: a shared stem of at least 4 letters and only an inflection left on each."""
    if a == b:
        return True
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1

    def ending(w: str) -> str:  # "submitted": the doubled consonant belongs to the stem
        rest = w[n:]
        return rest[1:] if rest and rest[0] == w[n - 1] else rest

    return n >= 4 and ending(a) in _ENDINGS and ending(b) in _ENDINGS


def _overlap(a: str, b: str) -> float:
    """Share of the shorter phrase's words that the other phrase has, in any form."""
    wa, wb = a.split(), b.split()
    short, long = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return sum(any(_same_word(w, v) for v in long) for w in short) / len(short)


def label_groups(groups: Sequence[Sequence[str]], top: int = 2, min_lift: float = 0.0) -> list[list[str]]:
    """Up to `top` key phrases per group of texts (most relevant first).

    `min_lift` > 0 keeps, when the group has any, only phrases whose share of the group's texts is at least
    that many times their share of the other groups' texts. Class-based TF-IDF alone separates many groups
    well, but with two or three groups (segments) a phrase every group uses a lot can still lead them all."""
    counts = [Counter(c for text in g for c in candidates(text)) for g in groups]
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    avg = sum(sum(c.values()) for c in counts) / max(1, len(counts))
    all_texts = sum(len(g) for g in groups)
    out: list[list[str]] = []
    for c, texts in zip(counts, groups, strict=True):
        n = max(1, len(texts))
        scored = {p: (k / n) * math.log(1 + avg / total[p]) * (1 + LENGTH_BONUS * (p.count(" ")))
                  for p, k in c.items()}
        # A phrase used by one text only describes that text, not the group: prefer shared phrases, and
        # among those, lead with a multi-word phrase when the group has one.
        shared = {p: s for p, s in scored.items() if c[p] >= 2}
        pool = shared or scored
        if min_lift > 0:
            others = max(1, all_texts - len(texts))
            distinct = {p: s for p, s in pool.items() if c[p] / n >= min_lift * (total[p] - c[p]) / others}
            pool = distinct or pool
        multi = {p: s for p, s in pool.items() if " " in p}
        lead = max(multi, key=lambda p: (multi[p], p)) if multi and max(multi.values()) >= 0.5 * max(
            pool.values()) else None
        picked = _mmr(pool, top, lead)
        out.append(picked)
    return out


def _mmr(scored: dict[str, float], top: int, lead: str | None = None) -> list[str]:
    ranked = sorted(scored, key=lambda p: (-round(scored[p], 9), p))
    if not ranked:
        return []
    best = scored[ranked[0]] or 1.0
    picked = [lead or ranked[0]]
    for _ in range(top - 1):
        # A phrase inside a picked one, or made of the same words in other forms, adds nothing.
        rest = [p for p in ranked if p not in picked and not any(p in q or q in p or _overlap(p, q) == 1
                                                                 for q in picked)]
        if not rest:
            break
        nxt = max(rest, key=lambda p: (MMR_LAMBDA * scored[p] / best
                                       - (1 - MMR_LAMBDA) * max(_overlap(p, q) for q in picked), p))
        if scored[nxt] < 0.25 * best:
            break
        picked.append(nxt)
    return picked


def label_text(phrases: Sequence[str], fallback: str) -> str:
    return " · ".join(phrases) if phrases else fallback

"""Themes: cluster evidence by embedding, label clusters by class-based TF-IDF (as BERTopic does).

Deterministic for a given input and seed, including under input reordering:
items are sorted by id before clustering and clusters are numbered by size.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from segscribe.pipeline.clustering import cluster_rows
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.theme import Theme

Embed = Callable[[list[str]], np.ndarray]
_TOKEN = re.compile(r"[a-z][a-z'’-]{2,}")


def _stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = {"just", "really", "like", "know", "think", "going", "thing", "things", "yeah", "lot", "kind",
             "sort", "actually", "basically", "honestly", "pretty", "gonna", "stuff", "don't", "it's", "i'm",
             "that's", "we're", "they're", "i've", "can't", "doesn't", "didn't", "there's", "you're", "want"}
    return frozenset(ENGLISH_STOP_WORDS | extra)


def tokens(text: str, stop: frozenset[str]) -> list[str]:
    return [t.strip("'’-") for t in _TOKEN.findall(text.lower()) if t.strip("'’-") not in stop]


def ctfidf_terms(groups: Sequence[Sequence[str]], top: int = 3) -> list[list[str]]:
    """Top terms per group by c-TF-IDF: tf(t, c) * log(1 + A / f(t)), A = mean words per class."""
    stop = _stopwords()
    counts = [Counter(t for text in g for t in tokens(text, stop)) for g in groups]
    total = Counter[str]()
    for c in counts:
        total.update(c)
    avg = sum(sum(c.values()) for c in counts) / max(1, len(counts))
    out: list[list[str]] = []
    for c in counts:
        n = sum(c.values()) or 1
        scored = sorted(((c[t] / n) * math.log(1 + avg / total[t]), t) for t in c)
        ranked = sorted(scored, key=lambda x: (-round(x[0], 9), x[1]))
        out.append([t for _, t in ranked[:top]])
    return out


def choose_k_ward(vectors: np.ndarray, k_min: int, k_max: int, seed: int = 0,
                  sample: int = 2000) -> tuple[np.ndarray, int, float]:
    """Ward linkage once, cut at each k, keep the k with the best silhouette. Returns (labels, k, silhouette)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.metrics import silhouette_score

    n = len(vectors)
    if n < 3:
        return np.zeros(n, dtype=int), 1, 0.0
    tree = linkage(vectors.astype(np.float64), method="ward")
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=min(n, sample), replace=False))
    best: tuple[float, int, np.ndarray] | None = None
    for k in range(max(2, k_min), min(k_max, n - 1) + 1):
        labels = fcluster(tree, t=k, criterion="maxclust") - 1
        if len(set(labels[idx])) < 2:
            continue
        sil = float(silhouette_score(vectors[idx], labels[idx], metric="cosine"))
        if best is None or round(sil, 6) > round(best[0], 6):
            best = (sil, k, labels)
    if best is None:
        return np.zeros(n, dtype=int), 1, 0.0
    return best[2], best[1], best[0]


def relabel_by_size(labels: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """Number clusters by descending size, ties by their smallest member key (order-independent)."""
    members: dict[int, list[str]] = defaultdict(list)
    for lab, key in zip(labels.tolist(), keys, strict=True):
        members[lab].append(key)
    order = sorted(members, key=lambda c: (-len(members[c]), min(members[c])))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping[lab] for lab in labels.tolist()], dtype=int)


def owner(e: EvidenceBase) -> str:
    """Who an evidence item speaks for: participant, else customer, else the document."""
    return e.participant_id or e.customer_id or e.doc_id


def build_themes(evidence: Sequence[EvidenceBase], embed: Embed, *, k_min: int = 3, k_max: int = 12,
                 seed: int = 0, n_themes: int | None = None) -> list[Theme]:
    """Cluster evidence into themes with c-TF-IDF labels."""
    items = sorted(evidence, key=lambda e: e.id)
    if len(items) < 3:
        return []
    vecs = embed([e.quote for e in items])
    k_lo, k_hi = (n_themes, n_themes) if n_themes else (k_min, k_max)
    labels = cluster_rows(vecs, [e.id for e in items], k_lo, k_hi, seed=seed).labels
    labels = relabel_by_size(labels, [e.id for e in items])
    groups: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels.tolist()):
        groups[lab].append(i)
    order = sorted(groups)
    terms = ctfidf_terms([[items[i].quote for i in groups[c]] for c in order])
    n_docs = len({e.doc_id for e in items}) or 1
    themes: list[Theme] = []
    for c, top in zip(order, terms, strict=True):
        members = [items[i] for i in groups[c]]
        centroid = vecs[groups[c]].mean(axis=0)
        rep = members[int(np.argmax(vecs[groups[c]] @ centroid))]
        freq = Counter(owner(e) for e in members)
        themes.append(Theme(
            id=f"t{c + 1}", label=" / ".join(top) or f"theme {c + 1}", terms=top,
            evidence_ids=[e.id for e in members], kinds=dict(sorted(Counter(e.kind for e in members).items())),
            participants=len(freq), frequency_by_participant=dict(sorted(freq.items())),
            doc_share=round(len({e.doc_id for e in members}) / n_docs, 4), representative_id=rep.id,
        ))
    return themes

"""Ward clustering with k chosen by silhouette, in memory that grows linearly with the rows.

Up to `EXACT_MAX` rows, scipy's exact Ward linkage is used (its condensed distance matrix is O(n²):
6,000 rows take 144 MB). Above that, rows are first summarised by mini-batch k-means into at most
`MICRO_CLUSTERS` micro-clusters, and Ward's method runs on their centroids weighted by their sizes
(Lance-Williams with initial sizes, by the nearest-neighbour chain), which is what Ward would merge
first anyway: the tree above the micro-clusters is exact for those weighted points. Memory is
O(n·d + m²) for n rows, d dimensions and m micro-clusters.

Either way the silhouette that picks k is computed on one fixed sample of at most `SILHOUETTE_SAMPLE`
rows. Results are deterministic and independent of row order: rows are sorted by their keys first,
every random choice is seeded, and cluster numbers follow the sorted rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

EXACT_MAX = 6000
MICRO_CLUSTERS = 1000
SILHOUETTE_SAMPLE = 2000
Method = Literal["auto", "exact", "micro"]


@dataclass(frozen=True)
class Clustering:
    """Labels in the caller's row order (0..k-1, numbered by first row in key order)."""

    labels: np.ndarray
    k: int
    silhouette: float
    method: str


def cluster_rows(vectors: np.ndarray, keys: list[str], k_min: int, k_max: int, *, seed: int = 0,
                 method: Method = "auto", micro: int = MICRO_CLUSTERS, sample: int = SILHOUETTE_SAMPLE,
                 parsimony: float = 0.0) -> Clustering:
    """Cluster rows with Ward; k in [k_min, k_max] by cosine silhouette.

    The smallest k whose silhouette is within `parsimony` (a share) of the best is kept; 0 keeps the best.
    """
    n = len(vectors)
    if len(keys) != n:
        raise ValueError("one key per row is needed")
    if n < 3:
        return Clustering(np.zeros(n, dtype=int), 1, 0.0, "trivial")
    order = np.array(sorted(range(n), key=lambda i: keys[i]), dtype=np.int64)
    x = np.ascontiguousarray(vectors[order], dtype=np.float32)
    exact = method == "exact" or (method == "auto" and n <= EXACT_MAX)
    cuts, name = (_exact_cuts(x), "ward") if exact else (_micro_cuts(x, micro, seed), "micro-ward")
    labels_sorted, k, sil = _best_cut(x, cuts, k_min, k_max, seed, sample, parsimony)
    labels = np.empty(n, dtype=int)
    labels[order] = labels_sorted
    return Clustering(labels, k, sil, name)


# --------------------------------------------------------------------------- trees and their cuts


class _Cuts:
    """A Ward hierarchy over `parts` leaves; `rows` maps each row to its leaf."""

    def __init__(self, merges: list[tuple[int, int]], parts: int, rows: np.ndarray) -> None:
        self.merges, self.parts, self.rows = merges, parts, rows

    def labels(self, k: int) -> np.ndarray:
        """Row labels with k clusters: the first parts-k merges applied, numbered by first row."""
        parent = np.arange(self.parts)

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = int(parent[a])
            return a

        for a, b in self.merges[: max(0, self.parts - k)]:
            ra, rb = find(a), find(b)
            parent[max(ra, rb)] = min(ra, rb)
        roots = np.array([find(i) for i in range(self.parts)])[self.rows]
        _, first, inverse = np.unique(roots, return_index=True, return_inverse=True)
        rank = np.argsort(np.argsort(first))  # number clusters by their first row
        return rank[inverse].astype(int)


def _exact_cuts(x: np.ndarray) -> _Cuts:
    from scipy.cluster.hierarchy import linkage

    n = len(x)
    tree = linkage(x.astype(np.float64), method="ward")
    # scipy names the cluster made by merge i as n + i; map it to the smallest leaf inside it.
    rep = list(range(n)) + [0] * (n - 1)
    merges = []
    for i, (a, b, _, _) in enumerate(tree):
        ra, rb = rep[int(a)], rep[int(b)]
        merges.append((ra, rb))
        rep[n + i] = min(ra, rb)
    return _Cuts(merges, n, np.arange(n))


def _micro_cuts(x: np.ndarray, micro: int, seed: int) -> _Cuts:
    from scipy.sparse import csr_matrix
    from sklearn.cluster import MiniBatchKMeans

    m = min(micro, max(2, len(x) // 4))
    # Random seeding and three passes: micro-clusters only need to be small and tight, and k-means++ with a
    # thousand centres costs more than the whole fit. No reassignment: it draws random numbers mid-fit.
    km = MiniBatchKMeans(n_clusters=m, init="random", random_state=seed, batch_size=4096, n_init=1, max_iter=3,
                         init_size=min(len(x), 3 * m), reassignment_ratio=0.0)
    assign = km.fit_predict(x)
    used, assign = np.unique(assign, return_inverse=True)  # drop empty micro-clusters
    weights = np.bincount(assign).astype(np.float64)
    # Exact means of the members (the fitted centres are running estimates), summed through a sparse one-hot
    # product so no float64 copy of all rows is made.
    members = csr_matrix((np.ones(len(x), dtype=np.float32), (assign, np.arange(len(x)))), shape=(len(used), len(x)))
    centroids = np.asarray(members @ x, dtype=np.float64) / weights[:, None]
    return _Cuts(weighted_ward(centroids, weights), len(used), assign)


def weighted_ward(points: np.ndarray, weights: np.ndarray) -> list[tuple[int, int]]:
    """Ward merges of weighted points, cheapest first, by the nearest-neighbour chain.

    Uses the Lance-Williams update on Ward costs 2·wa·wb/(wa+wb)·|a-b|², so with unit weights the
    merges are scipy's `linkage(method="ward")` merges. Each merge keeps the smaller slot number.
    """
    m = len(points)
    w = weights.astype(np.float64).copy()
    dist = 2.0 * np.outer(w, w) / (w[:, None] + w[None, :]) * _sq_dists(points)
    np.fill_diagonal(dist, np.inf)
    active = np.ones(m, dtype=bool)
    done: list[tuple[float, int, int, int]] = []
    chain: list[int] = []
    while len(done) < m - 1:
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        a = chain[-1]
        b = int(np.argmin(dist[a]))
        if len(chain) > 1 and dist[a, chain[-2]] <= dist[a, b]:
            b = chain[-2]  # ties go back down the chain, so it always ends in a reciprocal pair
        if len(chain) < 2 or b != chain[-2]:
            chain.append(b)
            continue
        chain.pop()
        chain.pop()
        lo, hi = min(a, b), max(a, b)
        done.append((float(dist[a, b]), len(done), lo, hi))
        wk, dab = w, dist[lo, hi]
        new = ((w[lo] + wk) * dist[lo] + (w[hi] + wk) * dist[hi] - wk * dab) / (w[lo] + w[hi] + wk)
        active[hi] = False
        w[lo] += w[hi]
        new[~active] = np.inf
        new[lo] = np.inf
        dist[lo], dist[:, lo] = new, new
        dist[hi], dist[:, hi] = np.inf, np.inf
    done.sort()
    return [(lo, hi) for _, _, lo, hi in done]


def _sq_dists(p: np.ndarray) -> np.ndarray:
    norms = (p * p).sum(axis=1)
    return np.maximum(norms[:, None] + norms[None, :] - 2.0 * (p @ p.T), 0.0)


def _best_cut(x: np.ndarray, cuts: _Cuts, k_min: int, k_max: int, seed: int, sample: int,
              parsimony: float = 0.0) -> tuple[np.ndarray, int, float]:
    """Cut at every k in range and score each on one fixed sample; the smallest k within `parsimony` of the best
    silhouette wins (with 0, the best, ties to the smaller k)."""
    from sklearn.metrics import silhouette_score
    from sklearn.metrics.pairwise import cosine_distances

    n = len(x)
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=min(n, sample), replace=False))
    dists = cosine_distances(x[idx])
    scored: list[tuple[float, int, np.ndarray]] = []
    for k in range(max(2, k_min), min(k_max, cuts.parts, n - 1) + 1):
        labels = cuts.labels(k)
        if len(set(labels[idx].tolist())) < 2:
            continue
        scored.append((float(silhouette_score(dists, labels[idx], metric="precomputed")), k, labels))
    if not scored:
        return np.zeros(n, dtype=int), 1, 0.0
    return pick_parsimonious(scored, parsimony)


def pick_parsimonious(scored: list[tuple[float, int, np.ndarray]], parsimony: float
                      ) -> tuple[np.ndarray, int, float]:
    """(labels, k, silhouette) of the smallest k whose silhouette is within `parsimony` of the best.

    `scored` is (silhouette, k, labels) in increasing k. "Within" is measured on |best|, so a best silhouette
    at or below zero still qualifies itself (a share of a negative number would put the bar above it)."""
    top = max(round(s, 6) for s, _, _ in scored)
    sil, k, labels = next(t for t in scored if round(t[0], 6) >= top - parsimony * abs(top))
    return labels, k, sil


def split_oversized(labels: np.ndarray, limit: int, rounds: int,
                    regroup: Callable[[np.ndarray, int], np.ndarray | None]) -> np.ndarray:
    """Split every group of more than `limit` rows, round after round, until none is or `rounds` have passed.

    `regroup(rows, round)` gives sub-labels 0..k-1 for a group's row indices (or None to leave it whole); part 0
    keeps the group's label, the others take new ones. Themes and findings both use it: a catch-all group says
    nothing."""
    labels = labels.astype(int).copy()
    for r in range(rounds):
        big = sorted(lab for lab, n in Counter(labels.tolist()).items() if n > limit)
        if not big:
            break
        for lab in big:
            idx = np.flatnonzero(labels == lab)
            sub = regroup(idx, r)
            if sub is None:
                continue
            top = int(labels.max()) + 1
            labels[idx] = np.where(sub == 0, lab, top + sub - 1)
    return labels

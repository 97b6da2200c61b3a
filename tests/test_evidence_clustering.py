"""Evidence clustering at scale: weighted Ward is Ward, micro-clusters recover groups, order never matters."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.metrics import adjusted_rand_score

from segscribe.pipeline.clustering import _Cuts, cluster_rows, weighted_ward
from segscribe.pipeline.themes import choose_k_ward


def _groups(n_per: int, k: int, dim: int = 24, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k separated directions with noise, L2-normalised like sentence embeddings."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim)) * 3
    x = np.vstack([c + rng.normal(size=(n_per, dim)) for c in centres]).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True), np.repeat(np.arange(k), n_per)


@pytest.mark.parametrize("k", [2, 5, 11])
def test_weighted_ward_with_unit_weights_is_scipy_ward(k: int) -> None:
    x = np.random.default_rng(1).normal(size=(300, 6))
    ours = _Cuts(weighted_ward(x, np.ones(len(x))), len(x), np.arange(len(x))).labels(k)
    assert adjusted_rand_score(ours, fcluster(linkage(x, "ward"), k, "maxclust")) == 1.0


def test_weighted_point_is_the_same_as_repeated_points() -> None:
    x = np.random.default_rng(2).normal(size=(40, 5))
    repeated = np.repeat(x, 4, axis=0)
    ours = _Cuts(weighted_ward(x, np.full(40, 4.0)), 40, np.repeat(np.arange(40), 4))
    tree = linkage(repeated, "ward")
    for k in (2, 4, 9):
        assert adjusted_rand_score(ours.labels(k), fcluster(tree, k, "maxclust")) == 1.0


def test_exact_path_matches_the_previous_ward_selection() -> None:
    x, _ = _groups(30, 4)
    keys = [f"e{i:04d}" for i in range(len(x))]
    new = cluster_rows(x, keys, 2, 8)
    old_labels, old_k, old_sil = choose_k_ward(x, 2, 8)
    assert new.method == "ward" and new.k == old_k and abs(new.silhouette - old_sil) < 1e-5
    assert adjusted_rand_score(new.labels, old_labels) == 1.0


def test_micro_clusters_recover_groups_and_ignore_row_order() -> None:
    x, truth = _groups(400, 6)
    keys = [f"e{i:05d}" for i in range(len(x))]
    first = cluster_rows(x, keys, 2, 10, method="micro", micro=150)
    assert first.method == "micro-ward" and first.k == 6
    assert adjusted_rand_score(truth, first.labels) > 0.99
    perm = np.random.default_rng(3).permutation(len(x))
    second = cluster_rows(x[perm], [keys[i] for i in perm], 2, 10, method="micro", micro=150)
    by_key = dict(zip([keys[i] for i in perm], second.labels.tolist(), strict=True))
    assert [by_key[key] for key in keys] == first.labels.tolist()  # same labels, same numbers
    assert second.silhouette == first.silhouette


def test_auto_switches_to_micro_clusters_above_the_exact_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import segscribe.pipeline.clustering as clustering

    monkeypatch.setattr(clustering, "EXACT_MAX", 500)
    x, truth = _groups(150, 4)
    res = cluster_rows(x, [f"{i:04d}" for i in range(len(x))], 3, 6, micro=100)
    assert res.method == "micro-ward" and adjusted_rand_score(truth, res.labels) > 0.99


def test_memoised_embedder_survives_a_full_cache() -> None:
    """A call whose texts overflow the cache used to clear it and then miss the texts it had (KeyError)."""
    from segscribe.embed import memoise

    calls: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([[float(len(t)), 1.0] for t in texts])

    run = memoise(embed, max_items=3)
    run(["a", "bb"])
    out = run(["a", "ccc", "dddd"])  # "a" is cached, the two new ones overflow the cache
    assert out[:, 0].tolist() == [1.0, 3.0, 4.0] and calls[-1] == ["a", "ccc", "dddd"]


def test_memo_does_not_keep_a_call_larger_than_itself() -> None:
    """A call with more new texts than the memo may hold is computed and returned, and the memo keeps what it
    had (so a 100k-ticket run's evidence vectors are not all held by the memo)."""
    from segscribe.embed import memoise

    calls: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([[float(len(t)), 1.0] for t in texts])

    run = memoise(embed, max_items=3)
    run(["a"])
    big = ["bb", "ccc", "dddd", "eeeee"]
    assert run(big)[:, 0].tolist() == [2.0, 3.0, 4.0, 5.0]
    n = len(calls)
    assert run(["a"])[:, 0].tolist() == [1.0] and len(calls) == n  # still memoised
    run(["bb"])
    assert len(calls) == n + 1  # the big call's texts were not kept


def test_parsimony_prefers_the_smallest_k_close_to_the_best() -> None:
    x, _ = _groups(40, 4)
    keys = [f"e{i:04d}" for i in range(len(x))]
    best = cluster_rows(x, keys, 2, 8)
    assert best.k == 4
    assert cluster_rows(x, keys, 2, 8, parsimony=0.99).k == 2  # everything is within 99 % of the best

"""Clustering: k selection, canonical labels, reordering invariance, stability, Ward, assignment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segscribe.quant.cluster import ClusterConfig, bootstrap_stability, cluster_customers, infer_features
from segscribe.quant.profile import assign, build_segmentation
from segscribe.schemas.segment import Segmentation, SegmentConfig


def blobs(n_per: tuple[int, ...] = (60, 40, 25), seed: int = 0) -> pd.DataFrame:
    """Well separated groups in (spend, visits) with a plan column that follows the group."""
    rng = np.random.default_rng(seed)
    centres = [(0.0, 0.0), (10.0, 10.0), (0.0, 20.0)]
    plans = ["basic", "pro", "team"]
    frames = []
    for g, n in enumerate(n_per):
        frames.append(
            pd.DataFrame(
                {
                    "spend": rng.normal(centres[g][0], 1.0, n),
                    "visits": rng.normal(centres[g][1], 1.0, n),
                    "plan": plans[g],
                    "churn": ["Yes" if g == 0 else "No"] * n,
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "customer_id", [f"c{i:04d}" for i in rng.permutation(len(df))])
    return df


def cfg(**kw) -> ClusterConfig:
    base = dict(
        id_column="customer_id",
        numeric=["spend", "visits"],
        categorical=["plan"],
        bootstrap_rounds=5,
        n_init=4,
    )
    base.update(kw)
    return ClusterConfig(**base)


def test_k_selection_finds_the_groups_and_labels_are_canonical() -> None:
    res = cluster_customers(blobs(), cfg())
    assert res.k == 3
    assert max(res.k_scores, key=lambda k: res.k_scores[k]) == 3
    # Canonical labels: 1 is the largest cluster.
    assert res.labels.value_counts().sort_index().tolist() == [60, 40, 25]
    assert res.silhouette > 0.5
    assert set(res.silhouette_per_cluster) == {1, 2, 3}
    assert all(v > 0.9 for v in res.stability.values())
    assert res.unstable == []
    assert list(res.labels.index) == sorted(res.labels.index)


def test_shuffled_rows_give_identical_clusters() -> None:
    df = blobs()
    a = cluster_customers(df, cfg())
    b = cluster_customers(df.sample(frac=1.0, random_state=11), cfg())
    pd.testing.assert_series_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.centroids, b.centroids)
    assert a.stability == b.stability and a.k_scores == b.k_scores


def test_ward_matches_agglomerative_clustering() -> None:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import adjusted_rand_score

    from segscribe.quant.cluster import fit_space, sort_by_id, transform

    df = blobs((30, 20, 15), seed=2)
    res = cluster_customers(df, cfg(method="ward", k=3, bootstrap_rounds=3))
    data = sort_by_id(df, "customer_id")
    space, _ = fit_space(data, ["spend", "visits"], ["plan"])
    ref = AgglomerativeClustering(n_clusters=3, linkage="ward").fit_predict(transform(space, data))
    assert adjusted_rand_score(ref, res.labels.to_numpy()) == 1.0


def test_stability_flags_clusters_below_threshold() -> None:
    res = cluster_customers(blobs(), cfg(stability_threshold=1.01))
    assert res.unstable == [1, 2, 3]


def test_bootstrap_splits_a_homogeneous_blob_unstably() -> None:
    # One round Gaussian cloud forced into 3 clusters: cuts move between resamples.
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 2))
    from segscribe.quant.cluster import _fit, canonical_labels

    labels, _ = canonical_labels(X, _fit(X, 3, "kmeans", 0, 4))
    stab = bootstrap_stability(X, labels, 3, cfg(bootstrap_rounds=10))
    assert min(stab.values()) < max(cluster_customers(blobs(), cfg()).stability.values())


def test_blank_numeric_cells_are_filled_and_counted() -> None:
    df = blobs()
    df["spend"] = df["spend"].astype(object)
    df.loc[[0, 5, 9], "spend"] = " "
    res = cluster_customers(df, cfg(impute={"spend": 0.0}))
    assert res.missing == {"spend": 3}
    assert res.space.numeric[0].fill_value == 0.0
    res2 = cluster_customers(df, cfg())
    assert res2.space.numeric[0].fill_value == pytest.approx(
        pd.to_numeric(df["spend"], errors="coerce").median()
    )


def test_duplicate_or_blank_ids_are_errors() -> None:
    df = blobs()
    dup = pd.concat([df, df.head(2)])
    with pytest.raises(ValueError, match="2 duplicate ids"):
        cluster_customers(dup, cfg())
    df.loc[0, "customer_id"] = None
    with pytest.raises(ValueError, match="blank"):
        cluster_customers(df, cfg())


def test_infer_features_treats_numeric_text_as_numeric() -> None:
    df = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "total": ["1.5", " ", "3"],
            "kind": ["x", "y", "x"],
            "n": [1, 2, 3],
            "churn": ["Yes", "No", "No"],
        }
    )
    assert infer_features(df, exclude=["id", "churn"]) == (["total", "n"], ["kind"])


def test_segmentation_assigns_new_rows_to_nearest_centroid() -> None:
    df = blobs()
    seg = build_segmentation(
        df,
        SegmentConfig(
            id_column="customer_id",
            churn_column="churn",
            numeric=["spend", "visits"],
            categorical=["plan"],
            bootstrap_rounds=0,
            n_init=4,
        ),
    )
    # Named by what sets each cluster apart (its strongest lifts), never "Cluster 1".
    assert [s.name for s in seg.segments] == ["Basic · low visits", "Pro · high spend", "Team · high visits"]
    assert "churn" not in " ".join(seg.feature_space.feature_names())
    assert seg.segments[0].churn_rate == 1.0 and seg.segments[1].churn_rate == 0.0
    got = assign(seg, df)
    expected = {s.name: s.size for s in seg.segments}
    assert got.value_counts().to_dict() == expected
    # A brand-new row near group 2 ("pro", spend 10, visits 10) goes to the "pro" cluster.
    new = pd.DataFrame({"spend": [10.2], "visits": [9.8], "plan": ["pro"]})
    pro = next(s.name for s in seg.segments if any(a.level == "pro" for a in s.top_lifts))
    assert assign(seg, new).tolist() == [pro]


def test_churn_cannot_be_a_feature() -> None:
    with pytest.raises(ValueError, match="outcome"):
        build_segmentation(
            blobs(),
            SegmentConfig(
                id_column="customer_id",
                churn_column="churn",
                numeric=["spend"],
                categorical=["churn"],
                bootstrap_rounds=0,
            ),
        )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(min_value=6, max_value=40),
    k=st.integers(min_value=2, max_value=4),
    seed=st.integers(min_value=0, max_value=1000),
    method=st.sampled_from(["kmeans", "ward"]),
)
def test_clustering_output_is_always_mece(n: int, k: int, seed: int, method: str) -> None:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "customer_id": [f"id{i}" for i in range(n)],
            "x": rng.normal(size=n),
            "y": rng.integers(0, 3, n).astype(float),
            "c": rng.choice(["a", "b"], n),
        }
    )
    seg = build_segmentation(
        df,
        SegmentConfig(
            id_column="customer_id",
            method=method,
            k=k,
            numeric=["x", "y"],
            categorical=["c"],
            bootstrap_rounds=0,
            n_init=2,
        ),
    )
    assert seg.validation is not None and seg.validation.mece.ok
    assert sum(seg.assignment.counts.values()) == n == seg.assignment.assigned
    assert seg.assignment.unassigned == 0
    assert all(s.size and s.size > 0 for s in seg.segments)
    assert Segmentation.model_validate_json(seg.model_dump_json()) == seg  # no NaN in the JSON


def test_parsimony_with_negative_silhouettes_still_picks_a_cut() -> None:
    """A share of a negative best would put the bar above every k (StopIteration before the fix)."""
    from segscribe.pipeline.clustering import pick_parsimonious

    labels = {k: np.full(4, k) for k in (2, 3, 4)}
    scored = [(-0.020, 2, labels[2]), (-0.012, 3, labels[3]), (-0.011, 4, labels[4])]
    _, k, sil = pick_parsimonious(scored, 0.10)
    assert (k, sil) == (3, -0.012)  # -0.012 is within 10 % of |-0.011| below it; -0.020 is not
    assert pick_parsimonious([(0.5, 2, labels[2]), (0.54, 3, labels[3])], 0.10)[1] == 2


def test_a_catch_all_theme_above_the_exact_limit_is_split_in_linear_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """A catch-all bigger than EXACT_MAX rows is split through micro-clusters, never by exact Ward: an exact
    split of a 12,000-item catch-all at 30,000 items took 1.5 GB (25k-ticket benchmark: 2.9 GB at themes)."""
    import scipy.cluster.hierarchy as hierarchy

    from segscribe.pipeline import clustering, themes
    from segscribe.schemas.evidence import Citation, PainPoint

    exact = hierarchy.linkage
    seen: list[int] = []

    def bounded(y, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(len(y))
        assert len(y) <= clustering.EXACT_MAX, f"exact Ward on {len(y)} rows"
        return exact(y, *args, **kwargs)

    monkeypatch.setattr(hierarchy, "linkage", bounded)
    n = 16_000
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(6, 32)).astype(np.float32)
    lab = rng.choice(6, size=n, p=[0.5, 0.1, 0.1, 0.1, 0.1, 0.1])
    vecs = centers[lab] + 0.9 * rng.normal(size=(n, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    items = [PainPoint(id=f"e{i:05d}", kind="pain", summary="s", doc_id=f"d{i}", passage_id=f"p{i}", speaker="c",
                       citations=[Citation(doc_id=f"d{i}", start=0, end=12, quote=f"item {i:07d}")])
             for i in range(n)]
    by_quote = {it.quote: vecs[i] for i, it in enumerate(items)}
    found = themes.build_themes(items, lambda texts: np.stack([by_quote[t] for t in texts]))
    assert max(len(t.evidence_ids) for t in found) <= themes.MAX_THEME_SHARE * n

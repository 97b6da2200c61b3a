"""External acceptance checks on ../shared/data (evals/external.py).

The fast test only checks that every check skips cleanly without the data; the slow ones run the
checks for real and are skipped when the shared data is not there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from segscribe.evals import external as ext

needs_data = pytest.mark.skipif(not ext.DATA_DIR.is_dir(), reason="../shared/data is absent")


def test_checks_skip_cleanly_without_data(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"
    for fn in (ext.check_bitext, ext.check_telco, ext.check_retail, ext.check_creatives):
        res = fn(missing)
        assert res["skipped"] == "absent"
        assert str(missing) in res["path"]
    # No embedder is loaded when nothing needs one.
    res = ext.run_external_checks(missing)
    for key in ("bitext", "telco", "retail", "creatives"):
        assert res[key]["skipped"] == "absent"


@pytest.mark.slow
@needs_data
def test_retail_counts_and_sample_equality() -> None:
    res = ext.check_retail()
    if "skipped" in res:
        pytest.skip(res["path"])
    assert res["rows"] == 541_909
    assert res["customers"] == 4_372
    if "customers" in res["sample"]:
        assert res["sample"]["customers"] == 445
        assert res["sample"]["missing_in_full"] == 0
        assert res["sample"]["raw_rfm_equal_share"] == 1.0


@pytest.mark.slow
@needs_data
def test_telco_segments_differ_in_churn() -> None:
    res = ext.check_telco(bootstrap_rounds=2)
    if "skipped" in res:
        pytest.skip(res["path"])
    assert res["blank_total_charges_rows"] == 11
    assert res["rows"] == 7_043
    assert res["churn_spread"] is not None and res["churn_spread"] > 0.1


@pytest.mark.slow
@needs_data
def test_bitext_clusters_agree_with_category() -> None:
    res = ext.check_bitext(limit=1500)
    if "skipped" in res:
        pytest.skip(res["path"])
    for key in ("ward_silhouette", "ward_true_k", "kmeans_true_k_baseline"):
        assert 0.0 < res[key]["nmi"] <= 1.0
        assert -1.0 <= res[key]["ari"] <= 1.0
    assert res["ward_true_k"]["nmi"] > 0.3


@pytest.mark.slow
@needs_data
def test_creatives_quotes_exact_and_from_participants() -> None:
    res = ext.check_creatives(limit=10)
    if "skipped" in res:
        pytest.skip(res["path"])
    assert res["documents"] == 10
    assert res["evidence"] > 0
    assert res["quote_exactness_strict"] == 1.0
    assert res["participant_citation_share"] == 1.0

"""RFM on small hand-made tables: returns, C-invoices, blank ids, float-text ids, dates, grid."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segscribe.quant.rfm import (
    RFM_SEGMENT_GRID,
    RFM_SEGMENTS,
    compute_rfm,
    rfm_from_file,
    segment_for,
    segment_rule,
)
from segscribe.quant.rules import evaluate
from segscribe.quant.tables import TableError, load_transactions, normalise_customer_ids, prepare_transactions

ROOT = Path(__file__).resolve().parents[1]


def _raw() -> pd.DataFrame:
    rows = [
        # InvoiceNo, Quantity, InvoiceDate, UnitPrice, CustomerID
        ("1001", 2, "2024-01-05 10:00", 10.0, "17850.0"),
        ("1001", 1, "2024-01-05 10:00", 5.0, "17850.0"),  # same invoice: frequency counts it once
        ("1002", 1, "2024-02-01 09:00", 20.0, "17850"),  # same customer written as an integer
        ("C1003", -1, "2024-02-10 12:00", 20.0, "17850.0"),  # cancellation: subtracts, not a purchase
        ("1004", 3, "2024-01-20 08:00", 1.5, "12345.0"),
        ("1005", -2, "2024-01-25 08:00", 1.5, "12345.0"),  # return without a C: subtracts too
        ("C1006", -4, "2024-01-15 08:00", 2.0, "99999.0"),  # a customer with only a cancellation
        ("1007", 5, "2024-02-11 16:00", 1.0, ""),  # blank id: counted and excluded
        ("1008", 5, "2024-02-12 16:00", 1.0, None),  # missing id: same; last row of the table
    ]
    return pd.DataFrame(rows, columns=["InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"])


@pytest.fixture()
def rfm():
    return compute_rfm(prepare_transactions(_raw()))


def test_ids_are_normalised() -> None:
    s = normalise_customer_ids(pd.Series(["17850.0", " 17850 ", "", None, "A-1", "12.50", "7.000"]))
    assert s.tolist()[:2] == ["17850", "17850"]
    assert s.isna().tolist() == [False, False, True, True, False, False, False]
    assert s.tolist()[4:] == ["A-1", "12.50", "7"]  # only integer float text is shortened


def test_report_counts(rfm) -> None:
    r = rfm.report
    assert r.rows_read == 9
    assert r.rows_blank_customer == 2
    assert r.cancellation_rows == 3  # C1003, the return 1005, C1006
    assert r.customers == 3  # 17850, 12345 and the cancellation-only 99999
    assert r.customers_without_purchase == 1
    # Default analysis date: the day after the last transaction of the whole table (a blank-id row).
    assert r.analysis_date == date(2024, 2, 13)
    assert r.rows_after_analysis_date == 0 and r.rows_without_date == 0


def test_rfm_values(rfm) -> None:
    c = rfm.customers
    assert list(c.index) == ["12345", "17850", "99999"]
    a = c.loc["17850"]
    # Last purchase 2024-02-01 (the later C-invoice is not a purchase): 12 days to 2024-02-13.
    assert a["recency_days"] == 12
    assert a["frequency"] == 2
    assert a["monetary"] == pytest.approx(2 * 10 + 5 + 20 - 20)
    b = c.loc["12345"]
    assert b["frequency"] == 1 and b["monetary"] == pytest.approx(4.5 - 3.0)
    z = c.loc["99999"]
    assert z["frequency"] == 0 and z["monetary"] == pytest.approx(-8.0)
    assert z["recency_days"] == (date(2024, 2, 13) - date(2024, 1, 15)).days  # last activity


def test_explicit_analysis_date_excludes_later_rows() -> None:
    res = compute_rfm(prepare_transactions(_raw()), analysis_date="2024-02-01")
    assert res.report.analysis_date == date(2024, 2, 1)
    assert res.report.rows_after_analysis_date == 2  # 1002 (on the day) and C1003
    assert res.customers.loc["17850", "frequency"] == 1
    assert res.customers.loc["17850", "recency_days"] == 27


def test_rows_without_a_date_are_counted() -> None:
    raw = _raw()
    raw.loc[0, "InvoiceDate"] = None
    res = compute_rfm(prepare_transactions(raw))
    assert res.report.rows_without_date == 1 and res.report.rows_after_analysis_date == 0
    assert res.customers.loc["17850", "monetary"] == pytest.approx(5 + 20 - 20)


def test_quintile_scores_and_recency_direction() -> None:
    ids = [f"{i:02d}" for i in range(10)]
    tx = pd.DataFrame(
        {
            "customer_id": ids,
            "date": pd.to_datetime([f"2024-01-{d:02d}" for d in range(1, 11)]),
            "amount": [float(v) for v in range(10, 0, -1)],
        }
    )
    res = compute_rfm(tx)
    c = res.customers
    # Monetary 10..1: the two largest get 5, the two smallest 1.
    assert c["m_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    # Recency: customer 09 bought last (fewest days) -> R 5.
    assert c["r_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # All frequencies tie at 1: ranks follow id order, so scores still spread deterministically.
    assert c["f_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert c["fm_score"].tolist() == [
        (f + m + 1) // 2 for f, m in zip(c["f_score"], c["m_score"], strict=True)
    ]


def test_fm_rounds_half_up() -> None:
    # Five single-purchase customers: F follows id order (1..5); M follows the amounts.
    tx = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "date": pd.to_datetime(["2024-01-01"] * 5),
            "amount": [1.0, 3.0, 2.0, 4.0, 5.0],
        }
    )
    c = compute_rfm(tx).customers
    assert c["f_score"].tolist() == [1, 2, 3, 4, 5]
    assert c["m_score"].tolist() == [1, 3, 2, 4, 5]
    # b and c: (2 + 3) / 2 = 2.5 -> 3 half-up (Python's round() would give 2).
    assert c["fm_score"].tolist() == [1, 3, 3, 4, 5]


def test_single_customer_gets_middle_score() -> None:
    tx = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2024-01-01"]), "amount": [3.0]})
    c = compute_rfm(tx).customers
    assert c[["r_score", "f_score", "m_score"]].iloc[0].tolist() == [3, 3, 3]


def test_row_order_does_not_matter(rfm) -> None:
    shuffled = _raw().sample(frac=1.0, random_state=7).reset_index(drop=True)
    again = compute_rfm(prepare_transactions(shuffled))
    pd.testing.assert_frame_equal(rfm.customers, again.customers)
    assert again.report == rfm.report


def test_row_order_does_not_matter_with_ties() -> None:
    rng = np.random.default_rng(3)
    n = 400
    tx = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 60, n).astype(str),
            "invoice": rng.integers(0, 150, n).astype(str),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
            "amount": rng.choice([1.1, 2.2, 3.3, -1.1], n),
        }
    )
    a = compute_rfm(tx)
    b = compute_rfm(tx.sample(frac=1.0, random_state=1).reset_index(drop=True))
    pd.testing.assert_frame_equal(a.customers, b.customers)


def test_fixed_edges_make_scores_population_free(rfm) -> None:
    full = compute_rfm(prepare_transactions(_raw()))
    sub = compute_rfm(
        prepare_transactions(_raw()[_raw()["CustomerID"].fillna("").str.startswith("1")]),
        analysis_date=full.report.analysis_date,
        edges_from=full,
    )
    own = compute_rfm(prepare_transactions(_raw()), edges_from=full)
    cols = ["r_score", "f_score", "m_score", "segment"]
    pd.testing.assert_frame_equal(sub.customers[cols], own.customers.loc[sub.customers.index, cols])


def test_grid_covers_all_cells_with_eleven_names() -> None:
    cells = [RFM_SEGMENT_GRID[r][fm - 1] for r in range(1, 6) for fm in range(1, 6)]
    assert len(cells) == 25 and set(cells) == set(RFM_SEGMENTS) and len(RFM_SEGMENTS) == 11
    assert segment_for(5, 5) == "Champions" and segment_for(1, 1) == "Lost"
    assert segment_for(1, 5) == "Can't Lose Them" and segment_for(5, 1) == "New"


def test_segment_rules_reproduce_the_grid() -> None:
    cells = pd.DataFrame(
        [(r, fm) for r in range(1, 6) for fm in range(1, 6)], columns=["r_score", "fm_score"]
    )
    hits = pd.DataFrame({name: evaluate(segment_rule(name), cells) for name in RFM_SEGMENTS})
    assert (hits.sum(axis=1) == 1).all()  # each cell in exactly one segment
    for i, (r, fm) in cells.iterrows():
        assert hits.columns[hits.loc[i].to_numpy().argmax()] == segment_for(r, fm)


def test_docs_mirror_the_grid() -> None:
    text = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^\| ([1-5]) \| (.+) \|$", line)
        if m:
            rows[int(m.group(1))] = tuple(c.strip() for c in m.group(2).split("|"))
    assert rows == RFM_SEGMENT_GRID


def test_load_transactions_auto_detects_names(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "customerID": ["1.0", "2.0", ""],
            "created_at": ["2024-01-01", "2024-01-02", "2024-01-03"],
            "Amount": [10.0, 5.0, 1.0],
        }
    )
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    tx = load_transactions(path)
    assert tx.attrs["columns"] == {"customer_id": "customerID", "date": "created_at", "amount": "Amount"}
    res = rfm_from_file(path)
    assert res.report.rows_blank_customer == 1
    assert res.customers["frequency"].tolist() == [1, 1]  # no invoice column: purchases are rows
    pq = tmp_path / "t.parquet"
    df.to_parquet(pq)
    pd.testing.assert_frame_equal(rfm_from_file(pq).customers, res.customers)


def test_mapping_errors_name_the_column(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    pd.DataFrame({"who": ["1"], "when": ["2024-01-01"], "paid": [1.0]}).to_csv(path, index=False)
    with pytest.raises(TableError, match="customer_id"):
        load_transactions(path)
    with pytest.raises(TableError, match="'nope'"):
        load_transactions(path, {"customer_id": "nope"})
    tx = load_transactions(path, {"customer_id": "who", "date": "when", "amount": "paid"})
    assert tx["customer_id"].tolist() == ["1"]

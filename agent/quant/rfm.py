"""Recency, frequency, monetary per customer, quintile scores and named RFM segments.

Definitions (mirrored in docs/scoring.md):

- rows with a blank customer id are counted and excluded;
- a *cancellation row* is a row whose invoice id starts with ``C`` or whose quantity/amount is
  negative (a return); cancellation rows subtract from monetary but are not purchases;
- recency = whole days from the date of the last purchase to the analysis date (customers with
  only cancellations fall back to their last activity);
- frequency = distinct invoices with at least one purchase row (rows when there is no invoice id);
- monetary = sum of net line values (quantity x price), returns subtract;
- the analysis date defaults to the day after the last transaction in the table; transactions on
  or after a given analysis date, and rows without a date, are excluded and counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from segscribe.quant.tables import load_transactions

#: The R-score x FM-score grid, FM = round-half-up((F + M) / 2). One row per R score, giving the
#: segment for FM = 1, 2, 3, 4, 5. This is the widely used 11-segment grid; docs/scoring.md
#: mirrors it and tests check that both cover all 25 cells.
RFM_SEGMENT_GRID: Final[dict[int, tuple[str, str, str, str, str]]] = {
    5: ("New", "Potential Loyalist", "Loyal", "Champions", "Champions"),
    4: ("Promising", "Potential Loyalist", "Potential Loyalist", "Loyal", "Champions"),
    3: ("Promising", "Need Attention", "Potential Loyalist", "Loyal", "Loyal"),
    2: ("About to Sleep", "Need Attention", "Need Attention", "At Risk", "At Risk"),
    1: ("Lost", "Hibernating", "At Risk", "Can't Lose Them", "Can't Lose Them"),
}

#: Segment names in report order (best first).
RFM_SEGMENTS: Final[tuple[str, ...]] = (
    "Champions", "Loyal", "Potential Loyalist", "New", "Promising", "Need Attention",
    "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost",
)  # fmt: skip

# Monetary is summed in integer micro-units: exact, so the total does not depend on row order
# and a customer's value is bit-identical in the full file and in any sample of customers.
_MICRO = 1_000_000


@dataclass(frozen=True)
class RFMReport:
    """What was read and what was excluded."""

    rows_read: int
    rows_blank_customer: int
    cancellation_rows: int
    rows_after_analysis_date: int
    rows_without_date: int
    customers: int
    customers_without_purchase: int
    analysis_date: date
    first_date: date | None
    last_date: date | None

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        for key in ("analysis_date", "first_date", "last_date"):
            d[key] = d[key].isoformat() if d[key] is not None else None
        return d


@dataclass(frozen=True)
class RFMEdges:
    """Upper value edges of quintiles 1-4 (ascending values) per metric; the 5th bin is open."""

    recency: tuple[float, ...]
    frequency: tuple[float, ...]
    monetary: tuple[float, ...]


@dataclass(frozen=True)
class RFMResult:
    """Per-customer frame (index ``customer_id``, sorted) plus the report and quintile edges.

    Columns: recency_days, frequency, monetary, r_score, f_score, m_score, fm_score, rfm_code,
    segment.
    """

    customers: pd.DataFrame
    report: RFMReport
    edges: RFMEdges

    def segment_sizes(self) -> dict[str, int]:
        counts = self.customers["segment"].value_counts()
        return {name: int(counts.get(name, 0)) for name in RFM_SEGMENTS if counts.get(name, 0)}


def segment_for(r_score: int, fm_score: int) -> str:
    """Named segment of one (R, FM) cell of :data:`RFM_SEGMENT_GRID`."""
    return RFM_SEGMENT_GRID[r_score][fm_score - 1]


def segment_rule(name: str) -> str:
    """The grid cells of a segment as a rule over ``r_score`` and ``fm_score`` (for assignment)."""
    parts = []
    for r in sorted(RFM_SEGMENT_GRID, reverse=True):
        fms = [i + 1 for i, seg in enumerate(RFM_SEGMENT_GRID[r]) if seg == name]
        if fms:
            parts.append(f"(r_score == {r} and fm_score in {fms})")
    if not parts:
        raise ValueError(f"unknown RFM segment {name!r}; known: {', '.join(RFM_SEGMENTS)}")
    return " or ".join(parts)


def _to_day(value: date | datetime | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _quintile_bins(values: pd.Series) -> np.ndarray:
    """Bins 1..5 by rank; ``values`` must already be in customer-id order (ties by id)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.array([3])  # a single customer is neither top nor bottom
    ranks = values.rank(method="first")
    return pd.qcut(ranks, 5, labels=False).to_numpy().astype(np.int64) + 1


def _bin_edges(values: pd.Series, bins: np.ndarray) -> tuple[float, ...]:
    """Largest value in each of bins 1-4 (where the bin is non-empty)."""
    frame = pd.DataFrame({"v": values.to_numpy(), "b": bins})
    return tuple(float(v) for v in frame.groupby("b")["v"].max().sort_index().to_numpy()[:4])


def _fixed_bins(values: pd.Series, edges: tuple[float, ...]) -> np.ndarray:
    # A value equal to an edge belongs to the lower bin (edges are inclusive upper bounds).
    return np.searchsorted(np.asarray(edges, dtype=float), values.to_numpy(dtype=float), side="left") + 1


def cancellation_mask(tx: pd.DataFrame) -> pd.Series:
    """Rows that are cancellations or returns: invoice id starting with C, or a negative value."""
    cancel = tx["amount"].lt(0)
    if "quantity" in tx:
        cancel |= tx["quantity"].lt(0)
    if "invoice" in tx:
        cancel |= tx["invoice"].str.upper().str.startswith("C").fillna(False).astype(bool)
    return cancel


def _aggregate(tx: pd.DataFrame, cancel: pd.Series) -> pd.DataFrame:
    """Raw R inputs, F and M per customer from canonical transactions with known customers."""
    micro = np.rint(tx["amount"].to_numpy(dtype=float) * _MICRO).astype(np.int64)
    work = pd.DataFrame({"customer_id": tx["customer_id"].to_numpy(), "date": tx["date"].to_numpy(),
                         "micro": micro, "purchase": ~cancel.to_numpy()})
    by_cust = work.groupby("customer_id", sort=True)
    out = pd.DataFrame({"last_any": by_cust["date"].max(), "micro": by_cust["micro"].sum()})
    buys = work[work["purchase"]]
    out["last_purchase"] = buys.groupby("customer_id")["date"].max()
    if "invoice" in tx:
        inv = pd.DataFrame({"customer_id": tx["customer_id"].to_numpy()[~cancel.to_numpy()],
                            "invoice": tx["invoice"].to_numpy()[~cancel.to_numpy()]})
        freq = inv.drop_duplicates().groupby("customer_id").size()
    else:
        freq = buys.groupby("customer_id").size()
    out["frequency"] = freq.reindex(out.index, fill_value=0).astype(np.int64)
    return out


def _score(raw: pd.DataFrame, edges_from: RFMEdges | None) -> tuple[pd.DataFrame, RFMEdges]:
    out = raw.copy()
    bins = {}
    edges = {}
    for metric in ("recency_days", "frequency", "monetary"):
        key = metric.removesuffix("_days")
        if edges_from is None:
            bins[key] = _quintile_bins(out[metric])
            edges[key] = _bin_edges(out[metric], bins[key])
        else:
            edges[key] = getattr(edges_from, key)
            bins[key] = _fixed_bins(out[metric], edges[key])
    out["r_score"] = 6 - bins["recency"]  # fewer days since the last purchase = better
    out["f_score"] = bins["frequency"]
    out["m_score"] = bins["monetary"]
    # Half-up rounding of (F + M) / 2, as SQL's ROUND does in the published grid.
    out["fm_score"] = (out["f_score"] + out["m_score"] + 1) // 2
    out["rfm_code"] = (out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str))
    lookup = np.array([[""] * 6] + [[""] + list(RFM_SEGMENT_GRID[r]) for r in range(1, 6)], dtype=object)
    out["segment"] = lookup[out["r_score"].to_numpy(), out["fm_score"].to_numpy()]
    return out, RFMEdges(**edges)


def compute_rfm(
    transactions: pd.DataFrame,
    analysis_date: date | datetime | str | None = None,
    edges_from: RFMResult | RFMEdges | None = None,
) -> RFMResult:
    """RFM per customer from a canonical transaction frame (see ``tables.prepare_transactions``).

    Quintile scores are ranked within this population (ties broken by customer id), so they
    change with the population; pass ``edges_from`` (another result or its edges) to score
    against fixed value edges instead, which makes scores comparable across populations.
    """
    rows_read = len(transactions)
    if rows_read == 0:
        raise ValueError("the transaction table is empty; nothing to compute RFM from")
    known = transactions["customer_id"].notna()
    cancel = cancellation_mask(transactions)
    all_dates = transactions["date"]
    next_day = all_dates.max().normalize() + pd.Timedelta(days=1)
    day = _to_day(analysis_date) if analysis_date is not None else next_day
    before = all_dates < day  # False for missing dates too; those are counted separately
    keep = known & before
    if not keep.any():
        raise ValueError(
            f"no rows with a customer id before the analysis date {day.date()}; "
            "check the customer id column mapping and the analysis date"
        )
    raw = _aggregate(transactions[keep], cancel[keep])
    last = raw["last_purchase"].fillna(raw["last_any"])
    frame = pd.DataFrame(index=raw.index.rename("customer_id"))
    frame["recency_days"] = (day - last.dt.normalize()).dt.days.astype(np.int64)
    frame["frequency"] = raw["frequency"].astype(np.int64)
    frame["monetary"] = raw["micro"].astype(np.int64) / _MICRO
    edges = edges_from.edges if isinstance(edges_from, RFMResult) else edges_from
    scored, used_edges = _score(frame, edges)
    report = RFMReport(
        rows_read=rows_read,
        rows_blank_customer=int((~known).sum()),
        cancellation_rows=int(cancel.sum()),
        rows_after_analysis_date=int((known & (all_dates >= day)).sum()),
        rows_without_date=int((known & all_dates.isna()).sum()),
        customers=len(scored),
        customers_without_purchase=int(raw["last_purchase"].isna().sum()),
        analysis_date=day.date(),
        first_date=all_dates.min().date(),
        last_date=all_dates.max().date(),
    )
    return RFMResult(customers=scored, report=report, edges=used_edges)


def rfm_from_file(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    analysis_date: date | datetime | str | None = None,
    edges_from: RFMResult | RFMEdges | None = None,
) -> RFMResult:
    """Load a transaction table (CSV/Parquet) and compute RFM on it."""
    return compute_rfm(load_transactions(path, mapping), analysis_date=analysis_date, edges_from=edges_from)

"""Load customer and transaction tables (CSV, CSV.gz or Parquet) with a column mapping.

Column roles are found by an explicit ``mapping`` ({role: column}) first, then by
common names (``CustomerID``, ``customer_id``, ``InvoiceDate``, ``UnitPrice`` ...); see `segscribe.columns`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from segscribe import columns as columns_
from segscribe.errors import TableError

#: Accepted names per role, in order of preference (compared normalised).
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "customerid", "customer", "cust_id", "client_id", "clientid", "id"),
    "invoice": ("invoiceno", "invoice", "invoice_no", "invoice_id", "order_id", "orderid", "transaction_id"),
    "date": ("invoicedate", "date", "created_at", "order_date", "transaction_date", "timestamp"),
    "quantity": ("quantity", "qty"),
    "price": ("unitprice", "unit_price", "price"),
    "amount": ("amount", "total", "line_total", "revenue", "value", "sales"),
}

TRANSACTION_ROLES = ("customer_id", "invoice", "date", "quantity", "price", "amount")




def detect_columns(
    columns: Iterable[str], roles: Iterable[str], mapping: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Map each role of a customer/transaction table to a column (roles not found are left out)."""
    return columns_.detect_columns(columns, roles, ROLE_ALIASES, mapping, error=TableError)


def normalise_customer_ids(ids: pd.Series) -> pd.Series:
    """Ids as trimmed strings; ``17850.0`` -> ``17850``; blanks -> missing (``pd.NA``)."""
    s = ids.astype("string").str.strip()
    # Float text from spreadsheets: an integer followed by only zeros after the point.
    s = s.str.replace(r"^(-?\d+)\.0*$", r"\1", regex=True)
    return s.mask(s == "", pd.NA)


def _read_header(path: Path) -> list[str]:
    if path.suffix.lower() in {".parquet", ".pq"}:
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    return list(pd.read_csv(path, nrows=0).columns)


def read_table(path: str | Path, dtype: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read CSV (optionally gzipped) or Parquet; ``dtype`` applies to CSV columns."""
    p = Path(path)
    if not p.is_file():
        raise TableError(f"no such file: {p} (give the path to a .csv, .csv.gz or .parquet table)")
    if p.suffix.lower() in {".parquet", ".pq"}:
        df = pd.read_parquet(p)
        return df.astype(dict(dtype)) if dtype else df
    try:
        # pyarrow's reader is several times faster than the C engine on 0.5M rows.
        return pd.read_csv(p, dtype=dict(dtype) if dtype else None, engine="pyarrow")
    except (ValueError, TypeError):
        # Odd CSVs (ragged rows, mixed types) still load with the C engine.
        return pd.read_csv(p, dtype=dict(dtype) if dtype else None, low_memory=False)


def parse_dates(s: pd.Series, column: str) -> pd.Series:
    """Datetimes without timezone (aware values are converted to UTC first)."""
    if not pd.api.types.is_datetime64_any_dtype(s):
        try:
            s = pd.to_datetime(s, format="ISO8601")
        except (ValueError, TypeError):
            try:
                s = pd.to_datetime(s)
            except (ValueError, TypeError) as exc:
                raise TableError(
                    f"column {column!r} is not a date column (first value {s.iloc[0]!r}); "
                    "map the date role to another column or write dates as YYYY-MM-DD HH:MM"
                ) from exc
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s


def _numeric(s: pd.Series, column: str) -> pd.Series:
    out = pd.to_numeric(s, errors="coerce").astype("float64")
    bad = int((out.isna() & s.notna()).sum())
    if bad:
        raise TableError(f"column {column!r} has {bad} non-numeric values; clean them or map another column")
    return out


def prepare_transactions(df: pd.DataFrame, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Canonical transaction frame: customer_id, invoice (optional), date, amount (+ quantity, price).

    ``amount`` is the net line value: quantity x price when both exist, else the amount column.
    """
    roles = detect_columns(df.columns, TRANSACTION_ROLES, mapping)
    for required in ("customer_id", "date"):
        if required not in roles:
            raise TableError(
                f"cannot find the {required} column among {', '.join(map(str, df.columns))}; "
                f"pass a mapping such as {{'{required}': 'YourColumn'}}"
            )
    out = pd.DataFrame(index=df.index)
    out["customer_id"] = normalise_customer_ids(df[roles["customer_id"]])
    out["date"] = parse_dates(df[roles["date"]], roles["date"])
    if "invoice" in roles:
        out["invoice"] = df[roles["invoice"]].astype("string").str.strip()
    if "quantity" in roles and "price" in roles:
        out["quantity"] = _numeric(df[roles["quantity"]], roles["quantity"])
        out["price"] = _numeric(df[roles["price"]], roles["price"])
        out["amount"] = out["quantity"] * out["price"]
    elif "amount" in roles:
        out["amount"] = _numeric(df[roles["amount"]], roles["amount"])
    else:
        raise TableError(
            "cannot find a line value: need Quantity and UnitPrice columns or an amount/total column; "
            "pass a mapping such as {'amount': 'Revenue'}"
        )
    out.attrs["columns"] = roles
    return out


def load_transactions(path: str | Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a transaction table and return :func:`prepare_transactions` of it."""
    p = Path(path)
    if not p.is_file():
        raise TableError(f"no such file: {p} (give the path to a .csv, .csv.gz or .parquet table)")
    roles = detect_columns(_read_header(p), TRANSACTION_ROLES, mapping)
    # Explicit dtypes: ids as text (so 17850.0 is normalised, not parsed), numbers as float.
    dtype = {roles[r]: "string" for r in ("customer_id", "invoice") if r in roles}
    dtype.update({roles[r]: "float64" for r in ("quantity", "price", "amount") if r in roles})
    return prepare_transactions(read_table(p, dtype=dtype), mapping)


def load_customers(
    path: str | Path, mapping: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, str]:
    """Read a one-row-per-customer table; returns (frame, id column name).

    The id column is normalised in place (text, ``17850.0`` -> ``17850``).
    """
    p = Path(path)
    if not p.is_file():
        raise TableError(f"no such file: {p} (give the path to a .csv, .csv.gz or .parquet table)")
    roles = detect_columns(_read_header(p), ("customer_id",), mapping)
    if "customer_id" not in roles:
        raise TableError(
            "cannot find the customer id column; pass a mapping such as {'customer_id': 'YourIdColumn'}"
        )
    col = roles["customer_id"]
    df = read_table(p, dtype={col: "string"})
    df[col] = normalise_customer_ids(df[col])
    return df, col


_TRUE = {"yes", "y", "true", "t", "1", "1.0", "churned"}
_FALSE = {"no", "n", "false", "f", "0", "0.0", "retained"}


@dataclass(frozen=True)
class Roles:
    """Which columns play which part in a profile."""

    id_column: str
    value_column: str | None = None
    churn_column: str | None = None
    retention_column: str | None = None




def to_flag(s: pd.Series, column: str) -> pd.Series:
    """0/1 floats from bool, 1/0 or Yes/No text; blanks stay NaN; anything else is an error."""
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        out = pd.to_numeric(s, errors="coerce").astype("float64")
        bad = out.notna() & ~out.isin([0.0, 1.0])
    else:
        text = s.astype("string").str.strip().str.lower()
        out = pd.Series(np.nan, index=s.index)
        out[text.isin(list(_TRUE)).fillna(False).astype(bool)] = 1.0
        out[text.isin(list(_FALSE)).fillna(False).astype(bool)] = 0.0
        bad = out.isna() & text.notna() & (text != "")
    if bad.any():
        raise TableError(f"column {column!r} is not a yes/no flag (e.g. value {s[bad].iloc[0]!r}); "
                         "map the churn/retention role to a bool, 1/0 or Yes/No column")
    return out

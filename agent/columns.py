"""Find the column that plays a role in a table, from an explicit mapping or common export names.

One definition for every table the tool reads (ticket and survey exports, customer and transaction
tables). Names are compared after lower-casing and dropping `_`, `-` and spaces, so `customerID`,
`CustomerID` and `customer_id` are the same name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from segscribe.errors import InputError


def norm(name: object) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def find_column(columns: Sequence[str], role: str, aliases: Mapping[str, Sequence[str]],
                mapping: Mapping[str, str] | None = None, *, error: type[InputError] = InputError) -> str | None:
    """The column for `role`: an explicit `mapping` wins (and must exist), then the first alias present."""
    if mapping and mapping.get(role):
        want = mapping[role]
        for c in columns:
            if c == want or norm(c) == norm(want):
                return c
        raise error(f"column mapping says {role}={want!r} but the table has no such column; "
                    f"columns are: {', '.join(map(str, columns))}")
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(norm(c), c)
    for alias in aliases.get(role, (role,)):
        if norm(alias) in by_norm:
            return by_norm[norm(alias)]
    return None


def detect_columns(columns: Iterable[str], roles: Iterable[str], aliases: Mapping[str, Sequence[str]],
                   mapping: Mapping[str, str] | None = None, *,
                   error: type[InputError] = InputError) -> dict[str, str]:
    """Every role that can be found, mapped to its column (roles not found are left out)."""
    cols = [str(c) for c in columns]
    found = {role: find_column(cols, role, aliases, mapping, error=error) for role in roles}
    return {role: col for role, col in found.items() if col is not None}

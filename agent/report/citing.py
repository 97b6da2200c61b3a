"""Which evidence a report cites, so that a report holds what it renders and no more.

Every list of evidence ids in a report (a finding's support, a statement's basis, a persona claim, a
segment's evidence) is rendered as at most `CITED_PER_LIST` citations, then a count of the rest, which are
in the run's `evidence.jsonl` (and the web app's evidence CSV export). The report's evidence appendix and
embedded source texts hold exactly the items those citations name: at 100,000 tickets that is a few
thousand items instead of every one of 121,000 (about 200 MB a report format).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from segscribe.schemas.strategy import StrategyReport

#: Citations rendered for one list of evidence ids; the rest are counted, not cited.
CITED_PER_LIST = 12
#: Fields that hold a list of evidence ids / one evidence id, wherever they appear in a report.
LIST_FIELDS = frozenset({"evidence_ids", "counter_evidence_ids"})
ONE_FIELDS = frozenset({"evidence_id", "representative_id"})
#: The report fields that are the cited material itself, not references to it.
_NOT_WALKED = frozenset({"evidence", "sources"})


def listed(ids: Iterable[str]) -> list[str]:
    """The ids of a list that a report cites: its first `CITED_PER_LIST` distinct ones, in order."""
    out: list[str] = []
    seen: set[str] = set()
    for i in ids:
        if i not in seen:
            seen.add(i)
            out.append(i)
            if len(out) == CITED_PER_LIST:
                break
    return out


def more_text(n: int) -> str:
    """What stands for the uncited rest of a list."""
    return f"+{n:,} more in evidence.jsonl next to this report"


def cited_ids(report: StrategyReport) -> set[str]:
    """Every evidence id the renderers cite for this report (its `evidence` and `sources` aside)."""
    out: set[str] = set()
    for name in type(report).model_fields:
        if name not in _NOT_WALKED:
            _walk(getattr(report, name), out)
    return out


def _walk(obj: Any, out: set[str]) -> None:
    stack = [obj]
    while stack:
        cur = stack.pop()
        if isinstance(cur, BaseModel):
            pairs: Iterable[tuple[str, Any]] = ((n, getattr(cur, n)) for n in type(cur).model_fields)
        elif isinstance(cur, dict):
            pairs = cur.items()
        elif isinstance(cur, list | tuple):
            stack.extend(x for x in cur if isinstance(x, BaseModel | dict | list | tuple))
            continue
        else:
            continue
        for key, value in pairs:
            if key in LIST_FIELDS and isinstance(value, list):
                out.update(listed(value))
            elif key in ONE_FIELDS and isinstance(value, str):
                out.add(value)
            elif isinstance(value, BaseModel | dict | list | tuple):
                stack.append(value)

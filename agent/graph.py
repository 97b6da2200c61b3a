"""build_graph(deps) -> compiled LangGraph: wiring only.

load -> index -> extract (fan out over documents) -> verify -> findings -> themes -> segment -> draft -> score
-> report
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Callable
from functools import partial, wraps
from pathlib import Path
from typing import Any

from langgraph.graph import END, START, StateGraph

from segscribe.deps import Deps
from segscribe.nodes import draft, extract, findings, index, load, report, score, segment, themes, verify
from segscribe.state import RunInput, RunOutput, RunState

#: The stages in order; `segscribe extract` and friends stop after one of them.
STAGES = ("load", "index", "extract", "verify", "findings", "themes", "segment", "draft", "score", "report")


def _trim_heap() -> None:
    """Hand the heap pages a stage freed back to the system (glibc keeps them otherwise, and every later stage
    then starts from the earlier stages' high-water mark)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim this way
        ctypes.CDLL(None).malloc_trim(0)


def _stage(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A whole-run stage whose freed memory is returned to the system when it ends."""

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            _trim_heap()

    return run


def build_graph(deps: Deps, checkpointer: Any = None) -> Any:
    g = StateGraph(RunState, input_schema=RunInput, output_schema=RunOutput)
    g.add_node("load", _stage(partial(load.load, deps=deps)))
    g.add_node("index", _stage(partial(index.index, deps=deps)))
    g.add_node("extract", partial(extract.extract, deps=deps))  # many small tasks: trimmed once, in verify's wrapper
    g.add_node("verify", _stage(partial(verify.verify, deps=deps)))
    g.add_node("findings", _stage(partial(findings.findings, deps=deps)))
    g.add_node("themes", _stage(partial(themes.themes, deps=deps)))
    g.add_node("segment", _stage(partial(segment.segment, deps=deps)))
    g.add_node("draft", _stage(partial(draft.draft, deps=deps)))
    g.add_node("score", _stage(partial(score.score, deps=deps)))
    g.add_node("report", _stage(partial(report.report, deps=deps)))
    g.add_edge(START, "load")
    g.add_edge("load", "index")
    g.add_conditional_edges("index", partial(extract.dispatch, deps=deps), ["extract", "verify"])
    g.add_edge("extract", "verify")
    g.add_edge("verify", "findings")
    g.add_edge("findings", "themes")
    g.add_edge("themes", "segment")
    g.add_edge("segment", "draft")
    g.add_edge("draft", "score")
    g.add_edge("score", "report")
    g.add_edge("report", END)
    return g.compile(checkpointer=checkpointer)


def sqlite_checkpointer(path: Path) -> Any:
    """LangGraph checkpoints in SQLite, so an interrupted run resumes where it stopped."""
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    con = sqlite3.connect(str(path), check_same_thread=False)
    return SqliteSaver(con)

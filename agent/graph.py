"""build_graph(deps) -> compiled LangGraph: wiring only.

load -> index -> extract (fan out over documents) -> verify -> findings -> themes -> segment -> draft -> score
-> report
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from langgraph.graph import END, START, StateGraph

from segscribe.deps import Deps
from segscribe.nodes import draft, extract, findings, index, load, report, score, segment, themes, verify
from segscribe.state import RunInput, RunOutput, RunState

#: The stages in order; `segscribe extract` and friends stop after one of them.
STAGES = ("load", "index", "extract", "verify", "findings", "themes", "segment", "draft", "score", "report")


def build_graph(deps: Deps, checkpointer: Any = None) -> Any:
    g = StateGraph(RunState, input_schema=RunInput, output_schema=RunOutput)
    g.add_node("load", partial(load.load, deps=deps))
    g.add_node("index", partial(index.index, deps=deps))
    g.add_node("extract", partial(extract.extract, deps=deps))
    g.add_node("verify", partial(verify.verify, deps=deps))
    g.add_node("findings", partial(findings.findings, deps=deps))
    g.add_node("themes", partial(themes.themes, deps=deps))
    g.add_node("segment", partial(segment.segment, deps=deps))
    g.add_node("draft", partial(draft.draft, deps=deps))
    g.add_node("score", partial(score.score, deps=deps))
    g.add_node("report", partial(report.report, deps=deps))
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

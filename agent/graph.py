"""build_graph(deps) -> compiled LangGraph: wiring only.

load -> index -> extract (fan out per document) -> verify -> themes -> segment -> draft -> score -> report
"""

from __future__ import annotations

from functools import partial
from typing import Any

from langgraph.graph import END, START, StateGraph

from segscribe.deps import Deps
from segscribe.nodes import analyse, extract, ingest, outputs
from segscribe.state import RunInput, RunState


def build_graph(deps: Deps, checkpointer: Any = None) -> Any:
    g = StateGraph(RunState, input_schema=RunInput)
    g.add_node("load", partial(ingest.load, deps=deps))
    g.add_node("index", partial(ingest.index, deps=deps))
    g.add_node("extract_doc", partial(extract.extract_doc, deps=deps))
    g.add_node("verify", partial(extract.verify, deps=deps))
    g.add_node("themes", partial(analyse.themes, deps=deps))
    g.add_node("segment", partial(analyse.segment, deps=deps))
    g.add_node("draft", partial(outputs.draft, deps=deps))
    g.add_node("score", partial(outputs.score, deps=deps))
    g.add_node("report", partial(outputs.report, deps=deps))
    g.add_edge(START, "load")
    g.add_edge("load", "index")
    g.add_conditional_edges("index", partial(extract.dispatch, deps=deps), ["extract_doc", "verify"])
    g.add_edge("extract_doc", "verify")
    g.add_edge("verify", "themes")
    g.add_edge("themes", "segment")
    g.add_edge("segment", "draft")
    g.add_edge("draft", "score")
    g.add_edge("score", "report")
    g.add_edge("report", END)
    return g.compile(checkpointer=checkpointer)


def sqlite_checkpointer(path: Any) -> Any:
    """LangGraph checkpoints in SQLite, so an interrupted run resumes where it stopped."""
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    con = sqlite3.connect(str(path), check_same_thread=False)
    return SqliteSaver(con)

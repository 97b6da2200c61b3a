"""Graph nodes: plain functions `(state, deps) -> partial state`, one file per stage, named as in the graph."""

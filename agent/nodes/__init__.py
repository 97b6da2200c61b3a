"""Graph nodes: plain functions `(state, deps) -> partial state`, one module per group of stages."""

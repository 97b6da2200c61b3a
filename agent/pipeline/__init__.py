"""Stage logic used by the graph nodes: plain functions, testable without LangGraph."""

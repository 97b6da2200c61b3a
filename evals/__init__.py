"""Offline grounding metrics, gold loading, fault injection and the CI scorecard."""

"""Evidence extractors (task adapters): offline rules, and an LLM extractor over any chat provider."""

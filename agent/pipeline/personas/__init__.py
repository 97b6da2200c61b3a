"""Personas per segment: offline (extractive) and LLM drafters, one gate, shared naming and confidence."""

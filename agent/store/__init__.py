"""Workspace persistence: SQLite for records, Chroma for vectors."""

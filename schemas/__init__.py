"""Pydantic models shared by every stage of segscribe."""

"""Exceptions that mean "the user can fix this"; the CLI prints them as one line."""

from __future__ import annotations


class SegscribeError(RuntimeError):
    """Base class for user-facing errors whose message says how to fix the problem."""


def _user_errors() -> tuple[type[BaseException], ...]:
    from segscribe.ingest.text import IngestError
    from segscribe.providers.base import ProviderError

    return (SegscribeError, IngestError, ProviderError, FileNotFoundError)




USER_ERRORS: tuple[type[BaseException], ...] = _user_errors()

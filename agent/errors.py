"""The one error tree: every error a user can fix derives from `SegscribeError`.

The CLI catches `SegscribeError` once, at its edge, and prints `error: <message>` on one line with the
class's exit code; anything else is a bug and keeps its traceback. Messages say what to do, not only what
went wrong. This module imports nothing from segscribe, so every layer can raise these.

Exit codes (documented in the README):
    0  success
    1  finished, but partly: some files or documents failed, or an eval is below its thresholds
    2  nothing was done: a bad invocation, input, config, workspace or provider (this tree)
    130  interrupted (finished stages are kept; rerun to continue)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class SegscribeError(Exception):
    """Base of every user-facing error; the message says how to fix the problem."""

    exit_code = EXIT_ERROR


class UsageError(SegscribeError, ValueError):
    """A command was called with values it cannot use (an option out of range, an unknown run id)."""


class ConfigError(SegscribeError, ValueError):
    """A configuration file (config.yaml, corpus.yaml, an analyst sheet, a rules file) is malformed or invalid."""


class WorkspaceError(SegscribeError):
    """The workspace folder cannot be used: missing, not a folder, read-only, locked, or damaged."""


class InputError(SegscribeError, ValueError):
    """An input file cannot be read or used as given."""


class IngestError(InputError):
    """A file cannot be ingested; reported per file while the rest of the batch goes on."""


class TableError(InputError):
    """A customer or transaction table cannot be used as given (missing columns, no rows...)."""


class RuleError(ConfigError):
    """A segment rule that cannot be parsed or evaluated; the message names the rule and the problem."""


class ScoringError(SegscribeError, ValueError):
    """Segments cannot be scored as asked (unknown preset, bad weights, missing analyst scores)."""


class PromptError(SegscribeError, ValueError):
    """A prompt file is malformed, or it was rendered with the wrong variables."""


class ProviderError(SegscribeError):
    """A model provider cannot be used or failed; the message says how to fix it."""


class NeedsKeyError(ProviderError):
    """A hosted provider was chosen without its API key."""


class StructuredOutputError(ProviderError):
    """The model answered, but not with JSON matching the requested schema (callers may re-ask)."""


class CassetteError(ProviderError):
    """A recorded cassette is exhausted or has no exchange matching a request."""


class GoldError(SegscribeError, ValueError):
    """A gold label that cannot be turned into exactly one span of its document."""

"""Durable file writes: every output is written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to a temp file beside `path`, fsync it, then rename it into place.

    Readers never see half a file, and a crash leaves either the old file or the new one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def jsonl_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of the non-blank lines of a JSONL text.

    Splits on "\\n" only: JSON strings may hold U+2028, U+2029 or U+0085, which `str.splitlines()` would
    treat as line breaks and so cut a record in two.
    """
    return [(i, line) for i, line in enumerate(text.split("\n"), 1) if line.strip()]

"""Strategy report renderers: Markdown, one self-contained HTML page, and the JSON other tools read."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from segscribe.report.html import render_html
from segscribe.report.markdown import render_markdown
from segscribe.schemas.strategy import StrategyReport

__all__ = ["render_html", "render_markdown", "write_report"]


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temp file next to ``path``, then ``os.replace`` it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(report: StrategyReport, out_dir: Path) -> dict[str, Path]:
    """Write ``report.md``, ``report.html`` and ``report.json`` into ``out_dir`` (created if needed).

    Returns the paths keyed by format: ``{"md": ..., "html": ..., "json": ...}``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rendered = {"md": render_markdown(report), "html": render_html(report),
                "json": report.model_dump_json(indent=2) + "\n"}
    paths = {fmt: out_dir / f"report.{fmt}" for fmt in rendered}
    for fmt, text in rendered.items():
        _write_atomic(paths[fmt], text)
    return paths

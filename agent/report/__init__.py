"""Strategy report renderers: Markdown, one self-contained HTML page, and the JSON other tools read."""

from __future__ import annotations

from pathlib import Path

from segscribe.files import atomic_write

# The research sections register themselves with the Markdown and HTML renderers when imported.
from segscribe.report import research_html, research_md  # noqa: F401
from segscribe.report.html import render_html
from segscribe.report.markdown import render_markdown
from segscribe.schemas.strategy import StrategyReport

__all__ = ["render_html", "render_markdown", "write_report"]


def write_report(report: StrategyReport, out_dir: Path) -> dict[str, Path]:
    """Write ``report.md``, ``report.html`` and ``report.json`` into ``out_dir`` (created if needed).

    Returns the paths keyed by format: ``{"md": ..., "html": ..., "json": ...}``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    renderers = {"md": render_markdown, "html": render_html,
                 "json": lambda r: r.model_dump_json(indent=2) + "\n"}
    paths = {fmt: out_dir / f"report.{fmt}" for fmt in renderers}
    for fmt, render in renderers.items():  # one format in memory at a time: a 100k-ticket report is ~200 MB each
        atomic_write(paths[fmt], render(report))
    return paths

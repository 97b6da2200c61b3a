"""Entry point: `segscribe --help` lists every command; heavy libraries load only when a command runs."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from segscribe import __version__
from segscribe.cli import ingest_cmd

app = typer.Typer(
    name="segscribe",
    help=(
        "Turn customer research into evidence-cited segments and personas.\n\n"
        "Every claim links to a verbatim span of a real source; segment ranking is deterministic.\n"
        "Start with `segscribe run` (offline, on the bundled corpus) or "
        "`segscribe ingest FOLDER` then `segscribe search \"...\"`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"segscribe {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    workspace: Path | None = typer.Option(
        None, "--workspace", "-w", help="Workspace folder for every command (default ./.segscribe; "
        "env SEGSCRIBE_WORKSPACE).", show_default=False),
    chroma_url: str | None = typer.Option(
        None, "--chroma-url", help="Use a Chroma server (http://HOST:PORT) instead of the workspace's embedded "
        "vector store (default: chroma_url in config.yaml).", show_default=False),
) -> None:
    """segscribe: evidence-cited customer segments and personas."""
    if workspace is not None:
        # Sub-commands read their --workspace from this variable when not given explicitly.
        os.environ["SEGSCRIBE_WORKSPACE"] = str(workspace)
    if chroma_url is not None:
        os.environ["SEGSCRIBE_CHROMA_URL"] = chroma_url  # read by segscribe.store.vector_store.chroma_url


app.command("init")(ingest_cmd.init)
app.command("status")(ingest_cmd.status)
app.command("ingest")(ingest_cmd.ingest)
app.command("search")(ingest_cmd.search)


def _register_optional() -> None:
    """Commands from modules that may be absent in a partial checkout register only when importable."""
    import importlib

    for module, names in (
        ("segscribe.cli.extract_cmd", ("extract", "evidence", "themes")),
        ("segscribe.cli.segment_cmd", ("segment", "score")),
        ("segscribe.cli.run_cmd", ("run", "personas", "report")),
        ("segscribe.cli.eval_cmd", ("eval",)),
        ("segscribe.cli.vector_cmd", ("reindex",)),
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        for name in names:
            fn = getattr(mod, name.replace("-", "_") + "_cmd", None) or getattr(mod, name, None)
            if fn is not None:
                app.command(name)(fn)


_register_optional()


def main() -> None:  # pragma: no cover - console script shim
    app()

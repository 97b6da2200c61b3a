"""Entry point: `segscribe --help` lists every command; heavy libraries load only when a command runs."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from segscribe import __version__
from segscribe.cli import eval_cmd, ingest_cmd, run_cmd, segment_cmd, serve_cmd, stage_cmd, vector_cmd
from segscribe.cli.common import guarded, say_error
from segscribe.errors import EXIT_ERROR, EXIT_INTERRUPTED

app = typer.Typer(
    name="segscribe",
    help=(
        "Turn customer research into evidence-cited findings, segments and personas.\n\n"
        "Every claim links to a verbatim span of a real source; segment ranking is deterministic.\n"
        "Start with `segscribe run FOLDER` (offline, no key needed), or `segscribe ingest FOLDER` "
        "then `segscribe search \"...\"`.\n\n"
        "Exit codes: 0 success; 1 finished partly (some files or documents failed, or an eval is below its "
        "thresholds); 2 nothing done (bad invocation, input, config, workspace or provider); 130 interrupted."
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


COMMANDS: list[tuple[str, Callable[..., Any]]] = [
    ("init", ingest_cmd.init),
    ("status", ingest_cmd.status),
    ("ingest", ingest_cmd.ingest),
    ("search", ingest_cmd.search),
    ("run", run_cmd.run),
    ("estimate", run_cmd.estimate),
    ("extract", stage_cmd.extract),
    ("evidence", stage_cmd.evidence),
    ("findings", stage_cmd.findings),
    ("themes", stage_cmd.themes),
    ("personas", run_cmd.personas),
    ("report", run_cmd.report),
    ("segment", segment_cmd.segment),
    ("score", segment_cmd.score),
    ("eval", eval_cmd.eval_cmd),
    ("reindex", vector_cmd.reindex),
    ("serve", serve_cmd.serve),
]
for _name, _fn in COMMANDS:
    app.command(_name)(guarded(_fn))


def main(argv: list[str] | None = None) -> None:
    """The `segscribe` console script: like `app()`, but usage errors are one line too."""
    try:
        code = app(args=argv, prog_name="segscribe", standalone_mode=False)
    except typer.Abort:
        say_error("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except typer.TyperException as exc:  # click's usage errors (bad option, missing argument, ...)
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        ctx = getattr(exc, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else " (see `segscribe --help`)"
        say_error(message + where)
        sys.exit(getattr(exc, "exit_code", EXIT_ERROR))
    sys.exit(code if isinstance(code, int) else 0)

"""Shared CLI plumbing: workspace option, one-line errors, progress bars, JSON output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", envvar="SEGSCRIBE_WORKSPACE",
                 help="Workspace folder (default ./.segscribe).", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON to stdout.")]


def workspace_path(path: Path | None) -> Path:
    return Path(path or os.environ.get("SEGSCRIBE_WORKSPACE") or ".segscribe")


def open_workspace(path: Path | None, create: bool = True) -> Any:
    from segscribe.store.workspace import Workspace

    return Workspace.open(workspace_path(path), create=create)


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn expected failures into one line that says how to fix them, with a non-zero exit."""
    from segscribe.errors import USER_ERRORS

    try:
        yield
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted: finished stages are saved; rerun the command (or `segscribe run --resume`) "
                   "to continue", 130) from None


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False))


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr, one task per stage; silent when disabled or not a terminal-ish run."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    tasks: dict[str, Any] = {}
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=not console.is_terminal, disable=not sys.stderr) as prog:

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = prog.add_task(stage, total=total)
            prog.update(tasks[stage], completed=done, total=total)

        yield update

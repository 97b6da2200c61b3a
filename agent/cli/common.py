"""Shared CLI plumbing: options, the one error edge, progress bars, JSON output."""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from segscribe.errors import EXIT_INTERRUPTED, SegscribeError, UsageError

if TYPE_CHECKING:
    from segscribe.artifacts import RunDir
    from segscribe.store.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", envvar="SEGSCRIBE_WORKSPACE",
                 help="Workspace folder (default ./.segscribe; env SEGSCRIBE_WORKSPACE).", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON to stdout.")]
RunOpt = Annotated[str | None, typer.Option("--run", help="Run id (default: the last run).")]


def workspace_path(path: Path | None) -> Path:
    return Path(path or os.environ.get("SEGSCRIBE_WORKSPACE") or ".segscribe")


def open_workspace(path: Path | None, create: bool = True, read_only: bool = False) -> Workspace:
    """The workspace; commands that only read pass `read_only` so they work on read-only media."""
    from segscribe.store.workspace import Workspace

    return Workspace.open(workspace_path(path), create=create, read_only=read_only)


def run_dir(ws: Workspace, run: str | None) -> RunDir:
    """The folder of run `run`, or of the workspace's last run."""
    from segscribe.artifacts import RunDir

    run_id = run or ws.get_kv("last_run")
    if not run_id:
        raise UsageError("no run yet in this workspace: run `segscribe run FOLDER` first")
    if not (ws.runs_path / run_id).is_dir():
        raise UsageError(f"no run {run_id!r} in {ws.root}: see `segscribe status` for the last run id")
    return RunDir(ws.runs_path / run_id)


def say_error(message: str) -> None:
    typer.echo(f"error: {' '.join(str(message).split())}", err=True)


def guarded(fn: F) -> F:
    """The CLI's one error edge: a SegscribeError becomes one line and its exit code; Ctrl-C exits 130.

    Every command is registered through this wrapper (cli/main.py), so no command catches errors itself.
    Anything else is a bug and keeps its traceback.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SegscribeError as exc:
            say_error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            say_error("interrupted: finished stages are saved; rerun the command (or `segscribe run --resume "
                      "RUN_ID`) to continue")
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return wrapper  # type: ignore[return-value]


# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST, includes OSC 8 links and title changes), other
# two-byte ESC sequences, C1 controls (U+0080-U+009F, which some terminals treat as ESC [ etc.), the
# remaining C0 controls except tab and newline, and bidi overrides that reorder what is shown.
_TERMINAL_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)"
    r"|[\x9b][0-?]*[ -/]*[@-~]?"
    r"|[\x9d\x90\x98\x9e\x9f].*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[ -~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]",
    re.S,
)


def safe_terminal_text(text: object) -> str:
    """Text from sources, safe to print: terminal escape sequences and control characters removed."""
    return _TERMINAL_CONTROL.sub("", str(text))


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False))


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr, one task per stage; silent when disabled."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    tasks: dict[str, Any] = {}
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=not console.is_terminal) as prog:  # no bar (nor its last blank line) in logs

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = prog.add_task(stage, total=total)
            prog.update(tasks[stage], completed=done, total=total)

        yield update

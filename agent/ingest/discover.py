"""Find the files under the inputs: folders are walked (symlinks followed once), problems are reported."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from segscribe.errors import IngestError

IGNORED_DIRS = {"gold", "tools", ".git", ".segscribe", "runs", "__pycache__", ".venv", "node_modules"}


@dataclass
class Problem:
    """A path that could not be walked: `status` is "failed" (data unread) or "skipped" (nothing lost)."""

    path: str
    status: str
    reason: str


@dataclass
class Found:
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def discover(paths: list[Path]) -> Found:
    """Files under the given paths in a stable order; project clutter ignored; walk problems reported."""
    found = Found()
    for p in paths:
        if p.is_dir():
            found.files.extend(_walk(p, found.problems))
        elif p.exists():
            found.files.append(p)
        elif p.is_symlink():
            found.problems.append(Problem(str(p), "failed", f"{p}: broken symlink to {os.readlink(p)}"))
        else:
            raise IngestError(f"{p}: no such file or folder")
    return found


def _walk(root: Path, problems: list[Problem]) -> list[Path]:
    """Every file under `root`, following symlinked folders but never into a folder already walked."""
    files: list[tuple[tuple[str, ...], Path]] = []
    visited = {_key(root)}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(str(folder), "failed", f"{folder}: folder cannot be read "
                                    f"({exc.strerror or exc}); fix its permissions or leave it out"))
            continue
        for entry in entries:
            if entry.name in IGNORED_DIRS or entry.name.startswith("."):
                continue
            path = Path(entry.path)
            kind = _kind(entry, path, problems)
            if kind == "file":
                files.append((path.relative_to(root).parts, path))
            elif kind == "dir":
                key = _key(path)
                if key in visited:
                    problems.append(Problem(str(path), "skipped", f"{path}: symlink loop (points to "
                                            f"{path.resolve()}, which is already being read)"))
                    continue
                visited.add(key)
                stack.append(path)
    return [p for _, p in sorted(files)]


def _kind(entry: os.DirEntry[str], path: Path, problems: list[Problem]) -> str:
    """'file', 'dir' or '' (reported or not a regular file)."""
    try:
        st = os.stat(entry.path)  # follows symlinks
    except OSError as exc:
        if entry.is_symlink():
            target = os.readlink(entry.path)
            problems.append(Problem(str(path), "failed", f"{path}: broken symlink to {target} ({exc.strerror})"))
        else:
            problems.append(Problem(str(path), "failed", f"{path}: cannot be read ({exc.strerror})"))
        return ""
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    return "file" if stat.S_ISREG(st.st_mode) else ""


def _key(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino

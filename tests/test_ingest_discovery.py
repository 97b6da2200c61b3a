"""Walking input folders: symlink loops, unreadable folders and broken links are reported, never skipped."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from segscribe.ingest.service import ingest_paths
from segscribe.store.workspace import Workspace

TEXT = "Interviewer: What slows you down?\nDana: Chasing approvals by email every single month end.\n"


def by_name(report) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {Path(f.path).name: (f.status, f.reason or "") for f in report.files}


def test_symlink_loop_is_reported_and_the_walk_finishes(workspace: Workspace, tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "a").mkdir(parents=True)
    (root / "a" / "one.txt").write_text(TEXT, encoding="utf-8")
    (root / "a" / "back").symlink_to(root, target_is_directory=True)
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    report = ingest_paths(workspace, [root], index=False)
    seen = by_name(report)
    assert seen["one.txt"][0] == "ingested"
    assert seen["back"][0] == "skipped" and "symlink loop" in seen["back"][1]
    assert seen["dangling.txt"][0] == "failed" and "broken symlink" in seen["dangling.txt"][1]
    assert len(report.files) == 3


def test_symlinked_folder_is_followed(workspace: Workspace, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "two.txt").write_text(TEXT.replace("Dana", "Eve"), encoding="utf-8")
    root = tmp_path / "in"
    root.mkdir()
    (root / "linked").symlink_to(elsewhere, target_is_directory=True)
    assert by_name(ingest_paths(workspace, [root], index=False)) == {"two.txt": ("ingested", "")}


@pytest.fixture
def world_readable_dir() -> Iterator[Path]:
    """A folder outside pytest's private tmp tree, so an unprivileged child process can reach it."""
    d = Path(tempfile.mkdtemp(prefix="segscribe-perm-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    for p in d.rglob("*"):
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o755)
    shutil.rmtree(d, ignore_errors=True)


def _ingest_unprivileged(root: Path, ws_root: Path) -> dict[str, tuple[str, str]]:
    """Run the ingest as `nobody` when we are root (root reads every folder whatever its mode)."""
    if os.geteuid() != 0:
        return by_name(ingest_paths(Workspace.open(ws_root), [root], index=False))
    ws_root.mkdir()
    ws_root.chmod(0o777)  # mkdir's mode is masked by the umask
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: drop privileges, ingest, send the outcome back, exit without cleanup
        try:
            os.close(read_fd)
            os.setgid(65534)
            os.setuid(65534)
            out = by_name(ingest_paths(Workspace.open(ws_root), [root], index=False))
            os.write(write_fd, json.dumps(out).encode())
        except BaseException:
            import traceback

            os.write(write_fd, json.dumps({"error": traceback.format_exc()}).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    result = json.loads(data)
    assert "error" not in result, result
    return {k: (v[0], v[1]) for k, v in result.items()}


def test_unreadable_subfolder_is_reported(world_readable_dir: Path) -> None:
    root = world_readable_dir / "in"
    (root / "secret").mkdir(parents=True)
    (root / "secret" / "hidden.txt").write_text(TEXT, encoding="utf-8")
    (root / "open.txt").write_text(TEXT.replace("Dana", "Eve"), encoding="utf-8")
    for p in (root, root / "open.txt", root / "secret" / "hidden.txt"):
        p.chmod(0o755)
    (root / "secret").chmod(0o000)
    seen = _ingest_unprivileged(root, world_readable_dir / "ws")
    assert seen["open.txt"] == ("ingested", "")
    assert seen["secret"][0] == "failed" and "cannot be read" in seen["secret"][1]

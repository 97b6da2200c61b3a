"""Operations on a workspace: read-only media still answer status and search; ingests take a lock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from segscribe.cli.main import app
from segscribe.ingest.service import ingest_paths
from segscribe.store.workspace import Workspace

TEXT = "Interviewer: What breaks?\nDana: The invoice export breaks every month and I rebuild it by hand.\n"

# Runs status, search and evidence in one process against the workspace given as argv[1].
READER = """
import sys
from typer.testing import CliRunner
from segscribe.cli.main import app
ws = sys.argv[1]
for args in (["status", "-w", ws], ["search", "-w", ws, "invoice export"], ["personas", "-w", ws]):
    r = CliRunner().invoke(app, args)
    print(f"== {args[0]} exit {r.exit_code}")
    print(r.output)
"""


def _read_only_mount_works() -> bool:
    return os.geteuid() == 0 and shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-m", "true"], capture_output=True).returncode == 0


def test_status_search_and_reports_work_on_a_read_only_workspace(tmp_path: Path) -> None:
    src = tmp_path / "in" / "a.txt"
    src.parent.mkdir()
    src.write_text(TEXT, encoding="utf-8")
    ws = tmp_path / "ws"
    ingest_paths(Workspace.open(ws), [src])
    (ws / "runs" / "r1").mkdir()
    (ws / "runs" / "r1" / "personas.json").write_text("[]", encoding="utf-8")
    Workspace.open(ws).set_kv("last_run", "r1")
    before = sorted(p.name for p in ws.rglob("*"))
    if _read_only_mount_works():  # root ignores file modes: make the folder a read-only mount instead
        script = (f"mount --bind {ws} {ws} && mount -o remount,ro,bind {ws} && "
                  f'"{sys.executable}" -c "$READER" {ws}')
        proc = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                              env={**os.environ, "READER": READER}, timeout=300)
        out = proc.stdout + proc.stderr
    elif os.geteuid() != 0:
        for p in [ws, *ws.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
        try:
            out = subprocess.run([sys.executable, "-c", READER, str(ws)], capture_output=True, text=True,
                                 timeout=300).stdout
        finally:
            for p in [ws, *ws.rglob("*")]:
                p.chmod(p.stat().st_mode | 0o200)
    else:
        pytest.skip("cannot make a read-only folder here (root without mount namespaces)")
    assert "== status exit 0" in out and "documents: 1 (interview 1)" in out, out
    assert "== search exit 0" in out and "rebuild it by hand" in out, out
    assert "== personas exit 0" in out, out
    assert sorted(p.name for p in ws.rglob("*")) == before


def test_second_ingest_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    Workspace.open(ws)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom segscribe.store.workspace import Workspace\n"
         "with Workspace.open(sys.argv[1]).lock('ingest'):\n    print('locked', flush=True)\n"
         "    time.sleep(60)\n", str(ws)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        src = tmp_path / "a.txt"
        src.write_text(TEXT, encoding="utf-8")
        res = CliRunner().invoke(app, ["ingest", "-w", str(ws), "--no-index", str(src)])
        assert res.exit_code == 2, res.output
        assert "is busy: segscribe ingest (pid" in res.output and "Wait for it to finish" in res.output
        assert Workspace.open(ws).status()["documents_total"] == 0
    finally:
        holder.terminate()
        holder.wait(timeout=30)
    res = CliRunner().invoke(app, ["ingest", "-w", str(ws), "--no-index", str(src)])
    assert res.exit_code == 0, res.output


def test_the_lock_is_reentrant_within_one_process(workspace: Workspace, tmp_path: Path, embedder) -> None:
    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    with workspace.lock("run"):
        report = ingest_paths(workspace, [src], embedder=embedder)  # takes the lock again, and indexes
    assert report.indexed_documents == 1


def test_documents_come_a_chunk_at_a_time_in_id_order(tmp_path: Path) -> None:
    """The load stage keeps only ids, sources and hashes, reading documents a bounded chunk at a time; the
    chunks together are exactly `documents(ids=...)`, in id order, whatever order the ids were given in."""
    from factories import write_tickets

    rows = [(f"T{i}", f"C{i}", f"Ticket {i}: my parcel {i} arrived broken and nobody answers") for i in range(23)]
    ws = Workspace.open(tmp_path / "ws")
    ingest_paths(ws, [write_tickets(tmp_path / "data" / "t.csv", rows)], index=False)
    ids = [d.id for d in ws.documents()]
    assert len(ids) == 23
    chunks = list(ws.documents_in_chunks(reversed(ids), chunk=5))
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 3]
    flat = [d for c in chunks for d in c]
    assert [d.id for d in flat] == sorted(ids)
    assert [d.model_dump() for d in flat] == [d.model_dump() for d in ws.documents(ids=ids[::-1])]
    assert list(ws.documents_in_chunks([])) == []

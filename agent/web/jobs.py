"""Pipeline runs started from the browser: one worker process per run, live progress, resume.

A run lives in a worker process started by the server, not in the browser, so closing the tab does not stop
it. If the worker dies, the run stays `running` in the workspace with no live worker; its LangGraph
checkpoints let the run page offer Resume, which continues where it stopped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segscribe.artifacts import new_run_id
from segscribe.errors import SegscribeError
from segscribe.schemas.run import RunOptions
from segscribe.store.workspace import Workspace


class RunBusy(SegscribeError):
    """Another run of this workspace is still going."""


@dataclass
class Job:
    run_id: str
    started: float = field(default_factory=time.time)
    state: str = "running"  # running | finished | partial | stopped | failed
    error: str | None = None
    outcome: str | None = None  # the run record's status, reported by the worker at the end
    progress: dict[str, tuple[int, int]] = field(default_factory=dict)
    finished: float | None = None

    def update(self, stage: str, done: int, total: int) -> None:
        self.progress[stage] = (done, total)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "state": self.state, "error": self.error,
                "progress": {k: {"done": d, "total": t} for k, (d, t) in self.progress.items()},
                "seconds": round((self.finished or time.time()) - self.started, 1)}


class RunManager:
    """Starts and tracks runs of one workspace; at most one at a time."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def active(self) -> Job | None:
        return next((j for j in self.jobs.values() if j.state == "running"), None)

    def get(self, run_id: str) -> Job | None:
        return self.jobs.get(run_id)

    def start(self, opts: RunOptions | None, resume: str | None = None) -> Job:
        """Start a new run with `opts`, or resume run `resume` with its saved options, in a worker process."""
        with self._lock:
            busy = self.active()
            if busy is not None:
                raise RunBusy(f"run {busy.run_id} is still going: wait for it to finish (or open it)")
            run_id = resume or _fresh_id(self.ws)
            job = Job(run_id=run_id)
            self.jobs[run_id] = job
        threading.Thread(target=self._work, args=(job, opts, resume), name=f"run-{run_id}", daemon=True).start()
        return job

    def _work(self, job: Job, opts: RunOptions | None, resume: str | None) -> None:
        from segscribe.web.worker import run_request

        folder = self.ws.runs_path / job.run_id
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / "worker.log"
        request = run_request(opts, None if resume else job.run_id, resume)
        cmd = [sys.executable, "-m", "segscribe.web.worker", "run", str(self.ws.root.resolve()), request]
        try:
            with log.open("ab") as err:
                proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
                (folder / "worker.pid").write_text(str(proc.pid))
                assert proc.stdout is not None
                for line in proc.stdout:
                    self._message(job, line)
                code = proc.wait()
            job.state = (job.outcome or "finished") if code == 0 else "failed"
            if code and not job.error:
                job.error = _last_line(log) or f"the run stopped with exit code {code}"
        except OSError as exc:
            job.state, job.error = "failed", f"could not start the run: {exc}"
        finally:
            job.finished = time.time()

    @staticmethod
    def _message(job: Job, line: str) -> None:
        try:
            msg = json.loads(line)
        except ValueError:
            return  # a stray print of some library: not a progress message
        if isinstance(msg, dict) and "error" in msg:
            job.error = str(msg["error"])
        elif isinstance(msg, dict) and "status" in msg:
            job.outcome = str(msg["status"])
        elif isinstance(msg, dict) and {"stage", "done", "total"} <= set(msg):
            job.update(str(msg["stage"]), int(msg["done"]), int(msg["total"]))


def _last_line(path: Path) -> str:
    lines = [x for x in path.read_text(encoding="utf-8", errors="replace").splitlines() if x.strip()]
    return lines[-1][:500] if lines else ""


def worker_alive(pid: int | None) -> bool:
    """True while the worker process of a run is still going (e.g. after the server that started it stopped)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
        return b"segscribe.web.worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return False


def _fresh_id(ws: Workspace) -> str:
    """A run id not used in this workspace yet (ids have one-second resolution)."""
    run_id = new_run_id()
    n = 1
    while (ws.runs_path / run_id).exists():
        n += 1
        run_id = f"{new_run_id()}-{n}"
    return run_id


def run_inputs(ws: Workspace) -> list[tuple[str, Path]]:
    """What a run can read: all uploads, each upload batch, and each folder at the top of a batch."""
    root = ws.root / "uploads"
    if not root.is_dir():
        return []
    out: list[tuple[str, Path]] = [("all uploads", root)]
    for batch in sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True):
        out.append((f"upload {batch.name}", batch))
        for sub in sorted(p for p in batch.iterdir() if p.is_dir() and not p.name.startswith(".")):
            out.append((f"upload {batch.name} / {sub.name}", sub))
    return out

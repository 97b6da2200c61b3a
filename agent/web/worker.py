"""The web app's heavy work in a process of its own: a pipeline run, or the ingest of an upload.

A separate process keeps the server responsive (no shared interpreter lock), gives the memory of the
embedding model, Chroma and the pipeline back when it ends, and keeps a crash from taking the server down.
Usage: python -m segscribe.web.worker run WORKSPACE OPTIONS_JSON   (progress as JSON lines on stdout)
       python -m segscribe.web.worker ingest WORKSPACE FOLDER MAX_FILE_MB   (one JSON line of file outcomes)
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any


def run_request(opts: Any, run_id: str | None, resume: str | None) -> str:
    """The worker's `run` argument: the options (schemas.run.RunOptions), the new run's id, or a run to resume."""
    return json.dumps({"options": opts.model_dump(mode="json") if opts is not None else None,
                       "run_id": run_id, "resume": resume})


def ingest(ws_root: str, folder: str, max_mb: str) -> int:
    """Ingest (and index) an upload folder as `segscribe ingest` would; print each file's outcome."""
    from dataclasses import asdict

    from segscribe.ingest.service import ingest_paths
    from segscribe.store.workspace import Workspace

    ws = Workspace.open(Path(ws_root))
    settings = ws.settings(max_file_mb=float(max_mb))
    report = ingest_paths(ws, [Path(folder)], mapping=settings.columns or None, max_mb=settings.max_file_mb,
                          near_dup=settings.near_duplicate_threshold, conventions=settings.notes_conventions)
    print(json.dumps({"files": [asdict(o) for o in report.files]}), flush=True)
    return 0


def run(ws_root: str, request: str) -> int:
    """Run the pipeline, printing progress as it goes."""
    from segscribe.errors import SegscribeError
    from segscribe.runner import run_pipeline
    from segscribe.schemas.run import RunOptions
    from segscribe.store.workspace import Workspace

    req = json.loads(request)
    opts = RunOptions.model_validate(req["options"] or {})
    lock = threading.Lock()

    def say(**msg: Any) -> None:
        with lock:  # stages report from several threads; one whole line each
            print(json.dumps(msg), flush=True)

    try:
        rec = run_pipeline(Workspace.open(Path(ws_root)), opts, lambda stage, done, total: say(
            stage=stage, done=done, total=total), resume=req["resume"], run_id=req["run_id"])
        say(status=rec.status)
    except SegscribeError as exc:
        say(error=str(exc))
        return 2
    return 0


def main(argv: list[str]) -> int:
    if argv[1:2] == ["ingest"] and len(argv) == 5:
        return ingest(*argv[2:])
    if argv[1:2] == ["run"] and len(argv) == 4:
        return run(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

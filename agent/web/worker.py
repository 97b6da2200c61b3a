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


def options_json(opts: Any) -> str:
    """RunOptions as JSON (paths as strings), for the worker's command line."""
    data = {k: (str(v) if isinstance(v, Path) else v) for k, v in opts.__dict__.items()}
    data["inputs"] = [str(p) for p in opts.inputs]
    return json.dumps(data)


def ingest(ws_root: str, folder: str, max_mb: str) -> int:
    """Ingest (and index) an upload folder; print each file's outcome with its share of text by voice."""
    from dataclasses import asdict

    from segscribe.ingest.service import ingest_paths
    from segscribe.store.workspace import Workspace
    from segscribe.web.uploads import voice_shares

    ws = Workspace.open(Path(ws_root))
    report = ingest_paths(ws, [Path(folder)], max_mb=float(max_mb))
    docs = ws.documents()
    files = [{**asdict(o), "voices": voice_shares(docs, str(Path(o.path).resolve()))} for o in report.files]
    print(json.dumps({"files": files}), flush=True)
    return 0


def run(ws_root: str, options: str) -> int:
    """Run the pipeline, printing progress as it goes."""
    from segscribe.errors import USER_ERRORS
    from segscribe.runner import RunOptions, run_pipeline
    from segscribe.store.workspace import Workspace

    data = json.loads(options)
    data["inputs"] = [Path(p) for p in data["inputs"]]
    data["analyst_sheet"] = Path(data["analyst_sheet"]) if data.get("analyst_sheet") else None
    lock = threading.Lock()

    def say(**msg: Any) -> None:
        with lock:  # stages report from several threads; one whole line each
            print(json.dumps(msg), flush=True)

    try:
        run_pipeline(Workspace.open(Path(ws_root)), RunOptions(**data),
                     lambda stage, done, total: say(stage=stage, done=done, total=total))
    except USER_ERRORS as exc:
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

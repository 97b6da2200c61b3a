"""Run folders: `runs/<id>/` inside the workspace, with atomic JSON/JSONL stage outputs."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid() % 10000:04d}"


def atomic_write(path: Path, text: str) -> None:
    """Write via a temp file + rename so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


class RunDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.root / name

    def write_json(self, name: str, data: Any) -> Path:
        p = self.path(name)
        atomic_write(p, dumps(data))
        return p

    def write_jsonl(self, name: str, rows: list[Any]) -> Path:
        p = self.path(name)
        atomic_write(p, "".join(json.dumps(r, sort_keys=True, ensure_ascii=False, default=str) + "\n"
                                for r in rows))
        return p

    def read_json(self, name: str, default: Any = None) -> Any:
        p = self.path(name)
        return json.loads(p.read_text(encoding="utf-8")) if p.exists() else default

    def read_jsonl(self, name: str) -> list[Any]:
        p = self.path(name)
        if not p.exists():
            return []
        return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]

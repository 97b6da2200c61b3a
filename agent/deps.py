"""What nodes need, injected when the graph is built (never global)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segscribe.runs import RunDir
from segscribe.store.workspace import Workspace


@dataclass
class Deps:
    workspace: Workspace
    extractor: Any  # segscribe.pipeline.extract.Extractor
    embedder: Any  # segscribe.embed.Embedder
    chat: Any = None  # ChatModel for LLM persona drafting, None offline
    corpus_config: dict[str, Any] = field(default_factory=dict)
    corpus_root: Path | None = None
    max_reasks: int = 2
    redact: bool = True
    seed: int = 0
    analyst_sheet: Path | None = None
    preset: str | None = None
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None

    extract_total: int = 0
    _ticks: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def tick(self, stage: str) -> int:
        """Count finished units of a stage (extract tasks run on several threads)."""
        with self._lock:
            self._ticks[stage] = self._ticks.get(stage, 0) + 1
            return self._ticks[stage]

    def run_dir(self, run_id: str) -> RunDir:
        return RunDir(self.workspace.runs_path / run_id)

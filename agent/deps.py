"""What nodes need, injected when the graph is built (never global)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from segscribe.artifacts import RunDir
from segscribe.config import CorpusConfig
from segscribe.embed import Embedder
from segscribe.pipeline.extract import Extractor
from segscribe.providers.base import ChatModel
from segscribe.schemas.run import RunOptions
from segscribe.store.workspace import Workspace

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class Deps:
    workspace: Workspace
    extractor: Extractor
    embedder: Embedder
    options: RunOptions
    chat: ChatModel | None = None
    """The LLM for persona drafting and finding statements; None offline."""
    corpus: CorpusConfig | None = None
    """The validated corpus.yaml of the input folder, when it has one."""
    corpus_root: Path | None = None
    progress: Progress = _no_progress

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

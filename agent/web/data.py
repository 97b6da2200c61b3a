"""Every read of a run's files for the web app, in one place, through the typed artifacts (segscribe.artifacts).

Parsed runs are cached by the files' modification times, so a page of a finished run costs no parsing
after the first view, and a run that is still writing shows its newest files.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from segscribe import artifacts as A
from segscribe.artifacts import RunDir
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.finding import Finding
from segscribe.schemas.persona import Persona
from segscribe.schemas.run import IngestRecord, RunRecord
from segscribe.schemas.scoring import ScoringResult
from segscribe.schemas.segment import Segmentation, SegmentsResult
from segscribe.schemas.strategy import StrategyReport
from segscribe.schemas.theme import Theme
from segscribe.store.workspace import Workspace

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
#: Stage outputs in pipeline order: the run page ticks a stage off when its file appears.
STAGE_FILES = (("load", "ingest.json"), ("extract", "evidence.jsonl"), ("themes", "themes.json"),
               ("segment", "segments.json"), ("findings", "findings.json"), ("personas", "personas.json"),
               ("score", "scoring.json"), ("report", "report.html"))
_WATCHED = ("evidence.jsonl", "themes.json", "findings.json", "personas.json", "segments.json", "scoring.json",
            "report.json", "run.json", "ingest.json")
_CACHE_SIZE = 4


@dataclass
class RunSummary:
    id: str
    status: str
    provider: str | None
    started_at: float
    finished_at: float | None
    stats: dict[str, Any] = field(default_factory=dict)


def list_runs(ws: Workspace) -> list[RunSummary]:
    """Runs of the workspace, newest first, with their recorded stats."""
    with ws.connect() as con:
        rows = con.execute("SELECT id, status, provider, started_at, finished_at, record FROM runs "
                           "ORDER BY started_at DESC").fetchall()
    return [RunSummary(r[0], r[1], r[2], r[3], r[4], (json.loads(r[5] or "{}") or {}).get("stats", {}))
            for r in rows]


def run_status(ws: Workspace, run_id: str) -> str | None:
    """The status recorded in the runs table (running, finished), or None for an unknown run."""
    with ws.connect() as con:
        row = con.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
    return row[0] if row else None


def run_dir(ws: Workspace, run_id: str) -> Path | None:
    """The folder of a run, or None when the id is malformed or unknown (ids never reach the filesystem raw)."""
    if not RUN_ID.match(run_id):
        return None
    path = ws.runs_path / run_id
    return path if path.is_dir() and path.parent == ws.runs_path else None


def stages_done(root: Path) -> list[str]:
    """Stages whose output file exists."""
    return [stage for stage, name in STAGE_FILES if (root / name).exists()]


def worker_pid(root: Path) -> int | None:
    """The process id of the run's web worker, when the web app started it."""
    try:
        return int((root / "worker.pid").read_text())
    except (OSError, ValueError):
        return None


class RunData:
    """One run's outputs, read through the typed artifacts on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.id = root.name
        self.dir = RunDir(root)

    @cached_property
    def evidence(self) -> list[EvidenceBase]:
        return self.dir.read(A.EVIDENCE)

    @cached_property
    def evidence_by_id(self) -> dict[str, EvidenceBase]:
        return {e.id: e for e in self.evidence}

    @cached_property
    def themes(self) -> list[Theme]:
        return self.dir.read(A.THEMES)

    @cached_property
    def findings(self) -> list[Finding] | None:
        """None when the run has no findings file (older runs, or a run still going)."""
        return self.dir.read(A.FINDINGS) if self.dir.exists(A.FINDINGS) else None

    @cached_property
    def personas(self) -> list[Persona]:
        return self.dir.read(A.PERSONAS)

    @cached_property
    def segments(self) -> SegmentsResult:
        return self.dir.read(A.SEGMENTS)

    @cached_property
    def segmentation(self) -> Segmentation | None:
        return self.segments.primary_segmentation

    @cached_property
    def segment_of(self) -> dict[str, str]:
        """Evidence id -> its primary segment (the pipeline's own definition, SegmentsResult.segment_of)."""
        return {e.id: seg for e in self.evidence if (seg := self.segments.segment_of(e))}

    @cached_property
    def scoring(self) -> ScoringResult | None:
        return self.dir.read(A.SCORING)

    @cached_property
    def record(self) -> RunRecord | None:
        return self.dir.read(A.RUN) if self.dir.exists(A.RUN) else None

    @cached_property
    def ingest(self) -> IngestRecord:
        return self.dir.read(A.INGEST)

    @cached_property
    def report(self) -> StrategyReport | None:
        """report.json (the renderer's own model; not a stage artifact)."""
        path = self.root / "report.json"
        return StrategyReport.model_validate_json(path.read_text(encoding="utf-8")) if path.is_file() else None

    @cached_property
    def doc_ids(self) -> list[str]:
        """Documents of the run (its sessions): every input document."""
        inputs: dict[str, Any] = self.dir.read(A.INPUTS)
        return sorted(inputs)


_cache: OrderedDict[tuple[str, tuple[Any, ...]], RunData] = OrderedDict()
_lock = threading.Lock()


def _signature(root: Path) -> tuple[Any, ...]:
    out: list[tuple[int, int] | None] = []
    for name in _WATCHED:
        try:
            st = (root / name).stat()
            out.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


def load_run(root: Path) -> RunData:
    """The parsed run at `root`, from the cache while none of its files changed."""
    key = (str(root), _signature(root))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
        data = RunData(root)
        _cache[key] = data
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return data

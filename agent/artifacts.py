"""Run folders and their stage files: one typed reader and one writer per file.

Every file under `runs/<id>/` is declared here once, with the Pydantic type it holds. Stages, the CLI, the
evals and the web app read and write them only through `RunDir.read` / `RunDir.write`, so no code parses a
stage file as raw dicts and a damaged file is reported the same way everywhere.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from segscribe.errors import WorkspaceError
from segscribe.files import atomic_write, jsonl_lines
from segscribe.schemas.evidence import DroppedItem, Evidence, EvidenceBase
from segscribe.schemas.finding import Finding
from segscribe.schemas.persona import Persona
from segscribe.schemas.run import DocExtraction, IngestRecord, InputRecord, RunOptions, RunRecord
from segscribe.schemas.scoring import ScoringResult
from segscribe.schemas.segment import SegmentsResult
from segscribe.schemas.theme import Theme

T = TypeVar("T")


@dataclass(frozen=True)
class Artifact(Generic[T]):
    """A stage file: its name in the run folder, its type, and what reading an absent file gives."""

    name: str
    type: Any
    default: Callable[[], T] | None = None
    lines: bool = False
    """JSON Lines (one record per line, the type is the record's) instead of one JSON document."""

    @property
    def adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.type)


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(tp: Any) -> TypeAdapter[Any]:
    if tp not in _ADAPTERS:
        _ADAPTERS[tp] = TypeAdapter(tp)
    return _ADAPTERS[tp]


OPTIONS: Artifact[RunOptions] = Artifact("options.json", RunOptions)
INGEST: Artifact[IngestRecord] = Artifact("ingest.json", IngestRecord, default=IngestRecord)
INPUTS: Artifact[dict[str, InputRecord]] = Artifact("inputs.json", dict[str, InputRecord], default=dict)
EVIDENCE: Artifact[list[EvidenceBase]] = Artifact("evidence.jsonl", Evidence, default=list, lines=True)
DROPPED: Artifact[list[DroppedItem]] = Artifact("dropped.jsonl", DroppedItem, default=list, lines=True)
THEMES: Artifact[list[Theme]] = Artifact("themes.json", list[Theme], default=list)
FINDINGS: Artifact[list[Finding]] = Artifact("findings.json", list[Finding], default=list)
FINDINGS_KEPT_BACK: Artifact[list[dict[str, str]]] = Artifact("findings_kept_back.jsonl", dict[str, str],
                                                             default=list, lines=True)
SEGMENTS: Artifact[SegmentsResult] = Artifact("segments.json", SegmentsResult, default=SegmentsResult)
PERSONAS: Artifact[list[Persona]] = Artifact("personas.json", list[Persona], default=list)
PERSONAS_DROPPED: Artifact[list[dict[str, str]]] = Artifact("personas_dropped.jsonl", dict[str, str],
                                                           default=list, lines=True)
SCORING: Artifact[ScoringResult | None] = Artifact("scoring.json", ScoringResult | None, default=lambda: None)
RUN: Artifact[RunRecord] = Artifact("run.json", RunRecord)


def extraction(doc_id: str) -> Artifact[DocExtraction]:
    """`extract/<doc_id>.json`: one document's extraction, written as soon as it is done."""
    return Artifact(f"extract/{doc_id}.json", DocExtraction)


def failed_extraction(doc_id: str) -> Artifact[DocExtraction]:
    """`extract-failed/<doc_id>.json`: a document the provider could not process (retried on resume)."""
    return Artifact(f"extract-failed/{doc_id}.json", DocExtraction)


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid() % 10000:04d}"


def _dump(value: Any, tp: Any) -> str:
    data = _adapter(tp).dump_python(value, mode="json")
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _dump_line(value: Any, tp: Any) -> str:
    data = _adapter(tp).dump_python(value, mode="json")
    return json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n"


class RunDir:
    """The folder of one run: `<workspace>/runs/<id>/`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def run_id(self) -> str:
        return self.root.name

    def path(self, art: Artifact[Any]) -> Path:
        return self.root / art.name

    def exists(self, art: Artifact[Any]) -> bool:
        return self.path(art).is_file()

    def remove(self, art: Artifact[Any]) -> None:
        self.path(art).unlink(missing_ok=True)

    def write(self, art: Artifact[T], value: T) -> Path:
        """Write a stage file atomically (JSON sorted by key, UTF-8, one record per line for JSONL)."""
        p = self.path(art)
        if art.lines:
            text = "".join(_dump_line(v, art.type) for v in value)  # type: ignore[attr-defined]
        else:
            text = _dump(value, art.type)
        atomic_write(p, text)
        return p

    def read(self, art: Artifact[T]) -> T:
        """Read and validate a stage file; an absent file gives the artifact's default."""
        p = self.path(art)
        if not p.is_file():
            if art.default is None:
                raise WorkspaceError(f"{p} is missing: the run did not get that far; "
                                     f"finish it with `segscribe run --resume {self.run_id}`")
            return art.default()
        text = p.read_text(encoding="utf-8")
        if art.lines:
            return self._read_lines(p, text, art)  # type: ignore[return-value]
        try:
            return art.adapter.validate_json(text)  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise self._damaged(p, exc) from None

    def _read_lines(self, p: Path, text: str, art: Artifact[Any]) -> list[Any]:
        out = []
        for number, line in jsonl_lines(text):
            try:
                out.append(art.adapter.validate_json(line))
            except ValidationError as exc:
                raise self._damaged(p, exc, number) from None
        return out

    def _damaged(self, p: Path, exc: ValidationError, line: int | None = None) -> WorkspaceError:
        where = f"{p}" + (f" line {line}" if line else "")
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        return WorkspaceError(f"{where} is damaged ({loc}: {first['msg']}); delete it and rerun "
                              f"`segscribe run --resume {self.run_id}` to rebuild it")

    def evidence_by_id(self) -> dict[str, EvidenceBase]:
        return {e.id: e for e in self.read(EVIDENCE)}


"""Kind and voice of the offline extractor, scored on sentences a person labelled in real research text.

A labelled sample is a JSONL of units: `source` (`research_studies/<study>/notes/<file>` or
`interviews_creatives/transcripts.csv#<transcript_id>`), `start`/`end` character offsets into that text (a
notes file read with newline='', or the transcript's `text` cell), the `kind` a reader gave it (pain, goal, job,
workaround, objection, suggestion, observation, or none) and its `voice` (participant, notes, interviewer,
template). The texts stay in ../shared/data; the sample holds only offsets.

The real pipeline runs on the source documents (ingest, voice inference, extraction, grounding gate), and
each unit takes the kind of the extracted item that overlaps it most (none when nothing does). So the figures
measure what a user gets, sentence splitting and voice included.

    python -m segscribe.evals.kinds [SAMPLE.jsonl] [--data DIR]
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segscribe.schemas.document import Document

KINDS = ("pain", "goal", "job", "workaround", "objection", "suggestion", "observation")
DATASETS = Path(__file__).parent / "datasets"


@dataclass
class Unit:
    source: str
    start: int
    end: int
    kind: str
    voice: str


@dataclass
class Prediction:
    kind: str
    voice: str | None


def load_units(path: Path) -> list[Unit]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    return [Unit(r["source"], int(r["start"]), int(r["end"]), r["kind"], r["voice"]) for r in rows]


def _source_texts(units: list[Unit], data: Path) -> dict[str, str]:
    """The original text of every unit's source (file, or transcript cell)."""
    out: dict[str, str] = {}
    cells: dict[str, str] = {}
    if any("#" in u.source for u in units):
        csv.field_size_limit(10**8)
        with (data / "interviews_creatives" / "transcripts.csv").open(encoding="utf-8", newline="") as fh:
            cells = {row["transcript_id"]: row["text"] for row in csv.DictReader(fh)}
    for u in units:
        if u.source in out:
            continue
        if "#" in u.source:
            out[u.source] = cells[u.source.split("#", 1)[1]]
        else:
            out[u.source] = (data / u.source).open(encoding="utf-8", newline="").read()
    return out


def _documents(units: list[Unit], data: Path, ws_root: Path) -> dict[str, Document]:
    """Ingest the folders (notes) and export (transcripts) the units come from; documents by unit source."""
    from segscribe.ingest.service import ingest_paths
    from segscribe.store.workspace import Workspace

    ws = Workspace.open(ws_root)
    folders = sorted({(data / u.source).parent for u in units if "#" not in u.source})
    if any("#" in u.source for u in units):
        folders.append(data / "interviews_creatives" / "transcripts.csv")
    ingest_paths(ws, folders, index=False)
    by_source: dict[str, Document] = {}
    for d in ws.documents():
        src = d.source
        if "#" in src:
            by_source["interviews_creatives/transcripts.csv#" + src.split("#", 1)[1]] = d
        else:
            rel = Path(src).resolve().relative_to(data.resolve()).as_posix()
            by_source[rel] = d
    return by_source


def predict(units: list[Unit], data: Path) -> list[Prediction]:
    """Run ingest + offline extraction + the gate on the units' sources; one prediction per unit."""
    from segscribe.extractors.offline import OfflineExtractor
    from segscribe.pipeline.extract import extract_documents

    texts = _source_texts(units, data)
    with tempfile.TemporaryDirectory() as tmp:
        docs = _documents(units, data, Path(tmp) / "ws")
    wanted = [docs[s] for s in sorted({u.source for u in units}) if s in docs]
    results = {r.doc_id: r for r in extract_documents(wanted, OfflineExtractor())}
    out = []
    for u in units:
        doc = docs.get(u.source)
        if doc is None:
            out.append(Prediction("none", None))
            continue
        shift = texts[u.source].find(doc.text) if doc.text not in ("",) else 0
        s, e = u.start - max(shift, 0), u.end - max(shift, 0)
        passage = doc.passage_at(s, e) or _overlapping_passage(doc, s, e)
        best, overlap = "none", 0
        for item in results[doc.id].evidence if doc.id in results else []:
            c = item.citations[0]
            ov = min(e, c.end) - max(s, c.start)
            if ov > overlap and ov >= 0.5 * min(e - s, c.end - c.start):
                best, overlap = item.kind, ov
        out.append(Prediction(best, passage.voice.value if passage else None))
    return out


def _overlapping_passage(doc: Document, s: int, e: int) -> Any:
    best, overlap = None, 0
    for p in doc.passages:
        ov = min(e, p.end) - max(s, p.start)
        if ov > overlap:
            best, overlap = p, ov
    return best


def score(units: list[Unit], preds: list[Prediction]) -> dict[str, Any]:
    """Kind precision/recall (overall and per kind), evidence-vs-none, and voice agreement."""
    pairs = list(zip(units, preds, strict=True))
    emitted = [(u, p) for u, p in pairs if p.kind != "none"]
    labelled = [(u, p) for u, p in pairs if u.kind != "none"]
    per_kind = {}
    for k in KINDS:
        tp = sum(1 for u, p in pairs if p.kind == k and u.kind == k)
        n_pred = sum(1 for _, p in pairs if p.kind == k)
        n_gold = sum(1 for u, _ in pairs if u.kind == k)
        per_kind[k] = {"precision": _r(tp, n_pred), "recall": _r(tp, n_gold), "predicted": n_pred, "labelled": n_gold}
    voices = [(u, p) for u, p in pairs if p.voice is not None]
    return {
        "units": len(units),
        "kind_precision": _r(sum(1 for u, p in emitted if u.kind == p.kind), len(emitted)),
        "kind_recall": _r(sum(1 for u, p in labelled if u.kind == p.kind), len(labelled)),
        "evidence_precision": _r(sum(1 for u, _ in emitted if u.kind != "none"), len(emitted)),
        "evidence_recall": _r(sum(1 for _, p in labelled if p.kind != "none"), len(labelled)),
        "emitted": len(emitted),
        "per_kind": per_kind,
        "voice_agreement": _r(sum(1 for u, p in voices if u.voice == p.voice), len(voices)),
        "notes_shown_as_participant": sum(1 for u, p in voices if u.voice == "notes" and p.voice == "participant"),
        "confusion": dict(sorted(Counter(f"{u.kind}->{p.kind}" for u, p in pairs if u.kind != p.kind).items())),
    }


def _r(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def evaluate_sample(sample: Path, data: Path) -> dict[str, Any]:
    units = load_units(sample)
    return score(units, predict(units, data))


def main(argv: list[str]) -> None:
    from segscribe.evals.external import default_data_dir

    data = Path(argv[argv.index("--data") + 1]) if "--data" in argv else default_data_dir()
    samples = [Path(a) for a in argv if a.endswith(".jsonl")] or [DATASETS / "kinds_sample.jsonl"]
    for sample in samples:
        print(sample.name, json.dumps(evaluate_sample(sample, data), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])

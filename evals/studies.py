"""Real research studies: do the tool's findings rediscover the team's published key findings?

Each study in `<data>/research_studies/<study>/` has the note-taker's notes (`notes/*.md`), the team's
published findings, and `gold/findings_support.jsonl`: for every published key finding, the note spans
(file, character offsets, voice) that support it, annotated independently by reading the notes against the
findings (first row is meta). The gold is read here and never by the pipeline.

A published finding counts as rediscovered when one generated finding
  1. cites at least 2 spans that overlap the finding's gold support,
  2. those spans come from at least 2 sessions, and
  3. at least a quarter of the generated finding's own citations fall in that support (so a catch-all
     finding cannot claim everything).

Voice attribution: every gold span has a voice; no evidence the tool shows as someone's own words
(participant or customer voice) may overlap a span the gold marks as the note-taker's notes.

    python -m segscribe.evals.studies [--data DIR] [--json]
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segscribe.schemas.document import Document
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.finding import Finding

MIN_SUPPORT_SPANS = 2
MIN_SUPPORT_SESSIONS = 2
MIN_FOCUS = 0.25


@dataclass(frozen=True)
class GoldSpan:
    target: str
    target_text: str
    file: str
    start: int
    end: int
    voice: str


def load_support(path: Path) -> list[GoldSpan]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    return [GoldSpan(r["target"], r["target_text"], r["file"], int(r["start"]), int(r["end"]), r["voice"])
            for r in rows if not r.get("_meta")]


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return min(a_end, b_end) > max(a_start, b_start)


def rediscovered(finding: Finding, support: list[GoldSpan], evidence: dict[str, EvidenceBase],
                 file_of: dict[str, str], session_of: dict[str, str]) -> bool:
    """The three conditions above, for one generated finding and one published finding's support."""
    cited = [evidence[i] for i in finding.evidence_ids + finding.counter_evidence_ids if i in evidence]
    inside = [e for e in cited if any(
        s.file == file_of[e.doc_id] and _overlaps(s.start, s.end, e.citations[0].start, e.citations[0].end)
        for s in support)]
    sessions = {session_of[e.doc_id] for e in inside}
    return (len(inside) >= MIN_SUPPORT_SPANS and len(sessions) >= MIN_SUPPORT_SESSIONS
            and len(inside) >= MIN_FOCUS * max(1, len(cited)))


def findings_recall(findings: list[Finding], gold: list[GoldSpan], evidence: dict[str, EvidenceBase],
                    docs: dict[str, Document], top: int | None = None) -> dict[str, Any]:
    file_of = {d.id: Path(d.source.split("#")[0]).name for d in docs.values()}
    session_of = {d.id: d.session for d in docs.values()}
    by_target: dict[str, list[GoldSpan]] = defaultdict(list)
    for s in gold:
        by_target[s.target].append(s)
    shown = findings[:top] if top else findings
    hits: dict[str, str] = {}
    for target, support in sorted(by_target.items()):
        match = next((f for f in shown if rediscovered(f, support, evidence, file_of, session_of)), None)
        if match is not None:
            hits[target] = match.id
    return {"published": len(by_target), "rediscovered": len(hits), "recall": round(len(hits) / len(by_target), 4)
            if by_target else 0.0, "matches": hits,
            "missed": sorted((t, by_target[t][0].target_text) for t in by_target if t not in hits)}


def voice_attribution(gold: list[GoldSpan], evidence: list[EvidenceBase], docs: dict[str, Document]) -> dict[str, Any]:
    """Notes shown as someone's own words (must be 0), and agreement of passage voices with the gold."""
    by_file = {Path(d.source).name: d for d in docs.values()}
    shown_as_quote = 0
    agree = total = 0
    for s in gold:
        doc = by_file.get(s.file)
        if doc is None:
            continue
        if s.voice == "notes":
            shown_as_quote += sum(1 for e in evidence if e.doc_id == doc.id and e.verbatim and _overlaps(
                s.start, s.end, e.citations[0].start, e.citations[0].end))
        chars: dict[str, int] = defaultdict(int)
        for p in doc.passages:
            ov = min(s.end, p.end) - max(s.start, p.start)
            if ov > 0:
                chars[p.voice.value] += ov
        total += 1
        agree += bool(chars) and max(chars, key=lambda v: chars[v]) == s.voice
    return {"notes_shown_as_quote": shown_as_quote, "voice_agreement": round(agree / total, 4) if total else 0.0,
            "gold_spans": total}


def evaluate_study(folder: Path, top: int = 10) -> dict[str, Any]:
    """Run the offline pipeline on a study's notes in a fresh workspace and score it against its gold."""
    from segscribe import artifacts as A
    from segscribe.artifacts import RunDir
    from segscribe.runner import run_pipeline
    from segscribe.schemas.run import RunOptions
    from segscribe.store.workspace import Workspace

    gold = load_support(folder / "gold" / "findings_support.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "ws")
        rec = run_pipeline(ws, RunOptions(inputs=[folder / "notes"], index=False))  # search is not scored
        run = RunDir(ws.runs_path / rec.run_id)
        evidence = run.read(A.EVIDENCE)
        findings = run.read(A.FINDINGS)
        docs = {d.id: d for d in ws.documents()}
    by_id = {e.id: e for e in evidence}
    return {
        "study": folder.name, "sessions": len({d.session for d in docs.values()}), "documents": len(docs),
        "evidence": len(evidence), "findings": len(findings), "seconds": rec.seconds,
        "recall": findings_recall(findings, gold, by_id, docs),
        f"recall_top{top}": findings_recall(findings, gold, by_id, docs, top=top),
        "voice": voice_attribution(gold, evidence, docs),
    }


def evaluate_studies(data: Path) -> dict[str, Any]:
    root = data / "research_studies"
    studies = sorted(p for p in root.iterdir() if (p / "gold" / "findings_support.jsonl").is_file())
    per = [evaluate_study(p) for p in studies]
    published = sum(s["recall"]["published"] for s in per)
    found = sum(s["recall"]["rediscovered"] for s in per)
    top = sum(s["recall_top10"]["rediscovered"] for s in per)
    return {"studies": per, "published": published, "rediscovered": found,
            "findings_recall": round(found / published, 4) if published else 0.0,
            "findings_recall_top10": round(top / published, 4) if published else 0.0,
            "notes_shown_as_quote": sum(s["voice"]["notes_shown_as_quote"] for s in per)}


def to_markdown(result: dict[str, Any]) -> str:
    lines = ["| study | sessions | evidence | findings | rediscovered | in top 10 | voice agreement | notes as quotes "
             "|",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in result["studies"]:
        r, t, v = s["recall"], s["recall_top10"], s["voice"]
        lines.append(f"| {s['study']} | {s['sessions']} | {s['evidence']} | {s['findings']} | "
                     f"{r['rediscovered']}/{r['published']} | {t['rediscovered']}/{t['published']} | "
                     f"{v['voice_agreement']:.3f} | {v['notes_shown_as_quote']} |")
    lines.append(f"\nFindings recall: {result['rediscovered']}/{result['published']} = {result['findings_recall']:.3f} "
                 f"(top 10 per study: {result['findings_recall_top10']:.3f}); notes shown as quotes: "
                 f"{result['notes_shown_as_quote']}")
    for s in result["studies"]:
        for target, text in s["recall"]["missed"]:
            lines.append(f"- missed in {s['study']}: {target}: {text[:120]}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    from segscribe.evals.external import default_data_dir

    data = Path(argv[argv.index("--data") + 1]) if "--data" in argv else default_data_dir()
    result = evaluate_studies(data)
    print(json.dumps(result, indent=2) if "--json" in argv else to_markdown(result))


if __name__ == "__main__":
    main(sys.argv[1:])

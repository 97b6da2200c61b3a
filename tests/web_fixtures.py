"""Fixtures for the web app tests: findings.json written from a run's own themes and evidence.

Issue 10 adds the findings stage; until then the tests write findings that follow its schema
(segscribe.schemas.finding), computed from the run's real themes: every id, quote and count comes from the run.
"""

from __future__ import annotations

import json
from pathlib import Path

from segscribe.schemas.document import VERBATIM_VOICES
from segscribe.schemas.evidence import EVIDENCE_CLASSES, EvidenceBase
from segscribe.schemas.finding import Coverage, Finding, StatementPart


def read_evidence(run: Path) -> list[EvidenceBase]:
    rows = [json.loads(x) for x in (run / "evidence.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    return [EVIDENCE_CLASSES[r["kind"]].model_validate(r) for r in rows]


def findings_from_themes(run: Path, max_findings: int = 8) -> list[Finding]:
    """One finding per theme held by at least two documents: participants' words first, then notes."""
    by_id = {e.id: e for e in read_evidence(run)}
    themes = json.loads((run / "themes.json").read_text(encoding="utf-8"))
    total = len(json.loads((run / "inputs.json").read_text(encoding="utf-8")))
    out: list[Finding] = []
    for t in themes:
        items = [by_id[i] for i in t["evidence_ids"] if i in by_id]
        docs = {e.doc_id for e in items}
        if len(docs) < 2:
            continue
        items.sort(key=lambda e: (e.voice not in VERBATIM_VOICES, e.id != t.get("representative_id"), e.id))
        lead = items[0]
        kinds: dict[str, int] = {}
        for e in items:
            kinds[e.kind] = kinds.get(e.kind, 0) + 1
        who = sorted({e.participant_id or e.customer_id or e.doc_id for e in items})
        out.append(Finding(
            id=f"f{len(out) + 1}", rank=len(out) + 1, label=t["label"], statement=lead.quote,
            parts=[StatementPart(text=lead.quote, evidence_ids=[lead.id])], evidence_ids=[e.id for e in items],
            coverage=Coverage(sessions=len(docs), total_sessions=total, participants=who),
            intensity=round(kinds.get("pain", 0) / len(items), 3), kinds=kinds, theme_id=t["id"]))
        if len(out) == max_findings:
            break
    return out


def write_findings(run: Path, findings: list[Finding]) -> Path:
    path = run / "findings.json"
    path.write_text(json.dumps([f.model_dump(mode="json") for f in findings], indent=1), encoding="utf-8")
    return path


XSS = "<script>alert('xss')</script><img src=x onerror=alert(1)>"
XSS_TRANSCRIPT = f"""---
participant: Mallory Quinn
interviewer: Iris
---
Iris: How do exports work for you?
Mallory Quinn: It's so frustrating: every month I lose hours because the export breaks when {XSS} shows up\
in the vendor name.
Iris: What do you do then?
Mallory Quinn: I fix the CSV by hand in a spreadsheet every single month, which is a painful workaround.
"""
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def research_folder(root: Path, corpus: Path, names: tuple[str, ...] = (
        "p01_whitfield.txt", "p02_bellini.vtt", "p04_okafor.md", "p11_santos.md")) -> Path:
    """A folder of notes as a researcher would drop it: four real interviews, one duplicate, one bad file and
    one transcript with an XSS payload in a participant's words."""
    folder = root / "study"
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_bytes((corpus / "interviews" / name).read_bytes())
    (folder / "whitfield-copy.txt").write_bytes((corpus / "interviews" / names[0]).read_bytes())
    (folder / "photo-of-whiteboard.txt").write_bytes(PNG)
    (folder / "p99_quinn.txt").write_text(XSS_TRANSCRIPT, encoding="utf-8")
    return folder

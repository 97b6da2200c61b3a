"""A research study without customer tables gets a findings-first report that fits its inputs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import factories
from factories import shared
from segscribe.cli.main import app

NOTES = {
    "session-1.md": """# Session 1

## Scheduling
- Had trouble finding the reschedule option; scrolled past it twice.
- Would want a reminder two days before the visit.
> I honestly didn't know where to change the time, it was confusing.
- Found the cancel button easily.
""",
    "session-2.md": """# Session 2

## Scheduling
- Could not find the reschedule option at first; looked in the menu.
- Expects a reminder a couple of days ahead.
> It was confusing to change the time, I didn't know where that was.
- Cancelling was quick and simple.
""",
    "session-3.md": """# Session 3

## Scheduling
- Did not notice the reschedule option and asked for help.
- Wants a text reminder two days before.
> I just couldn't find how to change the time, that was confusing.
- Cancelled without any trouble; said it was easy.
""",
}


def _study(tmp: Path) -> Path:
    folder = tmp / "my-study" / "notes"
    folder.mkdir(parents=True)
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "session-3-copy.md").write_text(NOTES["session-3.md"], encoding="utf-8")  # an exact duplicate
    (folder / "session-4.md").write_text("# Session 4\n\n## Scheduling\n", encoding="utf-8")  # left unfilled
    return folder


def test_research_report_is_findings_first_and_fits_its_inputs(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    res = CliRunner().invoke(app, ["run", str(_study(tmp_path)), "-w", str(ws), "--json"])
    assert res.exit_code == 0, res.output
    run = ws / "runs" / json.loads(res.stdout)["run_id"]
    report = json.loads((run / "report.json").read_text())
    md = (run / "report.md").read_text()
    assert report["kind"] == "research" and report["title"] == "Research findings: my study"
    headings = re.findall(r"^## \d+\. (.+)$", md, re.M)
    assert headings[:7] == ["Executive summary", "Key findings", "Themes", "Jobs to be done", "Personas",
                            "Recommendations", "Open questions"]
    assert not re.search(r"\b(churn|CRM|KPI|revenue|MRR)\b", md, re.I)
    assert "customer table" not in md, "needs segments are made from the evidence, not from a customer table"
    study = report["study"]
    assert study["sessions"] == 3 and study["documents"] == {"notes": 3}
    [dup] = study["duplicates"]
    assert {Path(dup["file"]).name, Path(dup["kept"]).name} == {"session-3.md", "session-3-copy.md"}
    assert "Duplicates left out" in md and "3 sessions" in md.split("\n")[2]
    [left_out] = study["skipped"]        # an unfilled template is no session, and the report says so
    assert Path(left_out["path"]).name == "session-4.md" and "unfilled" in left_out["reason"]
    assert "Files left out" in md and "session-4.md" in md
    assert report["findings"], "three sessions that agree give findings"
    assert all(f["coverage"]["total_sessions"] == 3 for f in report["findings"])
    notes_items = [e for e in report["evidence"] if e["voice"] == "notes"]
    assert notes_items
    for e in notes_items:
        assert f"“{e['citations'][0]['quote']}”" not in md, "a note is never shown in quotation marks"


@pytest.mark.shared_data
def test_a_real_study_report_cites_no_customer_table_and_lists_minor_findings(tmp_path: Path) -> None:
    """A real notes-only study (8 sessions) gets personas from its needs segments; their data sources are the
    cited sessions, never a "customer table" the study does not have. Its dozens of findings read as ten in
    full and one line each for the rest."""
    notes = shared("research_studies/claim-status-document-status/notes")
    ws = tmp_path / "ws"
    res = CliRunner().invoke(app, ["run", str(notes), "-w", str(ws), "--json"])
    assert res.exit_code == 0, res.output
    run = ws / "runs" / json.loads(res.stdout)["run_id"]
    personas = json.loads((run / "personas.json").read_text())
    personas = personas["personas"] if isinstance(personas, dict) else personas
    assert personas, "an 8-session study gives personas"
    for p in personas:
        assert p["data_sources"] and not any("customer table" in s for s in p["data_sources"]), p["data_sources"]
    md = (run / "report.md").read_text()
    assert "customer table" not in md
    findings = json.loads((run / "findings.json").read_text())
    findings = findings["findings"] if isinstance(findings, dict) else findings
    assert len(findings) > 10
    key = md.split('<a id="key-findings"></a>')[1].split('<a id="themes"></a>')[0]
    assert re.findall(r"^### (\d+)\. ", key, re.M) == [str(i) for i in range(1, 11)]
    assert f"### Other findings (11-{len(findings)})" in key
    assert all(f"- **{f['rank']}. " in key for f in findings[10:])


def _recommend(said: list[list[str]], first: Any, rest: Any, embedder: Any) -> tuple[Any, Any]:
    """The one finding of three sessions (the first says something of kind `first`, the others of `rest`) and
    its recommendation."""
    from segscribe.pipeline.findings import build_findings
    from segscribe.pipeline.research import recommendations

    docs, items = factories.sessions_saying(said, kind_of=lambda i: first if i == 0 else rest)
    [finding] = build_findings(items, factories.sessions_of(docs), embedder.embed)
    [rec] = recommendations([finding], {e.id: e for e in items})
    return finding, rec


def test_a_recommendation_counts_the_participants_who_said_so(embedder: Any) -> None:
    """Three participants raise the same step; two found it easy, one was confused. The recommendation keeps
    what works and says 2 of the 3, not that all three sessions "found it worked"."""
    from segscribe.schemas.evidence import EvidenceKind

    said = [["It was confusing to change the time of my visit."],
            ["Changing the time of my visit was easy and clear."],
            ["Changing my visit time was easy, it was clear."]]
    finding, rec = _recommend(said, EvidenceKind.pain, EvidenceKind.observation, embedder)
    assert finding.coverage.sessions == 3 and len(finding.counter_evidence_ids) == 1
    assert rec.recommendation and rec.text.startswith(f"Keep what works about {finding.label}: ")
    assert "2 of the 3 participants who raised it spoke well of it (3 of 3 sessions)." in rec.text, rec.text


def test_a_recommendation_follows_what_most_participants_said(embedder: Any) -> None:
    """One participant found the step hard, two proposed the same change: the recommendation is the proposal,
    '2 of the 3', although a difficulty wins a tie."""
    from segscribe.schemas.evidence import EvidenceKind

    said = [["Changing the time of my visit was hard to find."],
            ["Changing the time of my visit should be a button on the first page."],
            ["There should be a button to change the time of my visit on the first page."]]
    finding, rec = _recommend(said, EvidenceKind.pain, EvidenceKind.suggestion, embedder)
    assert finding.coverage.sessions == 3
    assert rec.text.startswith(f"Consider the change participants proposed about {finding.label}: "), rec.text
    assert "2 of the 3 participants who raised it proposed one" in rec.text, rec.text


def test_one_participant_against_many_is_a_dissenting_view_not_a_disagreement(embedder: Any) -> None:
    """Open questions count participants on each side. One participant against four is a dissenting view; two
    against three (at least two, and a quarter of those for it) is a disagreement."""
    from segscribe.pipeline.findings import build_findings
    from segscribe.pipeline.research import open_questions
    from segscribe.schemas.evidence import EvidenceKind

    said = [["It was confusing to change the time of my visit."],
            ["Changing the time of my visit was easy and clear."],
            ["Changing my visit time was easy, it was clear."],
            ["Changing the visit time was easy and quick, very clear."],
            ["It was clear and easy to change the time of my visit."]]
    docs, items = factories.sessions_saying(
        said, kind_of=lambda i: EvidenceKind.pain if i == 0 else EvidenceKind.observation)
    [finding] = build_findings(items, factories.sessions_of(docs), embedder.embed)
    assert len(finding.counter_evidence_ids) == 1
    study = type("Study", (), {"sessions": 5})()
    [q, *_] = open_questions([finding], items, study, 2)  # type: ignore[arg-type]
    assert q.text.startswith(f"A dissenting view on {finding.label}: 4 participants support the finding and "
                             "1 participant goes against it (4 and 1 items)."), q.text

    said[1] = ["Changing the visit time was confusing, I got lost."]
    docs, items = factories.sessions_saying(
        said, kind_of=lambda i: EvidenceKind.pain if i < 2 else EvidenceKind.observation)
    [finding] = build_findings(items, factories.sessions_of(docs), embedder.embed)
    [q, *_] = open_questions([finding], items, study, 2)  # type: ignore[arg-type]
    assert q.text.startswith(f"Participants disagree about {finding.label}: 3 participants support the finding "
                             "and 2 participants go against it"), q.text

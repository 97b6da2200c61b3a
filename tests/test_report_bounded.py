"""A report holds what it renders: the first items of each list of evidence, a count of the rest.

A 100k-ticket run has about 121,000 evidence items; a report that carried them all (and their documents'
text) was about 200 MB a format and most of the run's peak memory.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from factories import write_tickets
from segscribe.report import render_html, render_markdown
from segscribe.report.citing import CITED_PER_LIST, cited_ids, listed, more_text
from segscribe.runner import RunOptions, run_pipeline
from segscribe.schemas.strategy import StrategyReport
from segscribe.store.workspace import Workspace

COMPLAINTS = [
    "I was charged twice for my subscription this month (invoice {n}) and nobody answers my emails",
    "The app keeps logging me out every time I switch to another screen on my phone number {n}",
    "My refund for order {n} still has not arrived after three weeks of waiting",
    "I cannot reset the password of account {n} because the reset link in the email has already expired",
]
OPENERS = ["Hi,", "Hello team,", "Hey,", "Good morning,", ""]
CLOSERS = ["Please help.", "This is really frustrating.", "Thanks.", "Any update?", ""]


def _tickets(path: Path, n: int) -> Path:
    rng = random.Random(7)
    rows = []
    for i in range(n):
        text = " ".join(x for x in (rng.choice(OPENERS), COMPLAINTS[i % len(COMPLAINTS)].format(n=1000 + i),
                                    rng.choice(CLOSERS)) if x)
        rows.append((f"T{i:05d}", f"C{i:05d}", text))
    return write_tickets(path / "tickets.csv", rows)


def test_large_run_report_cites_a_bounded_sample_and_stays_grounded(tmp_path: Path, embedder) -> None:
    ws = Workspace.open(tmp_path / "ws")
    rec = run_pipeline(ws, RunOptions(inputs=[_tickets(tmp_path / "data", 600)], index=False), embedder=embedder)
    assert rec.status == "finished" and rec.report
    run = Path(rec.report).parent
    report = StrategyReport.model_validate_json((run / "report.json").read_text(encoding="utf-8"))
    n_evidence = sum(1 for _ in (run / "evidence.jsonl").open(encoding="utf-8"))
    big = [f for f in report.findings if len(set(f.evidence_ids)) > CITED_PER_LIST]
    assert big, "the four repeated complaints make findings far larger than one list of citations"
    # Exactly what the renderers cite, and far fewer than the run's evidence.
    assert {e["id"] for e in report.evidence} == cited_ids(report)
    assert len(report.evidence) < n_evidence / 2
    assert {s.doc_id for s in report.sources} == {e["doc_id"] for e in report.evidence}
    # Every citation is a verbatim span of the embedded source text.
    texts = {s.doc_id: s.text for s in report.sources}
    for e in report.evidence:
        for c in e["citations"]:
            assert texts[c["doc_id"]][c["start"]:c["end"]] == c["quote"]
    md = (run / "report.md").read_text(encoding="utf-8")
    html = (run / "report.html").read_text(encoding="utf-8")
    assert "missing evidence" not in md and "missing evidence" not in html
    f = big[0]
    rest = len(set(f.evidence_ids)) - CITED_PER_LIST
    assert more_text(rest) in md and more_text(rest) in html
    section = md.split(f"### {f.rank}. ")[1].split("\n### ")[0]
    marks = set(re.findall(r"\[E(\d+)\]", section.split("**Counter-evidence**")[0]))
    statement_ids = {i for p in f.parts for i in p.evidence_ids}
    assert len(marks) <= CITED_PER_LIST + len(statement_ids)


def test_every_list_renders_its_first_items_then_a_count() -> None:
    from report_fixtures import sample_report

    report = sample_report()
    ids = [e["id"] for e in report.evidence]
    stmt = report.executive_summary[0]
    stmt.basis.evidence_ids = ids + [f"ev-extra-{i}" for i in range(40)]
    shown = listed(stmt.basis.evidence_ids)
    assert shown == stmt.basis.evidence_ids[:CITED_PER_LIST] and set(shown) <= cited_ids(report)
    assert "ev-extra-39" not in cited_ids(report)
    md, page = render_markdown(report), render_html(report)
    rest = len(stmt.basis.evidence_ids) - CITED_PER_LIST
    assert more_text(rest) in md and more_text(rest) in page
    assert "ev-extra-39" not in md and "ev-extra-39" not in page

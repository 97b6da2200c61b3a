"""Report renderers: Markdown sections and citations, a self-contained and escaped HTML page, files."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from report_fixtures import sample_report
from segscribe.report import write_report
from segscribe.report.charts import contribution_bars, heatmap, share_bars
from segscribe.report.html import render_html
from segscribe.report.markdown import PERSONA_FIELDS, SECTIONS, md, render_markdown
from segscribe.schemas.strategy import Statement, StrategyReport

XSS = "<script>alert(1)</script>"
ENTRY = re.compile(r'^- <a id="evidence-e(\d+)"></a>\*\*\[E(\d+)\]\*\* (\w+) · “(.*?)” — (.*?) · \*(.*?)\* · '
                   r"`([^`\[]+)\[(\d+):(\d+)\]` · id `([^`]+)`", re.M)


@pytest.fixture(scope="module")
def report() -> StrategyReport:
    return sample_report()


@pytest.fixture(scope="module")
def markdown(report: StrategyReport) -> str:
    return render_markdown(report)


@pytest.fixture(scope="module")
def page(report: StrategyReport) -> str:
    return render_html(report)


def _md_unescape(text: str) -> str:
    text = re.sub(r"\\(.)", r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _statements(r: StrategyReport) -> list[Statement]:
    out = [*r.executive_summary, *r.model_description]
    for row in r.targeting:
        out += [row.marketing_focus, row.product_priority, row.service_model, row.pricing_strategy,
                *row.channels.values()]
    out += [m.intervention for m in r.migrations]
    out += [a for ph in r.roadmap for a in ph.actions]
    return out


# ---------------------------------------------------------------- markdown


def test_markdown_has_all_sections_in_order(markdown: str) -> None:
    positions = [markdown.index(f"\n## {i}. {title}\n") for i, (_, title) in enumerate(SECTIONS, 1)]
    assert positions == sorted(positions)
    assert [t for _, t in SECTIONS][:3] == ["Executive summary", "Key findings", "Segmentation model and criteria"]
    assert SECTIONS[-1][1] == "Evidence appendix"


def test_markdown_empty_persona_fields_say_not_in_the_data(report: StrategyReport, markdown: str) -> None:
    personas_md = markdown.split("\n## 9. Personas\n", 1)[1].split("\n## 10. ", 1)[0]
    blocks = personas_md.split("\n### ")[1:]
    assert len(blocks) == len(report.personas) == 2
    empty_seen = 0
    for persona, block in zip(report.personas, blocks, strict=True):
        assert block.startswith(md(persona.name))
        for name, title in PERSONA_FIELDS:
            body = block.split(f"**{title}**", 1)[1].split("\n**", 1)[0]
            if getattr(persona, name).claims:
                assert "not in the data" not in body, (persona.id, name)
            else:
                assert "_not in the data_" in body, (persona.id, name)
                empty_seen += 1
    assert empty_seen >= 8  # the second persona is mostly empty


def test_markdown_citations_resolve_to_verbatim_appendix(report: StrategyReport, markdown: str) -> None:
    body, appendix = markdown.split(f"\n## {len(SECTIONS)}. Evidence appendix\n", 1)
    texts = {s.doc_id: s.text for s in report.sources}
    evidence = {e["id"]: e for e in report.evidence}
    entries = {int(m.group(2)): m for m in ENTRY.finditer(appendix)}
    assert sorted(entries) == list(range(1, len(report.evidence) + 1))
    for n, m in entries.items():
        assert m.group(1) == str(n)
        doc, start, end, eid = m.group(7), int(m.group(8)), int(m.group(9)), m.group(10)
        quote = _md_unescape(m.group(4))
        assert quote == _norm(texts[doc][start:end])
        assert evidence[eid]["citations"][0] == {"doc_id": doc, "start": start, "end": end,
                                                 "quote": texts[doc][start:end]}
        assert f"[E{n}]: #evidence-e{n}" in appendix
    markers = {int(x) for x in re.findall(r"\[E(\d+)\]", body)}
    assert markers and markers <= set(entries)
    assert "missing evidence" not in markdown
    assert XSS not in markdown and "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown


def test_markdown_statements_carry_markers_and_data(report: StrategyReport, markdown: str) -> None:
    number = {e["id"]: i for i, e in enumerate(report.evidence, 1)}
    lines = markdown.splitlines()
    for st in _statements(report):
        hits = [ln for ln in lines if md(st.text) in ln]
        assert hits, st.text
        for eid in st.basis.evidence_ids:
            assert any(f"[E{number[eid]}]" in ln for ln in hits), (st.text, eid)
        for d in st.basis.data:
            assert any("<sub>data: " in ln and md(d) in ln for ln in hits), (st.text, d)
        if st.recommendation:
            assert any(f"◆ {md(st.text)}" in ln for ln in hits)
    assert "◆ marks a recommendation" in markdown


def test_markdown_reports_unknown_evidence_instead_of_dropping_it(report: StrategyReport) -> None:
    broken = report.model_copy(deep=True)
    broken.executive_summary[1].basis.evidence_ids.append("ev-nope")
    assert "\\[missing evidence: ev-nope\\]" in render_markdown(broken)
    assert "[missing evidence: ev-nope]" in render_html(broken)


# ---------------------------------------------------------------- html


class _Cites(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cites: list[dict[str, str | None]] = []
        self.ids: list[str] = []
        self.svgs = 0
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "svg":
            self.svgs += 1
        if tag == "a" and "cite" in (a.get("class") or "").split():
            self.cites.append(a)
        url_attrs = ("src", "href", "action", "poster", "srcset", "xlink:href")
        self.urls += [v or "" for k, v in attrs if k in url_attrs]


def test_html_loads_nothing_external(page: str) -> None:
    assert "http://" not in page and "https://" not in page
    external = r"""\b(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//"""
    assert not re.search(external, page, re.I)
    assert "url(" not in page and "@import" not in page and "<link" not in page
    parser = _Cites()
    parser.feed(page)
    assert parser.urls and all(u.startswith("#") for u in parser.urls)
    assert "default-src 'none'" in page


def test_html_embeds_sources_json_safely(report: StrategyReport, page: str) -> None:
    m = re.search(r'<script type="application/json" id="sources">(.*?)</script>', page, re.S)
    assert m
    blob = m.group(1)
    assert "</" not in blob and "<" not in blob
    assert json.loads(blob) == [s.model_dump(mode="json") for s in report.sources]


def test_html_escapes_transcript_script(page: str) -> None:
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 2  # the sources blob and the page script, nothing else


def test_html_sections_charts_and_citations(report: StrategyReport, page: str) -> None:
    parser = _Cites()
    parser.feed(page)
    ids = parser.ids
    assert [i for i in ids if i in dict(SECTIONS)] == [a for a, _ in SECTIONS]
    assert parser.svgs == 3 and page.count("<svg") == 3
    assert "source-panel" in ids
    texts = {s.doc_id: s.text for s in report.sources}
    evidence = {e["id"]: e for e in report.evidence}
    assert len(parser.cites) >= 40
    for a in parser.cites:
        eid, doc = a["data-evidence-id"] or "", a["data-doc-id"] or ""
        start, end = int(a["data-start"] or -1), int(a["data-end"] or -1)
        assert texts[doc][start:end] == evidence[eid]["citations"][0]["quote"]
        href = a["href"] or ""
        assert href.startswith("#src-E") and href[1:] in ids
    assert "Legend" in page and "◆" in page
    assert page.count('class="persona"') == 2
    assert page.count('<span class="nid">not in the data</span>') >= 10


def test_charts_are_deterministic_svg() -> None:
    a = share_bars([("A <b>", 0.2, 0.5), ("B", 0.8, None)])
    assert a == share_bars([("A <b>", 0.2, 0.5), ("B", 0.8, None)])
    assert a.startswith("<svg") and "A &lt;b&gt;" in a and "n/a" in a
    b = contribution_bars([("A", [("x", 3.0), ("y", 2.0)])], ["x", "y"])
    assert "5.0" in b and b.count("<rect") >= 4
    c = heatmap(["t"], ["S1", "S2"], {"t": {"S1": 2}})
    assert ">2<" in c and ">0<" in c


# ---------------------------------------------------------------- determinism and files


def test_rendering_is_deterministic(report: StrategyReport) -> None:
    assert render_markdown(report) == render_markdown(sample_report())
    assert render_html(report).encode() == render_html(sample_report()).encode()


def test_minimal_report_renders_every_section() -> None:
    r = StrategyReport(title="Empty", run_id="r0", provider="offline")
    text, page = render_markdown(r), render_html(r)
    for i, (anchor, title) in enumerate(SECTIONS, 1):
        assert f"## {i}. {title}" in text and f'id="{anchor}"' in page
    assert page.count("<svg") == 0


def test_write_report_writes_three_files_atomically(report: StrategyReport, tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = write_report(report, out)
    assert set(paths) == {"md", "html", "json"}
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md"]
    assert StrategyReport.model_validate_json(paths["json"].read_text(encoding="utf-8")) == report
    assert paths["md"].read_text(encoding="utf-8") == render_markdown(report)
    first = {k: p.read_bytes() for k, p in paths.items()}
    write_report(report, out)
    assert {k: p.read_bytes() for k, p in paths.items()} == first

"""The HTML report in a real headless Chromium: every citation opens the source panel on the exact span.

Uses Debian's /usr/bin/chromium through Playwright (no browser download). All non-file requests are
aborted and recorded, so the test also proves the page is self-contained.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from report_fixtures import sample_report
from segscribe.report import write_report

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("chromium is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _expected(report: Any) -> dict[str, dict[str, str]]:
    """Evidence id -> the quote, speaker and passage timestamp the panel must show."""
    sources = {s.doc_id: s for s in report.sources}
    out = {}
    for e in report.evidence:
        c = e["citations"][0]
        passage = next(p for p in sources[c["doc_id"]].passages if p["start"] <= c["start"] < p["end"])
        assert sources[c["doc_id"]].text[c["start"]:c["end"]] == c["quote"]
        out[e["id"]] = {"quote": c["quote"], "speaker": e["speaker"], "title": sources[c["doc_id"]].title,
                        "timestamp": passage.get("timestamp") or ""}
    return out


def test_every_citation_opens_the_highlighted_source(tmp_path: Path) -> None:
    report = sample_report()
    paths = write_report(report, tmp_path / "report")
    expected = _expected(report)
    aborted: list[str] = []
    alerts: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            aborted.append(r.request.url)
            r.abort()

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            page.set_default_timeout(10_000)
            page.route("**/*", route)
            def on_dialog(d: Any) -> None:
                alerts.append(d.message)
                d.dismiss()

            page.on("dialog", on_dialog)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(paths["html"].resolve().as_uri())
            page.wait_for_load_state("load")

            panel = page.locator("#source-panel")
            sync_api.expect(panel).to_be_hidden()
            links = page.locator("a.cite")
            count = links.count()
            assert count >= 40
            persona_quote_links = page.locator(".persona blockquote a.cite").count()
            assert persona_quote_links >= 1
            checked_ts = 0
            for i in range(count):
                link = links.nth(i)
                eid = link.get_attribute("data-evidence-id") or ""
                want = expected[eid]
                link.click()
                sync_api.expect(panel).to_be_visible()
                assert page.locator("#highlight").count() == 1
                assert page.locator("#highlight").text_content() == want["quote"], (i, eid)
                text = panel.inner_text()
                assert want["speaker"] in page.locator("#sp-speaker").inner_text()
                assert want["title"] in text
                if want["timestamp"]:
                    assert want["timestamp"] in text
                    checked_ts += 1
                page.locator("#sp-close").click()
                sync_api.expect(panel).to_be_hidden()
            assert checked_ts > 0

            # A persona quote again (closed with Escape), then the ticket whose text holds a <script> tag,
            # which must show up as text.
            page.locator(".persona blockquote a.cite").first.click()
            sync_api.expect(page.locator("#highlight")).to_be_visible()
            page.keyboard.press("Escape")
            sync_api.expect(panel).to_be_hidden()
            xss_id = next(eid for eid, w in expected.items() if "<script>" in w["quote"])
            page.locator(f'a.cite[data-evidence-id="{xss_id}"]').first.click()
            assert "<script>alert(1)</script>" in (page.locator("#highlight").text_content() or "")
            assert page.locator("#sp-body script").count() == 0
            page.locator("#sp-close").click()

            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert aborted == [], f"the page tried to load external resources: {aborted}"
    assert alerts == [] and errors == []

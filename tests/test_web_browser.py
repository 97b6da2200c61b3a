"""`segscribe serve` in a real headless Chromium: upload a folder, run, follow a citation, curate, stay inert.

The real server runs as a subprocess on a free 127.0.0.1 port; Playwright drives Debian's /usr/bin/chromium
(no browser download). Every request that is not for that server is aborted and recorded. Screenshots of the
main pages go to tests/artifacts/web/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from factories import CORPUS, ROOT
from web_fixtures import research_folder

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("chromium is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "tests" / "artifacts" / "web"
SEGSCRIBE = str(Path(sys.executable).parent / "segscribe")
NEW_LABEL = "Renamed in the browser"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SEGSCRIBE_WEB_TOKEN", "SEGSCRIBE_WEB_READ_TOKEN", "ANTHROPIC_API_KEY")}
    return {**env, "ANONYMIZED_TELEMETRY": "False"}


@contextmanager
def serving(root: Path, *extra: str) -> Iterator[dict[str, Any]]:
    """`segscribe serve` on a free port for the workspace root/ws, until the block ends."""
    port = free_port()
    proc = subprocess.Popen([SEGSCRIBE, "serve", "--workspace", str(root / "ws"), "--port", str(port), *extra],
                            env=server_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                    assert r.read() == b"ok" or "/login?" in r.url  # with a token, health needs signing in too
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    err = proc.stderr.read() if proc.stderr else b''
                    raise AssertionError(f"server did not start: {err!r}") from None
                time.sleep(0.2)
        yield {"url": url, "ws": root / "ws", "root": root, "port": port}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with serving(tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def _upload(page: Any, server: dict[str, Any]) -> None:
    folder = research_folder(server["root"], CORPUS)
    page.goto(f"{server['url']}/upload")
    page.set_input_files("#folder", str(folder))
    rows = page.locator("#upload-results tr.file-row")
    sync_api.expect(rows).to_have_count(7, timeout=120_000)
    status = {rows.nth(i).get_attribute("data-name"): rows.nth(i).get_attribute("data-status") for i in range(7)}
    assert status == {"study/p01_whitfield.txt": "ingested", "study/p02_bellini.vtt": "ingested",
                      "study/p04_okafor.md": "ingested", "study/p11_santos.md": "ingested",
                      "study/p99_quinn.txt": "ingested", "study/whitfield-copy.txt": "duplicate",
                      "study/photo-of-whiteboard.txt": "failed"}
    dup = page.locator('tr[data-name="study/whitfield-copy.txt"] .dup-of')
    sync_api.expect(dup).to_have_text("study/p01_whitfield.txt")
    sync_api.expect(page.locator('tr[data-name="study/photo-of-whiteboard.txt"] .reason')).to_contain_text("PNG")
    _shot(page, "upload")


def _run(page: Any, server: dict[str, Any]) -> str:
    page.goto(f"{server['url']}/runs")
    values = page.locator("#run-input option").evaluate_all("os => os.map(o => o.value)")
    page.select_option("#run-input", next(v for v in values if v.endswith("/study")))
    page.click("#start-run")
    page.wait_for_url("**/runs/2*")
    run_id = page.url.rsplit("/", 1)[1]
    sync_api.expect(page.locator("#run-state")).to_have_text("running", timeout=10_000)
    page.locator("#progress progress").first.wait_for(timeout=60_000)
    _shot(page, "run-progress")
    sync_api.expect(page.locator("#run-state")).to_have_text("finished", timeout=180_000)
    sync_api.expect(page.locator("#open-findings")).to_be_visible()
    _shot(page, "run-finished")
    return run_id


def _follow_citation(page: Any, server: dict[str, Any], run_id: str) -> None:
    run = server["ws"] / "runs" / run_id
    quotes = {json.loads(x)["id"]: json.loads(x)["citations"][0]["quote"]
              for x in (run / "evidence.jsonl").read_text().splitlines() if x.strip()}
    page.goto(f"{server['url']}/runs/{run_id}/findings")
    _shot(page, "findings")
    page.locator(".finding h2 a").first.click()
    page.wait_for_url("**/findings/f1")
    link = page.locator(".ev.participant a.cite").first
    eid = link.get_attribute("data-evidence-id") or ""
    link.click()
    highlight = page.locator("#panel #highlight")
    sync_api.expect(highlight).to_be_visible()
    assert highlight.text_content() == quotes[eid]
    assert page.locator("#cite-voice").inner_text().startswith("participant")
    _shot(page, "citation")
    page.keyboard.press("Escape")
    sync_api.expect(page.locator("#panel")).to_be_hidden()


def _rename(page: Any, server: dict[str, Any], run_id: str) -> None:
    page.goto(f"{server['url']}/runs/{run_id}/report")
    assert NEW_LABEL not in page.content()
    page.goto(f"{server['url']}/runs/{run_id}/themes")
    row = page.locator("table.themes tbody tr").first
    row.locator('input[name="label"]').fill(NEW_LABEL)
    row.locator("button").click()
    page.wait_for_load_state("load")
    sync_api.expect(page.locator("table.themes tbody tr").first.locator(".theme-label")).to_have_text(NEW_LABEL)
    _shot(page, "themes")
    page.goto(f"{server['url']}/runs/{run_id}/report")
    sync_api.expect(page.get_by_text(NEW_LABEL).first).to_be_visible()
    page.locator("a.cite").first.click()  # the report's own script runs under the served page's nonce
    sync_api.expect(page.locator("#source-panel #highlight")).to_be_visible()
    _shot(page, "report")
    page.goto(f"{server['url']}/runs/{run_id}/curation")
    sync_api.expect(page.locator("ul.notes")).to_contain_text(NEW_LABEL)


def _xss_is_text(page: Any, server: dict[str, Any], run_id: str) -> None:
    page.goto(f"{server['url']}/search?q=export+breaks+in+the+vendor+name")
    sync_api.expect(page.locator("ol.hits")).to_contain_text("<script>alert('xss')</script>")
    page.locator("ol.hits a.cite").first.click()
    sync_api.expect(page.locator("#panel")).to_contain_text("onerror=alert(1)>")
    page.goto(f"{server['url']}/runs/{run_id}/evidence?participant=")
    for path in ("evidence", "personas", "findings"):
        page.goto(f"{server['url']}/runs/{run_id}/{path}")
    assert page.locator("img[src=x]").count() == 0


def test_researcher_flow_in_a_real_browser(server: dict[str, Any], browser: Any) -> None:
    foreign: list[str] = []
    dialogs: list[str] = []
    problems: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(server["url"]):
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()

    page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.set_default_timeout(15_000)
    page.route("**/*", route)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    _upload(page, server)
    run_id = _run(page, server)
    _follow_citation(page, server, run_id)
    _rename(page, server, run_id)
    _xss_is_text(page, server, run_id)

    assert dialogs == [], "a script in a transcript ran"
    assert foreign == [], f"the app tried to load external resources: {foreign}"
    assert problems == [], problems  # includes any Content-Security-Policy violation


def test_public_bind_without_token_refuses_to_start(server: dict[str, Any]) -> None:
    port = free_port()
    res = subprocess.run([SEGSCRIBE, "serve", "--workspace", str(server["root"] / "ws2"), "--host", "0.0.0.0",
                          "--port", str(port)], env=server_env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "error: refusing to serve on 0.0.0.0 without an access token: set SEGSCRIBE_WEB_TOKEN (or --token), "
        "or bind to 127.0.0.1"]
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # nothing is listening


def test_share_link_clicked_on_another_site_opens_a_read_only_view(browser: Any, tmp_path: Path) -> None:
    """A link in a chat or mail is a cross-site navigation: the reader's SameSite=Strict cookie must still work."""
    read = "reader-token-0123456789"
    with serving(tmp_path, "--token", "editor-token-0123456789", "--read-token", read) as srv:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        chat = "http://chat.example/"
        page.route(chat, lambda r: r.fulfill(content_type="text/html",
                                             body=f'<a id="shared" href="{srv["url"]}/share/{read}">notes</a>'))
        page.goto(chat)
        page.click("#shared")
        page.wait_for_url(f"{srv['url']}/")
        sync_api.expect(page.locator("#read-only")).to_be_visible()
        assert page.locator('a[href="/upload"]').count() == 0 and page.locator("form.who").count() == 0
        assert problems == [], problems
        page.close()

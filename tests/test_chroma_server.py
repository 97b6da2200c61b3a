"""Client/server mode against a real Chroma server (`chroma run`, shipped with chromadb) on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from factories import TICKETS, write_tickets
from segscribe.cli.main import app
from segscribe.ingest.service import ingest_paths
from segscribe.search import search_passages
from segscribe.store.vector_store import open_index
from segscribe.store.vectors import VectorStoreError
from segscribe.store.workspace import Workspace

CHROMA = Path(sys.executable).parent / "chroma"


class Server:
    """One `chroma run` process on a fixed port and data folder, which can be stopped and started again."""

    def __init__(self, data: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.data = data
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([str(CHROMA), "run", "--path", str(self.data), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("chroma server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    if not CHROMA.exists():
        pytest.skip("the chroma command is not installed next to this Python")
    srv = Server(tmp_path / "server-data")
    srv.start()
    monkeypatch.setenv("SEGSCRIBE_CHROMA_URL", srv.url)  # what --chroma-url sets; restored after the test
    try:
        yield srv
    finally:
        srv.stop()


def test_ingest_search_reingest_and_restart_mid_ingest(server: Server, tmp_path: Path, embedder,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import segscribe.ingest.indexer as indexer

    monkeypatch.setattr(indexer, "EMBED_CHUNK", 2)  # several writes, so the restart falls between two of them
    ws = Workspace.open(tmp_path / "ws")
    restarted: list[int] = []

    def restart_once(stage: str, done: int, total: int) -> None:
        if stage == "embed" and not restarted:
            server.stop()
            server.start()
            restarted.append(done)

    path = write_tickets(tmp_path / "in" / "tickets.csv", TICKETS)
    report = ingest_paths(ws, [path], embedder=embedder, progress=restart_once)
    assert restarted and 0 < restarted[0] < report.indexed_documents == 4
    assert ws.unindexed_ids() == [] and not ws.chroma_path.exists()  # nothing went to the embedded store
    assert open_index(ws).count() == report.indexed_windows
    hits = search_passages(ws, "wrong company address on the invoice", k=3, embedder=embedder)
    doc = ws.documents(ids=[hits[0]["doc_id"]])[0]
    assert doc.text[hits[0]["start"] : hits[0]["end"]] == hits[0]["text"] and "invoice for March" in hits[0]["text"]
    # Re-ingest a changed file: its old vectors go, the new ones come, through the same server.
    changed = [(t, c, x.replace("invoice for March", "credit note for April")) for t, c, x in TICKETS]
    write_tickets(path, changed)
    assert ingest_paths(ws, [path], embedder=embedder).counts() == {"ingested": 1}
    texts = [h["text"] for h in search_passages(ws, "wrong company address", k=10, embedder=embedder)]
    assert any("credit note for April" in t for t in texts) and not any("invoice for March" in t for t in texts)


def test_lost_or_reset_server_is_an_error_never_an_empty_search(server: Server, tmp_path: Path, embedder) -> None:
    ws_path = tmp_path / "ws"
    runner = CliRunner()
    csv_path = write_tickets(tmp_path / "in" / "tickets.csv", TICKETS)
    res = runner.invoke(app, ["-w", str(ws_path), "--chroma-url", server.url, "ingest", str(csv_path), "--json"])
    assert res.exit_code == 0, res.output
    server.stop()
    res = runner.invoke(app, ["-w", str(ws_path), "search", "parcel tracking"])
    assert res.exit_code == 2 and "cannot reach the Chroma server" in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    # A server that comes back empty (its data gone) is detected, and reindex fills it from SQLite.
    server.data = tmp_path / "fresh-server-data"
    server.start()
    with pytest.raises(VectorStoreError, match="segscribe reindex"):
        search_passages(Workspace.open(ws_path), "parcel tracking", embedder=embedder)
    res = runner.invoke(app, ["-w", str(ws_path), "reindex", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["vector_store"] == server.url
    hits = search_passages(Workspace.open(ws_path), "parcel tracking", k=1, embedder=embedder)
    assert "parcel to Leeds" in hits[0]["text"]

"""Test fixtures: the network is blocked; shared data is optional."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from factories import CORPUS, ROOT, SHARED_DATA, shared  # noqa: F401  (re-exported for fixtures)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a non-loopback connection fails the test."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            raise RuntimeError(f"network access in tests is not allowed: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture
def workspace(tmp_path: Path):  # type: ignore[no-untyped-def]
    from segscribe.store.workspace import Workspace

    return Workspace.open(tmp_path / "ws")


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from segscribe.embed import default_embedder

    return default_embedder()

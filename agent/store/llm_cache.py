"""LLM bookkeeping in the workspace database: the response cache and the message-batch registry.

`llm_responses` holds replies (validated ones, and the outcome of unusable ones) by request key (see
`segscribe.providers.cache`), so re-running unchanged documents, a resumed run, or a new run on the same
inputs makes no calls.
`llm_batches` maps each request key sent in a message batch to its batch and custom id, so an
interrupted run collects the batches it already paid for instead of submitting them again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from segscribe.store.workspace import Workspace

SCHEMA = """
CREATE TABLE IF NOT EXISTS llm_responses (
  key TEXT PRIMARY KEY, provider TEXT NOT NULL, prompt TEXT NOT NULL, task TEXT NOT NULL,
  record TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS llm_batches (
  key TEXT PRIMARY KEY, batch_id TEXT NOT NULL, custom_id TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS llm_batches_batch ON llm_batches(batch_id);
"""


class LLMStore:
    """The response cache (`get`/`put`) and batch registry (`batches`/`add_batch`/`forget`) of a workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        with ws.connect() as con:
            con.executescript(SCHEMA)

    # -- response cache ---------------------------------------------------------------------------
    def get(self, key: str) -> dict[str, Any] | None:
        with self.ws.connect() as con:
            row = con.execute("SELECT record FROM llm_responses WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, record: dict[str, Any]) -> None:
        with self.ws.connect() as con:
            con.execute("INSERT OR REPLACE INTO llm_responses VALUES (?,?,?,?,?,?)",
                        (key, record.get("provider", ""), record.get("prompt", ""), record.get("task", ""),
                         json.dumps(record, ensure_ascii=False), time.time()))

    def count(self) -> int:
        with self.ws.connect() as con:
            return int(con.execute("SELECT COUNT(*) FROM llm_responses").fetchone()[0])

    # -- batch registry ---------------------------------------------------------------------------
    def batches(self, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
        """`{request key: (batch id, custom id)}` for the keys already sent in a batch."""
        wanted = list(keys)
        out: dict[str, tuple[str, str]] = {}
        with self.ws.connect() as con:
            for i in range(0, len(wanted), 500):  # SQLite caps the number of bound parameters
                chunk = wanted[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for key, batch_id, custom_id in con.execute(
                        f"SELECT key, batch_id, custom_id FROM llm_batches WHERE key IN ({marks})", chunk):
                    out[key] = (batch_id, custom_id)
        return out

    def add_batch(self, batch_id: str, custom_ids: dict[str, str]) -> None:
        """Record that the requests `{key: custom id}` went out in batch `batch_id`."""
        now = time.time()
        with self.ws.connect() as con:
            con.executemany("INSERT OR REPLACE INTO llm_batches VALUES (?,?,?,?)",
                            [(key, batch_id, cid, now) for key, cid in custom_ids.items()])

    def forget(self, keys: Iterable[str]) -> None:
        """Drop requests whose batch entry errored or expired, so the next run sends them again."""
        with self.ws.connect() as con:
            con.executemany("DELETE FROM llm_batches WHERE key = ?", [(k,) for k in keys])

"""The curation audit log: every researcher action with who and when, in the workspace database.

Rows are only ever appended; the curated view of a run is the run's outputs with every action applied in
order (segscribe.curation.apply_curation).
"""

from __future__ import annotations

import time

from pydantic import TypeAdapter

from segscribe.schemas.curation import CurationAction
from segscribe.store.workspace import Workspace

SCHEMA = """
CREATE TABLE IF NOT EXISTS curation (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, who TEXT NOT NULL, run_id TEXT NOT NULL,
  op TEXT NOT NULL, action TEXT NOT NULL
);
"""
_ACTION: TypeAdapter[CurationAction] = TypeAdapter(CurationAction)


class CurationLog:
    """Append-only curation actions of one workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        with ws.connect() as con:
            con.executescript(SCHEMA)

    def append(self, action: CurationAction) -> CurationAction:
        """Store an action (stamping the time when unset); returns it with its row id."""
        at = action.at or time.time()
        with self.ws.connect() as con:
            cur = con.execute("INSERT INTO curation (at, who, run_id, op, action) VALUES (?,?,?,?,?)",
                              (at, action.who, action.run_id, action.op, "{}"))
            row_id = cur.lastrowid
            stored = action.model_copy(update={"id": row_id, "at": at})
            con.execute("UPDATE curation SET action = ? WHERE id = ?", (stored.model_dump_json(), row_id))
        return stored

    def actions(self) -> list[CurationAction]:
        """Every action, oldest first."""
        with self.ws.connect() as con:
            rows = con.execute("SELECT action FROM curation ORDER BY id").fetchall()
        return [_ACTION.validate_json(r[0]) for r in rows]

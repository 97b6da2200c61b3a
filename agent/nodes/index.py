"""index: embed the workspace's new passages into the vector store."""

from __future__ import annotations

import time
from typing import Any

from segscribe.deps import Deps
from segscribe.state import RunState


def index(state: RunState, deps: Deps) -> dict[str, Any]:
    """Embed every passage not indexed yet (finished documents are skipped, so a rerun continues)."""
    from segscribe.ingest.indexer import index_pending

    if not deps.options.index:
        return {"stages": ["index"], "stats": {"indexed_windows": 0}}
    t0 = time.perf_counter()
    _, n_windows = index_pending(deps.workspace, [], deps.progress, deps.embedder)
    return {"stages": ["index"], "stats": {"indexed_windows": n_windows,
                                            "time_index": round(time.perf_counter() - t0, 3)}}

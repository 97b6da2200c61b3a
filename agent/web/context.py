"""What every route needs: the app's shared objects, the run a URL names, its curated view, and rendering."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from segscribe.curation import Curated, apply_curation
from segscribe.store.curation_log import CurationLog
from segscribe.store.workspace import Workspace
from segscribe.web import data
from segscribe.web.jobs import RunManager
from segscribe.web.settings import WebSettings

USER_COOKIE = "segscribe_user"
_NAME = re.compile(r"[^\w .@'-]+")


@dataclass
class Shared:
    """Objects that live as long as the server: settings, workspace, runs, the curation log, the embedder."""

    settings: WebSettings
    ws: Workspace
    jobs: RunManager
    log: CurationLog
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    _embedder: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def embedder(self) -> Any:
        """The offline embedding model, loaded on first use (idle servers stay small)."""
        with self._lock:
            if self._embedder is None:
                from segscribe.embed import default_embedder

                self._embedder = default_embedder()
            return self._embedder


def shared(request: Request) -> Shared:
    return request.app.state.shared  # type: ignore[no-any-return]


def clean_name(value: str) -> str:
    """A curator name fit for the audit log: printable, at most 60 characters."""
    return _NAME.sub("", value).strip()[:60]


def who(request: Request) -> str:
    return clean_name(request.cookies.get(USER_COOKIE, "")) or request.app.state.settings.user


def run_or_404(request: Request) -> data.RunData:
    root = data.run_dir(shared(request).ws, request.path_params["run_id"])
    if root is None:
        raise HTTPException(404, "no such run in this workspace")
    return data.load_run(root)


def curated(request: Request, run: data.RunData) -> Curated:
    """The run's outputs with every curation action of the workspace applied, in order."""
    sh = shared(request)
    return apply_curation(run.themes, run.evidence, run.findings or [], run.personas, sh.log.actions(),
                          total_documents=len(run.doc_ids) or None)


def _context(request: Request) -> dict[str, Any]:
    settings: WebSettings = request.app.state.settings
    sh: Shared | None = getattr(request.app.state, "shared", None)
    base = request.scope.get("root_path", "")
    role = getattr(request.state, "role", None)
    share = f"{base}/share/{settings.read_token}" if settings.read_token and role == "editor" else None
    return {"base": base, "nonce": request.state.csp_nonce, "csrf": request.state.csrf, "who": who(request),
            "auth": bool(settings.token), "reader": role == "reader", "share_path": share,
            "active_job": sh.jobs.active() if sh else None, "path": request.url.path,
            "in_workspace": sh is not None, "projects_mode": settings.projects is not None,
            "project": base.rsplit("/", 1)[-1] if settings.projects is not None and sh else None}


def templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html"], default=True), trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: f"{100 * float(v or 0):.0f}%"
    env.filters["when"] = lambda t: time.strftime("%Y-%m-%d %H:%M", time.localtime(t))
    return Jinja2Templates(env=env, context_processors=[_context])


def render(request: Request, name: str, ctx: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    tpl: Jinja2Templates = request.app.state.templates
    return tpl.TemplateResponse(request, name, ctx or {}, status_code=status)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"

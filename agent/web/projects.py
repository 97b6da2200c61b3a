"""Several projects, each its own workspace: `segscribe serve --projects DIR` serves DIR/<name>/ at /p/<name>/."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import get_route_path
from starlette.types import Receive, Scope, Send

from segscribe.store.workspace import Workspace
from segscribe.web.context import render
from segscribe.web.settings import WebSettings

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,60}$")


class Projects:
    """The ASGI app under /p: hands /p/<name>/... to that project's app, built on first use."""

    def __init__(self, settings: WebSettings, build: Any) -> None:
        self.settings, self.build = settings, build
        self.root = Path(settings.projects or ".")
        self.apps: dict[str, Any] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(d.name for d in self.root.iterdir() if NAME.match(d.name) and (d / "segscribe.db").is_file())

    def create(self, name: str) -> None:
        if not NAME.match(name) or name in (".", ".."):
            raise HTTPException(400, "a project name is letters, digits, '-', '_' or '.', starting with a letter "
                                "or digit, at most 61 characters")
        Workspace.open(self.root / name)

    def app_for(self, name: str) -> Any:
        if not NAME.match(name) or not (self.root / name / "segscribe.db").is_file():
            return None
        with self._lock:
            if name not in self.apps:
                self.apps[name] = self.build(self.settings, self.root / name)
            return self.apps[name]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name, slash, _ = get_route_path(scope).lstrip("/").partition("/")
        app = self.app_for(name)
        response: Response | None = None
        if app is None:
            response = PlainTextResponse("no such project: create it on the projects page", 404)
        elif not slash:
            response = RedirectResponse(f"{scope.get('root_path', '')}/{name}/", 307)
        if response is not None:
            await response(scope, receive, send)
            return
        await app({**scope, "root_path": f"{scope.get('root_path', '')}/{name}"}, receive, send)


def _projects(request: Request) -> Projects:
    return request.app.state.projects  # type: ignore[no-any-return]


async def index(request: Request) -> Response:
    return render(request, "projects.html", {"projects": _projects(request).names(),
                                             "root": str(_projects(request).root)})


async def create(request: Request) -> Response:
    form = await request.form()
    name = str(form.get("name") or "").strip()
    _projects(request).create(name)
    return RedirectResponse(f"/p/{name}/", 303)

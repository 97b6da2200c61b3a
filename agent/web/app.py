"""The web app: routes, guards and shared objects for one workspace."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from segscribe.errors import SegscribeError
from segscribe.store.curation_log import CurationLog
from segscribe.store.workspace import Workspace
from segscribe.web import actions, export, pages
from segscribe.web.context import Shared, render, templates
from segscribe.web.jobs import RunManager
from segscribe.web.security import SecurityMiddleware
from segscribe.web.settings import WebSettings, check_bind

STATIC = Path(__file__).parent / "static"
FORM_LIMIT = 1024 * 1024


def _routes(settings: WebSettings) -> list[Route | Mount]:
    upload_limit = int(settings.max_upload_mb * 1e6)
    run = "/runs/{run_id}"
    return [
        Route("/", pages.dashboard),
        Route("/healthz", pages.healthz),
        Route("/favicon.ico", pages.no_icon),
        Route("/upload", pages.upload_page),
        Route("/upload", actions.upload, methods=["POST"], max_body_size=upload_limit),
        Route("/runs", pages.runs_page),
        Route("/runs", actions.start_run, methods=["POST"]),
        Route(run, pages.run_page),
        Route(f"{run}/progress", pages.run_progress),
        Route(f"{run}/resume", actions.resume_run, methods=["POST"]),
        Route(f"{run}/findings", pages.findings_page),
        Route(f"{run}/findings/{{finding_id}}", pages.finding_page),
        Route(f"{run}/themes", pages.themes_page),
        Route(f"{run}/themes/{{theme_id}}", pages.theme_page),
        Route(f"{run}/personas", pages.personas_page),
        Route(f"{run}/segments", pages.segments_page),
        Route(f"{run}/evidence", pages.evidence_page),
        Route(f"{run}/cite/{{evidence_id}}", pages.cite_page),
        Route(f"{run}/curation", pages.curation_page),
        Route(f"{run}/curate/{{op}}", actions.curate, methods=["POST"]),
        Route(f"{run}/report", export.report_view),
        Route(f"{run}/export/{{fmt}}", export.export),
        Route("/source/{doc_id}", pages.source_page),
        Route("/search", pages.search_page),
        Route("/user", actions.set_user, methods=["POST"]),
        Route("/login", actions.login_page),
        Route("/login", actions.login, methods=["POST"]),
        Route("/logout", actions.logout, methods=["POST"]),
        Route("/share/{token}", actions.share),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    if exc.status_code == 413:
        return PlainTextResponse("upload too large: split it or raise --max-upload-mb", 413)
    return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail}, status=exc.status_code)


async def _user_error(request: Request, exc: Exception) -> Response:
    """A SegscribeError (a damaged stage file, a locked workspace): its message says what to do."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": str(exc)}, status_code=500)
    return render(request, "error.html", {"status": 500, "detail": str(exc)}, status=500)


HANDLERS = {HTTPException: _http_error, SegscribeError: _user_error}


def workspace_app(settings: WebSettings, root: Path, guarded: bool = False) -> Starlette:
    """The app for one workspace (created when missing); `guarded` adds the request guards (outermost app)."""
    ws = Workspace.open(root)
    middleware = [Middleware(SecurityMiddleware, settings=settings)] if guarded else []
    app = Starlette(routes=_routes(settings), middleware=middleware,
                    exception_handlers=HANDLERS, max_body_size=FORM_LIMIT)
    app.state.settings = settings
    app.state.shared = Shared(settings=settings, ws=ws, jobs=RunManager(ws), log=CurationLog(ws))
    app.state.templates = templates()
    return app


def projects_app(settings: WebSettings) -> Starlette:
    """The app for a folder of projects: a project list at /, each workspace under /p/<name>/."""
    from segscribe.web import projects

    dispatcher = projects.Projects(settings, workspace_app)
    app = Starlette(routes=[
        Route("/", projects.index), Route("/projects", projects.create, methods=["POST"]),
        Route("/healthz", pages.healthz), Route("/favicon.ico", pages.no_icon),
        Route("/login", actions.login_page), Route("/login", actions.login, methods=["POST"]),
        Route("/logout", actions.logout, methods=["POST"]), Route("/share/{token}", actions.share),
        Mount("/static", StaticFiles(directory=STATIC), name="static"), Mount("/p", app=dispatcher),
    ], middleware=[Middleware(SecurityMiddleware, settings=settings)],
        exception_handlers=HANDLERS, max_body_size=FORM_LIMIT)
    app.state.settings, app.state.projects, app.state.templates = settings, dispatcher, templates()
    return app


def create_app(settings: WebSettings) -> Starlette:
    """The app `segscribe serve` runs. Refuses unsafe binds before anything else."""
    check_bind(settings)
    if settings.projects is not None:
        Path(settings.projects).mkdir(parents=True, exist_ok=True)
        return projects_app(settings)
    return workspace_app(settings, settings.workspace, guarded=True)

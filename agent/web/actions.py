"""Requests that change something: upload, start or resume a run, curate, sign in (also through the read-only
share link), set the curator's name."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from segscribe.curation import apply_curation
from segscribe.schemas.curation import CurationAction, GroupRef
from segscribe.schemas.run import RunOptions
from segscribe.store.workspace import Workspace
from segscribe.web import data
from segscribe.web.context import USER_COOKIE, clean_name, curated, render, run_or_404, shared, who
from segscribe.web.jobs import RunBusy, run_inputs, worker_alive
from segscribe.web.security import (
    AUTH_COOKIE,
    READ_COOKIE,
    READER,
    failed_login_pause,
    read_token_ok,
    role_for,
    sign_in,
)
from segscribe.web.uploads import Batch, IngestFailed

PROVIDER = re.compile(r"^(offline|anthropic:[\w.-]{1,80}|openai-compat:[\w.:/-]{1,120})$")
PRESETS = ("", "matrix4", "weighted5", "workshop4")
_ACTION: TypeAdapter[CurationAction] = TypeAdapter(CurationAction)
YEAR = 365 * 24 * 3600


def safe_next(value: str | None, default: str) -> str:
    """A same-site path to return to; anything else (other hosts, schemes, `//x`) falls back to `default`."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")) and "\n" not in value:
        return value
    return default


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def upload(request: Request) -> Response:
    sh = shared(request)
    form = await request.form(max_files=sh.settings.max_files, max_fields=20)
    try:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not files:
            raise HTTPException(400, "no files in the upload: choose files or a folder")

        def work() -> list[Any]:
            with sh.ingest_lock:
                batch = Batch(sh.ws, sh.settings)
                for f in files:
                    batch.add(f.filename or "", f.file)
                return [batch.id, batch.ingest()]

        try:
            batch_id, results = await run_in_threadpool(work)
        except IngestFailed as exc:
            raise HTTPException(500, str(exc)) from None
    finally:
        await form.close()
    if wants_json(request):
        return JSONResponse({"batch": batch_id, "files": [asdict(r) for r in results]})
    return render(request, "_upload_results.html", {"batch": batch_id, "results": results})


async def start_run(request: Request) -> Response:
    sh = shared(request)
    form = await request.form()
    inputs = dict((str(p), p) for _, p in run_inputs(sh.ws))
    chosen = inputs.get(str(form.get("input", "")))
    provider = str(form.get("provider") or "offline").strip()
    preset = str(form.get("preset") or "")
    if chosen is None:
        raise HTTPException(400, "choose what to run on (upload files first)")
    if not PROVIDER.match(provider) or preset not in PRESETS:
        raise HTTPException(400, "provider must be offline, anthropic:MODEL or openai-compat:MODEL; preset one of "
                            + ", ".join(p for p in PRESETS if p))
    base_url = str(form.get("base_url") or "").strip() or None
    if base_url and not base_url.startswith(("http://", "https://")):
        raise HTTPException(400, "the base URL must start with http:// or https://")
    sheet = chosen / "analyst.yaml"
    opts = RunOptions(inputs=[chosen], provider=provider, base_url=base_url, preset=preset or None,
                      redact=form.get("no_redact") is None, analyst_sheet=sheet if sheet.is_file() else None)
    return _launch(request, opts)


async def resume_run(request: Request) -> Response:
    sh = shared(request)
    run_id = request.path_params["run_id"]
    job = sh.jobs.get(run_id)
    root = data.run_dir(sh.ws, run_id)
    if root is None:
        raise HTTPException(404, "no such run in this workspace")
    orphan = not job and (data.run_status(sh.ws, run_id) != "running" or worker_alive(data.worker_pid(root)))
    if (job and job.state != "failed") or orphan:
        raise HTTPException(409, "only an interrupted or failed run can be resumed")
    return _launch(request, None, resume=run_id)


def _launch(request: Request, opts: RunOptions | None, resume: str | None = None) -> Response:
    try:
        job = shared(request).jobs.start(opts, resume=resume)
    except RunBusy as exc:
        raise HTTPException(409, str(exc)) from None
    base = request.scope.get("root_path", "")
    if wants_json(request):
        return JSONResponse(job.to_dict(), status_code=202)
    return RedirectResponse(f"{base}/runs/{job.run_id}", 303)


def _group(groups: list[Any], gid: str, what: str) -> GroupRef:
    g = next((x for x in groups if x.id == gid), None)
    if g is None:
        raise HTTPException(400, f"no {what} {gid!r} in this run")
    return GroupRef(id=g.id, evidence_ids=list(g.evidence_ids))


def _action_fields(op: str, form: FormData, cur: Any) -> dict[str, Any]:
    """The action's fields from the form, with theme and finding references taken from the curated view."""
    get = lambda k: str(form.get(k) or "").strip()  # noqa: E731
    if op == "rename_theme":
        return {"theme": _group(cur.themes, get("theme_id"), "theme"), "label": get("label")}
    if op == "merge_themes":
        others = [_group(cur.themes, str(o), "theme") for o in form.getlist("other") if str(o) != get("theme_id")]
        return {"theme": _group(cur.themes, get("theme_id"), "theme"), "others": others,
                "label": get("label") or None}
    if op == "split_theme":
        return {"theme": _group(cur.themes, get("theme_id"), "theme"), "label": get("label"),
                "evidence_ids": [str(e) for e in form.getlist("evidence")]}
    if op == "reject_evidence":
        if get("evidence_id") in cur.rejected:
            raise HTTPException(400, "this evidence item is already rejected")
        return {"evidence_id": get("evidence_id"), "reason": get("reason")}
    if op == "pin_quote":
        return {"persona_id": get("persona_id"), "evidence_id": get("evidence_id")}
    if op == "edit_finding":
        return {"finding": _group(cur.findings, get("finding_id"), "finding"), "statement": get("statement")}
    raise HTTPException(404, f"unknown curation action {op!r}")


async def curate(request: Request) -> Response:
    """Validate a curation action against the run as the curator sees it, then append it to the audit log."""
    sh = shared(request)
    run = run_or_404(request)
    form = await request.form()
    op = request.path_params["op"]
    cur = await run_in_threadpool(curated, request, run)
    try:
        action = _ACTION.validate_python({"op": op, "who": who(request), "run_id": run.id,
                                          **_action_fields(op, form, cur)})
    except ValidationError as exc:
        raise HTTPException(400, "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}"
                                           for e in exc.errors())) from None
    trial = action.model_copy(update={"id": -1})
    test = apply_curation(run.themes, run.evidence, run.findings or [], run.personas, [*sh.log.actions(), trial],
                          total_documents=len(run.doc_ids) or None)
    refused = [n.message for n in test.notes if n.action_id == -1 and not n.applied]
    if refused:
        raise HTTPException(400, "; ".join(refused))
    stored = sh.log.append(action)
    if wants_json(request):
        return JSONResponse(stored.model_dump(mode="json"), status_code=201)
    base = request.scope.get("root_path", "")
    return RedirectResponse(safe_next(str(form.get("next") or ""), f"{base}/runs/{run.id}/curation"), 303)


async def set_user(request: Request) -> Response:
    form = await request.form()
    name = clean_name(str(form.get("name") or ""))
    resp = RedirectResponse(safe_next(str(form.get("next") or ""), "/"), 303)
    resp.set_cookie(USER_COOKIE, name, max_age=YEAR, httponly=True, samesite="strict")
    return resp


async def login_page(request: Request) -> Response:
    return render(request, "login.html", {"next": safe_next(request.query_params.get("next"), "/"), "error": None})


async def login(request: Request) -> Response:
    """Sign in with the access token (editor) or the read-only token (reader)."""
    settings = request.app.state.settings  # the projects app has settings but no workspace (no `shared`)
    form = await request.form()
    nxt = safe_next(str(form.get("next") or ""), "/")
    role = role_for(settings, str(form.get("token") or ""))
    if role is None:
        await failed_login_pause()
        return render(request, "login.html", {"next": nxt, "error": "wrong token"}, status=401)
    resp = RedirectResponse(nxt, 303)
    sign_in(resp, settings, role)
    return resp


async def share(request: Request) -> Response:
    """The read-only link `/share/<read token>`: signs the visitor in as a reader and moves on to the findings of
    the newest run (or the start page).

    A wrong token gets the failed sign-in pause and a plain 404 page: nothing says a share link exists."""
    settings = request.app.state.settings
    if not read_token_ok(settings, request.path_params["token"]):
        await failed_login_pause()
        raise HTTPException(404)
    base = request.scope.get("root_path", "")
    sh = getattr(request.app.state, "shared", None)
    run_id = newest_readable_run(sh.ws) if sh is not None else None
    target = f"{base}/runs/{run_id}/findings" if run_id else f"{base}/"
    # Not a 303: after a click from another site (chat, mail) the browser would not send the new SameSite=Strict
    # cookie along the redirect. A page that moves on by itself is a same-site navigation, so the cookie goes.
    request.state.role = READER
    resp = render(request, "shared.html", {"target": target, "has_run": run_id is not None})
    sign_in(resp, settings, READER)
    return resp


def newest_readable_run(ws: Workspace) -> str | None:
    """The newest run that got to its findings (finished, partial or stopped), if any."""
    return next((r.id for r in data.list_runs(ws) if r.status in ("finished", "partial", "stopped")
                 and data.run_dir(ws, r.id) is not None), None)


async def logout(request: Request) -> Response:
    resp = RedirectResponse("/login", 303)
    resp.delete_cookie(AUTH_COOKIE)
    resp.delete_cookie(READ_COOKIE)
    return resp


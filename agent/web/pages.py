"""Pages to read: dashboard, runs, findings, themes, personas, segments, evidence, citations, search."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from segscribe.schemas.document import VERBATIM_VOICES, Document
from segscribe.schemas.evidence import EvidenceBase
from segscribe.web import data
from segscribe.web.context import curated, is_htmx, render, run_or_404, shared
from segscribe.web.jobs import run_inputs, worker_alive
from segscribe.web.uploads import past_batches

PAGE_SIZE = 100
PREVIEW_QUOTES = 3


def split_by_voice(ids: list[str], by_id: dict[str, EvidenceBase]) -> tuple[list[EvidenceBase], list[EvidenceBase]]:
    """(participants' and customers' own words, the note-taker's notes), in the given order."""
    items = [by_id[i] for i in ids if i in by_id]
    return [e for e in items if e.voice in VERBATIM_VOICES], [e for e in items if e.voice not in VERBATIM_VOICES]


async def dashboard(request: Request) -> Response:
    sh = shared(request)
    status = await run_in_threadpool(sh.ws.status)
    return render(request, "index.html", {"status": status, "runs": data.list_runs(sh.ws)[:8],
                                          "batches": past_batches(sh.ws, 3)})


async def upload_page(request: Request) -> Response:
    sh = shared(request)
    return render(request, "upload.html", {"batches": past_batches(sh.ws), "settings": sh.settings})


async def runs_page(request: Request) -> Response:
    sh = shared(request)
    return render(request, "runs.html", {"runs": data.list_runs(sh.ws), "inputs": run_inputs(sh.ws)})


def _progress_ctx(request: Request) -> dict[str, Any]:
    sh = shared(request)
    run_id = request.path_params["run_id"]
    root = data.run_dir(sh.ws, run_id)
    job = sh.jobs.get(run_id)
    status = data.run_status(sh.ws, run_id)
    if root is None and job is None:
        raise HTTPException(404, "no such run in this workspace")
    state = job.state if job else status or "unknown"
    if job is None and status == "running" and not (root and worker_alive(data.worker_pid(root))):
        state = "interrupted"
    return {"run_id": run_id, "job": job, "state": state, "stages": data.stages_done(root) if root else [],
            "all_stages": [s for s, _ in data.STAGE_FILES]}


async def run_page(request: Request) -> Response:
    ctx = _progress_ctx(request)
    root = data.run_dir(shared(request).ws, ctx["run_id"])
    run = data.load_run(root) if root else None
    return render(request, "run.html", {**ctx, "run": run})


async def run_progress(request: Request) -> Response:
    """The live progress fragment; status 286 tells htmx to stop polling once the run is over."""
    ctx = _progress_ctx(request)
    return render(request, "_progress.html", ctx, status=200 if ctx["state"] == "running" else 286)


async def findings_page(request: Request) -> Response:
    run = run_or_404(request)
    cur = await run_in_threadpool(curated, request, run)
    by_id = {e.id: e for e in cur.evidence}
    rows = []
    for f in cur.findings:
        verbatim, notes = split_by_voice(f.evidence_ids, by_id)
        rows.append({"f": f, "quotes": verbatim[:PREVIEW_QUOTES], "n_quotes": len(verbatim), "n_notes": len(notes),
                     "first_note": notes[0] if notes and not verbatim else None})
    return render(request, "findings.html", {"run": run, "rows": rows, "cur": cur,
                                             "has_findings": run.findings is not None})


async def finding_page(request: Request) -> Response:
    run = run_or_404(request)
    cur = await run_in_threadpool(curated, request, run)
    f = next((x for x in cur.findings if x.id == request.path_params["finding_id"]), None)
    if f is None:
        raise HTTPException(404, "no such finding in this run (it may have lost its evidence to curation)")
    by_id = {e.id: e for e in cur.evidence}
    verbatim, notes = split_by_voice(f.evidence_ids, by_id)
    counter = [by_id[i] for i in f.counter_evidence_ids if i in by_id]
    return render(request, "finding.html", {"run": run, "f": f, "verbatim": verbatim, "notes": notes,
                                            "counter": counter, "cur": cur})


async def themes_page(request: Request) -> Response:
    run = run_or_404(request)
    cur = await run_in_threadpool(curated, request, run)
    by_id = {e.id: e for e in cur.evidence}
    return render(request, "themes.html", {"run": run, "cur": cur, "by_id": by_id})


async def theme_page(request: Request) -> Response:
    run = run_or_404(request)
    cur = await run_in_threadpool(curated, request, run)
    t = next((x for x in cur.themes if x.id == request.path_params["theme_id"]), None)
    if t is None:
        raise HTTPException(404, "no such theme in this run")
    by_id = {e.id: e for e in cur.evidence}
    verbatim, notes = split_by_voice(t.evidence_ids, by_id)
    return render(request, "theme.html", {"run": run, "t": t, "items": verbatim + notes, "cur": cur,
                                          "others": [x for x in cur.themes if x.id != t.id]})


async def personas_page(request: Request) -> Response:
    run = run_or_404(request)
    cur = await run_in_threadpool(curated, request, run)
    by_id = {e.id: e for e in cur.evidence}
    return render(request, "personas.html", {"run": run, "cur": cur, "by_id": by_id})


async def segments_page(request: Request) -> Response:
    run = run_or_404(request)
    return render(request, "segments.html", {"run": run, "seg": run.segmentation, "scoring": run.scoring,
                                             "sizes": Counter(run.segment_of.values())})


def _filtered(request: Request, run: data.RunData, cur: Any) -> tuple[list[EvidenceBase], dict[str, Any]]:
    q = request.query_params
    theme_of = {i: t.id for t in cur.themes for i in t.evidence_ids}
    want = {k: q.get(k, "") for k in ("kind", "theme", "segment", "participant", "voice")}
    items = [e for e in cur.evidence
             if (not want["kind"] or e.kind == want["kind"]) and (not want["voice"] or e.voice.value == want["voice"])
             and (not want["theme"] or theme_of.get(e.id) == want["theme"])
             and (not want["segment"] or run.segment_of.get(e.id) == want["segment"])
             and (not want["participant"] or e.who == want["participant"])]
    options = {"kind": sorted({e.kind for e in cur.evidence}), "voice": sorted({e.voice.value for e in cur.evidence}),
               "theme": [(t.id, t.label) for t in cur.themes], "segment": sorted(set(run.segment_of.values())),
               "participant": sorted({e.who for e in cur.evidence})}
    labels = {t.id: t.label for t in cur.themes}
    return items, {"want": want, "options": options, "theme_of": {i: labels[t] for i, t in theme_of.items()}}


async def evidence_page(request: Request) -> Response:
    run = run_or_404(request)
    cur = await run_in_threadpool(curated, request, run)
    items, ctx = _filtered(request, run, cur)
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        raise HTTPException(400, "page must be a number") from None
    shown = items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    query = urlencode({k: v for k, v in ctx["want"].items() if v})
    return render(request, "evidence.html", {"run": run, "items": shown, "total": len(items), "page": page,
                                             "pages": max(1, -(-len(items) // PAGE_SIZE)), "query": query,
                                             "cur": cur, **ctx})


def _passage_view(doc: Document, start: int, end: int) -> dict[str, Any]:
    """The passage holding [start, end) split around the span, with its neighbours for context."""
    p = doc.passage_at(start, end)
    if p is None:
        lo, hi = max(0, start - 300), min(len(doc.text), end + 300)
        return {"passage": None, "before": doc.text[lo:start], "quote": doc.text[start:end], "after": doc.text[end:hi],
                "prev": None, "next": None}
    idx = doc.passages.index(p)
    return {"passage": p, "before": doc.text[p.start:start], "quote": doc.text[start:end],
            "after": doc.text[end:p.end], "prev": doc.passages[idx - 1] if idx else None,
            "next": doc.passages[idx + 1] if idx + 1 < len(doc.passages) else None}


def _document(request: Request, doc_id: str) -> Document:
    docs = shared(request).ws.documents(ids={doc_id})
    if not docs:
        raise HTTPException(404, "the source document is no longer in the workspace")
    return docs[0]


async def cite_page(request: Request) -> Response:
    run = run_or_404(request)
    cur = await run_in_threadpool(curated, request, run)
    e = run.evidence_by_id.get(request.path_params["evidence_id"])
    if e is None:
        raise HTTPException(404, "no such evidence item in this run")
    c = e.citations[0]
    doc = await run_in_threadpool(_document, request, c.doc_id)
    if doc.text[c.start:c.end] != c.quote:
        raise HTTPException(409, "the source changed since this run: re-run to refresh the citation")
    ctx = {"run": run, "e": e, "doc": doc, "rejected": cur.rejected.get(e.id), "fragment": is_htmx(request),
           "personas": cur.personas, **_passage_view(doc, c.start, c.end)}
    return render(request, "cite.html", ctx)


async def source_page(request: Request) -> Response:
    doc = await run_in_threadpool(_document, request, request.path_params["doc_id"])
    try:
        start, end = int(request.query_params["start"]), int(request.query_params["end"])
    except (KeyError, ValueError):
        raise HTTPException(400, "start and end must be offsets into the document") from None
    if not 0 <= start < end <= len(doc.text):
        raise HTTPException(400, "the span is outside the document")
    ctx = {"doc": doc, "e": None, "run": None, "fragment": is_htmx(request), **_passage_view(doc, start, end)}
    return render(request, "cite.html", ctx)


async def search_page(request: Request) -> Response:
    from segscribe.errors import SegscribeError
    from segscribe.search import search_passages

    sh = shared(request)
    q = request.query_params.get("q", "").strip()[:500]
    kind, role = request.query_params.get("kind") or None, request.query_params.get("role") or None
    hits: list[dict[str, Any]] = []
    error = None
    if q:
        try:
            hits = await run_in_threadpool(lambda: search_passages(sh.ws, q, k=20, kind=kind, role=role,
                                                                   embedder=sh.embedder()))
        except SegscribeError as exc:
            error = str(exc)
    return render(request, "search.html", {"q": q, "kind": kind or "", "role": role or "", "hits": hits,
                                           "error": error})


async def curation_page(request: Request) -> Response:
    run = run_or_404(request)
    cur = await run_in_threadpool(curated, request, run)
    actions = shared(request).log.actions()
    return render(request, "curation.html", {"run": run, "cur": cur, "actions": actions})


async def healthz(request: Request) -> Response:
    return Response("ok", media_type="text/plain")


async def no_icon(request: Request) -> Response:
    return Response(status_code=204)

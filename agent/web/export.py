"""Share and export: the curated report (self-contained HTML, Markdown, JSON) and a CSV of the evidence."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from segscribe.curation import Curated
from segscribe.report.citing import cited_ids
from segscribe.schemas.document import VERBATIM_VOICES
from segscribe.schemas.strategy import CitedSource, StrategyReport
from segscribe.web import data
from segscribe.web.context import curated, run_or_404, shared

#: Spreadsheet apps run a cell that starts with these as a formula (CSV injection); tab and CR too (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ("id", "kind", "voice", "verbatim", "text", "summary", "speaker", "participant", "doc_id", "start",
               "end", "theme", "segment", "confidence", "status", "reason")
REPORT_CSP = ("default-src 'none'; script-src 'nonce-{n}'; style-src 'nonce-{n}'; img-src data:; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'self'; sandbox allow-scripts")


def neutralise(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def evidence_csv(run: data.RunData, cur: Curated) -> str:
    """Every evidence item of the run, with its theme and segment, and rejected ones marked with the reason."""
    theme_of = {i: t.label for t in cur.themes for i in t.evidence_ids}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for e in run.evidence:
        c = e.citations[0]
        row = (e.id, e.kind, e.voice.value, e.voice in VERBATIM_VOICES, c.quote, e.summary, e.speaker, e.who,
               c.doc_id, c.start, c.end, theme_of.get(e.id, ""), run.segment_of.get(e.id, ""), e.confidence,
               "rejected" if e.id in cur.rejected else "kept", cur.rejected.get(e.id, ""))
        w.writerow([neutralise(v) for v in row])
    return buf.getvalue()


def _strip_ids(node: Any, rejected: set[str]) -> Any:
    """The dumped report without rejected evidence ids (claims left with none are dropped)."""
    if isinstance(node, dict):
        out = {k: _strip_ids(v, rejected) for k, v in node.items()}
        if isinstance(out.get("evidence_ids"), list):
            out["evidence_ids"] = [i for i in out["evidence_ids"] if i not in rejected]
        if isinstance(out.get("claims"), list):
            out["claims"] = [c for c in out["claims"] if not isinstance(c, dict) or c.get("evidence_ids")]
        return out
    if isinstance(node, list):
        return [_strip_ids(v, rejected) for v in node]
    return node


def curated_report(request: Request, run: data.RunData, cur: Curated) -> StrategyReport:
    """The run's report with curated themes and personas, without rejected evidence, pinned quotes cited."""
    if run.report is None:
        raise HTTPException(404, "this run has no report yet: wait for it to finish (or resume it)")
    rep = run.report.model_copy(update={"themes": cur.themes, "personas": cur.personas})
    dumped = _strip_ids(rep.model_dump(mode="json"), set(cur.rejected))
    dumped["evidence"] = [e for e in dumped["evidence"] if e["id"] not in cur.rejected]
    have = {e["id"] for e in dumped["evidence"]}
    # What the curated sections cite that the report did not (pinned quotes, merged themes' representatives,
    # the next items of a list that lost rejected ones), from the run's evidence.
    need = cited_ids(StrategyReport.model_validate({**dumped, "evidence": [], "sources": []}))
    extra = [run.evidence_by_id[i] for i in sorted(need - have) if i in run.evidence_by_id]
    dumped["evidence"] += [e.model_dump(mode="json") for e in extra]
    have_docs = {s["doc_id"] for s in dumped["sources"]}
    missing = {e.doc_id for e in extra} - have_docs
    if missing:
        docs = shared(request).ws.documents(ids=missing)
        dumped["sources"] += [CitedSource(doc_id=d.id, title=d.title, kind=d.kind.value, source=d.source, text=d.text,
                                          passages=[{"id": p.id, "speaker": p.speaker, "role": p.role.value,
                                                     "start": p.start, "end": p.end, "timestamp": p.timestamp}
                                                    for p in d.passages]).model_dump(mode="json") for d in docs]
    seg_of = run.segment_of
    dumped["theme_by_segment"] = {t.id: _count(seg_of.get(i) for i in t.evidence_ids) for t in cur.themes}
    return StrategyReport.model_validate(dumped)


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        if v:
            out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def curation_json(cur: Curated) -> dict[str, Any]:
    return {"findings": [f.model_dump(mode="json") for f in cur.findings],
            "curation": {"rejected": cur.rejected, "notes": [n.model_dump(mode="json") for n in cur.notes],
                         "touched": cur.touched}}


def findings_markdown(cur: Curated) -> str:
    """Key findings and the curation notes, appended to the Markdown report."""
    from segscribe.report.markdown import md

    by_id = {e.id: e for e in cur.evidence}
    out = ["", "## Key findings", ""]
    for f in cur.findings:
        mark = " *(edited by a curator)*" if f.statement_source == "human" else ""
        out.append(f"{f.rank}. **{md(f.label)}**: {md(f.statement)}{mark} ({f.coverage.text})")
        for i in f.evidence_ids[:3]:
            e = by_id.get(i)
            if e is not None:
                said = f"“{md(e.quote)}”" if e.voice in VERBATIM_VOICES else f"Notes: {md(e.quote)}"
                out.append(f"   - {said} ({md(e.speaker)}, `{e.id}`)")
    if not cur.findings:
        out.append("No findings in this run.")
    out += ["", "## Curation", ""]
    out += [f"- {'applied' if n.applied else 'NO LONGER APPLIES'}: {md(n.message)}" for n in cur.notes] or ["None."]
    return "\n".join(out) + "\n"


async def export(request: Request) -> Response:
    """`report.html` (self-contained), `report.md`, `report.json`, or `evidence.csv`, curated, as a download."""
    run = run_or_404(request)
    fmt = request.path_params["fmt"]
    if fmt not in ("html", "md", "json", "csv"):
        raise HTTPException(404, "export as html, md, json or csv")
    cur = await run_in_threadpool(curated, request, run)
    if fmt == "csv":
        body, media, name = evidence_csv(run, cur), "text/csv; charset=utf-8", f"evidence-{run.id}.csv"
    else:
        body, media = await run_in_threadpool(_render, request, run, cur, fmt)
        name = f"report-{run.id}.{fmt}"
    return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})


def _render(request: Request, run: data.RunData, cur: Curated, fmt: str) -> tuple[str, str]:
    from segscribe.report import render_html, render_markdown

    rep = curated_report(request, run, cur)
    if fmt == "html":
        return render_html(rep), "text/html; charset=utf-8"
    if fmt == "md":
        return render_markdown(rep) + findings_markdown(cur), "text/markdown; charset=utf-8"
    payload = {**rep.model_dump(mode="json"), **curation_json(cur)}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "application/json"


async def report_view(request: Request) -> Response:
    """The curated HTML report in the browser: its own inline script and style run only with this nonce."""
    run = run_or_404(request)
    cur = await run_in_threadpool(curated, request, run)
    html, _ = await run_in_threadpool(_render, request, run, cur, "html")
    nonce = request.state.csp_nonce
    # The renderer escapes all source text, so these literal tags can only be the report's own two elements.
    html = html.replace("<script>", f'<script nonce="{nonce}">').replace("<style>", f'<style nonce="{nonce}">')
    html = html.replace('<script type="application/json"', f'<script nonce="{nonce}" type="application/json"')
    return Response(html, media_type="text/html; charset=utf-8",
                    headers={"content-security-policy": REPORT_CSP.format(n=nonce)})

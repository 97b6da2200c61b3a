"""`segscribe extract`, `evidence`, `themes`: run the graph up to a stage, or show a stage's output.

These commands run the same graph as `segscribe run` and stop after a stage, so the evidence they show has
passed the same grounding gate and final verify pass; `segscribe run --resume RUN_ID` finishes the run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from segscribe.cli.common import JsonOpt, RunOpt, WorkspaceOpt, open_workspace, print_json, progress_bar, run_dir
from segscribe.cli.common import safe_terminal_text as safe
from segscribe.cli.run_cmd import (
    BaseUrlOpt,
    BatchOpt,
    MaxReasksOpt,
    NoCacheOpt,
    NoRedactOpt,
    ProviderOpt,
    run_options,
)
from segscribe.errors import EXIT_PARTIAL

if TYPE_CHECKING:
    from segscribe.artifacts import RunDir
    from segscribe.schemas.run import RunRecord
    from segscribe.store.workspace import Workspace

KINDS = ("pain", "goal", "job", "workaround", "objection", "suggestion", "observation", "quote")


def _advance(ws: Workspace, folder: RunDir, stage: str, json_out: bool) -> None:
    """Continue a stopped run up to `stage` when that stage has not run yet."""
    from segscribe import artifacts as A
    from segscribe.runner import run_pipeline

    rec = folder.read(A.RUN) if folder.exists(A.RUN) else None
    if rec is not None and rec.status == "stopped" and stage not in rec.stages:
        with progress_bar(not json_out) as prog:
            run_pipeline(ws, rec.options, prog, stop_after=stage, resume=folder.run_id)


def extract(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to ingest first (default: every "
                                                       "document already in the workspace).")] = None,
    workspace: WorkspaceOpt = None, provider: ProviderOpt = None, base_url: BaseUrlOpt = None,
    no_redact: NoRedactOpt = False, max_reasks: MaxReasksOpt = None, no_cache: NoCacheOpt = False,
    batch: BatchOpt = False, json_out: JsonOpt = False,
) -> None:
    """Extract cited jobs, pains, goals, workarounds, objections, suggestions and observations, then verify.

    Starts a run that stops after the verify stage; `segscribe run --resume RUN_ID` finishes it.
    """
    from segscribe.runner import run_pipeline

    ws = open_workspace(workspace, create=bool(paths))
    opts = run_options(ws, paths or [], provider=provider, base_url=base_url, no_redact=no_redact,
                       max_reasks=max_reasks, no_cache=no_cache, batch=batch)
    with progress_bar(not json_out) as prog:
        rec = run_pipeline(ws, opts, prog, stop_after="verify")
    _summary(rec, json_out)


def _summary(rec: RunRecord, json_out: bool) -> None:
    st = rec.stats
    if json_out:
        print_json({"run_id": rec.run_id, "documents": st.get("documents", 0), "evidence": st.get("evidence", 0),
                    "dropped": st.get("dropped", 0), "failed_documents": rec.failed_documents,
                    "token_usage": rec.token_usage})
    else:
        typer.echo(f"run {rec.run_id}: {st.get('evidence', 0)} evidence items from {st.get('documents', 0)} "
                   f"documents ({st.get('dropped', 0)} dropped by the grounding gate); "
                   f"finish with `segscribe run --resume {rec.run_id}`")
        for doc_id, why in sorted(rec.failed_documents.items()):
            typer.echo(safe(f"failed document: {doc_id}: {why}"))
    if rec.failed_documents:
        raise typer.Exit(EXIT_PARTIAL)


def evidence(workspace: WorkspaceOpt = None,
             kind: Annotated[str | None, typer.Option(help=f"One of {', '.join(KINDS)} (jtbd = job).")] = None,
             run_id: RunOpt = None, json_out: JsonOpt = False) -> None:
    """List a run's evidence with its exact citation; notes are shown as notes, never as quotes."""
    from segscribe import artifacts as A
    from segscribe.errors import UsageError

    want = {"jtbd": "job"}.get(kind or "", kind)
    if want is not None and want not in KINDS:
        raise UsageError(f"unknown --kind {kind!r}; use one of {', '.join(KINDS)}")
    items = [e for e in run_dir(open_workspace(workspace, read_only=True), run_id).read(A.EVIDENCE)
             if not want or e.kind == want]
    if json_out:
        print_json([e.model_dump(mode="json") for e in items])
        return
    for e in items:
        c = e.citations[0]
        shown = f"“{c.quote[:160]}”" if e.verbatim else f"[notes] {c.quote[:160]}"
        typer.echo(safe(f"{e.kind:<11} {e.id} {c.doc_id}[{c.start}:{c.end}] {e.speaker}: {shown}"))


def findings(workspace: WorkspaceOpt = None, run_id: RunOpt = None,
             top: Annotated[int | None, typer.Option(min=1, help="Show only the first N findings.")] = None,
             json_out: JsonOpt = False) -> None:
    """Show a run's key findings: statement, coverage ("6 of 8 sessions") and the evidence behind each."""
    from segscribe import artifacts as A

    ws = open_workspace(workspace, create=False)
    folder = run_dir(ws, run_id)
    _advance(ws, folder, "findings", json_out)
    found = folder.read(A.FINDINGS)[:top]
    if json_out:
        print_json([f.model_dump(mode="json") for f in found])
        return
    if not found:
        typer.echo("no findings: no group of evidence is held by enough sessions (see `segscribe evidence`)")
    by_id = folder.evidence_by_id()
    for f in found:
        source = {"extractive": "extracted", "llm": "written by the model", "human": "edited"}[f.statement_source]
        typer.echo(f"{f.id}. {f.label}  [{f.coverage.text}; {source}]")
        typer.echo(f"    {f.statement}")
        for eid in f.evidence_ids[:3]:
            e = by_id.get(eid)
            if e is not None:
                shown = f"“{e.quote[:140]}”" if e.verbatim else f"[notes] {e.quote[:140]}"
                typer.echo(f"    - {shown} ({e.doc_id})")
        if f.counter_evidence_ids:
            typer.echo(f"    counter-evidence: {len(f.counter_evidence_ids)} item(s)")


def themes(workspace: WorkspaceOpt = None, run_id: RunOpt = None, json_out: JsonOpt = False) -> None:
    """Show a run's themes (running the themes stage first when the run stopped before it)."""
    from segscribe import artifacts as A

    ws = open_workspace(workspace, create=False)
    folder = run_dir(ws, run_id)
    _advance(ws, folder, "themes", json_out)
    found = folder.read(A.THEMES)
    if json_out:
        print_json([t.model_dump(mode="json") for t in found])
        return
    for t in found:
        typer.echo(f"{t.id:<4} {t.label:<40} {len(t.evidence_ids):>4} items, {t.participants} participants, "
                   f"{t.doc_share:.0%} of documents")

"""`segscribe init`, `status`, `ingest`, `search`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from segscribe.cli.common import JsonOpt, WorkspaceOpt, open_workspace, print_json, progress_bar
from segscribe.cli.common import safe_terminal_text as safe
from segscribe.cli.run_cmd import NotesConventionOpt
from segscribe.errors import UsageError


def init(workspace: WorkspaceOpt = None) -> None:
    """Create a workspace folder with a commented config.yaml (safe to run twice)."""
    ws = open_workspace(workspace)
    typer.echo(f"workspace ready at {ws.root} (config: {ws.root / 'config.yaml'})")


def status(workspace: WorkspaceOpt = None, json_out: JsonOpt = False) -> None:
    """Show what a workspace holds: documents by kind, passages, embedder, last run."""
    st = open_workspace(workspace, read_only=True).status()
    if json_out:
        print_json(st)
        return
    typer.echo(f"workspace: {st['workspace']}")
    kinds = ", ".join(f"{k} {v}" for k, v in st["documents"].items()) or "none"
    typer.echo(f"documents: {st['documents_total']} ({kinds})")
    roles = ", ".join(f"{k} {v}" for k, v in st["passages_by_role"].items())
    typer.echo(f"passages:  {st['passages']} ({roles})")
    typer.echo(f"metadata records: {st['metadata_records']}; not yet indexed: {st['unindexed_documents']}")
    emb = st["embedder"]
    typer.echo(f"embedder:  {emb['model_id'] if emb else 'none yet'}; vectors stored: {st['stored_vectors']}")
    last = st["last_run"]
    typer.echo(f"last run:  {last['id'] + ' (' + last['status'] + ')' if last else 'none'}")


def _parse_map(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--map expects ROLE=COLUMN, got {item!r}")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    workspace: WorkspaceOpt = None,
    as_kind: Annotated[str | None, typer.Option("--as", help="Force the kind of CSV/JSON input: "
                                                "transcripts, tickets, survey or metadata.")] = None,
    mapping: Annotated[list[str] | None, typer.Option("--map", help="Column mapping ROLE=COLUMN, e.g. "
                                                      "--map body=description --map id=case_no.")] = None,
    max_mb: Annotated[float | None, typer.Option(min=0.001, max=10_240, help="Size limit per file in MB "
                                                 "(default 50).")] = None,
    all_roles: Annotated[bool, typer.Option("--all-roles", help="Also embed interviewer and agent "
                                            "passages (slower; by default only participant/customer words).")] = False,
    no_index: Annotated[bool, typer.Option("--no-index", help="Parse and store only; embed later.")] = False,
    notes_convention: NotesConventionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Ingest interviews (.txt .md .vtt .srt .docx), notes, tickets (CSV/JSON/JSONL), surveys and metadata.

    Unchanged files are skipped; changed files replace their old version and vectors; duplicates are kept once.
    Each file is written in its own transaction. Exit code 1 when any file failed.
    """
    from segscribe.ingest.service import ingest_paths

    ws = open_workspace(workspace)
    settings = ws.settings(max_file_mb=max_mb)
    col_map = {**settings.columns, **_parse_map(mapping or [])}
    with progress_bar(not json_out) as prog:
        report = ingest_paths(ws, paths, as_kind=as_kind, mapping=col_map or None, max_mb=settings.max_file_mb,
                              near_dup=settings.near_duplicate_threshold, index=not no_index, progress=prog,
                              all_roles=all_roles, notes_convention=notes_convention,
                              conventions=settings.notes_conventions)
    if json_out:
        print_json(report.to_dict())
    else:
        for f in report.files:
            voices = ", ".join(f"{v} {s:.0%}" for v, s in sorted(f.voices.items(), key=lambda kv: -kv[1]) if s)
            detail = f.reason or (f"({voices})" if voices and f.status == "ingested" else "")
            if f.status != "unchanged" or f.warnings:
                typer.echo(safe(f"{f.status:<10} {f.path} {detail}".rstrip()))
            for d in f.duplicates:
                typer.echo(safe(f"{'':<10} duplicate {d['document']} dropped; kept {d['kept']} "
                                f"(similarity {d['similarity']})"))
            for w in f.warnings:
                typer.echo(safe(f"{'':<10} warning: {w}"))
        counts = ", ".join(f"{v} {k}" for k, v in sorted(report.counts().items()))
        typer.echo(f"{len(report.files)} files: {counts}; embedded {report.indexed_windows} passage windows "
                   f"from {report.indexed_documents} documents")
    if report.failed:
        raise typer.Exit(1)


def search(
    query: Annotated[str, typer.Argument(help="What to look for, in plain words.")],
    workspace: WorkspaceOpt = None,
    kind: Annotated[str | None, typer.Option(help="interview, notes, ticket or survey.")] = None,
    role: Annotated[str | None, typer.Option(help="participant, customer, interviewer or agent.")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=1000, help="Number of results (1-1000).")] = 10,
    where: Annotated[list[str] | None, typer.Option("--where", help="Metadata filter FIELD=VALUE "
                                                    "(e.g. --where plan=Enterprise).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Semantic search over passages; every hit cites its document and exact character span."""
    from segscribe.search import search_passages

    ws = open_workspace(workspace, read_only=True)
    hits = search_passages(ws, query, k=k, kind=kind, role=role, where=_parse_map(where or []))
    if json_out:
        print_json([h for h in hits])
        return
    if not hits:
        typer.echo("no matches (is anything ingested? try `segscribe status`)")
    for i, h in enumerate(hits, 1):
        ts = f" @{h['timestamp']}" if h.get("timestamp") else ""
        typer.echo(safe(f"{i:>2}. {h['score']:.3f} {h['doc_id']} [{h['start']}:{h['end']}] {h['speaker']} "
                        f"({h['role']}){ts}"))
        typer.echo(f"    {safe(' '.join(h['text'].split()))[:300]}")

"""`segscribe extract`, `evidence`, `themes` on an ingested workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from segscribe.cli.common import JsonOpt, WorkspaceOpt, cli_errors, open_workspace, print_json, progress_bar
from segscribe.cli.run_cmd import BaseUrlOpt, ProviderOpt, latest_run


def extract(workspace: WorkspaceOpt = None, provider: ProviderOpt = "offline", base_url: BaseUrlOpt = None,
            no_redact: Annotated[bool, typer.Option("--no-redact", help="No PII redaction for external "
                                                    "providers.")] = False,
            max_reasks: Annotated[int, typer.Option(help="Re-asks about ungrounded quotes.")] = 2,
            json_out: JsonOpt = False) -> None:
    """Extract cited jobs, pains, goals, workarounds, objections and quotes from every ingested document."""
    from segscribe.embed import default_embedder
    from segscribe.pipeline.extract import extract_document
    from segscribe.runner import make_extractor
    from segscribe.runs import RunDir, new_run_id

    with cli_errors():
        ws = open_workspace(workspace, create=False)
        docs = [d for d in ws.documents() if d.voice_passages()]
        extractor, chat = make_extractor(provider, base_url, not no_redact, default_embedder())
        run_id = new_run_id()
        run = RunDir(ws.runs_path / run_id)
        evidence, dropped = [], []
        with progress_bar(not json_out) as prog:
            for i, doc in enumerate(docs):
                res = extract_document(doc, extractor, max_reasks)
                evidence += [e.model_dump(mode="json") for e in res.evidence]
                dropped += [d.model_dump(mode="json") for d in res.dropped]
                prog("extract", i + 1, len(docs))
        run.write_jsonl("evidence.jsonl", evidence)
        run.write_jsonl("dropped.jsonl", dropped)
        ws.set_kv("last_run", run_id)
    summary = {"run_id": run_id, "documents": len(docs), "evidence": len(evidence), "dropped": len(dropped),
               "token_usage": chat.ledger.totals() if chat is not None else {}}
    if json_out:
        print_json(summary)
    else:
        typer.echo(f"run {run_id}: {len(evidence)} evidence items from {len(docs)} documents "
                   f"({len(dropped)} dropped by the grounding gate)")


def evidence(workspace: WorkspaceOpt = None,
             kind: Annotated[str | None, typer.Option(help="pain, goal, jtbd (job), workaround, objection "
                                                      "or quote.")] = None,
             run_id: Annotated[str | None, typer.Option("--run", help="Run id (default: last).")] = None,
             json_out: JsonOpt = False) -> None:
    """List extracted evidence with its verbatim quote and exact citation."""
    with cli_errors():
        folder = latest_run(open_workspace(workspace, create=False), run_id)
    want = {"jtbd": "job"}.get(kind or "", kind)
    rows = [json.loads(line) for line in (folder / "evidence.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    rows = [r for r in rows if not want or r["kind"] == want]
    if json_out:
        print_json(rows)
        return
    for r in rows:
        c = r["citations"][0]
        typer.echo(f"{r['kind']:<10} {r['id']} {c['doc_id']}[{c['start']}:{c['end']}] {r['speaker']}: "
                   f"“{c['quote'][:160]}”")


def themes(workspace: WorkspaceOpt = None,
           run_id: Annotated[str | None, typer.Option("--run", help="Run id (default: last).")] = None,
           json_out: JsonOpt = False) -> None:
    """Cluster the evidence of a run into themes labelled by their most distinctive terms."""
    from pydantic import TypeAdapter

    from segscribe.embed import default_embedder
    from segscribe.pipeline.themes import build_themes
    from segscribe.schemas.evidence import Evidence

    with cli_errors():
        folder = latest_run(open_workspace(workspace, create=False), run_id)
        rows = [json.loads(x) for x in (folder / "evidence.jsonl").read_text(encoding="utf-8").splitlines() if x]
        items = TypeAdapter(list[Evidence]).validate_python(rows)
        found = build_themes(items, default_embedder().embed)
        (Path(folder) / "themes.json").write_text(json.dumps([t.model_dump(mode="json") for t in found],
                                                             indent=2), encoding="utf-8")
    if json_out:
        print_json([t.model_dump(mode="json") for t in found])
        return
    for t in found:
        typer.echo(f"{t.id:<4} {t.label:<40} {len(t.evidence_ids):>4} items, {t.participants} participants, "
                   f"{t.doc_share:.0%} of documents")

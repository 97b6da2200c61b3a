"""`segscribe run`, `personas`, `report`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from segscribe.cli.common import JsonOpt, WorkspaceOpt, cli_errors, open_workspace, print_json, progress_bar

ProviderOpt = Annotated[str, typer.Option(
    "--provider", "-p", envvar="SEGSCRIBE_PROVIDER",
    help="offline (default, no network), anthropic:MODEL (needs ANTHROPIC_API_KEY) or openai-compat:MODEL "
         "(a local server; see --base-url).")]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible server URL, "
                                                "e.g. http://localhost:11434/v1 for Ollama.")]

RecordOpt = Annotated[Path | None, typer.Option("--record", help="Record the LLM provider's HTTP exchanges "
                                                "to this cassette file (API keys stripped).")]
ReplayOpt = Annotated[Path | None, typer.Option("--replay", help="Replay a recorded cassette instead of "
                                                "calling the provider (no key, no network).")]


def latest_run(ws: Any, run: str | None) -> Path:
    from segscribe.errors import SegscribeError

    run_id = run or ws.get_kv("last_run")
    if not run_id or not (ws.runs_path / run_id).exists():
        raise SegscribeError("no run yet in this workspace: run `segscribe run FOLDER` first")
    return Path(ws.runs_path / run_id)


def run(
    paths: Annotated[list[Path] | None, typer.Argument(help="Folders/files to process (default: corpus/).")] = None,
    workspace: WorkspaceOpt = None,
    provider: ProviderOpt = "offline",
    base_url: BaseUrlOpt = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Resume an interrupted run by its id; "
                                               "finished documents are not redone.")] = None,
    no_redact: Annotated[bool, typer.Option("--no-redact", help="Send text to external providers "
                                            "without PII redaction.")] = False,
    analyst: Annotated[Path | None, typer.Option("--analyst", help="Analyst YAML with judgement scores "
                                                 "(fit, strategic value...).")] = None,
    preset: Annotated[str | None, typer.Option(help="Scoring preset: matrix4, weighted5 or workshop4.")] = None,
    max_reasks: Annotated[int, typer.Option(help="Re-asks of an LLM about ungrounded quotes.")] = 2,
    record: RecordOpt = None,
    replay: ReplayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Run everything: ingest, index, extract, verify, themes, segments, personas, score, report.

    Offline and deterministic by default. Ends with the path of the HTML report.
    """
    from segscribe.runner import RunOptions, run_pipeline

    with cli_errors():
        ws = open_workspace(workspace)
        if analyst is None and not resume:
            folder = (paths or [Path("corpus")])[0]
            analyst = folder / "analyst.yaml" if (folder / "analyst.yaml").is_file() else None
        opts = RunOptions(inputs=paths or [Path("corpus")], provider=provider, base_url=base_url,
                          redact=not no_redact, max_reasks=max_reasks, analyst_sheet=analyst, preset=preset,
                          resume=resume, record=str(record) if record else None,
                          replay=str(replay) if replay else None)
        with progress_bar(not json_out) as prog:
            result = run_pipeline(ws, opts, prog)
    if json_out:
        print_json(result)
        return
    st = result["stats"]
    typer.echo(f"run {result['run_id']}: {st.get('documents', 0)} documents, {st.get('evidence', 0)} evidence "
               f"items ({st.get('dropped', 0)} dropped by the grounding gate), {st.get('themes', 0)} themes, "
               f"{st.get('segments', 0)} segments, {st.get('personas', 0)} personas in {result['seconds']:.1f}s")
    typer.echo(f"report: {result['report']}")


def personas(workspace: WorkspaceOpt = None,
             run_id: Annotated[str | None, typer.Option("--run", help="Run id (default: the last run).")] = None,
             json_out: JsonOpt = False) -> None:
    """Show the draft personas of a run, with how many claims each field has."""
    import json

    with cli_errors():
        folder = latest_run(open_workspace(workspace, create=False), run_id)
        data = json.loads((folder / "personas.json").read_text(encoding="utf-8"))
    if json_out:
        print_json(data)
        return
    for p in data:
        typer.echo(f"{p['name']}  [{p['segment']}; tier {p.get('tier') or '-'}; confidence {p['confidence']}]")
        for field in ("goals", "pains", "jobs_functional", "tools_alternatives", "decision_criteria"):
            claims = p[field]["claims"]
            shown = "; ".join(c["text"] for c in claims[:2]) if claims else "not in the data"
            typer.echo(f"  {field}: {shown}")
        for q in p["quotes"]:
            typer.echo(f"  “{q['quote']}” — {q['speaker']} ({q['doc_id']}[{q['start']}:{q['end']}])")


def report(workspace: WorkspaceOpt = None,
           run_id: Annotated[str | None, typer.Option("--run", help="Run id (default: the last run).")] = None,
           fmt: Annotated[str, typer.Option("--format", help="html, md or json: which path to print.")] = "html",
           json_out: JsonOpt = False) -> None:
    """Print the path of a run's report (Markdown, self-contained HTML and JSON are written by `run`)."""
    with cli_errors():
        folder = latest_run(open_workspace(workspace, create=False), run_id)
    paths = {k: str(folder / f"report.{k}") for k in ("html", "md", "json")}
    if json_out:
        print_json(paths)
    else:
        typer.echo(paths.get(fmt, paths["html"]))

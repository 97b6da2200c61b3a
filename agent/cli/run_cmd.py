"""`segscribe run`, `personas`, `report`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from segscribe.cli.common import JsonOpt, RunOpt, WorkspaceOpt, open_workspace, print_json, progress_bar, run_dir
from segscribe.cli.common import safe_terminal_text as safe
from segscribe.errors import EXIT_PARTIAL, UsageError

if TYPE_CHECKING:
    from segscribe.schemas.run import RunOptions, RunRecord
    from segscribe.store.workspace import Workspace

ProviderOpt = Annotated[str | None, typer.Option(
    "--provider", "-p", show_default=False,
    help="offline (default, no network), anthropic:MODEL (needs ANTHROPIC_API_KEY) or openai-compat:MODEL "
         "(a local server; see --base-url). Default: config.yaml or SEGSCRIBE_PROVIDER, else offline.")]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible server URL, "
                                                "e.g. http://localhost:11434/v1 for Ollama.")]
RecordOpt = Annotated[Path | None, typer.Option("--record", help="Record the LLM provider's HTTP exchanges "
                                                "to this cassette file (API keys stripped).")]
ReplayOpt = Annotated[Path | None, typer.Option("--replay", help="Replay a recorded cassette instead of "
                                                "calling the provider (no key, no network).")]
NoRedactOpt = Annotated[bool, typer.Option("--no-redact", help="Send text to external providers without "
                                           "PII redaction.")]
MaxReasksOpt = Annotated[int | None, typer.Option(min=0, max=10, help="Re-asks of an LLM about ungrounded "
                                                  "quotes (default 2).")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Ask the LLM again even for requests whose "
                                          "reply is in the workspace's response cache.")]
BatchOpt = Annotated[bool, typer.Option("--batch", help="Send extraction as Anthropic message batches: half "
                                        "price, answers within 24 h (anthropic providers only).")]
SeedOpt = Annotated[int | None, typer.Option(min=0, help="Seed for clustering and sampling (default 0).")]
NotesConventionOpt = Annotated[str | None, typer.Option(
    "--notes-convention", help="How notes mark voices, when inference gets it wrong: blockquote-participant "
    "(> = quotes), blockquote-notes (> = observations, plain first person = think-aloud), think-aloud, "
    "paraphrase (only \"quoted\" sentences are the participant's), speaker-labels. Per folder: "
    "notes_conventions in config.yaml.")]


def run_options(ws: Workspace, paths: list[Path], *, provider: str | None = None, base_url: str | None = None,
                no_redact: bool = False, max_reasks: int | None = None, seed: int | None = None,
                analyst: Path | None = None, preset: str | None = None, record: Path | None = None,
                replay: Path | None = None, notes_convention: str | None = None, no_cache: bool = False,
                batch: bool = False) -> RunOptions:
    """RunOptions from the workspace settings (config.yaml < environment) overridden by the given flags.

    An analyst sheet is read here, so a mistake in it stops the run before any work is done.
    """
    from segscribe.schemas.run import RunOptions
    from segscribe.scoring import PRESETS, load_analyst_sheet

    if analyst is not None:
        load_analyst_sheet(analyst)
    if preset is not None and preset not in PRESETS:
        raise UsageError(f"unknown --preset {preset!r}; use {', '.join(PRESETS)}")

    s = ws.settings(provider=provider, base_url=base_url, redact=False if no_redact else None,
                    max_reasks=max_reasks, seed=seed)
    return RunOptions(inputs=paths, provider=s.provider, base_url=s.base_url, redact=s.redact,
                      max_reasks=s.max_reasks, seed=s.seed, min_sessions=s.min_sessions, analyst_sheet=analyst,
                      preset=preset, record=str(record) if record else None, replay=str(replay) if replay else None,
                      notes_convention=notes_convention, notes_conventions=s.notes_conventions,
                      cache=not no_cache, batch=batch, max_output_tokens=s.max_output_tokens)


def summary_line(rec: RunRecord) -> str:
    st = rec.stats
    return (f"run {rec.run_id}: {st.get('documents', 0)} documents, {st.get('evidence', 0)} evidence items "
            f"({st.get('dropped', 0)} dropped by the grounding gate), {st.get('themes', 0)} themes, "
            f"{st.get('segments', 0)} segments, {st.get('personas', 0)} personas in {rec.seconds:.1f}s")


def print_outcome(rec: RunRecord) -> None:
    """The run's summary, then every failed file and document, then the report path."""
    typer.echo(summary_line(rec))
    for path in rec.failed_files:
        typer.echo(safe(f"failed file: {path} (see {rec.run_id}/ingest.json for the reason)"))
    for doc_id, why in sorted(rec.failed_documents.items()):
        typer.echo(safe(f"failed document: {doc_id}: {why}"))
    if rec.status == "partial":
        typer.echo(f"partial: rerun `segscribe run --resume {rec.run_id}` to retry what failed")
    if rec.report:
        typer.echo(f"report: {rec.report}")


def cost_gate(opts: RunOptions, max_cost: float | None, dry_run: bool, json_out: bool) -> dict[str, Any] | None:
    """The estimate of a model run: printed (and nothing run) on --dry-run, refused above --max-cost."""
    from segscribe.pipeline.estimate import estimate_cost, parse_inputs, render_estimate

    if opts.provider in ("offline", "") and not dry_run:
        return None
    est = estimate_cost(parse_inputs(opts.inputs), opts.provider, redact=opts.redact)
    if dry_run:
        print_json(est.model_dump(mode="json")) if json_out else typer.echo(render_estimate(est))
        raise typer.Exit(0)
    if max_cost is not None and est.usd > max_cost:
        raise UsageError(f"estimated cost ${est.usd:.2f} is over --max-cost ${max_cost:.2f}: raise the limit, "
                         "choose a cheaper model, or run fewer files (`segscribe estimate` shows the breakdown)")
    return est.model_dump(mode="json")


def run(
    paths: Annotated[list[Path] | None, typer.Argument(help="Folders/files to process (default: corpus/).")] = None,
    workspace: WorkspaceOpt = None,
    provider: ProviderOpt = None,
    base_url: BaseUrlOpt = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Resume an interrupted run by its id; "
                                               "finished documents are not redone, failed ones are retried.")] = None,
    no_redact: NoRedactOpt = False,
    analyst: Annotated[Path | None, typer.Option("--analyst", help="Analyst YAML with judgement scores "
                                                 "(fit, strategic value...).")] = None,
    preset: Annotated[str | None, typer.Option(help="Scoring preset: matrix4, weighted5 or workshop4.")] = None,
    max_reasks: MaxReasksOpt = None,
    seed: SeedOpt = None,
    notes_convention: NotesConventionOpt = None,
    record: RecordOpt = None,
    replay: ReplayOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the token and cost estimate of the run "
                                          "and stop: no model is called, nothing is written.")] = False,
    max_cost: Annotated[float | None, typer.Option("--max-cost", min=0, help="Refuse to start when the "
                                                   "estimated cost in USD is above this.")] = None,
    no_cache: NoCacheOpt = False,
    batch: BatchOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Run everything: ingest, index, extract, verify, themes, segments, personas, score, report.

    Offline and deterministic by default. Ends with the path of the HTML report. Exit code 1 when some
    files or documents failed (the rest is done; `--resume` retries them).
    """
    from segscribe.cli.common import workspace_path
    from segscribe.runner import run_pipeline
    from segscribe.store.workspace import Workspace

    # A dry run reads the workspace's settings but creates nothing.
    ws = Workspace(workspace_path(workspace)) if dry_run else open_workspace(workspace)
    inputs = paths or [Path("corpus")]
    if analyst is None and not resume:
        analyst = inputs[0] / "analyst.yaml" if (inputs[0] / "analyst.yaml").is_file() else None
    opts = run_options(ws, inputs, provider=provider, base_url=base_url, no_redact=no_redact,
                       max_reasks=max_reasks, seed=seed, analyst=analyst, preset=preset, record=record, replay=replay,
                       notes_convention=notes_convention, no_cache=no_cache, batch=batch)
    estimate = cost_gate(opts, max_cost, dry_run, json_out) if not resume else None
    with progress_bar(not json_out) as prog:
        rec = run_pipeline(ws, opts, prog, resume=resume, estimate=estimate)
    if json_out:
        print_json(rec.model_dump(mode="json"))
    else:
        print_outcome(rec)
    if rec.status == "partial":
        raise typer.Exit(EXIT_PARTIAL)


def estimate(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders a run would read.")],
    provider: Annotated[str, typer.Option("--provider", "-p", help="anthropic:MODEL or openai-compat:MODEL.")],
    no_redact: NoRedactOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Estimate the tokens and dollars per stage of a run with a model, before spending anything.

    Uses the same prompt rendering as the run; nothing is sent and nothing is written.
    """
    from segscribe.pipeline.estimate import estimate_cost, parse_inputs, render_estimate

    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or folder")
    est = estimate_cost(parse_inputs(paths), provider, redact=not no_redact)
    print_json(est.model_dump(mode="json")) if json_out else typer.echo(render_estimate(est))


def personas(workspace: WorkspaceOpt = None, run_id: RunOpt = None, json_out: JsonOpt = False) -> None:
    """Show the draft personas of a run, with their top claims and verbatim quotes."""
    from segscribe import artifacts as A

    found = run_dir(open_workspace(workspace, read_only=True), run_id).read(A.PERSONAS)
    if json_out:
        print_json([p.model_dump(mode="json") for p in found])
        return
    for p in found:
        typer.echo(safe(f"{p.name}  [{p.segment}; tier {p.tier or '-'}; confidence {p.confidence}]"))
        for field in ("goals", "pains", "jobs_functional", "tools_alternatives", "decision_criteria"):
            claims = getattr(p, field).claims
            shown = "; ".join(c.text for c in claims[:2]) if claims else "not in the data"
            typer.echo(safe(f"  {field}: {shown}"))
        for q in p.quotes:
            typer.echo(safe(f"  “{q.quote}” — {q.speaker} ({q.doc_id}[{q.start}:{q.end}])"))


def report(workspace: WorkspaceOpt = None, run_id: RunOpt = None,
           fmt: Annotated[str, typer.Option("--format", help="html, md or json: which path to print.")] = "html",
           json_out: JsonOpt = False) -> None:
    """Print the path of a run's report (Markdown, self-contained HTML and JSON are written by `run`)."""
    folder = run_dir(open_workspace(workspace, read_only=True), run_id).root
    paths = {k: str(folder / f"report.{k}") for k in ("html", "md", "json")}
    if json_out:
        print_json(paths)
    else:
        typer.echo(paths.get(fmt, paths["html"]))

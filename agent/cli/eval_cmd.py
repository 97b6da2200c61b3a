"""`segscribe eval`: run the pipeline and the grounding metrics; gate on thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from segscribe.cli.common import JsonOpt, WorkspaceOpt, open_workspace, print_json, progress_bar
from segscribe.cli.run_cmd import BaseUrlOpt, ProviderOpt, RecordOpt, ReplayOpt
from segscribe.errors import EXIT_PARTIAL, UsageError


def eval_cmd(
    workspace: WorkspaceOpt = None,
    provider: ProviderOpt = None,
    base_url: BaseUrlOpt = None,
    dataset: Annotated[str, typer.Option(help="corpus (the labelled corpus/), external (the acceptance checks "
                                         "on ../shared/data, or SEGSCRIBE_SHARED_DATA) or all.")] = "corpus",
    corpus: Annotated[Path, typer.Option(help="Labelled corpus folder with gold/.")] = Path("corpus"),
    record: RecordOpt = None,
    replay: ReplayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Run the pipeline on the labelled corpus and score citation grounding; exit 1 below the thresholds.

    Writes runs/<id>/scorecard.json and scorecard.md in the workspace.
    """
    from segscribe.cli.run_cmd import run_options
    from segscribe.embed import default_embedder
    from segscribe.evals.corpus_eval import evaluate_run, write_scorecard
    from segscribe.evals.scorecard import to_markdown
    from segscribe.runner import run_pipeline

    if dataset not in ("corpus", "external", "all"):
        raise UsageError(f"--dataset must be corpus, external or all, not {dataset!r}")
    if dataset in ("external", "all"):
        from segscribe.evals.external import run_external_checks

        ext = run_external_checks()
        if dataset == "external":
            print_json(ext) if json_out else typer.echo(ext)
            return
    if not (corpus / "gold" / "evidence.jsonl").is_file():
        raise UsageError(f"{corpus} has no gold/evidence.jsonl: pass --corpus with a labelled corpus folder")
    ws = open_workspace(workspace)
    analyst = corpus / "analyst.yaml" if (corpus / "analyst.yaml").is_file() else None
    opts = run_options(ws, [corpus], provider=provider, base_url=base_url, analyst=analyst, record=record,
                       replay=replay)
    with progress_bar(not json_out) as prog:
        rec = run_pipeline(ws, opts, prog)
    from segscribe.artifacts import RunDir

    run = RunDir(ws.runs_path / rec.run_id)
    card = evaluate_run(ws, run, corpus, default_embedder().embed, provider=rec.provider)
    paths = write_scorecard(card, run)
    if json_out:
        print_json({"scorecard": card.model_dump(mode="json"), "paths": {k: str(v) for k, v in paths.items()}})
    else:
        typer.echo(to_markdown(card))
        typer.echo(f"scorecard: {paths['md']}")
    if not card.passed:
        raise typer.Exit(EXIT_PARTIAL)

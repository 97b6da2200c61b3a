"""`segscribe eval`: score the pipeline on labelled data; gate on thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from segscribe.cli.common import JsonOpt, WorkspaceOpt, open_workspace, print_json, progress_bar
from segscribe.cli.run_cmd import BaseUrlOpt, ProviderOpt, RecordOpt, ReplayOpt
from segscribe.errors import EXIT_PARTIAL, UsageError

DATASETS = ("corpus", "studies", "kinds", "external", "all")


def _data_dir(data: Path | None) -> Path:
    from segscribe.evals.external import default_data_dir

    folder = data or default_data_dir()
    if not folder.is_dir():
        raise UsageError(f"no shared data at {folder}: pass --data DIR or set SEGSCRIBE_SHARED_DATA")
    return folder


def eval_cmd(
    workspace: WorkspaceOpt = None,
    provider: ProviderOpt = None,
    base_url: BaseUrlOpt = None,
    dataset: Annotated[str, typer.Option(help="corpus (the labelled corpus/), studies (real research studies: "
                                         "published findings rediscovered, voice attribution), kinds (evidence "
                                         "kinds on hand-labelled real sentences), external (acceptance checks on "
                                         "tickets, tables and interviews) or all.")] = "corpus",
    corpus: Annotated[Path, typer.Option(help="Labelled corpus folder with gold/.")] = Path("corpus"),
    data: Annotated[Path | None, typer.Option(help="Shared data folder (default SEGSCRIBE_SHARED_DATA, else "
                                              "../shared/data).")] = None,
    record: RecordOpt = None,
    replay: ReplayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Score the pipeline against labelled data; exit 1 when a gated figure is below its threshold.

    The corpus eval writes runs/<id>/scorecard.json and scorecard.md in the workspace.
    """
    if dataset not in DATASETS:
        raise UsageError(f"--dataset must be one of {', '.join(DATASETS)}, not {dataset!r}")
    passed = True
    out: dict[str, Any] = {}
    if dataset in ("studies", "kinds", "all"):
        from segscribe.evals.gates import gate_real_data

        folder = _data_dir(data)
        result, failures = gate_real_data(folder, studies=dataset in ("studies", "all"),
                                          kinds=dataset in ("kinds", "all"))
        out["real_data"] = {**result, "gate_failures": failures}
        passed &= not failures
        if not json_out:
            from segscribe.evals.gates import to_markdown

            typer.echo(to_markdown(result, failures))
    if dataset in ("external", "all"):
        from segscribe.evals.external import run_external_checks

        out["external"] = run_external_checks(_data_dir(data))
        if not json_out:
            typer.echo(out["external"])
    if dataset in ("corpus", "all"):
        out["corpus"], ok = _corpus(workspace, provider, base_url, corpus, record, replay, json_out)
        passed &= ok
    if json_out:
        print_json(out)
    if not passed:
        raise typer.Exit(EXIT_PARTIAL)


def _corpus(workspace: Path | None, provider: str | None, base_url: str | None, corpus: Path,
            record: Path | None, replay: Path | None, json_out: bool) -> tuple[dict[str, Any], bool]:
    from segscribe.artifacts import RunDir
    from segscribe.cli.run_cmd import run_options
    from segscribe.embed import default_embedder
    from segscribe.evals.corpus_eval import evaluate_run, write_scorecard
    from segscribe.evals.scorecard import to_markdown
    from segscribe.runner import run_pipeline

    if not (corpus / "gold" / "evidence.jsonl").is_file():
        raise UsageError(f"{corpus} has no gold/evidence.jsonl: pass --corpus with a labelled corpus folder")
    ws = open_workspace(workspace)
    analyst = corpus / "analyst.yaml" if (corpus / "analyst.yaml").is_file() else None
    opts = run_options(ws, [corpus], provider=provider, base_url=base_url, analyst=analyst, record=record,
                       replay=replay)
    with progress_bar(not json_out) as prog:
        rec = run_pipeline(ws, opts, prog)
    run = RunDir(ws.runs_path / rec.run_id)
    card = evaluate_run(ws, run, corpus, default_embedder().embed, provider=rec.provider)
    paths = write_scorecard(card, run)
    if not json_out:
        typer.echo(to_markdown(card))
        typer.echo(f"scorecard: {paths['md']}")
    result = {"scorecard": card.model_dump(mode="json"), "paths": {k: str(v) for k, v in paths.items()}}
    return result, bool(card.passed)

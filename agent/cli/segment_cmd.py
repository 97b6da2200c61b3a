"""`segscribe segment` (RFM, k-means, Ward or rule segments from tables) and `segscribe score`.

pandas, scikit-learn and the quant modules load inside the commands so `segscribe --help` stays fast.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from segscribe.errors import InputError, UsageError
from segscribe.files import atomic_write

if TYPE_CHECKING:
    from segscribe.schemas.scoring import ScoringResult
    from segscribe.schemas.segment import Segmentation

_SOURCE_CODE = {"data": "d", "analyst": "a", "default": "def"}
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON to stdout.")]


def _load_config(path: Path | None) -> dict[str, Any]:
    from segscribe.config import read_yaml_mapping

    return read_yaml_mapping(path, "segment config") if path is not None else {}


def _run_segment(transactions: Path | None, customers: Path | None, conf: dict[str, Any]) -> Segmentation:
    from segscribe.config import validate_model
    from segscribe.quant.profile import build_segmentation, segmentation_from_rfm
    from segscribe.quant.rfm import rfm_from_file
    from segscribe.quant.tables import load_customers
    from segscribe.schemas.segment import SegmentConfig

    if transactions is not None:
        conf.pop("method", None)
        cfg = validate_model(SegmentConfig, conf, "segment config")
        res = rfm_from_file(transactions, cfg.columns or None, analysis_date=cfg.analysis_date)
        return segmentation_from_rfm(res, cfg.validation, cfg.top_lifts)
    assert customers is not None
    cfg = validate_model(SegmentConfig, conf, "segment config")
    mapping = dict(cfg.columns)
    if cfg.id_column:
        mapping["customer_id"] = cfg.id_column
    df, id_col = load_customers(customers, mapping or None)
    return build_segmentation(df, cfg.model_copy(update={"id_column": id_col}))


def _lift_text(a: Any) -> str:
    if a.level:
        return f"{a.feature}={a.level} x{a.lift:.1f}" if a.lift else f"{a.feature}={a.level}"
    return f"{a.feature} x{a.lift:.2f}" if a.lift else a.feature


def _print_segmentation(seg: Segmentation) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Segments ({seg.method}, {seg.assignment.total} customers)")
    for col in ("Segment", "Size", "Share", "Revenue", "Churn", "Top attributes", "Checks"):
        table.add_column(col, justify="right" if col in ("Size", "Share", "Revenue", "Churn") else "left")
    checks = {v.segment: v for v in seg.validation.segments} if seg.validation else {}

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{x:.1%}"

    for p in seg.segments:
        lifts = ", ".join(_lift_text(a) for a in p.top_lifts[:3])
        v = checks.get(p.name)
        crit = [v.measurable, v.substantial, v.accessible, v.differentiable, v.actionable] if v else []
        mark = "".join({"pass": "P", "fail": "F"}.get(c.status, "?") for c in crit)
        table.add_row(p.name, str(p.size), pct(p.share), pct(p.revenue_share), pct(p.churn_rate), lifts, mark)
    console = Console()
    console.print(table)
    console.print("Checks: measurable, substantial, accessible, differentiable, actionable "
                  "(P pass, F fail, ? analyst input needed)")
    if seg.validation:
        console.print(f"MECE: {'ok' if seg.validation.mece.ok else 'NOT ok'} - {seg.validation.mece.detail}")
    if seg.quality:
        console.print("Data: " + ", ".join(f"{k}={v}" for k, v in seg.quality.items()))


def segment(
    transactions: Annotated[Path | None, typer.Option("--transactions", "-t", help="Transaction table "
                            "(CSV/CSV.gz/Parquet) for RFM segments.")] = None,
    customers: Annotated[Path | None, typer.Option("--customers", "-c", help="One-row-per-customer table for "
                         "k-means, Ward or rule segments.")] = None,
    method: Annotated[str | None, typer.Option(help="kmeans, ward or rules (customer table); RFM is used "
                      "with --transactions.")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="YAML with SegmentConfig fields (columns, "
                      "rules, churn_column, validation ...).")] = None,
    id_column: Annotated[str | None, typer.Option(help="Customer id column (auto-detected).")] = None,
    value_column: Annotated[str | None, typer.Option(help="Customer value column (revenue share).")] = None,
    churn_column: Annotated[str | None, typer.Option(help="Churn flag column (never a clustering "
                            "feature).")] = None,
    k: Annotated[int | None, typer.Option(min=2, max=50, help="Fixed number of clusters (default: best silhouette "
                 "2-8).")] = None,
    bootstrap: Annotated[int | None, typer.Option(min=0, max=1000, help="Bootstrap rounds for cluster stability "
                         "(default 50).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default 0).")] = None,
    analysis_date: Annotated[str | None, typer.Option(help="RFM analysis date YYYY-MM-DD (default: the day "
                             "after the last transaction).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the segmentation JSON here "
                   "(input of `segscribe score`).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Segment customers from tables: RFM from transactions, or k-means/Ward/rules from a customer table."""
    if (transactions is None) == (customers is None):
        raise typer.BadParameter("give exactly one of --transactions (RFM) or --customers (clusters/rules)")
    if transactions is not None and method not in (None, "rfm"):
        raise typer.BadParameter("--transactions always gives RFM segments; use --customers for "
                                 f"{method}", param_hint="--method")
    if method not in (None, "rfm", "kmeans", "ward", "rules"):
        raise typer.BadParameter(f"unknown method {method!r}; use kmeans, ward or rules",
                                 param_hint="--method")
    conf = _load_config(config)
    overrides: dict[str, Any] = {"method": method if method != "rfm" else None, "id_column": id_column,
                 "value_column": value_column, "churn_column": churn_column, "k": k,
                 "bootstrap_rounds": bootstrap, "seed": seed}
    if analysis_date is not None:
        try:
            overrides["analysis_date"] = date.fromisoformat(analysis_date)
        except ValueError:
            raise typer.BadParameter(f"{analysis_date!r} is not a date like 2011-12-10",
                                     param_hint="--analysis-date") from None
    conf.update({key: v for key, v in overrides.items() if v is not None})
    seg = _run_segment(transactions, customers, conf)
    if out is not None:
        atomic_write(out, seg.model_dump_json(indent=2) + "\n")
    if json_out:
        typer.echo(seg.model_dump_json(indent=2))
    else:
        _print_segmentation(seg)
        if out is not None:
            typer.echo(f"wrote {out}")


def _print_scores(res: ScoringResult) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Priorities ({res.preset})")
    factors = [f.factor for f in res.ranked[0].factors]
    cols = ["Rank", "Segment", "Total", "Tier", *factors, "Rank moves", "Tier moves"]
    for col in cols:
        table.add_column(col, justify="left" if col in ("Segment", "Tier") else "right")
    sens = {e.name: e for e in res.sensitivity.segments} if res.sensitivity else {}
    for r in res.ranked:
        e = sens.get(r.name)
        facts = [f"{f.value} ({_SOURCE_CODE[f.source]})" for f in r.factors]
        moves = [f"{e.rank_change_share:.0%}" if e else "-",
                 f"{e.tier_change_share:.0%}" if e and e.tier_change_share is not None else "-"]
        tier = f"{r.tier} {r.allocation}" if r.allocation else (r.tier or "-")
        table.add_row(str(r.rank), r.name, r.total_display, tier, *facts, *moves)
    console = Console()
    console.print(table)
    n = res.sensitivity.samples if res.sensitivity else 0
    console.print(f"Factor sources: d data, a analyst, def default. Moves: share of {n} weight samples "
                  "(each weight x U(0.8, 1.2), renormalised) that change the rank / tier.")


def score(
    analyst: Annotated[Path, typer.Option("--analyst", "-a", help="Analyst YAML: preset, weights, defaults, "
                       "segments: {name: {factor: score}}.")],
    segmentation: Annotated[Path | None, typer.Option("--segmentation", "-s", help="Segmentation JSON from "
                            "`segscribe segment --out` (data-derived factors); without it every score comes "
                            "from the sheet.")] = None,
    preset: Annotated[str | None, typer.Option(help="matrix4, weighted5 or workshop4 (default: the sheet's, "
                      "else matrix4).")] = None,
    samples: Annotated[int | None, typer.Option(min=0, max=100_000, help="Sensitivity samples (default 1000; "
                       "0 = skip; at most 100,000).")] = None,
    seed: Annotated[int | None, typer.Option(help="Sensitivity RNG seed (default 0).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the scoring JSON here.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Rank segments with a deterministic prioritisation preset and report weight sensitivity."""
    from segscribe.scoring import PRESETS

    if preset is not None and preset not in PRESETS:
        raise typer.BadParameter(f"unknown preset {preset!r}; use {', '.join(PRESETS)}",
                                 param_hint="--preset")
    res = _run_score(analyst, segmentation, preset, samples, seed)
    if out is not None:
        atomic_write(out, res.model_dump_json(indent=2) + "\n")
    if json_out:
        typer.echo(res.model_dump_json(indent=2))
    else:
        _print_scores(res)


def _run_score(analyst: Path, segmentation: Path | None, preset: str | None, samples: int | None,
               seed: int | None) -> ScoringResult:
    from pydantic import ValidationError

    from segscribe.config import one_line
    from segscribe.schemas.scoring import SensitivityConfig
    from segscribe.schemas.segment import Segmentation
    from segscribe.scoring import inputs_from_table, load_analyst_sheet, score_segmentation
    from segscribe.scoring import score as run_score

    sheet = load_analyst_sheet(analyst)
    updates = {k: v for k, v in (("samples", samples), ("seed", seed)) if v is not None}
    if updates:
        sens = SensitivityConfig.model_validate({**sheet.sensitivity.model_dump(), **updates})
        sheet = sheet.model_copy(update={"sensitivity": sens})
    if segmentation is None:
        if not sheet.segments:
            raise UsageError(f"{analyst} scores no segments; add 'segments: {{name: {{factor: score}}}}' "
                             "or pass --segmentation")
        name = preset or sheet.preset or "matrix4"
        inputs = _with_defaults(inputs_from_table(sheet.segments), sheet.defaults)
        return run_score(inputs, name, sheet.weights, sheet.sensitivity)
    if not segmentation.is_file():
        raise InputError(f"no such segmentation file: {segmentation} (write one with "
                         "`segscribe segment ... --out FILE`)")
    try:
        seg = Segmentation.model_validate_json(segmentation.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise InputError(f"{segmentation} is not a segmentation from `segscribe segment --out`: "
                         f"{one_line(exc)}") from None
    return score_segmentation(seg, sheet, preset)


def _with_defaults(inputs: list[Any], defaults: dict[str, int]) -> list[Any]:
    from segscribe.schemas.scoring import FactorValue

    for s in inputs:
        for f, v in defaults.items():
            s.factors.setdefault(f, FactorValue(value=v, source="default", detail="configured default"))
    return inputs

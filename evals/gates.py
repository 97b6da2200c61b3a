"""Gate the real-data evals (studies, kinds) on `real_thresholds.yaml`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

THRESHOLDS = Path(__file__).with_name("real_thresholds.yaml")


def load_real_thresholds(path: Path = THRESHOLDS) -> dict[str, dict[str, float]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"min": dict(data.get("min") or {}), "max": dict(data.get("max") or {})}


def check(figures: dict[str, float], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """One line per gated figure that misses its threshold (figures not measured are not gated)."""
    out = []
    for key, floor in sorted(thresholds["min"].items()):
        if key in figures and figures[key] < floor:
            out.append(f"{key}: {figures[key]:.4f} < {floor:.4f}")
    for key, ceiling in sorted(thresholds["max"].items()):
        if key in figures and figures[key] > ceiling:
            out.append(f"{key}: {figures[key]:.4f} > {ceiling:.4f}")
    return out


def gate_real_data(data: Path, *, studies: bool = True, kinds: bool = True) -> tuple[dict[str, Any], list[str]]:
    """Run the chosen real-data evals; their results and the gate failures."""
    result: dict[str, Any] = {}
    figures: dict[str, float] = {}
    if studies:
        from segscribe.evals.studies import evaluate_studies

        result["studies"] = s = evaluate_studies(data)
        figures.update({k: s[k] for k in ("findings_recall", "findings_recall_top10", "notes_shown_as_quote")})
    if kinds:
        from segscribe.evals.kinds import DATASETS, evaluate_sample

        result["kinds"] = k = evaluate_sample(DATASETS / "kinds_sample.jsonl", data)
        figures.update({key: k[key] for key in ("kind_precision", "evidence_precision", "notes_shown_as_participant")})
    result["figures"] = figures
    return result, check(figures, load_real_thresholds())


def to_markdown(result: dict[str, Any], failures: list[str]) -> str:
    parts = []
    if "studies" in result:
        from segscribe.evals.studies import to_markdown as studies_md

        parts.append("## Real research studies\n\n" + studies_md(result["studies"]))
    if "kinds" in result:
        k = result["kinds"]
        rows = ["| kind | precision | recall | predicted | labelled |", "|---|---:|---:|---:|---:|"]
        rows += [f"| {name} | {v['precision']:.3f} | {v['recall']:.3f} | {v['predicted']} | {v['labelled']} |"
                 for name, v in k["per_kind"].items()]
        parts.append(f"## Evidence kinds on {k['units']} labelled real sentences\n\n"
                     f"kind precision {k['kind_precision']:.3f}, kind recall {k['kind_recall']:.3f}; evidence vs none: "
                     f"precision {k['evidence_precision']:.3f}, recall {k['evidence_recall']:.3f}; voice agreement "
                     f"{k['voice_agreement']:.3f}; notes shown as participant words: {k['notes_shown_as_participant']}"
                     "\n\n" + "\n".join(rows))
    parts.append("Gate: **FAIL**\n" + "\n".join(f"- {f}" for f in failures) if failures else "Gate: **PASS**")
    return "\n\n".join(parts)

"""Recall and precision of PII redaction on a labelled sample (`datasets/pii_sample.jsonl`).

Each sample has a text, the names the pipeline would know (from metadata and speaker labels) and its
gold PII as (kind, exact text); every whole-word occurrence of a gold text is a gold span. A gold span
is caught when redacted spans cover all of it (whatever kind they were given: what matters is that
the text does not leak); a redacted span is correct when it overlaps a gold span. Names that appear
only in the text (no metadata) are in the sample too: without an NER model they are expected misses.

Run `python -m segscribe.evals.pii` for the figures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).with_name("datasets") / "pii_sample.jsonl"

Spans = Callable[[str, list[str]], Iterable[tuple[int, int]]]
"""(text, known names) -> redacted (start, end) spans."""


@dataclass
class PiiScore:
    caught: dict[str, int] = field(default_factory=dict)
    gold: dict[str, int] = field(default_factory=dict)
    predicted: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        total = sum(self.gold.values())
        return sum(self.caught.values()) / total if total else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    def by_kind(self) -> dict[str, float]:
        return {k: round(self.caught.get(k, 0) / n, 3) for k, n in sorted(self.gold.items())}

    def summary(self) -> dict[str, Any]:
        return {"recall": round(self.recall, 3), "precision": round(self.precision, 3),
                "gold_spans": sum(self.gold.values()), "redacted_spans": self.predicted,
                "recall_by_kind": self.by_kind(), "misses": self.misses, "false_alarms": self.false_alarms}


def load_sample(path: Path = SAMPLE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def gold_spans(sample: dict[str, Any]) -> list[tuple[int, int, str]]:
    """Every whole-word occurrence of each gold text, minus occurrences inside a longer gold span."""
    spans = []
    for kind, value in sample["pii"]:
        hits = [(m.start(), m.end(), kind) for m in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", sample["text"])]
        if not hits:
            raise ValueError(f"{sample['id']}: gold text {value!r} is not in the sample text")
        spans += hits
    return [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and o[:2] != s[:2] for o in spans)]


def score(spans_of: Spans, samples: list[dict[str, Any]] | None = None) -> PiiScore:
    out = PiiScore()
    for sample in samples if samples is not None else load_sample():
        text = sample["text"]
        gold = gold_spans(sample)
        pred = sorted(set(spans_of(text, list(sample.get("names", [])))))
        for start, end, kind in gold:
            out.gold[kind] = out.gold.get(kind, 0) + 1
            covered: set[int] = set()
            for s, e in pred:
                covered.update(range(max(s, start), min(e, end)))
            if len(covered) == end - start:
                out.caught[kind] = out.caught.get(kind, 0) + 1
            else:
                out.misses.append(f"{sample['id']} {kind} {text[start:end]!r}")
        for s, e in pred:
            out.predicted += 1
            if any(s < g_end and g_start < e for g_start, g_end, _ in gold):
                out.correct += 1
            else:
                out.false_alarms.append(f"{sample['id']} {text[s:e]!r}")
    return out


def redactor_spans(text: str, names: list[str]) -> list[tuple[int, int]]:
    from segscribe.redact import Redactor

    return [(s, e) for s, e, _ in Redactor(names).spans(text)]


if __name__ == "__main__":  # pragma: no cover - manual report
    print(json.dumps(score(redactor_spans).summary(), indent=2, ensure_ascii=False))

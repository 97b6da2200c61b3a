#!/usr/bin/env python3
"""Draw the units of the second kind/voice development sample (kinds_dev2.jsonl) from the shared data.

Same unit splitting as the evaluation sample's sampler (kept outside the repository; copied below), a
different seed, and no unit whose span overlaps a unit of kinds_sample.jsonl or kinds_dev.jsonl (only their
source/start/end are read, to exclude them). Mix: ~200 units from the three research studies' notes (all
voices, no content filtering; ~67 per study, spread over the study's files in proportion to their unit counts,
at least 2 per file) and 200 from 40 random creatives transcripts (4 participant-turn units and 1
interviewer-turn unit each).

    python evals/datasets/make_kinds_dev2.py units OUT.jsonl   # units with their text, for labelling (keep
                                                              # OUT outside the repository: it holds data text)
    python evals/datasets/make_kinds_dev2.py check             # kinds_dev2.jsonl spans == this sampler's draw

The shared data is read from SEGSCRIBE_SHARED_DATA or ../shared/data (relative to the project root). The
labels (kind, voice, note) were given by hand, reading each unit in context, following the evaluation
sample's labelling guidelines; kinds_dev2.jsonl keeps only source/start/end/sha1/kind/voice/note.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = Path(os.environ.get("SEGSCRIBE_SHARED_DATA") or ROOT.parent / "shared" / "data")
SEED = 20261208
PER_STUDY = {"appointments-details-redesign": 67, "caregivers-sign-as-rep-round2": 66,
             "claim-status-document-status": 67}
MIN_PER_FILE = 2
N_TRANSCRIPTS, PARTICIPANT_PER_TRANSCRIPT, INTERVIEWER_PER_TRANSCRIPT = 40, 4, 1
EXCLUDE = ("kinds_sample.jsonl", "kinds_dev.jsonl")

# Splitting copied from the evaluation sample's sampler: a line break, or white space after . ! ?
# (plus closing quotes/brackets); strip leading white space, '>' marks, bullets and list numbers.
SPLIT_RE = re.compile(r"(\n)|[.!?][\"'\u201d\u2019)\]]*([ \t]+)")
LEAD_RE = re.compile(r"^(?:\s+|>+|[-*+\u2022](?=\s)|\d{1,2}[.)](?=\s))")
SPEAKER_RE = re.compile(r"^(?:User|AI|Assistant):")

Span = tuple[int, int]


def sha12(s: str) -> str:
    """First 12 hex digits of the sha1 of a span's text."""
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:12]


def _strip(text: str, a: int, b: int, strip_speaker: bool) -> Span:
    while a < b:
        seg = text[a:b]
        m = LEAD_RE.match(seg)
        if m and m.end() > 0:
            a += m.end()
            continue
        m = SPEAKER_RE.match(seg) if strip_speaker else None
        if m:
            a += m.end()
            continue
        break
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def split_units(text: str, base: int = 0, strip_speaker: bool = False) -> list[Span]:
    """(start, end) of the units of text, offsets shifted by base; units under 3 words are dropped."""
    pieces, pos = [], 0
    for m in SPLIT_RE.finditer(text):
        g = 1 if m.group(1) is not None else 2
        pieces.append((pos, m.start(g)))
        pos = m.end()
    pieces.append((pos, len(text)))
    out = []
    for a, b in pieces:
        a, b = _strip(text, a, b, strip_speaker)
        if b > a and len(text[a:b].split()) >= 3:
            out.append((base + a, base + b))
    return out


def transcript_units(text: str) -> list[tuple[int, int, str]]:
    """Units of a transcript with the role of their turn ('participant' or 'interviewer')."""
    starts = [m.start() for m in re.finditer(r"(?m)^(?:User|AI|Assistant):", text)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    starts.append(len(text))
    units = []
    for a, b in zip(starts, starts[1:], strict=False):
        role = "participant" if text[a:b].startswith("User:") else "interviewer"
        units += [(s, e, role) for s, e in split_units(text[a:b], base=a, strip_speaker=True)]
    return units


def allocate(counts: dict[str, int], total: int, minimum: int) -> dict[str, int]:
    """Proportional allocation with a minimum per stratum (largest remainder)."""
    n = sum(counts.values())
    alloc = {k: min(c, minimum) for k, c in counts.items()}
    rest = total - sum(alloc.values())
    quotas = {k: rest * c / n for k, c in counts.items()}
    for k in counts:
        alloc[k] = min(counts[k], alloc[k] + int(quotas[k]))
    left = total - sum(alloc.values())
    order = sorted(counts, key=lambda k: (-(quotas[k] - int(quotas[k])), k))
    i = 0
    while left > 0 and any(alloc[k] < counts[k] for k in counts):
        k = order[i % len(order)]
        if alloc[k] < counts[k]:
            alloc[k] += 1
            left -= 1
        i += 1
    return alloc


def taken_spans() -> dict[str, list[Span]]:
    """Spans (by source) of the units of the other samples; only their offsets are read."""
    out: dict[str, list[Span]] = {}
    for name in EXCLUDE:
        for line in (HERE / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                out.setdefault(r["source"], []).append((int(r["start"]), int(r["end"])))
    return out


def _free(spans: list[Span], taken: list[Span]) -> list[Span]:
    return [(s, e) for s, e in spans if not any(s < te and ts < e for ts, te in taken)]


def _notes_rows(rng: random.Random, taken: dict[str, list[Span]]) -> list[dict[str, object]]:
    rows = []
    for study, total in PER_STUDY.items():
        ndir = DATA / "research_studies" / study / "notes"
        texts = {f.name: f.open(encoding="utf-8", newline="").read() for f in sorted(ndir.glob("*.md"))}
        pools = {f: _free(split_units(t), taken.get(f"research_studies/{study}/notes/{f}", []))
                 for f, t in texts.items()}
        alloc = allocate({f: len(u) for f, u in pools.items()}, total, MIN_PER_FILE)
        for f, text in texts.items():
            for s, e in sorted(rng.sample(pools[f], alloc[f])):
                rows.append({"source": f"research_studies/{study}/notes/{f}", "start": s, "end": e,
                             "sha1": sha12(text[s:e]), "text": text[s:e]})
    return rows


def _transcript_rows(rng: random.Random, taken: dict[str, list[Span]]) -> list[dict[str, object]]:
    csv.field_size_limit(10**9)
    with (DATA / "interviews_creatives" / "transcripts.csv").open(encoding="utf-8", newline="") as fh:
        transcripts = [(r["transcript_id"], r["text"]) for r in csv.DictReader(fh)]
    rows = []
    for i in sorted(rng.sample(range(len(transcripts)), N_TRANSCRIPTS)):
        tid, text = transcripts[i]
        src = f"interviews_creatives/transcripts.csv#{tid}"
        units = transcript_units(text)
        pools = {role: _free([(s, e) for s, e, r in units if r == role], taken.get(src, []))
                 for role in ("participant", "interviewer")}
        picks = [(s, e, "participant") for s, e in
                 rng.sample(pools["participant"], min(len(pools["participant"]), PARTICIPANT_PER_TRANSCRIPT))]
        picks += [(s, e, "interviewer") for s, e in
                  rng.sample(pools["interviewer"], min(len(pools["interviewer"]), INTERVIEWER_PER_TRANSCRIPT))]
        for s, e, role in sorted(picks):
            rows.append({"source": src, "start": s, "end": e, "sha1": sha12(text[s:e]), "turn": role,
                         "text": text[s:e]})
    return rows


def draw() -> list[dict[str, object]]:
    """The sample's units in order, with their text."""
    rng = random.Random(SEED)
    taken = taken_spans()
    rows = _notes_rows(rng, taken) + _transcript_rows(rng, taken)
    for n, r in enumerate(rows):
        r["id"] = n
    return rows


def check() -> int:
    """Compare kinds_dev2.jsonl with a fresh draw; 0 when every span and hash agrees."""
    drawn = [(r["source"], r["start"], r["end"], r["sha1"]) for r in draw()]
    lines = (HERE / "kinds_dev2.jsonl").read_text(encoding="utf-8").splitlines()
    stored = [(r["source"], r["start"], r["end"], r["sha1"]) for r in map(json.loads, lines) if r]
    print(f"drawn {len(drawn)}, stored {len(stored)}, equal: {drawn == stored}")
    return 0 if drawn == stored else 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["units"] and len(argv) == 2:
        with open(argv[1], "w", encoding="utf-8") as fh:
            for r in draw():
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        return 0
    if argv == ["check"]:
        return check()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Static checks of the bundled sample corpus and its gold labels.

Standard library + pytest + pyyaml only: these tests deliberately do not import segscribe, so they
check the corpus independently of the parsers they are meant to evaluate.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date, datetime
from functools import cache
from itertools import combinations
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLD = CORPUS / "gold"

KINDS = {"pain", "goal", "job", "workaround", "objection", "quote"}
SEGMENTS = {"scaling_finance", "small_owner", "multi_client_bookkeeper", "regulated_compliance"}
INTERVIEWER_LABELS = {"interviewer", "moderator"}
FRONT_MATTER_KEYS = {
    "participant",
    "participant_id",
    "customer_id",
    "job_title",
    "company_size",
    "industry",
    "plan",
    "date",
    "interviewer",
}
INJECTION = "ignore previous instructions"


# ----------------------------------------------------------------------------------------- loaders
def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def gold_items() -> tuple[dict, ...]:
    items = []
    with (GOLD / "evidence.jsonl").open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                item = json.loads(line)
                item["_line"] = n
                items.append(item)
    return tuple(items)


@cache
def documents() -> dict[str, dict[str, str]]:
    return {row["file"]: row for row in read_csv(GOLD / "documents.csv")}


@cache
def participants() -> dict[str, dict[str, str]]:
    return {row["file"]: row for row in read_csv(CORPUS / "participants.csv")}


@cache
def customer_ids() -> frozenset[str]:
    return frozenset(row["customer_id"] for row in read_csv(CORPUS / "tables" / "customers.csv"))


@cache
def raw(rel: str) -> str:
    return (CORPUS / rel).read_text(encoding="utf-8")


def interview_files() -> list[str]:
    return sorted(
        p.relative_to(CORPUS).as_posix()
        for p in (CORPUS / "interviews").iterdir()
        if p.suffix in {".txt", ".md", ".vtt"}
    )


def front_matter(text: str) -> tuple[dict, int]:
    """(metadata, offset where the body starts); ({}, 0) when there is none."""
    if not text.startswith("---\n"):
        return {}, 0
    end = text.index("\n---\n", 4)
    return yaml.safe_load(text[4:end]) or {}, end + 5


def is_interviewer(speaker: str, declared: str | None) -> bool:
    s = speaker.strip().lower()
    return s in INTERVIEWER_LABELS or (declared is not None and s == declared.strip().lower())


# ------------------------------------------------------------------------------- format parsers
# A speaker label at the start of a line: optional [hh:mm:ss], then **Name** or a short name/code, then ":".
LABEL_RE = re.compile(
    r"^(?:\[\d{1,2}:\d{2}(?::\d{2})?\][ \t]*)?"
    r"(?:\*\*(?P<bold>[^*\n]{1,60})\*\*|(?P<plain>[A-Z][A-Za-z0-9 .&'’-]{0,40}?)):[ \t]",
    re.M,
)


def transcript_turns(text: str, body_start: int) -> list[tuple[str, int, int]]:
    """(speaker, start, end) of each turn's text; a turn runs until the next speaker label."""
    marks = [m for m in LABEL_RE.finditer(text, body_start)]
    turns = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        turns.append(((m.group("bold") or m.group("plain")).strip(), m.end(), end))
    return turns


TIMING_RE = re.compile(r"^\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}")
VOICE_RE = re.compile(r"^<v(?:\.[\w.-]+)?[ \t]+(?P<name>[^>]+)>")
CUE_LABEL_RE = re.compile(r"^(?P<name>[A-Z][A-Za-z0-9 .&'’-]{0,40}?):[ \t]")


def vtt_cues(text: str) -> list[tuple[str, int, int]]:
    """(speaker, start, end) of each cue's spoken text (voice tags and labels excluded)."""
    assert text.startswith("WEBVTT"), "missing WEBVTT header"
    cues = []
    pos = 0
    blocks = []
    for block in re.split(r"\n[ \t]*\n", text):
        start = text.index(block, pos)
        pos = start + len(block)
        blocks.append((block, start))
    for block, start in blocks:
        lines = block.split("\n")
        timing = next((i for i, ln in enumerate(lines) if "-->" in ln), None)
        if timing is None:
            continue  # header, NOTE, STYLE or REGION block
        assert TIMING_RE.match(lines[timing]), lines[timing]
        offset = start + sum(len(ln) + 1 for ln in lines[: timing + 1])
        payload = "\n".join(lines[timing + 1 :]).rstrip("\n")
        if not payload:
            continue
        s, e = offset, offset + len(payload)
        m = VOICE_RE.match(payload)
        if m:
            speaker = m.group("name").strip()
            s += m.end()
            if payload.endswith("</v>"):
                e -= len("</v>")
        else:
            m = CUE_LABEL_RE.match(payload)
            assert m, f"cue without a speaker: {payload[:60]!r}"
            speaker = m.group("name").strip()
            s += m.end()
        cues.append((speaker, s, e))
    return cues


DQ_SPAN_RE = re.compile(r"\"([^\"\n]*)\"|“([^”\n]*)”")


def notes_quote_ok(text: str, pos: int, length: int) -> bool:
    """Inside a `>` blockquote line, or inside a double-quoted span on a bullet line."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end == -1 else line_end
    if pos + length > line_end:
        return False  # quotes never span lines
    line = text[line_start:line_end]
    stripped = line.lstrip()
    if stripped.startswith(">"):
        return pos >= line_start + (len(line) - len(stripped)) + 1
    if not re.match(r"^\s*[-*+] ", line):
        return False
    for m in DQ_SPAN_RE.finditer(line):
        g = 1 if m.group(1) is not None else 2
        s, e = line_start + m.start(g), line_start + m.end(g)
        if s <= pos and pos + length <= e:
            return True
    return False


# ------------------------------------------------------------------------------------ the tests
def test_gold_item_fields():
    items = gold_items()
    assert items, "gold/evidence.jsonl is empty"
    ids = [it["id"] for it in items]
    assert len(ids) == len(set(ids)), "duplicate gold ids"
    for it in items:
        where = f"evidence.jsonl line {it['_line']}"
        assert set(it) - {"_line"} == {"id", "file", "kind", "quote", "segment", "note"}, where
        assert re.fullmatch(r"g\d{4}", it["id"]), where
        assert it["kind"] in KINDS, where
        assert it["segment"] in SEGMENTS, where
        assert it["note"].strip(), where
        assert it["quote"] == it["quote"].strip() and "\n" not in it["quote"], where
        assert 5 <= len(it["quote"].split()) <= 40, f"{where}: quote must be 5-40 words"
        assert INJECTION not in it["quote"].lower(), f"{where}: the injection line is never evidence"


def test_gold_files_exist_and_segments_match_documents():
    docs = documents()
    for it in gold_items():
        assert (CORPUS / it["file"]).is_file(), it["file"]
        assert it["file"] in docs, f"{it['file']} has no row in gold/documents.csv"
        assert it["segment"] == docs[it["file"]]["segment"], it["id"]


def test_each_interview_is_labelled():
    per_file = Counter(it["file"] for it in gold_items())
    quotes = Counter(it["file"] for it in gold_items() if it["kind"] == "quote")
    for f in interview_files():
        assert per_file[f] >= 8, f"{f}: only {per_file[f]} gold items"
        assert 1 <= quotes[f] <= 3, f"{f}: expected 1-2 memorable `quote` items, got {quotes[f]}"


@pytest.mark.parametrize("item", gold_items(), ids=lambda it: it["id"])
def test_gold_quote_is_verbatim_participant_text(item):
    rel, quote = item["file"], item["quote"]
    text = raw(rel)
    assert text.count(quote) == 1, f"{item['id']}: quote occurs {text.count(quote)} times in {rel}"
    pos = text.index(quote)
    meta = participants()[rel]
    if rel.endswith(".vtt"):
        cues = [c for c in vtt_cues(text) if c[1] <= pos and pos + len(quote) <= c[2]]
        assert len(cues) == 1, f"{item['id']}: quote is not inside a single cue's text"
        speaker = cues[0][0]
        assert not is_interviewer(speaker, meta.get("interviewer")), f"{item['id']}: interviewer cue"
        assert speaker == meta["participant"], f"{item['id']}: cue speaker {speaker!r} is not the participant"
        return
    fm, body_start = front_matter(text)
    assert pos >= body_start, f"{item['id']}: quote is in the front matter"
    if fm.get("type") == "notes":
        assert notes_quote_ok(text, pos, len(quote)), (
            f"{item['id']}: notes quote must be in a '>' line or a double-quoted span of a bullet"
        )
        return
    turns = [t for t in transcript_turns(text, body_start) if t[1] <= pos and pos + len(quote) <= t[2]]
    assert len(turns) == 1, f"{item['id']}: quote is not inside a single speaker turn"
    assert not is_interviewer(turns[0][0], fm.get("interviewer")), f"{item['id']}: quote is interviewer text"


@pytest.mark.parametrize("rel", interview_files())
def test_interview_structure(rel):
    text = raw(rel)
    meta = participants()[rel]
    if rel.endswith(".vtt"):
        cues = vtt_cues(text)
        speakers = {c[0] for c in cues}
        voices = speakers - {meta["participant"]}
        assert meta["participant"] in speakers, rel
        assert len(voices) == 1, f"{rel}: expected one interviewer voice, got {voices}"
        assert all(is_interviewer(v, meta["interviewer"]) for v in voices), f"{rel}: {voices}"
        return
    fm, body_start = front_matter(text)
    missing = FRONT_MATTER_KEYS - set(fm)
    assert not missing, f"{rel}: missing front matter keys {missing}"
    for key in (
        "participant",
        "participant_id",
        "customer_id",
        "job_title",
        "company_size",
        "industry",
        "plan",
    ):
        assert str(fm[key]) == meta[key], f"{rel}: front matter {key} disagrees with participants.csv"
    assert str(fm["interviewer"]) == meta["interviewer"], rel
    assert isinstance(fm["date"], date) and fm["date"].year == 2026, rel
    if fm.get("type") == "notes":
        assert rel.endswith(".md"), rel
        return
    turns = transcript_turns(text, body_start)
    speakers = {t[0] for t in turns}
    participant_labels = {s for s in speakers if not is_interviewer(s, fm["interviewer"])}
    assert len(participant_labels) == 1, f"{rel}: expected one participant label, got {participant_labels}"
    assert any(is_interviewer(s, fm["interviewer"]) for s in speakers), f"{rel}: no interviewer turns"


def test_interview_counts_and_segments():
    files = interview_files()
    docs = documents()
    assert 12 <= len(files) <= 20
    assert set(files) == set(docs), "every interview needs exactly one gold/documents.csv row"
    assert set(files) == set(participants()), "participants.csv must list every interview"
    per_segment = Counter(row["segment"] for row in docs.values())
    assert set(per_segment) <= SEGMENTS and 3 <= len(per_segment) <= 4
    assert all(n >= 3 for n in per_segment.values()), per_segment
    pids = [row["participant_id"] for row in docs.values()]
    assert len(pids) == len(set(pids))
    for f, row in docs.items():
        assert row["participant_id"] == participants()[f]["participant_id"], f
        assert row["customer_id"] == participants()[f]["customer_id"], f


def test_injection_line_present_once_and_unlabelled():
    hits = [f for f in interview_files() if INJECTION in raw(f).lower()]
    assert len(hits) == 1, hits


def test_customer_ids_resolve():
    ids = customer_ids()
    rows = read_csv(CORPUS / "tables" / "customers.csv")
    assert len(ids) == len(rows), "duplicate customer ids"
    assert 350 <= len(rows) <= 450
    assert "segment" not in rows[0], "the planted segment must not be in customers.csv"
    for row in participants().values():
        assert row["customer_id"] in ids, row
    for row in read_csv(CORPUS / "tickets" / "tickets.csv"):
        assert row["customer_id"] in ids, row["ticket_id"]
    for row in read_csv(CORPUS / "tables" / "transactions.csv"):
        assert row["customer_id"] in ids, row["invoice_id"]


def test_gold_customers_cover_table():
    gold = read_csv(GOLD / "customers.csv")
    seg = {r["customer_id"]: r["segment"] for r in gold}
    assert len(seg) == len(gold)
    assert set(seg) == set(customer_ids())
    assert set(seg.values()) <= SEGMENTS
    for row in documents().values():
        assert seg[row["customer_id"]] == row["segment"], row["file"]


def _tokens(s: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", s.lower()))


def test_tickets():
    rows = read_csv(CORPUS / "tickets" / "tickets.csv")
    assert len(rows) >= 150
    assert list(rows[0]) == [
        "ticket_id",
        "customer_id",
        "created_at",
        "subject",
        "body",
        "agent_reply",
        "tags",
        "channel",
    ]
    ids = [r["ticket_id"] for r in rows]
    assert len(ids) == len(set(ids)), "ticket ids must be unique"
    for r in rows:
        assert re.fullmatch(r"T\d{4}", r["ticket_id"])
        assert datetime.fromisoformat(r["created_at"]).year == 2026
        assert r["body"].strip() and r["subject"].strip()
        assert r["channel"] in {"email", "chat", "web"}
    toks = [(r["ticket_id"], _tokens(r["body"])) for r in rows]
    for (a, ta), (b, tb) in combinations(toks, 2):
        j = len(ta & tb) / len(ta | tb)
        assert j <= 0.8, f"near-duplicate ticket bodies {a} / {b} (Jaccard {j:.2f})"
    bodies = " ".join(r["body"] for r in rows)
    assert re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", bodies), "expected a ticket with an email address"
    assert re.search(r"\(\d{3}\) \d{3}-\d{4}", bodies), "expected a ticket with a phone number"


def test_transactions():
    rows = read_csv(CORPUS / "tables" / "transactions.csv")
    ids = [r["invoice_id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert any(i.startswith("CN") for i in ids)
    for r in rows:
        d = date.fromisoformat(r["date"])
        assert date(2025, 12, 1) <= d <= date(2026, 11, 30), r
        assert (float(r["amount"]) < 0) == r["invoice_id"].startswith("CN"), r


def test_corpus_yaml_paths():
    cfg = yaml.safe_load((CORPUS / "corpus.yaml").read_text(encoding="utf-8"))
    assert (CORPUS / cfg["tickets"]["path"]).is_file()
    assert (CORPUS / cfg["customers"]["path"]).is_file()
    assert (CORPUS / cfg["transactions"]["path"]).is_file()
    assert (CORPUS / cfg["participants"]).is_file()
    for p in cfg["interviews"]["paths"]:
        assert (CORPUS / p).is_dir()
    assert cfg["tickets"]["columns"] == {
        "id": "ticket_id",
        "customer_id": "customer_id",
        "created_at": "created_at",
        "subject": "subject",
        "body": "body",
        "agent": "agent_reply",
        "tags": "tags",
        "channel": "channel",
    }
    assert cfg["accessible_attributes"] == ["industry", "employees", "plan", "region"]

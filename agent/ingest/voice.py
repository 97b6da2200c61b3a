"""Voice inference for Markdown / plain-text interview NOTES (prototype, stdlib only).

`segment_notes(text, override=None, siblings=None)` cuts a notes file into units (exact offsets,
trimmed of bullet markers, '>' and whitespace) and gives each a voice:

* ``participant`` - the participant's own words (verbatim or near-verbatim),
* ``notes``       - the note-taker's paraphrase, observations and answers to observer checklists,
* ``interviewer`` - the moderator's live words (labelled ``M:``/``F:`` lines, prompts inside '>'),
* ``template``    - conversation-guide text: headings, scripted prompts, checklists, placeholders.

Teams mark voices differently, so the convention is inferred per file from general layout and
language cues (no domain words): what '>' paragraphs look like (first-person speech, third-person
observations or moderator prompts), first- vs third-person balance of unmarked lines, quotation
marks, speaker labels, question marks.  A file without evidence of its own borrows its siblings'
convention (other files of the same study); failing that, unmarked first-person text is taken as
the note-taker's paraphrase.  The rule is asymmetric: note-taker text must never be labelled
``participant``, so doubtful cases fall back to ``notes``.  Thresholds were set by reading the
notes of the three VA.gov studies in shared/data/research_studies; their gold spans were also used
to look at errors during development, so eval_voice.py figures are development figures.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from segscribe.ingest import voice_patterns as P
from segscribe.ingest.transcript import NOT_SPEAKERS

VOICES = ("participant", "notes", "interviewer", "template")
# Forced conventions: role of '>' paragraphs and role of unmarked first-person lines.
OVERRIDES: dict[str, tuple[str, str]] = {
    "blockquote-participant": ("participant", "notes"),  # '>' = verbatim; unmarked = paraphrase
    "blockquote-notes": ("notes", "participant"),        # '>' = observations; unmarked = think-aloud
    "blockquote-interviewer": ("interviewer", "participant"),  # '>' = prompts; unmarked = answers
    "think-aloud": ("notes", "participant"),             # unmarked speech = participant
    "quote-marks-participant": ("notes", "notes"),       # only "quoted sentences" are participant
    "paraphrase": ("notes", "notes"),                    # alias of quote-marks-participant
    "speaker-labels": ("notes", "notes"),                # transcript: "User:"/"P3:" vs "AI:"/"M:" turns
}


@dataclass
class Unit:
    start: int
    end: int
    voice: str
    reason: str = ""


@dataclass
class Convention:
    blockquote: str = "none"   # role of '>' paragraphs: participant|notes|interviewer|none
    plain: str = "notes"       # role of unmarked first-person lines: participant|notes
    person: str = "none"       # dominant grammatical person of unmarked lines: first|third|mixed|none
    turns: bool = False        # speaker-labelled transcript: unlabelled paragraphs continue the last turn
    quotes: str = "participant"  # sentence-like "quoted" text inside notes = participant words
    source: str = "default"    # file|siblings|default|override
    evidence: dict[str, Any] = field(default_factory=dict)
    participant_label: re.Pattern[str] = P.PARTICIPANT_LABEL  # with the file's own label, when it has one
    labels_participant: bool = False  # the participant's words are labelled, the moderator's are not


@dataclass
class NotesAnalysis:
    units: list[Unit]
    convention: Convention
    shares: dict[str, float]


def _sents(s: str) -> list[str]:
    return [x.strip() for x in P.SENT.findall(s) if x.strip()]


def _words(s: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9’']+", s)


def _note_cue(body: str) -> str:
    """Name of the first note-taker cue in `body` ('' if none).  Only used when no I/me/my occurs."""
    if P.THIRD.search(body):
        return "third-person reference"
    if P.THEY0.match(body):
        return "they-subject"
    for s in _sents(body):
        w = s.split()
        m = P.SUBJLESS.match(s)
        if m and (m.group("v") or m.group("g") or "").lower().strip("’'") not in P.NOT_VERB \
                and w[0].lower() not in P.NOT_VERB and (m.group("g") or s[0].isupper()):
            return "subject-less verb"
        if P.NOMINAL.match(s) and len(w) > 2:
            return "nominal phrase"
    return ""


def _is_question(s: str) -> bool:
    return s.rstrip(" *_\"”").endswith("?")


def _prompt_kind(body: str, strict: bool = False) -> str:
    """'you' for a prompt addressed to the participant, 'third' for an observer checklist question,
    '' if `body` does not read like guide/moderator text.  `strict` (inside participant '>'
    paragraphs) accepts only unmistakable script, since participants ask questions too."""
    if P.SCRIPT_FP.search(body):
        return "you"
    if P.FIRST_PERSON.search(body) and not re.match(r"(?i)tell me|walk me|show me|let me", body):
        return ""
    sents = _sents(body) or [body]
    qs = [s for s in sents if _is_question(s)]
    you, third = bool(P.YOU.search(body)), bool(P.THIRD.search(body) or re.search(r"\bthey\b|\bthem\b", body))
    if P.SCRIPT.search(body):
        return "you"
    if strict:
        return "you" if P.IMPER.match(body) and you else ""
    plural_subj = re.match(r"(?i)(?:(?:how|what|why|where|when|which)\s+)?(?:do|does|did|can|are|is|will|would)\s+"
                           r"(?!you\b|i\b|we\b)(?:the\s+)?[a-z]+s\b", body)
    if qs and (third or plural_subj) and not you and len(qs) == len(sents):
        return "third"          # "Can participant find ...?", "Do users read ...?" observer checklist
    # every sentence a question or addressed to "you", ending in a question: guide prompt
    if P.IMPER.match(body) or (qs and you and len(sents) <= 3 and _is_question(sents[-1])
                              and all(_is_question(x) or P.YOU.search(x) for x in sents)):
        return "you"
    if re.match(r"(?i)you\b", body) and len(P.YOU.findall(body)) >= 2:
        return "you"            # scenario: "You have a video appointment ... how would you ..."
    if len(sents) == 1 and qs and len(_words(body)) <= 10 and re.match(
            r"(?i)(?:what|how|why|where|when|which|who|any|anything)\b", body):
        return "you"            # short stand-alone guide question ("What worked well?")
    return ""


def _heading(seg: str, line: str) -> bool:
    """'#' lines, bold-only lines, short 'Label:' lines, "3: Task name", time budgets ("Intro - 5 minutes")
    and short Title Case lines without final punctuation."""
    w = _words(seg)
    if (P.INTERVIEWER_LABEL.match(seg) or P.PARTICIPANT_LABEL.match(seg)) and re.search(r":\s*\S", seg):
        return False      # "User: Continue" is a one-word turn, not a heading
    return bool(line.lstrip(" >").startswith("#") or re.fullmatch(r"\*\*[^*]+\*\*\s*:?\s*|\*\*[^*]*", seg)
                or re.match(r"[ >]*\d+[:.]\s+[A-Z][^.?!:]{0,50}$", line) and len(w) <= 6
                or seg.endswith(":") and len(w) <= 6
                or re.search(r"\b\d+\s*(?:min|mins|minutes)\b", seg) and len(w) <= 12 and not seg.endswith(".")
                or 2 <= len(w) <= 6 and not re.search(r"[.?!,;\"“]$", seg)
                and all(x[0].isupper() or x.isdigit() for x in w))


def _shingles(s: str, n: int = 5) -> set[tuple[str, ...]]:
    w = [x.lower() for x in _words(s)]
    return {tuple(w[i:i + n]) for i in range(max(1, len(w) - n + 1))} if w else set()


def _text_shingles(text: str) -> set[tuple[str, ...]]:
    """Every 5-word shingle of a text, line by line."""
    return set().union(*[_shingles(ln) for ln in text.splitlines()] or [set()])


class _Boiler:
    """Sentences/lines repeated across sibling files: a 5-word shingle must occur in >= k siblings
    (k = 2 when there are >= 3 siblings, so a quote shared by two files of one session - e.g.
    appointments P9 and P9-observer - is not mistaken for template)."""

    def __init__(self, siblings: list[str] | None, shingled: list[set[tuple[str, ...]]] | None = None) -> None:
        """`shingled`: the siblings' `_text_shingles`, when the caller has them already."""
        sets = shingled if shingled is not None else [_text_shingles(sib) for sib in siblings or []]
        self.k = 2 if len(sets) >= 3 else 1
        self.count: dict[tuple[str, ...], int] = {}
        for one in sets:
            for sh in one:
                self.count[sh] = self.count.get(sh, 0) + 1

    def shared(self, s: str, k: int | None = None) -> bool:
        if not self.count:
            return False
        k = k or self.k
        sh = _shingles(s)
        if len(_words(s)) < 5:   # short lines: only questions/labels may match exactly
            return bool(sh) and _is_question(s) and all(self.count.get(x, 0) >= k for x in sh)
        # 75%: a reworded checklist line ("Participant can understand ..." in appointments P16 vs the guide's
        # "Can participant understand ...?") shares 60% of its shingles and must stay content.
        return sum(self.count.get(x, 0) >= k for x in sh) >= 0.75 * len(sh)


#: A sentence of at least this many words found in one other session's file is guide text: two participants
#: do not say the same long sentence, a moderator reading the script does ("For our first exercise, I would
#: like for us to look at ... together", in two of five sessions of a real study read after this was written).
#: The file's own session's other records (an observer's notes) are not siblings (`ingest.service.Siblings`).
LONG_SHARED_WORDS = 10


@dataclass
class _Seg:
    start: int
    end: int
    bq: bool
    kind: str            # heading|template|content


#: A sibling holding this share of a text's 5-word shingles is a copy of it (real sessions of one study share at most
#: a third: the moderator's script; a copy shares all).
COPY_SHARE = 0.8


def guide_lines(text: str, ranges: list[tuple[int, int]], siblings: list[str]) -> list[tuple[int, int]]:
    """Lines inside `ranges` of `text` that the sibling files share: the guide's script pasted between a transcript's
    turns ("- **Are you comfortable if I record my screen ...?**" after a participant's answer, in two of nine
    sessions of a real study read for this). The test of guide text in notes (`_Boiler`: two siblings, or one for
    a line of LONG_SHARED_WORDS words), and only with at least three siblings that are not copies of this text
    (a sibling holding COPY_SHARE of its shingles): a copy shares every line."""
    mine = _text_shingles(text)
    others = [sh for sh in map(_text_shingles, siblings) if len(mine & sh) < COPY_SHARE * len(mine)]
    if len(others) < 3:
        return []
    boiler = _Boiler(None, others)
    out: list[tuple[int, int]] = []
    for start, end in ranges:
        pos = start
        for line in text[start:end].split("\n"):
            ls, pos = pos, pos + len(line) + 1
            body = line.strip()
            if body and boiler.shared(body, 1 if len(_words(body)) >= LONG_SHARED_WORDS else 2):
                out.append((ls, ls + len(line)))
    return out


def _segments(text: str, boiler: _Boiler) -> list[_Seg]:
    """Lines -> segments (split at <br>), with blockquote lazy continuation as in Markdown."""
    segs: list[_Seg] = []
    pos, in_bq = 0, False
    open_seg: _Seg | None = None  # the previous line's last segment, when it runs on into this line
    for line in text.split("\n"):
        ls, pos = pos, pos + len(line) + 1
        if not line.strip():
            in_bq, open_seg = False, None
            continue
        m = re.match(r"[ \t]*(?:>[ \t]?)+", line)
        if m:
            in_bq, i = True, m.end()
        else:
            i = len(line) - len(line.lstrip())
            if in_bq and (line.lstrip().startswith("#") or P.BULLET.match(line, i)):
                in_bq = False
        plain = i
        while (b := P.BULLET.match(line, i)) and not line.startswith("**", i):
            i = b.end()
        carried, open_seg = open_seg, None
        if carried is not None and i == plain and not m and _runs_on(line[i:]):
            carried.end = ls + len(line.rstrip())  # a hard-wrapped line: one unit with the line before
            open_seg = carried if not _ENDS.search(line.rstrip()) else None
            continue
        brs = list(P.BR.finditer(line, i))
        for lo, hi in zip([i] + [m.end() for m in brs], [m.start() for m in brs] + [len(line)], strict=True):
            a2, b2 = lo + len(line[lo:hi]) - len(line[lo:hi].lstrip()), lo + len(line[lo:hi].rstrip())
            if a2 >= b2:
                continue
            s = line[a2:b2]
            kind = "heading" if _heading(s, line) else "template" if (
                P.PLACEHOLDER.match(s) or re.fullmatch(r"\[[^\]]*\]\W*", s) or boiler.shared(s)) else "content"
            if kind == "content":
                segs.extend(_split_shared(ls + a2, s, in_bq, boiler))
            else:
                segs.append(_Seg(ls + a2, ls + b2, in_bq, kind))
        last = segs[-1] if segs else None
        if (last is not None and last.kind == "content" and not last.bq and last.end == ls + len(line.rstrip())
                and not _ENDS.search(line.rstrip())):
            open_seg = last
    return segs


#: Text exported from a PDF or a word processor is often hard-wrapped: a sentence runs on over the next line
#: ("I would copy and print this off so" / "that I have a record."). A content line that ends with no closing
#: punctuation, followed by a line that starts with a lower-case word (no bullet, no heading, no quote mark),
#: is one unit with it. Seen in a real usability study's notes, read after the rest of this module was written.
_ENDS = re.compile(r"[.!?…:;\"”’')\]]$")


def _runs_on(rest: str) -> bool:
    return bool(re.match(r"[a-z]", rest.lstrip())) and not rest.lstrip().startswith("#")


def _split_shared(start: int, s: str, bq: bool, boiler: _Boiler) -> list[_Seg]:
    """A content line cut where guide sentences shared with the sibling files end or begin: a filled-in
    conversation guide writes each answer after its prompt on one bullet ("How would you find the form?
    I would search for it."), so the prompt is template and only the answer is content."""
    if not boiler.count:
        return [_Seg(start, start + len(s), bq, "content")]
    parts: list[_Seg] = []
    for m in P.SENT.finditer(s):
        if not m.group(0).strip():
            continue
        sent = m.group(0)
        kind = "template" if boiler.shared(sent, 1 if len(_words(sent)) >= LONG_SHARED_WORDS else None) \
            else "content"
        if parts and parts[-1].kind == kind:
            parts[-1].end = start + m.end()
        else:
            parts.append(_Seg(start + m.start(), start + m.end(), bq, kind))
    if not parts or all(p.kind == "content" for p in parts):
        return [_Seg(start, start + len(s), bq, "content")]
    return parts


def _infer(text: str, segs: list[_Seg], plabel: re.Pattern[str] = P.PARTICIPANT_LABEL
           ) -> tuple[str, str, dict[str, Any]]:
    """Role of '>' paragraphs and dominant person of unmarked lines, with evidence counts."""
    ev = dict.fromkeys(("bq_speech", "bq_observation", "bq_prompt", "plain_first", "plain_third", "content",
                        "label_interviewer", "label_participant"), 0)
    for g in segs:
        body = P.INLINE.sub(" ", text[g.start:g.end]).strip()
        ev["content"] += g.kind == "content"
        ev["label_interviewer"] += bool(g.kind == "content" and P.INTERVIEWER_LABEL.match(body))
        ev["label_participant"] += bool(g.kind == "content" and plabel.match(body))
        if g.kind != "content" or not re.search(r"[A-Za-z]{2}", body) or P.INTERVIEWER_LABEL.match(body):
            continue
        fp, cue, pk = bool(P.FIRST_PERSON.search(body)), _note_cue(body), _prompt_kind(body)
        if g.bq:
            k = "bq_prompt" if pk else "bq_speech" if fp and not cue else "bq_observation" if (
                cue and not fp or not fp and len(_words(body)) <= 8) else ""
            ev[k or "bq_other"] = ev.get(k or "bq_other", 0) + 1
        elif not pk:
            ev["plain_first"] += fp and not cue
            ev["plain_third"] += bool(cue) and not fp
    n = ev["bq_speech"] + ev["bq_observation"] + ev["bq_prompt"]
    # >= 3 classified '>' paragraphs and a 60% majority: P3/P9 (6-7 '>' lines) decide, one stray '>' does not.
    bq = "none" if n < 3 else "participant" if ev["bq_speech"] >= 0.6 * n else "none" if ev["bq_speech"] > 0.25 * n \
        else "notes" if ev["bq_observation"] >= ev["bq_prompt"] else "interviewer"
    f, t = ev["plain_first"], ev["plain_third"]
    # 2:1 majority over >= 3 lines: appointments P7/P10/P16 (third-person bullets) vs P3/P8/P9 (think-aloud).
    person = "none" if f + t < 3 else "first" if f >= 2 * t else "third" if t >= 2 * f else "mixed"
    return bq, person, ev


#: A notes file may label the participant's words with a word of its own: "Veteran: Yes, I logged in.",
#: "Caregiver:", a first name. A label that opens at least OWN_LABEL_LINES lines (one or two capitalised words,
#: no digits), is no known moderator or note label, and is followed by first-person words on at least
#: OWN_LABEL_FIRST_PERSON of them, is the participant's label when the file has exactly one such label. Seen in
#: a real discovery study (87 "Veteran:" lines, 55 % first person, the moderator's words unlabelled), read after
#: the rest of this module was written; the shared studies' own labels ("Feedback:", "Expectation:",
#: "Notetaker:") have no first person.
OWN_LABEL_LINES = 3
OWN_LABEL_FIRST_PERSON = 0.5
_OWN_LABEL = re.compile(r"^[ \t]*(?:(?:[-*+]|\d+[.)])[ \t]+)*(?:\*\*)?([A-Z][a-z]+(?: [A-Z][a-z]+)?)(?:\*\*)?[ \t]*:"
                        r"(?:\*\*)?[ \t]*(\S.*)$", re.M)
#: Words before a colon that are never a speaker: the transcript parser's list, plus the headings of notes grids.
_NOT_SPEAKERS = NOT_SPEAKERS | {"task", "prompt", "response", "feedback", "expectation", "observation", "quote",
                                "quotes", "comment", "comments"}


def _own_participant_label(text: str) -> str | None:
    lines: Counter[str] = Counter()
    first: Counter[str] = Counter()
    for m in _OWN_LABEL.finditer(text):
        lab = m.group(1)
        if lab.lower() in _NOT_SPEAKERS or any(r.match(lab + ":") for r in (
                P.INTERVIEWER_LABEL, P.PARTICIPANT_LABEL, P.NOTE_LABEL)):
            continue
        lines[lab] += 1
        first[lab] += bool(P.FIRST_PERSON.search(m.group(2)))
    found = [lab for lab, n in lines.items() if n >= OWN_LABEL_LINES and first[lab] >= OWN_LABEL_FIRST_PERSON * n]
    return found[0] if len(found) == 1 else None


def segment_notes(text: str, override: str | None = None, siblings: list[str] | None = None) -> NotesAnalysis:
    """Units with voices for one notes file.  `siblings` = texts of other files of the same study
    (optional): used to spot shared guide boilerplate and to borrow a marking convention when this
    file has no '>' evidence of its own.  `override` is one of OVERRIDES."""
    if override and override not in OVERRIDES:
        raise ValueError(f"override must be one of {sorted(OVERRIDES)}")
    boiler = _Boiler(siblings)
    segs = _segments(text, boiler)
    own = None if override else _own_participant_label(text)
    plabel = P.PARTICIPANT_LABEL if own is None else re.compile(
        rf"{P.PARTICIPANT_LABEL.pattern}|^(?:\*\*)?{re.escape(own)}(?:\*\*)?\s*:(?:\*\*)?\s*", re.I)
    bq, person, ev = _infer(text, segs, plabel)
    conv = Convention(person=person, evidence=ev, source="override" if override else "file", participant_label=plabel)
    if own is not None:
        ev["participant_label"] = own
    if bq == "none" and siblings and not override:
        votes = [r for r in (_infer(x, _segments(x, boiler))[0] for x in siblings) if r != "none"]
        ev["sibling_votes"] = {r: votes.count(r) for r in set(votes)}
        if votes:
            bq, conv.source = max(set(votes), key=votes.count), "siblings"
    # '>' = verbatim -> unmarked first person is paraphrase; '>' = observations/prompts -> the note-taker
    # marks their own voice, so unmarked first person is think-aloud.  No evidence at all (caregivers
    # study) -> conservative default: paraphrase.
    conv.blockquote, conv.plain = OVERRIDES[override] if override else (
        bq, "participant" if bq in ("notes", "interviewer") else "notes")
    conv.source = "default" if bq == "none" and not override else conv.source
    # Transcript layout: both speakers labelled, labels on >= 30% of paragraphs (notes files label a few
    # "F:" moderator lines at most - appointments P1/P8 have < 5%).
    conv.turns = override == "speaker-labels" or not override and min(ev["label_interviewer"], ev[
        "label_participant"]) >= 2 and ev["label_interviewer"] + ev["label_participant"] >= 0.3 * ev["content"]
    conv.labels_participant = (not conv.turns and ev["label_participant"] >= LABELLED_TURNS
                               and not ev["label_interviewer"])
    units = _assign(text, segs, conv)
    total = sum(u.end - u.start for u in units) or 1
    shares = {v: round(sum(u.end - u.start for u in units if u.voice == v) / total, 4) for v in VOICES}
    return NotesAnalysis(units, conv, shares)


def _quote_is_speech(text: str, q: re.Match[str], seg_s: int, seg_e: int) -> bool:
    """A quoted string is participant speech (not a UI label) when it is sentence-like (>= 3 words,
    not Title Case) and either fills the whole segment, follows a speech verb with a person subject or a
    colon ('She was blunt: "..."'), or speaks in the first person over at least four words ('"We export
    the invoices..."'). Set on the caregivers notes, where quotes are UI labels ("Start your application",
    "power of attorney"), and on corpus/ notes, where quoted participant words follow colons."""
    inner = q.group(1).strip()
    w = _words(inner)
    if len(w) < 3 or sum(x[0].isupper() for x in w) > 0.6 * len(w):
        return False
    before = text[max(seg_s, q.start() - 60):q.start()]
    if P.THING_SAID.search(before):
        return False    # 'the page that said "we need you to..."': interface text, even in the first person
    whole = not re.search(r"[A-Za-z]", text[seg_s:q.start()] + text[q.end():seg_e])
    first_person = len(w) >= 4 and bool(P.FIRST_PERSON.search(inner) or re.search(r"(?i)\b(?:we|us|our)\b", inner))
    return whole or first_person or bool(P.SPEECH_VERB.search(before) or re.search(r":\s*$", before))


#: A file that labels the participant's words on at least this many lines and never labels the moderator's is a
#: transcript with one label: there, an unlabelled line addressed to the listener (you, a question, "let's") is
#: the moderator's, not the note-taker's. A real discovery study, read after this module was written, labels
#: "Veteran:" 87 times and leaves "Can you see my screen?" and "To get started, let's create some stickies
#: for the items that are important for you" unlabelled.
LABELLED_TURNS = 5
_LETS = re.compile(r"\W*(?:let['’]s|we['’]ll)\b", re.I)


def _decide(body: str, g: _Seg, role: str, conv: Convention, slot: str, slot_ok: bool) -> tuple[str, str, str]:
    """(voice, reason, new answer slot) for the text of one segment (labels and asides removed)."""
    fp, cue, you = bool(P.FIRST_PERSON.search(body)), _note_cue(body), bool(P.YOU.search(body))
    pk = _prompt_kind(body, strict=g.bq and conv.blockquote == "participant")
    n_fp, n_3 = len(P.FIRST_PERSON.findall(body)), len(P.THIRD.findall(body))
    third_subj = any(P.THIRD_SUBJ.match(x) for x in _sents(body))
    if role == "interviewer":
        # "F: Explains atlas" describes the moderator (3rd-person verb): notes; "F: look at ...",
        # "M: So you'd ...", "F: Last thoughts?" are the moderator's own words.
        if re.match(r"[A-Za-z]+(?:s|ed|ing)\b", body) and not you and not _is_question(body):
            return "notes", "labelled moderator action", slot
        return "interviewer", "moderator label", "you"
    if role in ("participant", "notes"):
        return role, role + " label", slot
    if pk and not re.fullmatch(r"\W*[\"“][^\"“”]+[\"”]\W*", body):
        return ("interviewer" if g.bq else "template"), "prompt:" + pk, pk
    if g.bq and conv.blockquote in ("notes", "interviewer"):
        if conv.blockquote == "interviewer" and (cue or not you):
            return "notes", "blockquote observation", slot
        return conv.blockquote, "blockquote", "you" if conv.blockquote == "interviewer" else slot
    if g.bq and conv.blockquote == "none" and fp and not cue and not third_subj:
        # Too few '>' lines to infer a convention: a first-person '>' line with no note-taker cue reads as
        # the participant's words (Markdown's own convention); anything else stays notes.
        return "participant", "blockquote speech (convention undecided)", slot
    if g.bq and conv.blockquote == "participant":
        # participants say "they"/"looks like" too: only a he/she/role subject or an action verb
        # ("Scrolls and reads ...") marks a note here; answers to observer checklists are notes.
        act = re.match(r"[A-Z][a-z]+s\b(?!,)", body) and _words(body)[0].lower() not in P.NOT_VERB
        if not fp and (third_subj or P.ROLE.search(body) or act or n_3 and not you):
            return "notes", "blockquote third-person/action", slot
        return ("notes", "checklist answer", slot) if slot == "third" else ("participant", "blockquote", slot)
    if conv.labels_participant and not g.bq and not cue and (you or _is_question(body) or _LETS.match(body)):
        return "interviewer", "unlabelled words to the participant (the file labels the participant's)", "you"
    if conv.plain != "participant":
        return "notes", "unmarked (paraphrase convention)", slot
    # think-aloud: one stray he/she among many I/me/my is the participant's story ("he's asking me");
    # the note-taker's "I missed whether she saw that" has one of each -> notes
    if fp and not third_subj and (n_3 == 0 or n_fp >= 2 and n_fp >= 3 * n_3):
        return "participant", "think-aloud first person", slot
    if cue or slot == "third":
        return "notes", ("note cue:" + cue) if cue else "checklist answer", slot
    if P.INTERJ.match(body) and len(_words(body)) > 1 or P.COLLOQ.search(body):
        return "participant", "think-aloud speech marker", slot
    if slot_ok and slot == "you" and len(_words(body)) >= 3:
        return "participant", "think-aloud answer slot", slot
    return "notes", "no speech evidence", slot


def _assign(text: str, segs: list[_Seg], conv: Convention) -> list[Unit]:
    units: list[Unit] = []
    # Answer slots: only a file whose OWN '>' evidence shows think-aloud may treat a cue-less line after
    # a prompt as the participant's answer (P11/P12-style third-person files answer prompts in notes).
    slot_ok = conv.plain == "participant" and conv.source in ("file", "override") and conv.person != "third"
    slot = ""        # 'you' after a prompt to the participant, 'third' after an observer checklist
    turn = ""        # role of the last speaker label (transcripts)
    transcript = conv.turns and conv.source == "override"    # declared a transcript: no note-taker in it

    def emit(s: int, e: int, voice: str, why: str) -> None:
        while s < e and text[s] in " \t>*_-–—:;,.":
            s += 1
        while e > s and text[e - 1] in " \t*_>":
            e -= 1
        if e > s and re.search(r"[A-Za-z0-9]", text[s:e]):
            units.append(Unit(s, e, voice, why))

    for g in segs:
        s, e, raw = g.start, g.end, text[g.start:g.end]
        if g.kind != "content":
            emit(s, e, "template", g.kind)
            # guide questions shared with siblings still open an answer slot
            slot = "" if g.kind == "heading" else (_prompt_kind(text[s:e]) or slot)
            turn = "interviewer" if P.INTERVIEWER_LABEL.match(raw) else "participant" if conv.participant_label.match(
                raw) else turn        # a bare "AI:" line still switches the speaker
            continue
        lab = (P.INTERVIEWER_LABEL.match(raw) or conv.participant_label.match(raw) or P.NOTE_LABEL.match(raw)
               or P.BOLD_LABEL.match(raw))
        role = turn if conv.turns else ""
        if lab:
            role = ("interviewer" if P.INTERVIEWER_LABEL.match(raw) else "participant" if
                    conv.participant_label.match(raw) else "notes" if P.NOTE_LABEL.match(raw) else "label")
            turn = role if role in ("interviewer", "participant") else turn
            emit(s, s + lab.end(), "template", "label:" + re.sub(r"[^a-z0-9]", "", lab.group(0).lower()))
            s, raw = s + lab.end(), text[s + lab.end():e]
            if role == "label" and len(_words(raw)) <= 6 and (re.search(r"\d", raw) or all(
                    x[0].isupper() for x in _words(raw))):     # "**Creation date:** Feb 1st 2024, 12:06"
                emit(s, e, "template", "metadata")
                continue
        # Inline asides (...), *...*, [...] without first person -> notes (interviewer if a prompt).
        carved: list[tuple[int, int, str, str]] = []
        # Speaker labels in a notes file (a transcript proper never gets here: `ingest._is_transcript`) leave the
        # note-taker's asides and third-person lines in the turns: "*I missed a few here.* Participant says ...".
        for m in P.INLINE.finditer(text, s, e) if not transcript else ():
            inner = m.group(0)[1:-1]
            if P.FIRST_PERSON.search(inner) and not (P.NOTE_LABEL.match(inner) or P.THIRD.search(inner)):
                continue    # "(I think)" is the speaker's own aside; "(Missed some here, ... his ...)" is not
            pk = _is_question(inner) or (P.YOU.search(inner) and not _note_cue(inner))
            carved.append((m.start(), m.end(), "interviewer" if pk else "notes", "inline"))
        body = "".join(" " if any(a <= j < b for a, b, _, _ in carved) else text[j] for j in range(s, e)).strip()
        whole_quote = re.fullmatch(r"\W*[\"“][^\"“”]+[\"”]\W*", body)
        if not whole_quote:   # quoted UI labels ("my health") must not count as the writer's own words
            masked = P.QUOTE.sub(lambda m: " " * len(m.group(0)), body).strip()
            body = masked if re.search(r"[A-Za-z]{2}", masked) else body
        if not re.search(r"[A-Za-z]{2}", body):     # only asides: "(clicks details)", "(is that what you expected?)"
            for a, b, v, why in carved:
                emit(a, b, v, why)
            slot = "you" if any(v == "interviewer" for _, _, v, _ in carved) else slot
            continue
        voice, why, slot = _decide(body, g, role, conv, slot, slot_ok)
        if voice == "participant" and not whole_quote and not transcript:
            # note-taker sentences inside participant text: "... He asserts he would look at status."
            nl = re.search(r"\*\*note\*\*\s*:|\bnote:", text[s:e], re.I)
            if nl:
                carved.append((s + nl.start(), e, "notes", "inline note label"))
            for m in P.SENT.finditer(text, s, s + nl.start() if nl else e):
                x = m.group(0).strip()
                if x and not P.FIRST_PERSON.search(x) and (P.THIRD_SUBJ.match(x) or P.ROLE.search(x)):
                    carved.append((m.start(), m.end(), "notes", "third-person sentence"))
        if voice == "notes" and conv.quotes == "participant":     # quoted participant words in notes
            carved += [(q.start(1), q.end(1), "participant", "quoted speech") for q in P.QUOTE.finditer(text, s, e)
                       if _quote_is_speech(text, q, s, e)]
        cur = s
        for a, b, v, w in sorted(carved):
            if a >= cur:        # overlapping carves (an aside inside a quote/sentence): the first wins
                emit(cur, a, voice, why)
                emit(a, b, v, w)
                cur = b
        emit(cur, e, voice, why)
    return units

"""Parsers for every supported format, with small fixtures written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segscribe.ingest import parse_file, parse_text_document
from segscribe.ingest.text import IngestError
from segscribe.schemas.document import DocKind, Document, Role, Voice


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


def one(path: Path) -> Document:
    parsed = parse_file(path)
    assert len(parsed.documents) == 1
    return parsed.documents[0]


def assert_exact(doc: Document) -> None:
    for p in doc.passages:
        assert doc.text[p.start : p.end] == p.text


@pytest.mark.parametrize(
    "body, speakers",
    [
        ("Interviewer: How do you approve bills?\nDana Cole: Slowly. It drives me nuts.\n",
         [("Interviewer", Role.interviewer), ("Dana Cole", Role.participant)]),
        ("Interviewer: Tell me more.\nP3: We export to Excel every Friday.\nInterviewer: Why?\nP3: Habit.\n",
         [("Interviewer", Role.interviewer), ("P3", Role.participant)] * 2),
        ("[00:12:03] Moderator: And then?\n[00:12:09] Sam: Then I chase approvals.\n",
         [("Moderator", Role.interviewer), ("Sam", Role.participant)]),
        ("**Interviewer**: What breaks?\n**Lee**: The bank feed, every month.\n",
         [("Interviewer", Role.interviewer), ("Lee", Role.participant)]),
    ],
)
def test_transcript_label_shapes(tmp_path: Path, body: str, speakers: list[tuple[str, Role]]) -> None:
    doc = one(write(tmp_path, "t.txt", body))
    assert doc.kind is DocKind.interview
    assert [(p.speaker, p.role) for p in doc.passages] == speakers
    assert_exact(doc)


def test_timestamps_and_multiline_turns(tmp_path: Path) -> None:
    doc = one(write(tmp_path, "t.txt", "[00:01:02] Interviewer: Hi\n[00:01:05] Ana: First line.\n\nSecond para.\n"))
    ana = doc.passages[1]
    assert ana.timestamp == "00:01:05"
    assert ana.text == "First line.\n\nSecond para."


def test_front_matter_names_interviewer(tmp_path: Path) -> None:
    text = "---\nparticipant: Ana Ruiz\ninterviewer: Sam Park\ncustomer_id: C1\n---\nSam: Q?\nAna: A.\nSam: Q2?\n"
    doc = one(write(tmp_path, "t.md", text))
    assert doc.metadata["customer_id"] == "C1"
    assert [p.role for p in doc.passages] == [Role.interviewer, Role.participant, Role.interviewer]


def test_one_off_colon_inside_answer_does_not_split(tmp_path: Path) -> None:
    doc = one(write(tmp_path, "t.txt", "Interviewer: Q?\nAna: Well.\nNote: that was odd.\nInterviewer: ok\nAna: yes\n"))
    assert [p.speaker for p in doc.passages] == ["Interviewer", "Ana", "Interviewer", "Ana"]
    assert "Note: that was odd." in doc.passages[1].text


def test_webvtt_merges_consecutive_cues(tmp_path: Path) -> None:
    vtt = ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\n<v Interviewer>How is month end?</v>\n\n"
           "2\n00:00:03.500 --> 00:00:05.000\n<v Bo Li>Painful.</v>\n\n"
           "00:00:05.500 --> 00:00:07.000\n<v Bo Li>We lose two days.</v>\n\n"
           "00:00:08.000 --> 00:00:09.000\nInterviewer: Why?\n")
    doc = one(write(tmp_path, "m.vtt", vtt))
    assert [(p.speaker, p.role, p.text) for p in doc.passages] == [
        ("Interviewer", Role.interviewer, "How is month end?"),
        ("Bo Li", Role.participant, "Painful. We lose two days."),
        ("Interviewer", Role.interviewer, "Why?"),
    ]
    assert doc.passages[1].timestamp == "00:00:03"
    assert_exact(doc)


def test_srt(tmp_path: Path) -> None:
    srt = "1\n00:00:01,000 --> 00:00:02,000\nInterviewer: Hello\n\n2\n00:00:02,500 --> 00:00:04,000\nMia: Hi there\n"
    doc = one(write(tmp_path, "m.srt", srt))
    assert [(p.speaker, p.text) for p in doc.passages] == [("Interviewer", "Hello"), ("Mia", "Hi there")]


def test_docx(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Interviewer: What do you use today?")
    d.add_paragraph("Ravi: A shared spreadsheet and a lot of email.")
    path = tmp_path / "t.docx"
    d.save(str(path))
    doc = one(path)
    assert doc.passages[1].speaker == "Ravi"
    assert doc.passages[1].text == "A shared spreadsheet and a lot of email."


def test_docx_tables_are_read_in_document_order(tmp_path: Path) -> None:
    """A note-taking grid in Word (prompt in one cell, answer in the next) is part of the notes: its cells are
    read, in order, between the paragraphs around the table; a merged cell is read once."""
    import docx

    d = docx.Document()
    d.add_paragraph("# Session 4 notes")
    table = d.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Task 1: pay a bill"
    table.cell(1, 0).text = "How do you pay your bills today?"
    table.cell(1, 1).text = "She prints each bill and pays at the bank counter."
    table.cell(2, 0).text = "What was hard?"
    table.cell(2, 1).text = "Could not find the payment history page."
    d.add_paragraph("Wrap-up: would use the app if it saved the receipts.")
    path = tmp_path / "grid.docx"
    d.save(str(path))
    text = one(path).text
    order = ["Session 4 notes", "Task 1: pay a bill", "How do you pay your bills today?",
             "She prints each bill and pays at the bank counter.", "Could not find the payment history page.",
             "Wrap-up: would use the app"]
    at = [text.find(x) for x in order]
    assert all(i >= 0 for i in at) and at == sorted(at), (at, text)
    assert text.count("Task 1: pay a bill") == 1


def test_notes_tell_quotes_from_note_taker(tmp_path: Path) -> None:
    md = ('---\ntype: notes\nparticipant: Kim\n---\n# Notes\n'
          '- Runs a 6-person shop; said "receipts are a nightmare" twice.\n'
          '> I just want it to work on my phone.\n- Uses a shoebox.\n')
    doc = one(write(tmp_path, "n.md", md))
    assert doc.kind is DocKind.notes
    quotes = [p.text for p in doc.passages if p.voice is Voice.participant]
    notes = [p.text for p in doc.passages if p.voice is Voice.notes]
    assert quotes == ["receipts are a nightmare", "I just want it to work on my phone."]
    assert "Uses a shoebox." in notes
    assert all(p.speaker == "Kim" for p in doc.passages if p.voice in (Voice.participant, Voice.notes))
    assert [p.text for p in doc.passages if p.voice is Voice.template] == ["# Notes"]
    assert_exact(doc)


def test_csv_transcripts_user_vs_assistant(tmp_path: Path) -> None:
    rows = ('transcript_id,text\nt1,"Assistant: Hi!\n\nUser: I compose music.\n\nAI: Nice.\n\n'
            'User: I use AI for stems."\n')
    parsed = parse_file(write(tmp_path, "tr.csv", rows))
    assert parsed.kind == "transcripts"
    doc = parsed.documents[0]
    assert [(p.speaker, p.role) for p in doc.passages] == [
        ("Assistant", Role.interviewer), ("User", Role.participant), ("AI", Role.interviewer),
        ("User", Role.participant)]


def test_ticket_csv_customer_and_agent(tmp_path: Path) -> None:
    rows = ("ticket_id,customer_id,created_at,subject,body,agent_reply,tags\n"
            "T1,C9,2026-01-02,Sync broken,Xero sync fails every night.,We are on it.,sync;xero\n")
    parsed = parse_file(write(tmp_path, "tickets.csv", rows))
    assert parsed.kind == "tickets"
    doc = parsed.documents[0]
    assert doc.kind is DocKind.ticket and doc.metadata["customer_id"] == "C9"
    assert [(p.role, p.text) for p in doc.passages] == [
        (Role.customer, "Sync broken"), (Role.customer, "Xero sync fails every night."), (Role.agent, "We are on it.")]


def test_ticket_json_and_jsonl_autodetect_columns(tmp_path: Path) -> None:
    recs = [{"id": 1, "requester_id": "C1", "description": "Cannot export PDF."},
            {"id": 2, "requester_id": "C2", "description": "Login loop on SSO."}]
    for name, content in (("t.json", json.dumps(recs)), ("t.jsonl", "\n".join(json.dumps(r) for r in recs))):
        docs = parse_file(write(tmp_path, name, content)).documents
        assert [d.metadata["customer_id"] for d in docs] == ["C1", "C2"]


def test_survey_each_answer_is_a_passage(tmp_path: Path) -> None:
    rows = ("respondent_id,What is hardest about expenses?,What would you change?\n"
            "r1,Chasing people for receipts at month end is the worst part,Make approvals happen on my phone please\n"
            "r2,Categories never match what the accountant wants to see,Better exports straight into Xero please\n")
    parsed = parse_file(write(tmp_path, "survey.csv", rows))
    assert parsed.kind == "survey"
    assert all(len(d.passages) == 2 and d.kind is DocKind.survey for d in parsed.documents)


def test_metadata_csv_is_recognised(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path, "people.csv", "participant_id,role,plan\np1,Controller,Enterprise\n"))
    assert parsed.kind == "metadata" and parsed.metadata_records[0]["role"] == "Controller"


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("empty.txt", "", "empty"),
        ("blank.txt", "   \n\n", "empty"),
        ("bin.txt", b"\x00\x01\x02binary\x00" * 20, "binary"),
        ("bad.csv", 'ticket_id,body\nT1,"unterminated\n', "broken CSV"),
        ("nobody.csv", "ticket_id,subject,agent_reply\nT1,Hi,Hello\n", "body"),
        ("header.csv", "ticket_id,body\n", "no rows"),
        ("nocues.vtt", "WEBVTT\n\nnothing here\n", "no subtitle cues"),
        ("bad.docx", b"PK\x03\x04 not really a zip", "docx"),
    ],
)
def test_bad_input_gives_clear_error(tmp_path: Path, name: str, content: str | bytes, fragment: str) -> None:
    with pytest.raises(IngestError, match=fragment):
        parse_file(write(tmp_path, name, content))


def test_ragged_rows_warn(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path, "t.csv", "ticket_id,body,agent_reply\nT1,Broken sync today,ok,EXTRA\nT2\n"))
    assert any("ragged" in w for w in parsed.warnings)


def test_encodings(tmp_path: Path) -> None:
    text = "Interviewer: Ça va?\nRené: Très bien — mostly.\n"
    for name, data in (("bom8.txt", b"\xef\xbb\xbf" + text.encode()), ("u16.txt", text.encode("utf-16")),
                       ("crlf.txt", text.replace("\n", "\r\n").encode())):
        doc = one(write(tmp_path, name, data))
        assert doc.passages[1].text == "Très bien — mostly."
    parsed = parse_file(write(tmp_path, "latin.txt", text.encode("cp1252")))
    assert parsed.documents[0].passages[1].text == "Très bien — mostly."
    assert any("cp1252" in w for w in parsed.warnings)


def test_size_limit(tmp_path: Path) -> None:
    p = write(tmp_path, "big.txt", "Interviewer: x\nAna: " + "y" * 3000 + "\n")
    with pytest.raises(IngestError, match="over the"):
        parse_file(p, max_bytes=1000)


_name = st.sampled_from(["Interviewer", "Ana", "P3", "Dr Lee", "Sam Park", "Moderator"])
_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=60)
_shape = st.sampled_from(["{n}: {t}", "[00:0{i}:1{i}] {n}: {t}", "**{n}**: {t}"])


@settings(max_examples=150, deadline=None)
@given(turns=st.lists(st.tuples(_name, _words), min_size=1, max_size=8), shape=_shape,
       newline=st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_offsets_are_exact_for_generated_transcripts(
    turns: list[tuple[str, str]], shape: str, newline: str
) -> None:
    body = newline.join(shape.format(n=n, t=t.replace("\r", " ").replace("\n", " "), i=i % 10)
                        for i, (n, t) in enumerate(turns))
    try:
        parsed = parse_text_document(body.replace("\r\n", "\n"), "mem", "gen")
    except IngestError:
        return  # a transcript of whitespace-only turns has no passages; that is a clean error
    for doc in parsed.documents:
        for p in doc.passages:
            assert doc.text[p.start : p.end] == p.text
            assert p.text == p.text.strip()


LABELS_ON_THEIR_OWN_LINES = """# Usability study, session 3

Meeting Date: 3/19/2021 12:30 PM

Moderator:
Thanks for joining. I'd like you to fill out a request today.
We want to hear your honest opinions.

Participant 3:
Do you want me to grab my tax forms?

Moderator:
Not necessary. Have you ever filled out a form like this?

Participant 3:
I've filled out means testing multiple times.
I would put off going to the doctor because of those bills.

Moderator:
What would you do on this page?

Participant 3:
I would read the steps first before I filled out the form.
"""


def test_a_transcript_with_each_label_on_its_own_line_is_read_as_turns() -> None:
    """Some transcription exports put "Moderator:" on a line of its own and the words on the lines after it.
    Those turns are speaker turns: the moderator's words are never evidence, the participant's are verbatim."""
    doc = parse_text_document(LABELS_ON_THEIR_OWN_LINES, "mem", "p3").documents[0]
    assert doc.kind is DocKind.interview
    speakers = {p.speaker for p in doc.passages}
    assert speakers == {"Moderator", "Participant 3"}        # the meeting-date header is not a speaker
    said = {p.text: p.voice for p in doc.passages}
    assert said["I would read the steps first before I filled out the form."] is Voice.participant
    moderator = [p for p in doc.passages if "honest opinions" in p.text]
    assert moderator and all(p.voice is Voice.interviewer for p in moderator)
    assert not any("honest opinions" in p.text for p in doc.evidence_passages())


def test_section_headings_over_one_line_bullets_are_not_speaker_turns() -> None:
    """"Observations:" and "Quotes:" each alone on a line over a one-line bullet look like labelled turns, but
    with no moderator among them they are a notes layout, and the observations are not the participant's words."""
    notes = "".join(f"Task {i}\nObservations:\n- Clicked the second tab first.\nQuotes:\n- I like this page.\n\n"
                    for i in range(1, 5))
    doc = parse_text_document(notes, "mem", "p4").documents[0]
    assert doc.kind is DocKind.notes
    assert not any(p.voice is Voice.participant and "Clicked the second tab" in p.text for p in doc.passages)



def _turns(pairs: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"{who}: {words}" for who, words in pairs) + "\n"


@pytest.mark.parametrize("label", ["{who} (00:{i:02d}):", "{who} [00:00:{i:02d}]:"])
def test_a_time_between_the_speaker_and_the_colon_is_part_of_the_label(label: str) -> None:
    """"Jane Doe (00:03): words" (Rev and similar exports) is a labelled turn, with its time."""
    text = "\n\n".join(f"{label.format(who=who, i=n)} {words}" for n, (who, words) in enumerate(
        [("Sam Reyes", q) if k == 0 else ("Jane Doe", a) for q, a in _EXPORT_TURNS for k in (0, 1)])) + "\n"
    doc = parse_text_document(text, "mem", "p1").documents[0]
    assert doc.kind is DocKind.interview
    assert {p.text: p.speaker for p in doc.evidence_passages()} == {a: "Jane Doe" for _, a in _EXPORT_TURNS}
    assert doc.passages[1].timestamp is not None


def test_the_speaker_who_asks_is_the_interviewer_when_no_label_says_so() -> None:
    """"C:" and "P:" (or two first names) name no role. The speaker who asks in most of their turns is the
    interviewer, so the moderator's script is never evidence; the other speaker's words stay verbatim."""
    text = _turns([
        ("C", "Thanks for joining us today! What do you see on this page?"),
        ("P", "It looks like a list of my claims."),
        ("C", "What would you do next?"),
        ("P", "I would click the first one, I guess. Is that right?"),
        ("C", "Let me know if anything is unclear or confusing."),
        ("P", "The opt out part confuses me."),
        ("C", "Why does it confuse you?"),
        ("P", "I don't know what I am opting out of."),
    ])
    doc = parse_text_document(text, "mem", "p1").documents[0]
    assert doc.kind is DocKind.interview
    roles = {p.speaker: p.role for p in doc.passages}
    assert roles == {"C": Role.interviewer, "P": Role.participant}
    evidence = " ".join(p.text for p in doc.evidence_passages())
    assert "opting out" in evidence and "What would you do next?" not in evidence


def test_no_speaker_is_made_the_interviewer_when_both_ask_alike() -> None:
    text = _turns([("Ann", "Did you get the file? It was big."), ("Bo", "Yes. Did you send the other one?")] * 3)
    doc = parse_text_document(text, "mem", "p1").documents[0]
    assert {p.role for p in doc.passages} == {Role.participant}


HARD_WRAPPED = """## Review page
Participant went back to the first page and read the
steps again before she pressed submit.
- Would copy the confirmation and print it so
that she has a record.
- Liked the summary.
Then I would print this page and save it as a PDF so I have it on my
computer. It says submit at the bottom.
"""


def test_a_hard_wrapped_sentence_is_one_unit_and_one_sentence() -> None:
    """Notes exported from a PDF or a word processor break lines inside sentences. A line that ends with no
    closing punctuation and runs on into a lower-case line is one unit of text, and one sentence of it."""
    from segscribe.extractors.sentences import split_sentences

    doc = parse_text_document(HARD_WRAPPED, "mem", "p2").documents[0]
    texts = [p.text for p in doc.evidence_passages()]
    assert any("print it so\nthat she has a record." in t for t in texts)
    assert any(t.startswith("Participant went back") and t.endswith("pressed submit.") for t in texts)
    assert "Liked the summary." in texts                     # a new bullet is a new unit
    sentences = [HARD_WRAPPED[s:e] for s, e in split_sentences(HARD_WRAPPED)]
    assert "Then I would print this page and save it as a PDF so I have it on my\ncomputer." in sentences
    assert "## Review page" in sentences                    # a capitalised line after no full stop still breaks


OWN_LABEL_NOTES = """## Warm-up
- Do you remember the last time you visited the site?
    - Caregiver: Yesterday. I was downloading my letters for a job application.
- Did you sign in?
    - Caregiver: Yes, I signed in with my usual account.
- Was that typical?
    - Caregiver: It takes a while to find things, but I managed.
- Feedback: Went to the letters page first.
- Feedback: Scrolled past the banner.
- Feedback: Did not notice the menu.
"""


ONE_LABEL_TRANSCRIPT = "\n\n".join(
    ["Thanks for joining us today. Can you see my screen?", "Caregiver: Yes, I can see it.",
     "To get started, let's look at the page you see when you sign in.", "Caregiver: I always go to messages first.",
     "Why messages?", "Caregiver: I write to my nurse more than I call.", "What else would you want here?",
     "Caregiver: My prescriptions, I refill them every month.", "Caregiver: And my appointments.",
     "Great, that is really helpful."]) + "\n"


def test_in_a_file_that_labels_only_the_participant_unlabelled_words_to_them_are_the_moderators() -> None:
    doc = parse_text_document(ONE_LABEL_TRANSCRIPT, "mem", "p4").documents[0]
    voice = {p.text: p.voice for p in doc.passages}
    assert voice["Caregiver:"] is Voice.template
    assert voice["I write to my nurse more than I call."] is Voice.participant
    assert voice["To get started, let's look at the page you see when you sign in."] is Voice.interviewer
    assert voice["What else would you want here?"] is not Voice.notes
    assert not any("can you see my screen" in p.text.lower() for p in doc.evidence_passages())


def test_a_label_of_the_files_own_before_first_person_words_is_the_participant() -> None:
    """Some notes label the participant with a word of their own ("Caregiver:", a first name) and leave the
    moderator's questions unlabelled. A recurring label over first-person words is the participant's; a
    recurring label over the note-taker's observations ("Feedback:") is not."""
    doc = parse_text_document(OWN_LABEL_NOTES, "mem", "p2").documents[0]
    voice = {p.text: p.voice for p in doc.passages}
    assert voice["Yes, I signed in with my usual account."] is Voice.participant
    assert voice["It takes a while to find things, but I managed."] is Voice.participant
    assert voice["Feedback: Scrolled past the banner."] is Voice.notes
    assert not any("Did you sign in" in p.text for p in doc.evidence_passages())


def _guide_transcript(answer: str, first: str, why: str) -> str:
    return _turns([
        ("C", "Thanks for joining us today! Can you see my screen?"),
        ("P", f"Yes I can.\n\n- **Are you comfortable if I record my screen and audio as we talk today?** We use the "
              f"recordings to confirm that we have captured your opinions accurately.\n\n{answer}"),
        ("C", "What would you do on this page?"),
        ("P", first),
        ("C", "Why there?"),
        ("P", why),
    ])


def test_guide_lines_pasted_between_a_transcripts_turns_are_not_the_participants_words() -> None:
    """The script's bullets, pasted into every session's transcript, land inside whatever turn came before them.
    Lines the sibling files share are template there, as in notes; the participant's own words stay evidence."""
    texts = [_guide_transcript("Sure, go ahead.", "I would look for the status of my claim first.",
                               "Because that is what I check every week."),
             _guide_transcript("That is fine with me.", "Probably the letters link at the top.",
                               "I need my letter for a loan."),
             _guide_transcript("Okay, no problem.", "The search box, I always search.", "Menus confuse me."),
             _guide_transcript("Yes.", "The payments tab.", "My payment was late last month.")]
    doc = parse_text_document(texts[0], "mem", "p1", siblings=texts[1:]).documents[0]
    assert doc.kind is DocKind.interview
    evidence = " ".join(p.text for p in doc.evidence_passages())
    assert "record my screen" not in evidence
    assert "Sure, go ahead." in evidence and "status of my claim" in evidence


_EXPORT_TURNS = [("How do you book a visit today?", "I call the clinic, usually twice, because nobody picks up."),
                 ("What would make that easier?", "I would love to book it online and get a text the day before."),
                 ("Anything else?", "The hold music drives me crazy.")]


@pytest.mark.parametrize("header", ["{who}  0:{i:02d}", "[{who}] 10:00:{i:02d}", "00:00:{i:02d} {who}",
                                    "{who} (00:{i:02d}):", "**{who}** (0:{i:02d})"])
def test_transcription_exports_with_the_speaker_on_a_line_of_their_own_are_transcripts(header: str) -> None:
    """Otter, Zoom, Teams and Rev exports put the speaker and the time on one line and the words on the next
    lines. Those are turns; the speaker who asks is the interviewer (no label names a role here)."""
    lines = []
    for n, (q, a) in enumerate(_EXPORT_TURNS):
        lines += [header.format(who="Sam Reyes", i=2 * n), q, "", header.format(who="Jane Doe", i=2 * n + 1), a, ""]
    doc = parse_text_document("\n".join(lines), "mem", "p1").documents[0]
    assert doc.kind is DocKind.interview
    assert {p.speaker: p.role for p in doc.passages} == {"Sam Reyes": Role.interviewer, "Jane Doe": Role.participant}
    said = {p.text: p.voice for p in doc.evidence_passages()}
    assert said == {a: Voice.participant for _, a in _EXPORT_TURNS}

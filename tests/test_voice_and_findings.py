"""Voices in notes (who is speaking) and findings across sessions, on invented text in no particular domain.

The real-data gates (tests/test_real_data_gates.py) measure both on real studies; these pin the behaviour
without the shared data.
"""

from __future__ import annotations

from typing import Any

import pytest

import factories
from segscribe.ingest.voice import segment_notes
from segscribe.pipeline.findings import build_findings
from segscribe.schemas.document import Voice
from segscribe.schemas.evidence import EvidenceKind

QUOTES_IN_BLOCKQUOTES = """# Session 3 notes

## Warm-up
- How do you currently plan your week?

- Participant plans on paper every Sunday night.
- Keeps a second list on the fridge for the family.
> I always lose the list by Wednesday, it drives me nuts.
- Tried two apps, stopped using both after a month.
> Honestly I just want one place where everything is.
- Mentions the reminders came too late to be useful.
> I would pay for something that nags me the day before.
"""

OBSERVATIONS_IN_BLOCKQUOTES = """# P4

## Task 1: find the schedule
> Scrolls past the header without reading it.
> Clicks the wrong tab first.
> Finds the schedule after about a minute.
> Hesitates on the confirm button.
I don't see where it says the time. Oh there it is, that's tiny.
I would expect the date right at the top.
I guess I'd just call them instead.
"""

PARAPHRASE_WITH_A_QUOTE = """# Participant 2

- P2 manages the paperwork for her father.
- She was blunt: "I never know which form is the right one for him."
- Had to call support twice to find out the status.
- Moderator: Can you show me how you'd start?
"""


def voices(text: str, override: str | None = None) -> dict[str, str]:
    return {text[u.start:u.end]: u.voice for u in segment_notes(text, override=override).units}


def test_blockquotes_as_the_participants_words_and_bullets_as_notes() -> None:
    v = voices(QUOTES_IN_BLOCKQUOTES)
    assert v["I always lose the list by Wednesday, it drives me nuts."] == "participant"
    assert v["Honestly I just want one place where everything is."] == "participant"
    assert v["Participant plans on paper every Sunday night."] == "notes"
    assert v["Mentions the reminders came too late to be useful."] == "notes"
    assert v["How do you currently plan your week?"] == "template"
    assert v["## Warm-up"] == "template"


def test_blockquotes_as_observations_and_plain_first_person_as_think_aloud() -> None:
    v = voices(OBSERVATIONS_IN_BLOCKQUOTES)
    assert v["Scrolls past the header without reading it."] == "notes"
    assert v["Hesitates on the confirm button."] == "notes"
    assert v["I would expect the date right at the top."] == "participant"


def test_only_the_quoted_words_in_paraphrase_are_the_participants() -> None:
    v = voices(PARAPHRASE_WITH_A_QUOTE)
    assert v["I never know which form is the right one for him."] == "participant"
    assert v["Had to call support twice to find out the status."] == "notes"
    assert v["Can you show me how you'd start?"] == "interviewer"
    assert "participant" not in {voice for text, voice in v.items() if "She was blunt" in text}


def test_a_declared_convention_overrides_the_inference() -> None:
    v = voices(QUOTES_IN_BLOCKQUOTES, override="blockquote-notes")
    assert v["I always lose the list by Wednesday, it drives me nuts."] == "notes"
    with pytest.raises(ValueError):
        segment_notes(QUOTES_IN_BLOCKQUOTES, override="no-such-convention")


def test_shares_of_text_per_voice_add_up() -> None:
    shares = segment_notes(QUOTES_IN_BLOCKQUOTES).shares
    assert set(shares) == {"participant", "notes", "interviewer", "template"}
    assert abs(sum(shares.values()) - 1) < 0.01 and shares["participant"] > 0.2 and shares["notes"] > 0.2


def filled_in_guide(answer: str) -> str:
    return f"""# Session notes

## Task 2
* Pretend that you need to reach your doctor after a visit. How would you send them a question? {answer}
* What did you think of that page? It was fine.
"""


def test_guide_prompts_shared_with_sibling_files_are_cut_from_the_answers_after_them() -> None:
    """A filled-in conversation guide writes each answer after its prompt on the same bullet: the prompt
    (the same sentences in every sibling file) is template and the answer alone is content."""
    answers = ["I would look for a message link near the top.", "No idea, I would call the clinic.",
               "I never do that online.", "Probably the search box, I use it for everything."]
    siblings = [filled_in_guide(a) for a in answers[1:]]
    units = segment_notes(filled_in_guide(answers[0]), siblings=siblings).units
    text = filled_in_guide(answers[0])
    by_text = {text[u.start:u.end]: u.voice for u in units}
    prompt = "Pretend that you need to reach your doctor after a visit. How would you send them a question?"
    assert by_text.get(prompt) == "template"
    assert by_text.get(answers[0]) in ("participant", "notes")
    assert not any(prompt[:30] in t and v != "template" for t, v in by_text.items())
    # without siblings nothing says the prompt is shared: the line stays whole
    alone = segment_notes(text).units
    assert not any(text[u.start:u.end] == prompt for u in alone)


def test_a_long_script_sentence_in_one_other_session_is_guide_text() -> None:
    """Two participants do not say the same long sentence; a moderator reading the script does. Found in one of
    four sibling files is enough for a sentence of ten words or more; a short one needs two."""
    script = "For our first exercise, I would like us to look at the website together so I can point things out."
    mine = f"# P3\n\n{script} Sounds good to me, I use it a lot.\n"
    siblings = [f"# P4\n\n{script}\n", "# P5\n\nOther notes.\n", "# P6\n\nMore notes.\n", "# P7\n\nNotes.\n"]
    by_text = {mine[u.start:u.end]: u.voice for u in segment_notes(mine, siblings=siblings).units}
    assert by_text.get(script) == "template"
    answer = "Sounds good to me, I use it a lot."
    assert answer in by_text and by_text[answer] != "template"


def test_the_same_sessions_other_record_is_not_a_sibling(tmp_path: Any) -> None:
    """An observer's notes of session 7 quote what participant 7 said; that is not guide text shared across
    sessions, so it is left out of participant 7's siblings."""
    from segscribe.ingest.service import Siblings

    names = ["Participant-7.md", "Participant-7-observer-notes.md", "Participant-8.md"]
    for n in names:
        (tmp_path / n).write_text(f"# {n}\n", encoding="utf-8")
    sib = Siblings([tmp_path / n for n in names])
    assert sib(tmp_path / "Participant-7.md") == ["# Participant-8.md\n"]
    assert sorted(sib(tmp_path / "Participant-8.md")) == ["# Participant-7-observer-notes.md\n", "# Participant-7.md\n"]


def test_the_note_takers_lines_inside_labelled_turns_of_notes_are_notes() -> None:
    """Notes that label most lines "Moderator:" / "Participant:" still hold the note-taker's own lines: a
    third-person line under a participant label is the note-taker's, not the participant's words."""
    notes = """# P8 notes

Moderator: Where would you put the emergency contact?
Participant: Emergency contact goes in my profile.
Participant: She says she doesn't have caregivers at this time.
Moderator: And the notification settings?
Participant: Notification settings for payments go under profile.
Participant says that the newsletter settings are not important to her. Tracking devices belong in my health page.
Moderator: Anything else?
Participant: No, that's all.
"""
    v = voices(notes)
    assert v["Emergency contact goes in my profile."] == "participant"
    assert v["She says she doesn't have caregivers at this time."] == "notes"
    assert v["Participant says that the newsletter settings are not important to her."] == "notes"
    assert v["Tracking devices belong in my health page."] == "participant"


# --------------------------------------------------------------------------- findings

SAME_PAIN = [
    "I could not find where to change the time of my visit, it was confusing.",
    "It was confusing, I had no idea where to change the time of the visit.",
    "Changing the time of the visit was confusing, I could not find the option.",
]
ONE_SESSION_ONLY = "The colour of the print button reminded me of my old school uniform."


@pytest.fixture(scope="module")
def study(embedder: Any) -> tuple[list[Any], dict[str, Any], list[Any]]:
    said = [[SAME_PAIN[0], ONE_SESSION_ONLY], [SAME_PAIN[1]], [SAME_PAIN[2]],
            ["Changing the time of the visit was easy, I found it right away and it was clear."]]
    docs, items = factories.sessions_saying(
        said, kind_of=lambda i: EvidenceKind.pain if i < 3 else EvidenceKind.observation)
    return build_findings(items, factories.sessions_of(docs), embedder.embed), docs, items


def test_a_finding_needs_two_sessions_and_says_its_coverage(study: Any) -> None:
    found, docs, items = study
    by_quote = {e.quote: e.id for e in items}
    assert found, "three sessions saying the same thing make a finding"
    top = found[0]
    assert top.coverage.sessions >= 3 and top.coverage.total_sessions == 4
    assert {by_quote[q] for q in SAME_PAIN} <= set(top.evidence_ids) | set(top.counter_evidence_ids)
    assert all(by_quote[ONE_SESSION_ONLY] not in f.evidence_ids for f in found)  # one session is not a finding
    assert top.statement_source == "extractive" and top.statement in {e.quote for e in items}
    assert top.label and top.rank == 1 and top.id == "f1"


def test_the_opposite_view_in_the_group_is_counter_evidence(study: Any) -> None:
    found, _, items = study
    praise = next(e.id for e in items if "easy" in e.quote)
    assert praise in found[0].counter_evidence_ids and praise not in found[0].evidence_ids


def test_findings_do_not_depend_on_input_order(study: Any, embedder: Any) -> None:
    found, docs, items = study
    again = build_findings(list(reversed(items)), factories.sessions_of(docs), embedder.embed)
    assert [f.model_dump() for f in again] == [f.model_dump() for f in found]


def test_the_first_quotes_of_a_finding_come_from_different_sessions(embedder: Any) -> None:
    """One talkative participant says it four near-identical ways, which sit closest to the group's centre; the
    reader still sees every session's words before a second quote from the same session."""
    talkative = ["It was confusing to change the time of my visit.", "Changing the time of my visit was confusing.",
                 "It was confusing, changing the visit time.", "Changing my visit time was so confusing."]
    said = [talkative, ["I could not work out how to reschedule, the page made no sense to me."],
            ["Moving the appointment to another day was a puzzle, I gave up looking."]]
    docs, items = factories.sessions_saying(said)
    found = build_findings(items, factories.sessions_of(docs), embedder.embed)
    session_of = {e.id: docs[e.doc_id].session for e in items}
    top = found[0]
    n = top.coverage.sessions
    assert n >= 2 and len(top.evidence_ids) > n
    assert len({session_of[i] for i in top.evidence_ids[:n]}) == n, [session_of[i] for i in top.evidence_ids]


def _findings_of(said: list[list[str]], embedder: Any, voice: Voice | None = None) -> list[Any]:
    """Findings from one session per list of sentences (all of them in `voice` when given)."""
    docs, items = factories.sessions_saying(said)
    if voice is not None:
        items = [e.model_copy(update={"voice": voice}) for e in items]
    return build_findings(items, factories.sessions_of(docs), embedder.embed)


def test_a_group_of_reactions_that_name_nothing_is_not_a_finding(embedder: Any) -> None:
    """"I don't know." in three sessions groups, but it says nothing a team can act on; the same doubt with what
    it is about is a finding."""
    assert _findings_of([["I don't know."], ["I have no idea."], ["I don't know, honestly."]], embedder) == []
    found = _findings_of([["I don't know which form the renewal needs."], ["I have no idea which renewal form to use."],
                          ["I don't know what form goes with the renewal."]], embedder)
    assert found and found[0].coverage.sessions == 3


def test_courtesies_from_several_sessions_are_not_a_finding(embedder: Any) -> None:
    """The thanks that close a session group together across sessions, and say nothing about the product; the
    same verb in an evaluation ("I appreciate that it ...") is a finding."""
    polite = [["I appreciate your time today."], ["I appreciate what you're doing for us."],
              ["Thank you, I appreciate it."]]
    assert _findings_of(polite, embedder) == []
    found = _findings_of([["I appreciate that the page shows my claim status."],
                          ["I appreciate that my claim status is shown."],
                          ["I really appreciate seeing the status of my claim."]], embedder)
    assert found and found[0].coverage.sessions == 3
    # Thanks with something to say is not a courtesy; a customer's thanks never is one (a ticket signs off so).
    assert _findings_of([["Thanks, but my refund still has not arrived."], ["My refund never arrived, thank you."],
                         ["Thanks in advance, where is my refund?"]], embedder)
    assert _findings_of(polite, embedder, Voice.customer)


def test_the_representative_of_a_big_group_is_found_in_linear_memory() -> None:
    """The medoid of 30,000 items must not build a 30,000 x 30,000 similarity matrix (3.6 GB)."""
    import tracemalloc

    import numpy as np

    from segscribe.pipeline.findings import _medoid
    from segscribe.schemas.evidence import Citation, PainPoint

    n = 30_000
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(n, 16)).astype(np.float32)
    vecs[123] = vecs.mean(axis=0) * 50  # the one closest to everyone
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    quote = "a sentence of about ten plain words for the medoid"
    items = [PainPoint(id=f"e{i}", kind="pain", summary="s", doc_id="d", passage_id="p", speaker="c",
                       citations=[Citation(doc_id="d", start=0, end=len(quote), quote=quote)]) for i in range(n)]
    tracemalloc.start()
    best = _medoid(list(range(n)), vecs, items)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert best == 123
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MiB"


def test_a_catch_all_group_is_split_into_specific_findings() -> None:
    """Three points that share a topic (cosine distance 0.45 between them) merge at the finding distance (0.5);
    their group holds every item, so it is re-grouped tighter into the three points. A group under the share
    is left alone."""
    import numpy as np

    from segscribe.pipeline.findings import DISTANCE, _split_catch_alls, cluster_labels

    rng = np.random.default_rng(0)
    basis = np.eye(8)
    a = np.sqrt(1 / 0.55 - 1)  # cosine 0.55 between the three centres
    centres = [basis[0] + a * basis[i] for i in (1, 2, 3)]
    vecs = np.vstack([c + rng.normal(scale=0.02, size=8) for c in centres for _ in range(40)])
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    merged = cluster_labels(vecs, DISTANCE)
    assert len(set(merged.tolist())) == 1, "the three points are one group at the finding distance"
    split = _split_catch_alls(merged, vecs, DISTANCE, 0)
    truth = np.repeat([0, 1, 2], 40)
    assert len(set(split.tolist())) == 3
    assert all(len(set(split[truth == t].tolist())) == 1 for t in (0, 1, 2))
    # the same items, but only 30 of 300 in the group (10 %): not a catch-all
    small = np.concatenate([np.zeros(30, dtype=int), np.arange(1, 271)])
    assert (_split_catch_alls(small, np.vstack([vecs[:30], np.eye(8, dtype=np.float32)[np.arange(270) % 8]]),
                              DISTANCE, 0) == small).all()

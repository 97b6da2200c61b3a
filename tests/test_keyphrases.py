"""Group labels: key phrases that are distinctive and do not repeat one word in two forms."""

from __future__ import annotations

import pytest

from segscribe.pipeline.keyphrases import _same_word, label_groups


@pytest.mark.parametrize(("a", "b", "same"), [
    ("write", "writing", True), ("image", "images", True), ("confusing", "confused", True),
    ("submit", "submitted", True), ("appointment", "appointments", True), ("review", "reviewed", True),
    ("plan", "planet", False), ("car", "card", False), ("pain", "painted", False), ("create", "creative", False),
])
def test_two_forms_of_one_word(a: str, b: str, same: bool) -> None:
    assert _same_word(a, b) is same and _same_word(b, a) is same


def test_a_label_does_not_name_one_word_twice() -> None:
    writing = ["I write short stories at night.", "Writing poems is how I relax.", "I write every morning.",
               "Writing essays for my blog takes hours.", "I write songs for poems and stories.",
               "Writing stories with my kids is fun.", "I write poems about the sea."]
    cooking = ["I cook dinner for friends.", "Cooking pasta is my hobby.", "I bake bread on weekends."]
    [label, _] = label_groups([writing, cooking])
    assert len(label) == 2
    assert not _same_word(*[w for phrase in label for w in phrase.split()][:2]), label


def test_contractions_are_function_words_but_possessives_are_not() -> None:
    from segscribe.pipeline.keyphrases import candidates

    got = candidates("We’ll see, I haven't tried the doctor's note and they've never called")
    assert not any(w in p.split() for p in got for w in ("we'll", "haven't", "they've")), got
    assert "doctor's note" in got and "called" in got


def test_help_is_a_function_word_but_helpful_is_not() -> None:
    from segscribe.pipeline.keyphrases import candidates

    got = candidates("Can you help me reset it? The reset guide was helpful and helps a lot")
    assert not any(w in p.split() for p in got for w in ("help", "helps")), got
    assert "helpful" in got and "reset guide" in got


def test_with_a_lift_floor_two_groups_are_not_both_named_by_what_they_share() -> None:
    """Every text of both groups mentions 'ai', and each group's own words are rarer: class-based TF-IDF still
    leads both with 'ai'; the lift floor names each by what only it says."""
    writers = [f"ai is here and the {w}" for w in ("stories", "plots", "poems", "novels") for _ in range(2)]
    painters = [f"ai is here and the {w}" for w in ("paintings", "colours", "sketches", "frames") for _ in range(2)]
    plain = label_groups([writers, painters], top=2)
    assert [g[0] for g in plain] == ["ai", "ai"], plain
    lifted = label_groups([writers, painters], top=2, min_lift=1.5)
    assert not any("ai" in g for g in lifted), lifted
    assert set(lifted[0]) <= {"stories", "plots", "poems", "novels"}, lifted


def test_content_words_leave_out_fillers_contractions_and_short_words() -> None:
    from segscribe.pipeline.keyphrases import content_words

    assert content_words("I don't know.") == []
    assert content_words("It was fairly easy, other than the few questions I had.") == ["fairly", "easy", "questions"]

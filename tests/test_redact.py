"""Reversible PII redaction: detectors, stable placeholders, and the round-trip property."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from segscribe.redact import Redactor, luhn_ok, name_variants

NAMES = ["Ann Lee", "Priya Shah"]


def test_detectors_replace_pii() -> None:
    r = Redactor(NAMES)
    text = (
        "Ann Lee (ann.lee@acme.io, @annlee) said Priya calls +44 20 7946 0958 or (415) 555-0123; "
        "card 4111 1111 1111 1111 and 5500-0000-0000-0004."
    )
    red = r.redact(text)
    for secret in ("Ann Lee", "ann.lee@acme.io", "@annlee", "Priya", "7946", "555-0123", "4111", "5500"):
        assert secret not in red
    assert red == (
        "[NAME_1] ([EMAIL_1], [HANDLE_1]) said [NAME_2] calls [PHONE_1] or [PHONE_2]; "
        "card [CARD_1] and [CARD_2]."
    )
    assert r.restore(red) == text
    assert r.reverse["[EMAIL_1]"] == "ann.lee@acme.io"
    assert r.forward[("NAME", "Priya")] == "[NAME_2]"


def test_placeholders_are_stable_across_calls() -> None:
    r = Redactor(NAMES)
    first = r.redact("Write to ann.lee@acme.io")
    second = r.redact("ann.lee@acme.io again, and bob@x.org")
    assert first == "Write to [EMAIL_1]"
    assert second == "[EMAIL_1] again, and [EMAIL_2]"


def test_names_in_any_case_and_two_letter_names() -> None:
    r = Redactor(["Ann Lee", "Jo Wu", "Will Grant"])
    assert name_variants(["Ann Lee", "Jo Wu"]) == {"Ann Lee", "Ann", "Lee", "Jo Wu", "Jo", "Wu"}
    text = "Ann Lee, Ann, Lee, Annual, ann, ANN LEE, Jo, JO, jo, Jo Wu, wu, Will said he will grant it"
    red = r.redact(text)
    assert red == ("[NAME_1], [NAME_2], [NAME_3], Annual, [NAME_4], [NAME_5], [NAME_6], [NAME_7], jo, [NAME_8], "
                   "wu, [NAME_9] said he will grant it")
    assert r.restore(red) == text


def test_not_everything_numeric_is_pii() -> None:
    r = Redactor()
    text = "On 2024-01-15 at 10:30 we paid $1,200 for 3 seats; ticket 123456789; 4111 1111 1111 1112."
    assert r.redact(text) == text  # dates, times, amounts, short ids and non-Luhn numbers survive


def test_luhn() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")


def test_existing_placeholder_text_round_trips() -> None:
    r = Redactor(NAMES)
    text = "Literal [EMAIL_1] and [^NAME_2] next to ann.lee@acme.io and Ann"
    red = r.redact(text)
    assert red == "Literal [^EMAIL_1] and [^^NAME_2] next to [EMAIL_1] and [NAME_1]"
    assert r.restore(red) == text


def test_restore_leaves_unknown_placeholders() -> None:
    r = Redactor()
    assert r.restore("[EMAIL_9] stays") == "[EMAIL_9] stays"


# Pieces that stress the detectors and the placeholder escaping when glued together at random.
_FRAGMENTS = [
    *("Ann Lee", "Ann", "Lee", "Priya", "ann.lee@acme.io", "@annlee", "+1 415 555 0123"),
    *("4111 1111 1111 1111", "[EMAIL_1]", "[NAME_1]", "[^CARD_2]", "[", "]", "^", "_1", "EMAIL"),
    *(" ", "\n", "x", "42", "-", "@", "."),
]
_fragments = st.sampled_from(_FRAGMENTS)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_round_trip_arbitrary_text(text: str) -> None:
    r = Redactor(NAMES)
    assert r.restore(r.redact(text)) == text


@settings(max_examples=500, deadline=None)
@given(st.lists(_fragments, max_size=20).map("".join), st.lists(st.text(min_size=1, max_size=12), max_size=3))
def test_round_trip_adversarial_fragments(text: str, names: list[str]) -> None:
    r = Redactor([*NAMES, *names])
    red = r.redact(text)
    assert r.restore(red) == text
    # A second pass through the same instance is still reversible.
    assert r.restore(r.redact(text + red)) == text + red

"""Reversible PII redaction for text sent to external model providers.

`Redactor.redact` replaces emails, phone numbers, @handles, card numbers
(Luhn-checked) and known participant names with stable placeholders such as
`[EMAIL_1]`; `Redactor.restore` maps them back, so a quote the model copies from
redacted text becomes verbatim against the ORIGINAL text again.

Round-trip guarantee: `restore(redact(t)) == t` for every string. Text that
already looks like a placeholder is escaped by adding a caret (`[EMAIL_1]` ->
`[^EMAIL_1]`, `[^EMAIL_1]` -> `[^^EMAIL_1]`) and `restore` removes exactly one
caret, so literal placeholder-like text never collides with real placeholders.
Every placeholder-shaped token starts with `[` and contains no other `[`, so
tokens never straddle the boundary between an escaped segment and a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from segscribe.schemas.document import Document

KINDS = ("EMAIL", "CARD", "PHONE", "HANDLE", "NAME")
_TOKEN = re.compile(r"\[(\^*)(" + "|".join(KINDS) + r")_(\d+)\]")

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# 13-19 digits, optionally grouped by single spaces or dashes; validated with Luhn below.
_CARD = re.compile(r"(?<!\w)\d(?:[ \-]?\d){12,18}(?!\w)")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,4}\)[ .\-]?)?\d{2,5}(?:[ .\-]\d{2,5}){0,4}(?![\w])"
)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{2,30}(?![\w@])")

MIN_NAME_LEN = 3
_TOKEN_PUNCT = ".,;:()\"'"
PHONE_DIGITS = (9, 15)
"""Digit counts accepted as phone numbers; fewer digits are usually dates, times or amounts."""


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _card_ok(s: str) -> bool:
    digits = _digits(s)
    return 13 <= len(digits) <= 19 and luhn_ok(digits)


def _phone_ok(s: str) -> bool:
    n = len(_digits(s))
    # A bare 9-digit run is more often an id than a phone number; grouped or 10+ digits are redacted.
    grouped = n != len(s)
    return PHONE_DIGITS[0] <= n <= PHONE_DIGITS[1] and (grouped or n >= 10)


class Redactor:
    """Stable, reversible placeholders for PII. One instance per document/run keeps numbering stable."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names = sorted(name_variants(names), key=lambda n: (-len(n), n))
        self._name_re = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in self.names) + r")(?!\w)")
            if self.names
            else None
        )
        self.forward: dict[tuple[str, str], str] = {}
        """(kind, original) -> placeholder."""
        self.reverse: dict[str, str] = {}
        """placeholder -> original."""
        self._counts: dict[str, int] = dict.fromkeys(KINDS, 0)

    def redact(self, text: str) -> str:
        out: list[str] = []
        pos = 0
        for start, end, kind in self._spans(text):
            out.append(_escape(text[pos:start]))
            out.append(self._placeholder(kind, text[start:end]))
            pos = end
        out.append(_escape(text[pos:]))
        return "".join(out)

    def restore(self, text: str) -> str:
        """Placeholders back to originals; escaped look-alikes lose one caret; unknown ones stay."""

        def back(m: re.Match[str]) -> str:
            carets, kind, num = m.groups()
            if carets:
                return f"[{carets[1:]}{kind}_{num}]"
            return self.reverse.get(m.group(0), m.group(0))

        return _TOKEN.sub(back, text)

    def _placeholder(self, kind: str, original: str) -> str:
        key = (kind, original)
        if key not in self.forward:
            self._counts[kind] += 1
            placeholder = f"[{kind}_{self._counts[kind]}]"
            self.forward[key] = placeholder
            self.reverse[placeholder] = original
        return self.forward[key]

    def _spans(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping PII spans: earliest start wins, then the longest, then KINDS order."""
        found: list[tuple[int, int, str]] = []
        detectors: list[tuple[str, re.Pattern[str] | None, Callable[[str], bool] | None]] = [
            ("EMAIL", _EMAIL, None),
            ("CARD", _CARD, _card_ok),
            ("PHONE", _PHONE, _phone_ok),
            ("HANDLE", _HANDLE, None),
            ("NAME", self._name_re, None),
        ]
        for kind, pattern, check in detectors:
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                if m.end() > m.start() and (check is None or check(m.group(0))):
                    found.append((m.start(), m.end(), kind))
        found.sort(key=lambda s: (s[0], -(s[1] - s[0]), KINDS.index(s[2])))
        chosen: list[tuple[int, int, str]] = []
        for span in found:
            if not chosen or span[0] >= chosen[-1][1]:
                chosen.append(span)
        return chosen


def name_variants(names: Iterable[str]) -> set[str]:
    """Each full name plus its whitespace-separated tokens, keeping those of >= 3 characters."""
    out: set[str] = set()
    for raw in names:
        full = " ".join(str(raw).split())
        if len(full) >= MIN_NAME_LEN:
            out.add(full)
        tokens = (tok.strip(_TOKEN_PUNCT) for tok in full.split())
        out.update(tok for tok in tokens if len(tok) >= MIN_NAME_LEN)
    return out


def _escape(segment: str) -> str:
    return _TOKEN.sub(lambda m: f"[^{m.group(1)}{m.group(2)}_{m.group(3)}]", segment)


#: Metadata fields that may hold a person's name (participant, customer, interviewer, agent).
NAME_FIELDS = (
    "participant",
    "participant_name",
    "name",
    "customer_name",
    "customer",
    "contact_name",
    "interviewer",
    "agent",
    "agent_name",
)


def document_names(doc: Document) -> list[str]:
    """Person names found in the document's metadata (strings or lists of strings)."""
    out: list[str] = []
    for key in NAME_FIELDS:
        value = doc.metadata.get(key)
        values = value if isinstance(value, list | tuple) else [value]
        out.extend(v for v in values if isinstance(v, str) and v.strip())
    return out

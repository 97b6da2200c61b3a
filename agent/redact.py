"""Reversible PII redaction for text sent to external model providers.

`Redactor.redact` replaces emails (Unicode/IDN too), IBANs (compact or grouped, mod-97 checked), card
numbers (any common separator, Luhn-checked), UK National Insurance numbers, phone numbers (found by
Google's libphonenumber in international and national formats, plus bare runs of 10-15 digits),
@handles (also `@user@server`) and known names (any case; two-letter names too) with stable
placeholders such as `[EMAIL_1]`; `Redactor.restore` maps them back, so a quote the model copies from
redacted text becomes verbatim against the ORIGINAL text again. `Pseudonyms` does the same for
identifiers (passage, document and evidence ids), which often carry surnames from file names.

Round-trip guarantee: `restore(redact(t)) == t` for every string. Text that
already looks like a placeholder is escaped by adding a caret (`[EMAIL_1]` ->
`[^EMAIL_1]`, `[^EMAIL_1]` -> `[^^EMAIL_1]`) and `restore` removes exactly one
caret, so literal placeholder-like text never collides with real placeholders.
Every placeholder-shaped token starts with `[` and contains no other `[`, so
tokens never straddle the boundary between an escaped segment and a placeholder.

Measured on the labelled sample `evals/datasets/pii_sample.jsonl` by `segscribe.evals.pii`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from segscribe.schemas.document import Document, Role

KINDS = ("EMAIL", "IBAN", "CARD", "NINO", "PHONE", "HANDLE", "NAME")
_TOKEN = re.compile(r"\[(\^*)(" + "|".join(KINDS) + r")_(\d+)\]")

_EMAIL = re.compile(r"(?<![\w.%+\-])[\w.%+\-]+@(?:[\w\-]+\.)+(?:[^\W\d_]{2,}|xn--[\w\-]+)(?![\w\-])")
# 13-19 digits, optionally grouped by single spaces, dashes, dots or slashes; Luhn-checked below.
_CARD = re.compile(r"(?<![\w.,/])\d(?:[ \-./]?\d){12,18}(?![\w]|[.,/]\d)")
# IBANs are written in capitals, compact or in groups of four; mod-97 checked below.
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)(?![\w])")
# UK National Insurance number: two letters, six digits (optionally in pairs), a final A-D. The prefix
# rules (no D, F, I, Q, U, V...) are not applied: HMRC's own example "QQ 12 34 56 C" is what people paste.
_NINO = re.compile(r"(?<![\w])[A-Z]{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-D](?![\w])", re.I)
_BARE_DIGITS = re.compile(r"(?<![\w.,/+-])\d{10,15}(?![\w]|[.,/]\d)")
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,62}[A-Za-z0-9_])?"
                     r"(?:@[\w\-]+(?:\.[\w\-]+)+)?(?![\w@])")

PHONE_REGIONS = ("US", "GB", "DE", "FR")
"""Regions whose national formats are recognised without a + prefix (international numbers always are)."""
PHONE_DIGITS = (9, 15)
"""Digit counts accepted as phone numbers; fewer digits are usually dates, times or amounts."""
MIN_NAME_LEN = 2
_TOKEN_PUNCT = ".,;:()\"'"
#: Name tokens that are also everyday words: matched only as written (capitalised), never in lower case.
COMMON_WORDS = frozenset({
    "a", "all", "am", "an", "and", "any", "are", "art", "as", "at", "bay", "be", "bill", "bob", "but", "by",
    "can", "case", "cash", "chase", "dawn", "day", "dean", "do", "don", "eve", "faith", "far", "few", "for",
    "frank", "gay", "gene", "glen", "go", "grace", "grant", "guy", "hall", "he", "hi", "hill", "holly", "hope",
    "how", "hunt", "if", "in", "is", "it", "ivy", "jack", "joy", "just", "king", "lane", "long", "mark", "mason",
    "max", "may", "me", "miles", "much", "my", "new", "nick", "no", "now", "of", "oh", "ok", "on", "one", "or",
    "page", "park", "pat", "penny", "pierce", "ray", "reed", "rich", "river", "rob", "rock", "rose", "rusty",
    "sage", "sky", "so", "son", "star", "stone", "summer", "sunny", "the", "to", "top", "up", "us", "victor",
    "wade", "ward", "we", "west", "white", "will", "wood", "young"
})


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


def _iban_ok(s: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    compact = s.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _phones(text: str) -> Iterator[tuple[int, int]]:
    """Phone numbers: libphonenumber's candidates in a few regions, filtered by digit count and context."""
    import phonenumbers

    seen: set[tuple[int, int]] = set()
    for region in PHONE_REGIONS:
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            span = (m.start, m.end)
            if span not in seen and _phone_ok(text, *span):
                seen.add(span)
                yield span
    for bare in _BARE_DIGITS.finditer(text):
        yield bare.span()


def _phone_ok(text: str, start: int, end: int) -> bool:
    raw = text[start:end]
    n = len(_digits(raw))
    if not PHONE_DIGITS[0] <= n <= PHONE_DIGITS[1] or re.search(r"[^\W\d_]", raw):
        return False  # letters: an error code (0x8007...) or a product key, not a number to call
    if re.search(r"\w[\-/#]$", text[max(0, start - 2) : start]):
        return False  # the tail of a code such as INV-2024-00042
    # A piece of a longer digit run (a card, an IBAN, an account number) is not a phone number.
    before, after = text[max(0, start - 2) : start], text[end : end + 2]
    if re.search(r"\d[ .\-/]?$", before) or re.match(r"^[ .\-/]?\d", after):
        return False
    # A bare 9-digit run is more often an id than a phone number; grouped or 10+ digits are redacted.
    return raw.startswith("+") or n != len(raw) or n >= 10


class Redactor:
    """Stable, reversible placeholders for PII. One instance per document/run keeps numbering stable."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names = sorted(name_variants(names), key=lambda n: (-len(n), n))
        self._name_re = _name_pattern(self.names)
        self.forward: dict[tuple[str, str], str] = {}
        """(kind, original) -> placeholder."""
        self.reverse: dict[str, str] = {}
        """placeholder -> original."""
        self._counts: dict[str, int] = dict.fromkeys(KINDS, 0)

    def redact(self, text: str) -> str:
        out: list[str] = []
        pos = 0
        for start, end, kind in self.spans(text):
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

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping PII spans: earliest start wins, then the longest, then KINDS order."""
        found: list[tuple[int, int, str]] = []
        detectors: list[tuple[str, re.Pattern[str] | None, Callable[[str], bool] | None]] = [
            ("EMAIL", _EMAIL, None),
            ("IBAN", _IBAN, _iban_ok),
            ("CARD", _CARD, _card_ok),
            ("NINO", _NINO, None),
            ("HANDLE", _HANDLE, None),
            ("NAME", self._name_re, None),
        ]
        for kind, pattern, check in detectors:
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                if m.end() > m.start() and (check is None or check(m.group(0))):
                    found.append((m.start(), m.end(), kind))
        found += [(s, e, "PHONE") for s, e in _phones(text)]
        found.sort(key=lambda s: (s[0], -(s[1] - s[0]), KINDS.index(s[2])))
        chosen: list[tuple[int, int, str]] = []
        for span in found:
            if not chosen or span[0] >= chosen[-1][1]:
                chosen.append(span)
        return chosen


def name_variants(names: Iterable[str]) -> set[str]:
    """Each full name plus its whitespace-separated tokens, keeping those of >= 2 characters."""
    out: set[str] = set()
    for raw in names:
        full = " ".join(str(raw).split())
        if len(full) >= MIN_NAME_LEN:
            out.add(full)
        tokens = (tok.strip(_TOKEN_PUNCT) for tok in full.split())
        out.update(tok for tok in tokens if len(tok) >= MIN_NAME_LEN)
    return out


def _name_pattern(variants: list[str]) -> re.Pattern[str] | None:
    """Names in any case; a token that is also a common word (or two letters) only as written or in capitals."""
    if not variants:
        return None
    parts = []
    for v in variants:
        words = r"\s+".join(re.escape(tok) for tok in v.split())
        if all(len(tok) < 3 or tok.casefold() in COMMON_WORDS for tok in v.split()):
            upper = r"\s+".join(re.escape(tok) for tok in v.upper().split())
            parts.append(f"(?-i:{words}|{upper})")
        else:
            parts.append(words)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


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


#: Speaker labels that are roles, not names: never redacted as names.
GENERIC_SPEAKERS = frozenset({*(r.value for r in Role), "user", "respondent", "unknown", "support"})


def speaker_names(doc: Document) -> list[str]:
    """Speaker labels that name people (not roles such as "Interviewer" or "customer")."""
    return sorted({p.speaker for p in doc.passages
                   if p.speaker.strip() and p.speaker.strip().casefold() not in GENERIC_SPEAKERS})


def document_names(doc: Document) -> list[str]:
    """Person names found in the document's metadata (strings or lists of strings)."""
    return metadata_names(doc.metadata)


def metadata_names(metadata: Mapping[str, object]) -> list[str]:
    """Person names found in one document's metadata (its `NAME_FIELDS`, strings or lists of strings)."""
    out: list[str] = []
    for key in NAME_FIELDS:
        value = metadata.get(key)
        values = value if isinstance(value, list | tuple) else [value]
        out.extend(v for v in values if isinstance(v, str) and v.strip())
    return out


class Pseudonyms:
    """Stable stand-ins (`P1`, `E2`...) for identifiers sent to a provider, and the way back."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.forward: dict[str, str] = {}
        self.reverse: dict[str, str] = {}

    def alias(self, real: str) -> str:
        if real not in self.forward:
            token = f"{self.prefix}{len(self.forward) + 1}"
            self.forward[real], self.reverse[token] = token, real
        return self.forward[real]

    def real(self, token: str) -> str:
        """The identifier behind a stand-in (tolerating case and stray brackets); unknown text is returned as is."""
        key = token.strip().strip("[]").upper()
        return self.reverse.get(key, token)

    def hide(self, text: str) -> str:
        """Replace every known identifier inside free text (e.g. error feedback) by its stand-in."""
        for real in sorted(self.forward, key=len, reverse=True):
            text = text.replace(real, self.forward[real])
        return text

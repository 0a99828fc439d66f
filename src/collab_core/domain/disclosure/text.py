"""Finders of identifying text: UK postcodes, e-mail addresses, UK telephone numbers, exact dates
in any common UK format, and names from a deny-list; and the mask that hides what they find.

Each finder returns ``(start, end)`` spans, never the text found, so that a caller can report
or mask a finding without holding the identifier in a message. NHS numbers are found by the one
scanner in :func:`collab_core.domain.identifiers.find_nhs_numbers`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from collab_core.domain.errors import DomainValidationError

__all__ = [
    "MASK",
    "Span",
    "find_dates",
    "find_emails",
    "find_names",
    "find_pattern",
    "find_phone_numbers",
    "find_postcodes",
    "mask",
    "merge_spans",
]

#: What every masked character becomes in a preview.
MASK = "█"

Span = tuple[int, int]

# UK postcodes, the full pattern of the UK Government Data Standards Catalogue: an outward code
# (A9, A99, AA9, AA99, A9A, AA9A; the second letter of two is never I or Z) and an inward code
# (9AA), with or without the space between them, in any case; GIR 0AA is the one exception.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:GIR\s?0AA"
    r"|(?:[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z])"
    r"\s?[0-9][A-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# E-mail addresses: a local part, an @ and a domain of at least two labels.
_EMAIL = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])"
    r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
    r"@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+"
    r"(?![\w-])"
)

# UK telephone numbers: +44, 0044 or 0, then 9 or 10 more digits (the national number after the
# trunk 0), written in groups with spaces, hyphens, dots or brackets: 01632 960123,
# (01632) 960 123, 020 7946 0000, +44 (0)20 7946 0000, 07700-900-123, 0800 123 4567.
_PHONE = re.compile(
    r"(?<![\w+/])"
    r"(?:(?:\+|00)44[ .-]?(?:\(0\)[ .-]?)?|\(?0)"
    r"[1-9](?:[ ().-]{0,2}[0-9]){8,9}"
    r"(?![\w])"
)

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_YEAR = r"(?:1[89][0-9]{2}|2[0-9]{3})"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?,?\s+)"
# Exact dates: 03/10/2018, 3.10.18, 3-10-2018, 2018-10-03 (with a time or not), 3 October 2018,
# Wednesday 3rd of Oct. 2018, 3-Oct-18, October 3rd, 2018, and a day and month with no year
# (3 October) when the month is written with a capital, so that "3 may be" is not a date.
_DATE_NUMERIC = re.compile(
    rf"(?<![\w/.-]){_DAY}([/.-])(?:0?[1-9]|1[0-2])\1(?:{_YEAR}|[0-9]{{2}})(?![\w/]|[.-][0-9])"
)
_DATE_ISO = re.compile(
    rf"(?<![\w/.-]){_YEAR}([/.-])(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12][0-9]|3[01])(?![0-9]|[/.-][0-9])"
)
_DATE_DAY_FIRST = re.compile(
    rf"(?<!\w){_WEEKDAY}?{_DAY}(?:st|nd|rd|th)?(?:\s+of)?[\s-]+(?P<month>{_MONTHS})"
    rf"(?P<year>\.?,?[\s-]+(?:{_YEAR}|[0-9]{{2}})(?![0-9]))?(?![\w])",
    re.IGNORECASE,
)
_DATE_MONTH_FIRST = re.compile(
    rf"(?<!\w){_WEEKDAY}?{_MONTHS}\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}(?![\w])",
    re.IGNORECASE,
)


def _spans(pattern: re.Pattern[str], text: str) -> list[Span]:
    return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]


def find_postcodes(text: str) -> list[Span]:
    """The spans of UK postcodes in ``text``, with or without the space, in any case."""
    return _spans(_POSTCODE, text)


def find_emails(text: str) -> list[Span]:
    """The spans of e-mail addresses in ``text``."""
    return _spans(_EMAIL, text)


def find_phone_numbers(text: str) -> list[Span]:
    """The spans of UK telephone numbers in ``text`` (national or international format)."""
    return _spans(_PHONE, text)


def find_dates(text: str) -> list[Span]:
    """The spans of exact dates (a day, a month and perhaps a year) in ``text``, in the formats
    written in the UK: numeric (day first, or ISO year first) and with the month in words."""
    found = _spans(_DATE_NUMERIC, text) + _spans(_DATE_ISO, text)
    found += _spans(_DATE_MONTH_FIRST, text)
    for match in _DATE_DAY_FIRST.finditer(text):
        if match.group("year") is None and not match.group("month")[0].isupper():
            continue  # "3 may be": a day and a month without a year needs a capital month
        found.append(match.span())
    return merge_spans(found)


@functools.lru_cache(maxsize=64)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for name in sorted(set(names), key=lambda n: (-len(n), n)):
        words = name.split()
        if words:
            parts.append(r"\s+".join(re.escape(w) for w in words))
    if not parts:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)", re.IGNORECASE)


def find_names(text: str, names: Iterable[str]) -> list[Span]:
    """The spans of any of ``names`` in ``text``: whole words, any case, any spacing between
    the words of a name (``"Jane  SMITH"`` is ``"Jane Smith"``)."""
    key = tuple(sorted(set(names)))
    pattern = _names_pattern(key)
    return [] if pattern is None else _spans(pattern, text)


def find_pattern(text: str, pattern: re.Pattern[str]) -> list[Span]:
    """The spans of a trust's own pattern in ``text`` (empty matches are ignored)."""
    return _spans(pattern, text)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """``spans`` sorted, with overlapping or touching spans joined."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def mask(text: str, spans: Sequence[Span]) -> str:
    """``text`` with every character inside ``spans`` replaced by :data:`MASK`."""
    chars = list(text)
    for start, end in spans:
        if not (0 <= start <= end <= len(text)):
            raise DomainValidationError("spans", "must lie inside the text", (start, end))
        chars[start:end] = MASK * (end - start)
    return "".join(chars)

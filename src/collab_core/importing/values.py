"""Reading one cell of an export as a value of the domain: text, whole numbers, yes/no, dates,
choices from an enumeration, lists. Every parser either returns the value or raises
:class:`CellError` with the rule it broke; no parser echoes a value that holds an NHS number.

Cells come from CSV as text and from XLSX as text, numbers, booleans or dates.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from collab_core.domain.scanning import find_nhs_numbers, mask_nhs_numbers

__all__ = [
    "BOOLEAN_WORDS",
    "DEFAULT_DATE_FORMATS",
    "MAX_TEXT_LENGTH",
    "Cell",
    "CellError",
    "cell_text",
    "is_blank",
    "looks_like_formula",
    "mask_nhs_numbers",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_int",
    "parse_text",
    "shown",
]

#: A cell as a reader hands it over: CSV gives text, XLSX may give numbers, booleans and dates.
Cell: TypeAlias = str | int | float | bool | dt.date | dt.datetime | dt.time | None

#: The date formats tried when a mapping names none: ISO 8601 and the UK's day/month/year.
DEFAULT_DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y")

#: Free text longer than this is refused (a mapping may set its own ``max_text_length``).
MAX_TEXT_LENGTH = 10_000

#: The words read as yes and no (compared without regard to case or surrounding spaces).
BOOLEAN_WORDS: Mapping[str, bool] = {
    "y": True,
    "yes": True,
    "true": True,
    "t": True,
    "1": True,
    "n": False,
    "no": False,
    "false": False,
    "f": False,
    "0": False,
}

_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
# Characters that make a spreadsheet treat a cell as a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


class CellError(ValueError):
    """A cell broke a rule; ``rule`` says which, in words fit for a rejects file."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def shown(value: Cell, limit: int = 40) -> str:
    """A cell as it may appear in a reason: quoted, shortened, NHS numbers masked."""
    text = cell_text(value)
    text = mask_nhs_numbers(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def cell_text(value: Cell) -> str:
    """A cell as text: whole-number floats lose their ``.0``; dates are written ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def is_blank(value: Cell) -> bool:
    """Empty, or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula (it starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return), unless it is a plain number such as ``-5``."""
    if not text.startswith(_FORMULA_START):
        return False
    try:
        float(text)
    except ValueError:
        return True
    return False


def normalised(text: str) -> str:
    """Text compared without regard to case, surrounding spaces or runs of spaces."""
    return _SPACES.sub(" ", text.strip()).casefold()


def parse_text(value: Cell, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Text, stripped: no control characters, no formula, not too long, no NHS number."""
    text = cell_text(value).strip()
    if "\ufffd" in text:
        raise CellError("holds bytes that are not text in the file's encoding")
    if _CONTROL.search(text):
        raise CellError("holds control characters (such as NUL), which text never holds")
    if len(text) > max_length:
        raise CellError(f"is longer than {max_length:,} characters ({len(text):,})")
    if text.startswith(("=", "@")) or (looks_like_formula(text) and "(" in text):
        raise CellError(
            "looks like a spreadsheet formula; text that a spreadsheet would run is never stored"
        )
    if find_nhs_numbers(text):
        raise CellError("holds an NHS number, which collab_core never stores")
    return text


def parse_int(value: Cell) -> int:
    """A whole number: ``71``, ``" 71 "``, ``71.0`` (a spreadsheet number)."""
    if isinstance(value, (bool, dt.date | dt.time)):
        raise CellError(f"must be a whole number (got {shown(value)})")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(f"must be a whole number (got {shown(value)})")
    text = cell_text(value).strip()
    if re.fullmatch(r"[+-]?\d{1,9}(\.0*)?", text):
        return int(text.split(".")[0])
    raise CellError(f"must be a whole number (got {shown(value)})")


def parse_bool(value: Cell, translation: Mapping[str, object] | None = None) -> bool:
    """Yes or no: the mapping's own words first, then Y/N, yes/no, true/false, 1/0."""
    if isinstance(value, bool):
        return value
    text = normalised(cell_text(value))
    if translation is not None and text in translation:
        answer = translation[text]
        if isinstance(answer, bool):
            return answer
    if text in BOOLEAN_WORDS:
        return BOOLEAN_WORDS[text]
    accepted = sorted({*(translation or {}), *BOOLEAN_WORDS})
    raise CellError(f"must be yes or no ({_some(accepted)}) (got {shown(value)})")


def parse_choice(
    value: Cell, choices: type[enum.Enum], translation: Mapping[str, object] | None = None
) -> enum.Enum:
    """One member of ``choices``: the mapping's translation of the cell, or the member's value
    or name written any way (``"Post discharge"`` is ``post_discharge``)."""
    text = normalised(cell_text(value))
    if translation is not None and text in translation:
        text = normalised(str(translation[text]))
    for member in choices:
        forms = {normalised(str(member.value)), normalised(member.name)}
        forms |= {f.replace("_", " ") for f in forms}
        if text in forms or text.replace("-", " ") in forms:
            return member
    accepted = sorted({*(translation or {}), *(str(m.value) for m in choices)})
    raise CellError(f"must be one of {_some(accepted)} (got {shown(value)})")


def parse_date(value: Cell, formats: Sequence[str]) -> dt.date:
    """A calendar day in one of ``formats`` (``strptime`` codes); a time of day after it is
    ignored. A text that reads as two different days under two formats is refused as
    ambiguous rather than guessed."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise CellError(
            f"must be a date, not a number (got {shown(value)}); format the column as dates "
            f"or text like {_example(formats)}"
        )
    text = value.strip()
    found: dict[dt.date, str] = {}
    for fmt in formats:
        candidate = text
        if "%H" not in fmt and "%I" not in fmt:
            candidate = _TIME_SUFFIX.sub("", text)
        try:
            day = dt.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
        found.setdefault(day, fmt)
    if not found:
        raise CellError(f"is not a date in the format {_some(list(formats))} (got {shown(value)})")
    if len(found) > 1:
        readings = " or ".join(f"{d.isoformat()} ({f})" for d, f in sorted(found.items()))
        raise CellError(
            f"is ambiguous: {shown(value)} reads as {readings}; keep one of these formats in the "
            f"mapping"
        )
    return next(iter(found))


def _some(items: Sequence[str], limit: int = 12) -> str:
    shown_items = [repr(i) for i in items[:limit]]
    more = len(items) - limit
    return ", ".join(shown_items) + (f" and {more} more" if more > 0 else "")


def _example(formats: Sequence[str]) -> str:
    day = dt.date(2018, 5, 2)
    return " or ".join(repr(day.strftime(f)) for f in formats[:2])


def translation_table(raw: Mapping[str, Any]) -> dict[str, object]:
    """A mapping's translation table, keyed the way cells are compared."""
    return {normalised(str(k)): v for k, v in raw.items()}

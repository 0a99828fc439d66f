"""How the site shows numbers and dates: a count as its number or ``*`` (withheld under
disclosure control), a share as a percentage, a figure to one decimal place, a period by its
label. These are the template filters; they compute nothing the publication does not carry."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from markupsafe import Markup

from collab_core import SUPPRESSED_MARK, Count, FinancialYear, Month, Quarter, Share
from collab_core import Figure as FigureValue

__all__ = [
    "dated",
    "number",
    "percent",
    "plain",
    "shown",
    "slug",
    "words",
]

_DASH = "–"
_HIDDEN = '<span class="nhsuk-u-visually-hidden"> (withheld)</span>'


def _suppressed() -> Markup:
    # The mark is what a reader sees; a screen reader also hears why a number is missing.
    return Markup(f"{SUPPRESSED_MARK}{_HIDDEN}")  # noqa: S704 - fixed text, nothing from data


def number(value: Fraction | float | int) -> str:
    """A number as the site writes it: whole numbers as they are, others to one decimal place
    (halves away from zero)."""
    if isinstance(value, int) or (isinstance(value, Fraction) and value.denominator == 1):
        return str(int(value))
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else Decimal(repr(value))
    )
    return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def percent(value: Fraction | None, places: int = 1) -> str:
    """A proportion as a percentage (``Fraction(1, 3)`` → ``"33.3%"``), or a dash."""
    if value is None:
        return _DASH
    exact = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    return f"{exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def plain(value: object) -> str:
    """A value as plain text: a :class:`~collab_core.Count` as its number or ``*``, a
    :class:`~collab_core.Share` as a percentage, a :class:`~collab_core.Figure` as a number,
    ``None`` as a dash, a period or a date as :func:`dated` writes it."""
    if value is None:
        return _DASH
    if isinstance(value, Count):
        return SUPPRESSED_MARK if value.is_suppressed else str(value.value)
    if isinstance(value, Share):
        text = value.shown()
        return _DASH if text == "-" else text
    if isinstance(value, FigureValue):
        if value.is_suppressed:
            return SUPPRESSED_MARK
        return _DASH if value.value is None else number(value.value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | Fraction | float):
        return number(value)
    if isinstance(value, dt.date | Month | Quarter | FinancialYear):
        return dated(value)
    if isinstance(value, enum.Enum):
        return words(value)
    return str(value)


def shown(value: object) -> str | Markup:
    """:func:`plain`, with a withheld number marked for screen readers as well as by ``*``."""
    text = plain(value)
    if text == SUPPRESSED_MARK and isinstance(value, Count | Share | FigureValue):
        return _suppressed()
    return text


def dated(value: dt.date | Month | Quarter | FinancialYear | None) -> str:
    """A day as ``3 December 2018``; a month, quarter or financial year by its label."""
    if value is None:
        return _DASH
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return value.label


def words(value: enum.Enum | str) -> str:
    """An enum's value in words: ``special_cause_improvement`` → ``Special cause improvement``."""
    text = str(value.value if isinstance(value, enum.Enum) else value).replace("_", " ")
    return text[:1].upper() + text[1:]


def slug(*parts: object) -> str:
    """A file name from labels: ``("2018/19", "RH8")`` → ``2018-19-rh8``."""
    out = []
    for part in parts:
        text = str(part).lower()
        cleaned = "".join(ch if ch.isalnum() else "-" for ch in text)
        out.append("-".join(filter(None, cleaned.split("-"))))
    return "-".join(filter(None, out))

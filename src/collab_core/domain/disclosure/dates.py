"""How exactly an audience may see a date: an exact date that could be a date of birth or death
is shown to the collaborative as its month and to the public as its quarter (by default).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TypeAlias

from collab_core.domain.calendar import FinancialYear, Month, Quarter
from collab_core.domain.errors import DomainValidationError

__all__ = ["DatePrecision", "Dated", "coarsen"]

#: A date in a publication body: exact, or coarsened to its month, quarter or financial year.
Dated: TypeAlias = dt.date | Month | Quarter | FinancialYear


class DatePrecision(enum.StrEnum):
    """The finest a date is shown: the day, its month, its quarter or its financial year."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def coarsen(value: dt.date, precision: DatePrecision) -> Dated:
    """``value`` shown no finer than ``precision``: the date itself, or the month, quarter or
    financial year that contains it. A date with a time (a ``datetime``) is a date too."""
    if not isinstance(value, dt.date):
        raise DomainValidationError("value", "must be a date", value)
    if precision is DatePrecision.DAY:
        return value
    day = value.date() if isinstance(value, dt.datetime) else value
    if precision is DatePrecision.MONTH:
        return Month.of(day)
    if precision is DatePrecision.QUARTER:
        return Quarter.of(day)
    if precision is DatePrecision.YEAR:
        return FinancialYear.of(day)
    raise DomainValidationError("precision", "must be a DatePrecision", precision)

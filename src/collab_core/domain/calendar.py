"""The NHS calendar: financial years (1 April - 31 March, written ``2018/19``), their quarters and
months as reporting periods, and working days in England.

Quarters: Q1 April-June, Q2 July-September, Q3 October-December, Q4 January-March.
Working days skip weekends and the bank holidays of England from the ``holidays`` package.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any, Literal, Protocol, runtime_checkable

import attrs
import holidays

from collab_core.domain._rules import in_range, is_type
from collab_core.domain.errors import DomainValidationError

__all__ = [
    "FinancialYear",
    "Month",
    "Period",
    "PeriodKind",
    "Quarter",
    "add_working_days",
    "bank_holidays_england",
    "is_working_day",
    "period_of",
    "periods_between",
    "working_days_between",
]

PeriodKind = Literal["month", "quarter", "year"]
# ASCII digits only: \d would also take other scripts' digits, which int() then accepts.
_FY = re.compile(r"([0-9]{4})\s*[/-]\s*([0-9]{2}|[0-9]{4})")
_Q = re.compile(r"([0-9]{4}\s*[/-]\s*(?:[0-9]{2}|[0-9]{4}))\s*Q([1-4])", re.IGNORECASE)


@runtime_checkable
class Period(Protocol):
    """A reporting period: a closed range of calendar days ``[start, end]``."""

    @property
    def start(self) -> dt.date: ...

    @property
    def end(self) -> dt.date: ...

    def __contains__(self, day: object) -> bool: ...


def _contains(period: Period, day: object) -> bool:
    if isinstance(day, dt.datetime):
        day = day.date()
    return isinstance(day, dt.date) and period.start <= day <= period.end


def _year_range(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    in_range(1948, 2999)(_inst, attr, value)  # the NHS began on 5 July 1948


@attrs.frozen(order=True)
class FinancialYear:
    """An NHS financial year, named by the calendar year it starts in: ``FinancialYear(2018)``
    runs from 1 April 2018 to 31 March 2019 and is written ``2018/19``."""

    start_year: int = attrs.field(validator=_year_range)

    @classmethod
    def of(cls, day: dt.date) -> FinancialYear:
        """The financial year that contains ``day``."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, text: object) -> FinancialYear:
        """Parse ``2018/19``, ``2018-19`` or ``2018/2019``."""
        match = _FY.fullmatch(text.strip()) if isinstance(text, str) else None
        if not match:
            raise DomainValidationError(
                "financial_year", "is written like 2018/19 (April to March)", text
            )
        start = int(match.group(1))
        end = match.group(2)
        end_year = int(end) if len(end) == 4 else (start + 1) % 100
        if (len(end) == 4 and end_year != start + 1) or (len(end) == 2 and int(end) != end_year):
            raise DomainValidationError(
                "financial_year", "the second year must follow the first", text
            )
        return cls(start)

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def quarters(self) -> tuple[Quarter, Quarter, Quarter, Quarter]:
        return (Quarter(self, 1), Quarter(self, 2), Quarter(self, 3), Quarter(self, 4))

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(m for q in self.quarters for m in q.months)

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    def next(self) -> FinancialYear:
        return FinancialYear(self.start_year + 1)

    def __contains__(self, day: object) -> bool:
        return _contains(self, day)

    def __str__(self) -> str:
        return self.label


@attrs.frozen(order=True)
class Quarter:
    """A quarter of an NHS financial year: Q1 April-June ... Q4 January-March."""

    year: FinancialYear = attrs.field(validator=is_type(FinancialYear))
    number: int = attrs.field(validator=in_range(1, 4))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        """The quarter that contains ``day``."""
        return cls(FinancialYear.of(day), (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def parse(cls, text: object) -> Quarter:
        """Parse ``2018/19 Q3`` (case and spacing are forgiven)."""
        match = _Q.fullmatch(text.strip()) if isinstance(text, str) else None
        if not match:
            raise DomainValidationError("quarter", "is written like 2018/19 Q3", text)
        return cls(FinancialYear.parse(match.group(1)), int(match.group(2)))

    @property
    def start(self) -> dt.date:
        month = (self.number - 1) * 3 + 4
        year = self.year.start_year
        if month > 12:
            month -= 12
            year += 1
        return dt.date(year, month, 1)

    @property
    def end(self) -> dt.date:
        nxt = self.next()
        return nxt.start - dt.timedelta(days=1)

    @property
    def months(self) -> tuple[Month, Month, Month]:
        first = Month.of(self.start)
        second = first.next()
        return (first, second, second.next())

    @property
    def label(self) -> str:
        return f"{self.year.label} Q{self.number}"

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year.next(), 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year.previous(), 4)
        return Quarter(self.year, self.number - 1)

    def __contains__(self, day: object) -> bool:
        return _contains(self, day)

    def __str__(self) -> str:
        return self.label


@attrs.frozen(order=True)
class Month:
    """A calendar month as a reporting period."""

    year: int = attrs.field(validator=_year_range)
    month: int = attrs.field(validator=in_range(1, 12))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def __contains__(self, day: object) -> bool:
        return _contains(self, day)

    def __str__(self) -> str:
        return self.label


def period_of(day: dt.date, kind: PeriodKind) -> Month | Quarter | FinancialYear:
    """The period of the given kind that contains ``day``."""
    if kind == "month":
        return Month.of(day)
    if kind == "quarter":
        return Quarter.of(day)
    if kind == "year":
        return FinancialYear.of(day)
    raise DomainValidationError("kind", "must be month, quarter or year", kind)


def periods_between(
    first: dt.date, last: dt.date, kind: PeriodKind
) -> list[Month | Quarter | FinancialYear]:
    """Every period of ``kind`` from the one containing ``first`` to the one containing ``last``."""
    if last < first:
        raise DomainValidationError("last", f"must not be before first ({first})", last)
    out: list[Month | Quarter | FinancialYear] = []
    current = period_of(first, kind)
    while current.start <= last:
        out.append(current)
        current = current.next()
    return out


@functools.lru_cache(maxsize=256)
def _holidays_for(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def bank_holidays_england(year: int) -> frozenset[dt.date]:
    """The bank holidays of England in a calendar year, from the ``holidays`` package."""
    return _holidays_for(year)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a bank holiday in England."""
    return day.weekday() < 5 and day not in _holidays_for(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count).

    ``add_working_days(friday, 1)`` is the next Monday, or Tuesday after a bank-holiday Monday.
    """
    if type(days) is not int or days < 0:  # exactly int: a bool is no count of days
        raise DomainValidationError("days", "must be a whole number of days, not negative", days)
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count

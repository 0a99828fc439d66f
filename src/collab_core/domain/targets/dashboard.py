"""The Learning from Deaths dashboard: Quality Account items 27.1-27.3 by trust and quarter,
with its blocks (adults split by age, under 18, age unknown, LD and autism).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

import attrs

from collab_core.domain._rules import each, is_type, optional_type, to_tuple
from collab_core.domain.calendar import FinancialYear, Quarter
from collab_core.domain.deaths import AgeBand, ScaleRegistry
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.facts import LfdFact, LfdQuery
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.organisations import Trust
from collab_core.domain.targets._numbers import _count, _derived, _share, as_percent
from collab_core.domain.targets.periods import _trusts_by_code


class LfdBlock(enum.StrEnum):
    """The blocks of the dashboard, each with its own deaths, reviewed and judged counts.

    ``ADULTS`` (18+) is the dashboard total, split into ``ADULTS_18_64`` and ``ADULTS_65_PLUS``
    (NHS England: mental health trusts may split adults provided the total covers all adults).
    Deaths under 18 and deaths with no recorded age are shown in their own blocks, outside the
    adult total; ``ALL_AGES`` adds them back (Quality Account item 27.1 counts every patient).
    ``LD_AUTISM`` shows the deaths of people with a learning disability and autistic people
    (LeDeR) of every age; they are counted in the other blocks too.
    """

    ALL_AGES = "all_ages"
    ADULTS = "adults"
    ADULTS_18_64 = "adults_18_64"
    ADULTS_65_PLUS = "adults_65_plus"
    UNDER_18 = "under_18"
    AGE_UNKNOWN = "age_unknown"
    LD_AUTISM = "ld_autism"


# The blocks counted directly from facts; the adult and all-ages totals are added up from them.
_COUNTED = (
    LfdBlock.ADULTS_18_64,
    LfdBlock.ADULTS_65_PLUS,
    LfdBlock.UNDER_18,
    LfdBlock.AGE_UNKNOWN,
    LfdBlock.LD_AUTISM,
)
_AGE_SLOT: dict[AgeBand | None, int] = {
    AgeBand.ADULT_18_64: 0,
    AgeBand.ADULT_65_PLUS: 1,
    AgeBand.UNDER_18: 2,
    None: 3,
}
_LD_SLOT = 4
# A row's counts as one flat tuple of ints (in scope, reviewed, judged per counted block), so
# that adding rows up is integer arithmetic rather than building objects.
_Vector: TypeAlias = tuple[int, ...]
_NOTHING: _Vector = (0,) * (3 * len(_COUNTED))


def _add(a: _Vector, b: _Vector) -> _Vector:
    return tuple(x + y for x, y in zip(a, b, strict=True))


@attrs.frozen(order=True)
class LfdCounts:
    """Deaths in scope (item 27.1), those reviewed or investigated (27.2), and those judged more
    likely than not due to problems in care (27.3). ``judged <= reviewed <= in_scope`` always:
    the dashboard shows reviewed deaths as a share of deaths in scope (NHS England)."""

    in_scope: int = attrs.field(default=0, validator=_count)
    reviewed: int = attrs.field(default=0, validator=_count)
    judged: int = attrs.field(default=0, validator=_count)

    def __attrs_post_init__(self) -> None:
        if self.reviewed > self.in_scope:
            raise DomainValidationError(
                "reviewed", f"must not exceed the deaths in scope ({self.in_scope})", self.reviewed
            )
        if self.judged > self.reviewed:
            raise DomainValidationError(
                "judged", f"must not exceed the deaths reviewed ({self.reviewed})", self.judged
            )

    @classmethod
    def of(cls, fact: LfdFact) -> LfdCounts:
        """The counts of one fact, checked (a native store's answer is checked here too)."""
        return cls(fact.in_scope, fact.reviewed, fact.judged)

    def __add__(self, other: LfdCounts) -> LfdCounts:
        if not isinstance(other, LfdCounts):
            return NotImplemented
        return LfdCounts(
            self.in_scope + other.in_scope,
            self.reviewed + other.reviewed,
            self.judged + other.judged,
        )

    def covers(self, other: LfdCounts) -> bool:
        """Every count here is at least the matching count of ``other``."""
        return (
            self.in_scope >= other.in_scope
            and self.reviewed >= other.reviewed
            and self.judged >= other.judged
        )

    @property
    def reviewed_share(self) -> Fraction | None:
        """Reviewed deaths as a share of deaths in scope (``None`` with no deaths in scope)."""
        return _share(self.reviewed, self.in_scope)

    @property
    def judged_share(self) -> Fraction | None:
        """Judged deaths as a share of deaths in scope (``None`` with no deaths in scope)."""
        return _share(self.judged, self.in_scope)

    def reviewed_percent(self, places: int = 1) -> Decimal | None:
        return as_percent(self.reviewed_share, places)

    def judged_percent(self, places: int = 1) -> Decimal | None:
        return as_percent(self.judged_share, places)


_ZERO = LfdCounts()


def _zero() -> LfdCounts:
    return _ZERO


@attrs.frozen
class LfdRow:
    """The dashboard's counts for one trust (``None``: the collaborative) and one period."""

    trust: OdsCode | None = attrs.field(validator=optional_type(OdsCode))
    period: Quarter | FinancialYear = attrs.field(validator=is_type(Quarter, FinancialYear))
    all_ages: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    adults: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    adults_18_64: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    adults_65_plus: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    under_18: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    age_unknown: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    ld_autism: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))

    def __attrs_post_init__(self) -> None:
        _derived("adults", self.adults, self.adults_18_64 + self.adults_65_plus)
        _derived("all_ages", self.all_ages, self.adults + self.under_18 + self.age_unknown)
        if not self.all_ages.covers(self.ld_autism):
            raise DomainValidationError(
                "ld_autism", "the LD and autism block is part of all deaths", self.ld_autism
            )

    @classmethod
    def from_blocks(
        cls,
        trust: OdsCode | None,
        period: Quarter | FinancialYear,
        blocks: Mapping[LfdBlock, LfdCounts],
    ) -> LfdRow:
        """A row from per-block counts; the adult and all-ages totals are added up here."""
        split = {b: blocks.get(b, _ZERO) for b in LfdBlock}
        adults = split[LfdBlock.ADULTS_18_64] + split[LfdBlock.ADULTS_65_PLUS]
        return cls(
            trust=trust,
            period=period,
            all_ages=adults + split[LfdBlock.UNDER_18] + split[LfdBlock.AGE_UNKNOWN],
            adults=adults,
            adults_18_64=split[LfdBlock.ADULTS_18_64],
            adults_65_plus=split[LfdBlock.ADULTS_65_PLUS],
            under_18=split[LfdBlock.UNDER_18],
            age_unknown=split[LfdBlock.AGE_UNKNOWN],
            ld_autism=split[LfdBlock.LD_AUTISM],
        )

    @classmethod
    def _of_vector(
        cls, trust: OdsCode | None, period: Quarter | FinancialYear, vector: _Vector
    ) -> LfdRow:
        return cls.from_blocks(
            trust,
            period,
            {b: LfdCounts(*vector[3 * i : 3 * i + 3]) for i, b in enumerate(_COUNTED)},
        )

    @property
    def _vector(self) -> _Vector:
        return tuple(
            n
            for b in _COUNTED
            for c in (self.block(b),)
            for n in (c.in_scope, c.reviewed, c.judged)
        )

    def block(self, block: LfdBlock) -> LfdCounts:
        """The counts of one block."""
        counts: LfdCounts = getattr(self, block.value)
        return counts

    def __add__(self, other: LfdRow) -> LfdRow:
        """Counts added block by block; the result keeps this row's trust and period."""
        if not isinstance(other, LfdRow):
            return NotImplemented
        return LfdRow._of_vector(self.trust, self.period, _add(self._vector, other._vector))

    @property
    def is_collaborative(self) -> bool:
        return self.trust is None


def _sum(vectors: Iterable[_Vector | None]) -> _Vector:
    total = _NOTHING
    for v in vectors:
        if v is not None:
            total = _add(total, v)
    return total


@attrs.frozen
class LfdDashboard:
    """The Learning from Deaths dashboard: per trust and for the collaborative, per quarter and
    per financial year, counted with reviews completed on or before ``as_of``.

    Deaths belong to the quarter in which they happened, not the quarter of their review. A
    trust has rows for the quarters in which it was a member on at least one day (all of such a
    quarter's deaths count, because the facts are kept by quarter); its year row adds up those
    quarters, and the collaborative's rows add up the trusts.

    :param trusts: the member trusts shown, in ODS-code order.
    :param rows: trust rows (trust by trust, quarters then year), then the collaborative's.
    """

    as_of: dt.date = attrs.field(validator=is_type(dt.date))
    years: tuple[FinancialYear, ...] = attrs.field(
        converter=to_tuple, validator=each(FinancialYear)
    )
    trusts: tuple[OdsCode, ...] = attrs.field(converter=to_tuple, validator=each(OdsCode))
    rows: tuple[LfdRow, ...] = attrs.field(converter=to_tuple, validator=each(LfdRow))

    @functools.cached_property
    def _index(self) -> dict[tuple[OdsCode | None, Quarter | FinancialYear], LfdRow]:
        return {(r.trust, r.period): r for r in self.rows}

    def __attrs_post_init__(self) -> None:
        if len(self._index) != len(self.rows):
            raise DomainValidationError("rows", "one row per trust and period")
        if list(self.years) != sorted(set(self.years)) or not self.years:
            raise DomainValidationError("years", "lists at least one year, each once, in order")
        if list(self.trusts) != sorted(set(self.trusts)):
            raise DomainValidationError("trusts", "lists each trust once, in ODS-code order")
        known = set(self.periods)
        for r in self.rows:
            if r.period not in known or (r.trust is not None and r.trust not in self.trusts):
                raise DomainValidationError("rows", "a row's trust and period are on the dashboard")
        vectors = {key: row._vector for key, row in self._index.items()}
        for year in self.years:
            for q in year.quarters:
                added = _sum(vectors.get((t, q)) for t in self.trusts)
                _derived(f"collaborative {q}", vectors.get((None, q)), added)
            for trust in (*self.trusts, None):
                parts = [vectors.get((trust, q)) for q in year.quarters]
                expected = _sum(parts) if trust is None or any(parts) else None
                _derived(f"{trust or 'collaborative'} {year}", vectors.get((trust, year)), expected)

    def row(self, trust: OdsCode | None, period: Quarter | FinancialYear) -> LfdRow | None:
        """The row of ``trust`` (``None``: the collaborative) for ``period``; ``None`` when the
        trust was not a member during the period."""
        year = period if isinstance(period, FinancialYear) else period.year
        if year not in self.years:
            raise DomainValidationError("period", "is not on this dashboard", str(period))
        if trust is not None and trust not in self.trusts:
            raise DomainValidationError("trust", "is not on this dashboard", str(trust))
        return self._index.get((trust, period))

    def collaborative(self, period: Quarter | FinancialYear) -> LfdRow:
        """The collaborative's row for ``period``."""
        self.row(None, period)  # checks the period is on the dashboard
        return self._index[(None, period)]

    @property
    def periods(self) -> tuple[Quarter | FinancialYear, ...]:
        """Every period on the dashboard: each year's quarters, then the year."""
        return tuple(p for y in self.years for p in (*y.quarters, y))


def lfd_dashboard_query(
    trusts: Iterable[Trust],
    years: Iterable[FinancialYear],
    as_of: dt.date,
    scales: ScaleRegistry | None = None,
) -> LfdQuery:
    """The :class:`LfdQuery` whose facts :func:`lfd_dashboard` needs: the deaths of the years,
    under each trust's own scope policy, for the trusts that were members during them."""
    span = sorted(set(years))
    if not span:
        raise DomainValidationError("years", "name at least one financial year", ())
    policies = {
        code: t.scope_policy
        for code, t in _trusts_by_code(trusts).items()
        if any(t.was_member_during(y) for y in span)
    }
    return LfdQuery(
        as_of=as_of,
        deaths_from=span[0].start,
        deaths_to=span[-1].end,
        policies=policies,
        scales=scales if scales is not None else ScaleRegistry(),
    )


def lfd_dashboard(
    facts: Iterable[LfdFact],
    trusts: Iterable[Trust],
    years: Iterable[FinancialYear],
    as_of: dt.date,
) -> LfdDashboard:
    """Build the dashboard from :class:`~collab_core.domain.facts.LfdFact` rows, from
    :func:`~collab_core.domain.facts.lfd_facts` or a store's native answer to
    :func:`lfd_dashboard_query`. ``as_of`` records the day the facts were counted to.

    Facts for other years, for trusts not listed, or for quarters in which their trust was not a
    member are left out. Each fact is checked (``judged <= reviewed <= in_scope``).
    """
    members = _trusts_by_code(trusts)
    span = tuple(sorted(set(years)))
    if not span:
        raise DomainValidationError("years", "name at least one financial year", ())
    member_quarters = {
        (code, q)
        for code, t in members.items()
        for y in span
        for q in y.quarters
        if t.was_member_during(q)
    }
    cells: dict[tuple[OdsCode, Quarter], list[int]] = {}
    for fact in facts:
        key = (fact.trust, fact.quarter)
        if key not in member_quarters:
            continue
        counts = LfdCounts.of(fact)  # checks judged <= reviewed <= in_scope
        cell = cells.setdefault(key, list(_NOTHING))
        slots = (
            (_AGE_SLOT[fact.age_band], _LD_SLOT) if fact.ld_autism else (_AGE_SLOT[fact.age_band],)
        )
        for slot in slots:
            cell[3 * slot] += counts.in_scope
            cell[3 * slot + 1] += counts.reviewed
            cell[3 * slot + 2] += counts.judged
    rows: list[LfdRow] = []
    codes = sorted(members)
    totals: dict[Quarter | FinancialYear, _Vector] = {}
    for code in codes:
        for year in span:
            year_total: _Vector | None = None
            for q in year.quarters:
                if (code, q) not in member_quarters:
                    continue
                vector = tuple(cells.get((code, q), _NOTHING))
                rows.append(LfdRow._of_vector(code, q, vector))
                year_total = _add(year_total or _NOTHING, vector)
                totals[q] = _add(totals.get(q, _NOTHING), vector)
            if year_total is not None:
                rows.append(LfdRow._of_vector(code, year, year_total))
    for year in span:
        for q in year.quarters:
            rows.append(LfdRow._of_vector(None, q, totals.get(q, _NOTHING)))
        rows.append(LfdRow._of_vector(None, year, _sum(totals.get(q) for q in year.quarters)))
    return LfdDashboard(as_of=as_of, years=span, trusts=tuple(codes), rows=tuple(rows))

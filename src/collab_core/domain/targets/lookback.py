"""The look-back of the Learning from Deaths dashboard: Quality Account items 27.7-27.9 about
last year's deaths.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from collab_core.domain._rules import each, is_type, optional_type, to_tuple
from collab_core.domain.calendar import FinancialYear
from collab_core.domain.deaths import ScaleRegistry
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.facts import LfdFact, LfdQuery
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.organisations import Trust
from collab_core.domain.targets._numbers import _count, _derived
from collab_core.domain.targets.dashboard import LfdCounts, lfd_dashboard, lfd_dashboard_query


@attrs.frozen
class LfdLookBackRow:
    """Items 27.7-27.9 for one trust (``None``: the collaborative).

    :param reviewed_in_year: 27.7, last year's deaths whose first review or investigation was
        completed during this year (deaths, not reviews).
    :param judged_in_year: 27.8, last year's deaths first judged more likely than not due to
        problems in care during this year.
    :param previous_estimate: 27.3 for last year, as known at the end of last year.
    :param revised_estimate: 27.9, ``previous_estimate + judged_in_year``.
    """

    trust: OdsCode | None = attrs.field(validator=optional_type(OdsCode))
    reviewed_in_year: int = attrs.field(validator=_count)
    judged_in_year: int = attrs.field(validator=_count)
    previous_estimate: int = attrs.field(validator=_count)
    revised_estimate: int = attrs.field(validator=_count)

    def __attrs_post_init__(self) -> None:
        _derived(
            "revised_estimate", self.revised_estimate, self.previous_estimate + self.judged_in_year
        )

    @classmethod
    def between(cls, trust: OdsCode | None, earlier: LfdCounts, later: LfdCounts) -> LfdLookBackRow:
        if not later.covers(earlier) or later.in_scope != earlier.in_scope:
            raise DomainValidationError(
                "later",
                "later facts about the same deaths count the same deaths in scope and no fewer "
                "reviewed or judged (were the two as-of dates swapped?)",
                str(trust or "collaborative"),
            )
        return cls(
            trust=trust,
            reviewed_in_year=later.reviewed - earlier.reviewed,
            judged_in_year=later.judged - earlier.judged,
            previous_estimate=earlier.judged,
            revised_estimate=later.judged,
        )


@attrs.frozen
class LfdLookBack:
    """Items 27.7-27.9 of ``year``'s Quality Account: about the deaths of the year before.

    :param rows: one row per trust that was a member during the previous year, in ODS-code
        order, then the collaborative's (``trust`` is ``None``).
    """

    year: FinancialYear = attrs.field(validator=is_type(FinancialYear))
    rows: tuple[LfdLookBackRow, ...] = attrs.field(
        converter=to_tuple, validator=each(LfdLookBackRow)
    )

    def __attrs_post_init__(self) -> None:
        if not self.rows or self.rows[-1].trust is not None:
            raise DomainValidationError("rows", "end with the collaborative's row")
        trusts, total = self.rows[:-1], self.rows[-1]
        for name in ("reviewed_in_year", "judged_in_year", "previous_estimate"):
            _derived(
                f"collaborative {name}", getattr(total, name), sum(getattr(r, name) for r in trusts)
            )

    @property
    def previous_year(self) -> FinancialYear:
        return self.year.previous()

    @property
    def collaborative(self) -> LfdLookBackRow:
        return self.rows[-1]

    def row(self, trust: OdsCode | None) -> LfdLookBackRow | None:
        """The row of ``trust`` (``None``: the collaborative), or ``None`` when not shown."""
        return next((r for r in self.rows if r.trust == trust), None)


def lfd_look_back_queries(
    trusts: Iterable[Trust], year: FinancialYear, scales: ScaleRegistry | None = None
) -> tuple[LfdQuery, LfdQuery]:
    """The two queries behind :func:`lfd_look_back`: last year's deaths counted with reviews
    completed by the end of last year, and the same deaths with reviews completed by the end
    of ``year``."""
    trusts = tuple(trusts)
    previous = year.previous()
    earlier = lfd_dashboard_query(trusts, [previous], previous.end, scales)
    return earlier, attrs.evolve(earlier, as_of=year.end)


def lfd_look_back(
    earlier: Iterable[LfdFact],
    later: Iterable[LfdFact],
    trusts: Iterable[Trust],
    year: FinancialYear,
) -> LfdLookBack:
    """Items 27.7-27.9 for ``year`` from the facts of :func:`lfd_look_back_queries`.

    With last year's deaths counted as of the end of last year (``earlier``) and as of the end
    of this year (``later``): 27.7 is the rise in reviewed deaths, 27.8 the rise in judged
    deaths, and 27.9 the judged count as of the end of this year, which equals last year's 27.3
    plus 27.8. All counts are of deaths in the all-ages block.
    """
    trusts = tuple(trusts)
    previous = year.previous()
    before = lfd_dashboard(earlier, trusts, [previous], previous.end)
    after = lfd_dashboard(later, trusts, [previous], year.end)
    rows = []
    for code in (*before.trusts, None):
        b, a = before.row(code, previous), after.row(code, previous)
        if b is None or a is None:
            continue
        rows.append(LfdLookBackRow.between(code, b.all_ages, a.all_ages))
    return LfdLookBack(year=year, rows=tuple(rows))

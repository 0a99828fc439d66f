"""Duty of Candour compliance: notifiable incidents notified within the deadline (Regulation 20)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from collab_core.domain._rules import each, is_type, optional_type, to_tuple
from collab_core.domain.candour import CandourCase, CandourPolicy
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.learning import Audience
from collab_core.domain.organisations import Trust
from collab_core.domain.targets._numbers import (
    _count,
    _derived,
    _optional_fraction,
    _share,
    as_percent,
)
from collab_core.domain.targets.coverage import sharing_query
from collab_core.domain.targets.periods import ReportingPeriod, _period


@attrs.frozen
class CandourRow:
    """Duty of Candour timeliness for one trust (``None``: every trust together).

    Notifiable incidents reported in the period are *due* once notified (or closed as
    unreachable) or once their deadline has passed; each due case was met (done by the
    deadline), late (done after it) or is overdue (still not done). Cases still inside their
    deadline are *pending* and stay out of the proportion.

    :param overdue: the ids of overdue cases, sorted (ids only: nothing else about a case).
    :param proportion: ``met / due`` (``None`` when nothing is due).
    """

    trust: OdsCode | None = attrs.field(validator=optional_type(OdsCode))
    due: int = attrs.field(validator=_count)
    met: int = attrs.field(validator=_count)
    late: int = attrs.field(validator=_count)
    overdue: tuple[uuid.UUID, ...] = attrs.field(converter=to_tuple, validator=each(uuid.UUID))
    pending: int = attrs.field(validator=_count)
    proportion: Fraction | None = attrs.field(validator=_optional_fraction)

    @classmethod
    def of(
        cls, trust: OdsCode | None, met: int, late: int, overdue: Iterable[uuid.UUID], pending: int
    ) -> CandourRow:
        ids = tuple(sorted(overdue))
        due = met + late + len(ids)
        return cls(trust, due, met, late, ids, pending, _share(met, due))

    def __attrs_post_init__(self) -> None:
        _derived("due", self.due, self.met + self.late + len(self.overdue))
        _derived("proportion", self.proportion, _share(self.met, self.due))
        if list(self.overdue) != sorted(set(self.overdue)):
            raise DomainValidationError("overdue", "lists each case once, sorted", sensitive=True)

    def percent(self, places: int = 1) -> Decimal | None:
        """The share of due cases met in time, as a percentage."""
        return as_percent(self.proportion, places)

    def __add__(self, other: CandourRow) -> CandourRow:
        if not isinstance(other, CandourRow):
            return NotImplemented
        return CandourRow.of(
            None,
            self.met + other.met,
            self.late + other.late,
            (*self.overdue, *other.overdue),
            self.pending + other.pending,
        )


@attrs.frozen
class CandourCompliance:
    """Duty of Candour compliance for ``period`` as known on ``as_of``, by trust and overall."""

    period: ReportingPeriod = attrs.field(validator=_period)
    as_of: dt.date = attrs.field(validator=is_type(dt.date))
    trusts: tuple[CandourRow, ...] = attrs.field(converter=to_tuple, validator=each(CandourRow))
    overall: CandourRow = attrs.field(validator=is_type(CandourRow))

    def __attrs_post_init__(self) -> None:
        total = CandourRow.of(None, 0, 0, (), 0)
        for row in self.trusts:
            total = total + row
        _derived("overall", self.overall, total)

    def row(self, trust: OdsCode) -> CandourRow | None:
        return next((r for r in self.trusts if r.trust == trust), None)


def candour_compliance(
    trusts: Iterable[Trust],
    cases: Iterable[CandourCase],
    period: ReportingPeriod,
    as_of: dt.date,
    policy: CandourPolicy | None = None,
    policies: Mapping[OdsCode, CandourPolicy] | None = None,
) -> CandourCompliance:
    """The share of notifiable incidents notified within the deadline (Regulation 20).

    A case counts when its trust was a member on the day it was reported, the report falls in
    ``period``, and it had been decided notifiable by ``as_of``. Steps recorded after ``as_of``
    are not yet known: a case notified after ``as_of`` is pending or overdue on ``as_of``.
    ``policy`` (default :class:`CandourPolicy`) sets the deadline, ``policies`` per trust.
    """
    default = policy if policy is not None else CandourPolicy()
    chosen = dict(policies or {})
    windows = sharing_query(trusts, period, Audience.COLLABORATIVE).windows
    tally: dict[OdsCode, list[Any]] = {code: [0, 0, [], 0] for code in sorted(windows)}
    for case in cases:
        window = windows.get(case.trust)
        if window is None or not window[0] <= case.reported_on <= window[1]:
            continue
        if case.reported_on > as_of or case.notifiable is not True:
            continue
        if case.decided_on is None or case.decided_on > as_of:
            continue
        rule = chosen.get(case.trust, default)
        done_on = case.notified_on if case.notified_on is not None else case.closed_on
        counts = tally[case.trust]
        if done_on is not None and done_on <= as_of:
            counts[0 if case.notified_within_deadline(rule) else 1] += 1
        elif as_of > case.deadline(rule):
            counts[2].append(case.id)
        else:
            counts[3] += 1
    rows = tuple(CandourRow.of(code, *counts) for code, counts in tally.items())
    overall = CandourRow.of(None, 0, 0, (), 0)
    for row in rows:
        overall = overall + row
    return CandourCompliance(period=period, as_of=as_of, trusts=rows, overall=overall)

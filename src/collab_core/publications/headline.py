"""The headline targets as a publication: sharing coverage (100% of member trusts share their
learning) and capability growth (30% more members who Learn, Live or Lead QI by March 2019),
each against its goal, with its trajectory.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from collab_core.domain.calendar import FinancialYear, Quarter
from collab_core.domain.disclosure import Count, Figure
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.learning import Audience
from collab_core.domain.targets import (
    CAPABILITY_DEADLINE,
    CAPABILITY_GROWTH,
    CAPABILITY_MEASURE,
    ReportingPeriod,
    capability_growth,
)
from collab_core.publications.bodies import (
    CapabilityStatus,
    CapabilityStep,
    CoverageStatus,
    CoverageStep,
    HeadlineTargetsBody,
)
from collab_core.publications.kinds import PublicationRequest, PublicationSource

__all__ = ["CAPABILITY_BASELINE_ON", "build_headline_targets"]

#: The day the capability baseline is counted on by default: the start of 2017/18, the year
#: before the collaborative's March 2019 deadline.
CAPABILITY_BASELINE_ON = dt.date(2017, 4, 1)


def _parts(period: ReportingPeriod) -> tuple[ReportingPeriod, ...]:
    """The steps of a trajectory through ``period``: quarters of a year, months of a quarter."""
    if isinstance(period, FinancialYear):
        return period.quarters
    if isinstance(period, Quarter):
        return period.months
    return (period,)


def _coverage(source: PublicationSource, request: PublicationRequest) -> CoverageStatus:
    audience = request.option("coverage_audience", Audience.COLLABORATIVE)
    if not isinstance(audience, Audience):
        audience = Audience(audience)
    cov = source.sharing_coverage(request.period, audience)
    steps = []
    for part in _parts(request.period):
        if part.start > request.as_of:
            break
        c = source.sharing_coverage(part, audience)
        steps.append(CoverageStep(part, c.numerator, c.denominator, c.proportion))
    return CoverageStatus(
        shared_with=audience,
        members=cov.denominator,
        shared=cov.numerator,
        not_shared=cov.not_shared,
        proportion=cov.proportion,
        goal=Fraction(1),
        met=cov.met,
        trajectory=tuple(steps),
    )


def _quarter_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    ends, quarter = [], Quarter.of(first)
    while quarter.end <= last:
        ends.append(quarter.end)
        quarter = quarter.next()
    return ends


def _capability(source: PublicationSource, request: PublicationRequest) -> CapabilityStatus | None:
    baseline_on = request.option("baseline_on", CAPABILITY_BASELINE_ON)
    deadline = request.option("deadline", CAPABILITY_DEADLINE)
    growth = request.option("growth", CAPABILITY_GROWTH)
    goal = request.option("goal")
    for name, day in (("baseline_on", baseline_on), ("deadline", deadline)):
        if type(day) is not dt.date:
            raise DomainValidationError(name, "must be a date", day)
    on = min(request.period.end, request.as_of)
    if on < baseline_on:
        return None
    baseline = source.capability_census(baseline_on)
    current = source.capability_census(on)
    result = capability_growth(baseline, current, deadline=deadline, growth=growth, goal=goal)
    target, progress = result.target, result.progress
    base = Count(baseline.count)
    steps = []
    for day in _quarter_ends(baseline_on, deadline):
        actual = Count(source.capability_census(day).count) if day <= on else None
        steps.append(CapabilityStep(day, Figure(target.expected_on(day), (base,)), actual))
    return CapabilityStatus(
        measure=CAPABILITY_MEASURE.name,
        baseline_on=baseline_on,
        baseline=base,
        goal=Figure(target.goal, (base,)),
        deadline=deadline,
        on=on,
        current=Count(current.count),
        expected=Figure(progress.expected, (base,)),
        progress=Figure(progress.progress, (base, Count(current.count))),
        on_track=progress.on_track,
        met=progress.met,
        projected_on=progress.projected_on,
        trajectory=tuple(steps),
    )


def build_headline_targets(
    source: PublicationSource, request: PublicationRequest
) -> HeadlineTargetsBody:
    """Build the headline targets for ``request.period``: coverage in the period, and capability
    counted at the period's end (or on ``as_of``, if that comes first).

    Options: ``coverage_audience`` (who the learning is shared with; default the
    collaborative), ``baseline_on`` (default 1 April 2017), ``deadline`` (31 March 2019),
    ``growth`` (3/10) and ``goal`` (an explicit goal, needed for a baseline of 0).
    """
    request.check_options("coverage_audience", "baseline_on", "deadline", "growth", "goal")
    return HeadlineTargetsBody(
        audience=request.audience.name,
        period=request.period,
        coverage=_coverage(source, request),
        capability=_capability(source, request),
    )

"""Strategies for the targets and headline figures: each result is computed by the library
from a drawn collaborative, so it is one the library can produce; simple counts are built
directly."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TypeVar

from hypothesis import strategies as st

from collab_core.domain.calendar import FinancialYear, Month, Quarter
from collab_core.domain.facts import lfd_facts
from collab_core.domain.learning import Audience
from collab_core.domain.people import MemberKind
from collab_core.domain.targets import (
    ActionsRow,
    CandourCompliance,
    CandourRow,
    CapabilityCensus,
    CapabilityGrowth,
    Direction,
    KindCount,
    LevelCount,
    LfdCounts,
    LfdDashboard,
    LfdLookBack,
    LfdLookBackRow,
    LfdRow,
    Measure,
    OverdueAction,
    OverdueActions,
    SharingCoverage,
    Target,
    TargetProgress,
    TrajectoryPoint,
    TrustCount,
    candour_compliance,
    capability_census,
    capability_growth,
    lfd_dashboard,
    lfd_dashboard_query,
    lfd_look_back,
    lfd_look_back_queries,
    sharing_coverage,
)
from collab_core.domain.targets import (
    overdue_actions as compute_overdue_actions,
)
from collab_core.testing.strategies._base import (
    _UUIDS,
    _day,
    _int,
    _later,
    _pick,
    days,
    free_text,
    ods_codes,
)
from collab_core.testing.strategies._collaborative import CollaborativeRecords, collaboratives

T = TypeVar("T")
R = TypeVar("R")

# Small collaboratives keep the figures quick to draw; two years allow a look-back.
_SMALL = collaboratives(max_trusts=3, years=2, max_members_per_trust=3, max_deaths_per_trust=3)
_EXACT = st.integers(-50, 200) | st.fractions(-50, 200, max_denominator=12)


def _of(make: Callable[[st.DrawFn, CollaborativeRecords], R]) -> st.SearchStrategy[R]:
    @st.composite
    def draw(draw: st.DrawFn) -> R:
        return make(draw, draw(_SMALL))

    return draw()


def _part(results: st.SearchStrategy[R], parts: Callable[[R], Sequence[T]]) -> st.SearchStrategy[T]:
    return results.map(parts).filter(bool).flatmap(lambda ps: st.sampled_from(tuple(ps)))


def _period(draw: st.DrawFn, c: CollaborativeRecords) -> Month | Quarter | FinancialYear:
    year = _pick(draw, c.years)
    quarter = _pick(draw, year.quarters)
    choices: tuple[Month | Quarter | FinancialYear, ...] = (
        year,
        quarter,
        _pick(draw, quarter.months),
    )
    return _pick(draw, choices)


@functools.cache
def measures() -> st.SearchStrategy[Measure]:
    """Named measures that targets are set on."""
    return st.builds(
        Measure,
        id=free_text(max_size=20),
        name=free_text(),
        unit=st.sampled_from(("members", "trusts", "proportion", "deaths")),
        description=st.just("") | free_text(),
    )


@functools.cache
def targets() -> st.SearchStrategy[Target]:
    """Targets going up or down, from a baseline to a goal beyond it, by a later deadline."""

    @st.composite
    def draw(draw: st.DrawFn) -> Target:
        direction = _pick(draw, Direction)
        baseline = Fraction(draw(_EXACT))
        step = Fraction(draw(st.integers(1, 100) | st.fractions(0, 100, max_denominator=12)))
        step = step if step > 0 else Fraction(1)
        baseline_on = draw(days())
        return Target(
            id=draw(free_text(max_size=20)),
            measure=draw(free_text(max_size=20)),
            baseline=baseline,
            baseline_on=baseline_on,
            goal=baseline + step if direction is Direction.UP else baseline - step,
            deadline=_later(draw, baseline_on + dt.timedelta(days=1), 1500),
            direction=direction,
            title=draw(st.just("") | free_text()),
        )

    return draw()


def trajectory_points() -> st.SearchStrategy[TrajectoryPoint]:
    """Points on targets' trajectories."""

    @st.composite
    def draw(draw: st.DrawFn) -> TrajectoryPoint:
        target = draw(targets())
        day = _day(draw, target.baseline_on - dt.timedelta(days=90), target.deadline)
        return target.trajectory([day])[0]

    return draw()


def target_progresses() -> st.SearchStrategy[TargetProgress]:
    """Where a measure stands against a target on a day (:meth:`Target.assess`)."""

    @st.composite
    def draw(draw: st.DrawFn) -> TargetProgress:
        target = draw(targets())
        day = _day(draw, target.baseline_on - dt.timedelta(days=90), target.deadline)
        return target.assess(draw(_EXACT), day)

    return draw()


@functools.cache
def sharing_coverages() -> st.SearchStrategy[SharingCoverage]:
    """Sharing coverage of collaboratives for a month, quarter or year and an audience."""
    return _of(
        lambda draw, c: sharing_coverage(
            c.trusts, c.sharing_events, _period(draw, c), _pick(draw, Audience)
        )
    )


@functools.cache
def capability_censuses() -> st.SearchStrategy[CapabilityCensus]:
    """Counts of members at each level of the 3 L's on a day."""
    return _of(
        lambda draw, c: capability_census(c.members, c.assessments, _day(draw, c.start, c.end))
    )


def level_counts() -> st.SearchStrategy[LevelCount]:
    """Members counted at a level."""
    return st.builds(LevelCount, free_text(max_size=12), st.integers(0, 500))


def kind_counts() -> st.SearchStrategy[KindCount]:
    """Members counted by kind."""
    return st.builds(KindCount, st.sampled_from(MemberKind), st.integers(0, 500))


def trust_counts() -> st.SearchStrategy[TrustCount]:
    """Members counted by trust (or with none)."""
    return st.builds(TrustCount, st.none() | ods_codes(), st.integers(0, 500))


@functools.cache
def capability_growths() -> st.SearchStrategy[CapabilityGrowth]:
    """Growth in capability between two censuses, against its target."""

    def growth(draw: st.DrawFn, c: CollaborativeRecords) -> CapabilityGrowth:
        first = _day(draw, c.start, c.end)
        baseline = capability_census(c.members, c.assessments, first)
        current = capability_census(c.members, c.assessments, _day(draw, first, c.end))
        # 30% more than nobody is nobody, so a baseline of 0 needs its goal given.
        goal = _int(draw, 1, 20) if baseline.count == 0 else None
        deadline = _later(draw, first + dt.timedelta(days=1), 1000)
        return capability_growth(baseline, current, deadline=deadline, goal=goal)

    return _of(growth)


def lfd_counts() -> st.SearchStrategy[LfdCounts]:
    """Dashboard counts: judged within reviewed within deaths in scope."""

    @st.composite
    def draw(draw: st.DrawFn) -> LfdCounts:
        in_scope = _int(draw, 0, 300)
        reviewed = _int(draw, 0, in_scope)
        return LfdCounts(in_scope, reviewed, _int(draw, 0, reviewed))

    return draw()


def _dashboard(draw: st.DrawFn, c: CollaborativeRecords) -> LfdDashboard:
    as_of = _day(draw, c.start, c.end + dt.timedelta(days=365))
    facts = lfd_facts(c.deaths, c.reviews, lfd_dashboard_query(c.trusts, c.years, as_of))
    return lfd_dashboard(facts, c.trusts, c.years, as_of)


@functools.cache
def lfd_dashboards() -> st.SearchStrategy[LfdDashboard]:
    """Learning from Deaths dashboards (Quality Account items 27.1-27.3) of collaboratives."""
    return _of(_dashboard)


def lfd_rows() -> st.SearchStrategy[LfdRow]:
    """Rows of Learning from Deaths dashboards."""
    return _part(lfd_dashboards(), lambda d: d.rows)


def _look_back(draw: st.DrawFn, c: CollaborativeRecords) -> LfdLookBack:
    year = c.years[-1]
    earlier, later = lfd_look_back_queries(c.trusts, year)
    return lfd_look_back(
        lfd_facts(c.deaths, c.reviews, earlier),
        lfd_facts(c.deaths, c.reviews, later),
        c.trusts,
        year,
    )


@functools.cache
def lfd_look_backs() -> st.SearchStrategy[LfdLookBack]:
    """The look back at last year's deaths (Quality Account items 27.7-27.9)."""
    return _of(_look_back)


def lfd_look_back_rows() -> st.SearchStrategy[LfdLookBackRow]:
    """Rows of look-backs."""
    return _part(lfd_look_backs(), lambda b: b.rows)


@functools.cache
def candour_compliances() -> st.SearchStrategy[CandourCompliance]:
    """Duty of Candour compliance of collaboratives for a period, as of a day."""
    return _of(
        lambda draw, c: candour_compliance(
            c.trusts, c.candour_cases, _period(draw, c), _day(draw, c.start, c.end)
        )
    )


def candour_rows() -> st.SearchStrategy[CandourRow]:
    """Rows of candour compliance (a trust's, or the overall row)."""
    return _part(candour_compliances(), lambda r: (*r.trusts, r.overall))


def overdue_actions() -> st.SearchStrategy[OverdueAction]:
    """Actions past their due date, with how many days."""
    return st.builds(
        OverdueAction,
        due_on=days(),
        learning_item_id=_UUIDS,
        action_id=_UUIDS,
        days_overdue=st.integers(0, 1000),
    )


@functools.cache
def overdue_action_reports() -> st.SearchStrategy[OverdueActions]:
    """Open and overdue actions of collaboratives, as of a day."""
    return _of(
        lambda draw, c: compute_overdue_actions(
            c.trusts, c.learning_items, _day(draw, c.start, c.end + dt.timedelta(days=365))
        )
    )


def actions_rows() -> st.SearchStrategy[ActionsRow]:
    """A trust's open and overdue actions."""
    return _part(overdue_action_reports(), lambda r: r.trusts)

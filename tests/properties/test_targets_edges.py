"""Edge periods: the financial-year boundary (31 March / 1 April), a trust joining on the last
day of a period, a trust leaving on the first day, and the as-of day itself."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given
from hypothesis import strategies as st

from collab_core import (
    Assessment,
    Audience,
    CaseReference,
    Death,
    DeathSetting,
    FinancialYear,
    Member,
    MemberKind,
    Month,
    OdsCode,
    Quarter,
    SharingEvent,
    Target,
    Trust,
    capability_census,
    lfd_dashboard,
    lfd_dashboard_query,
    sharing_coverage,
)
from collab_core.domain.facts import lfd_facts

RW1 = OdsCode("RW1")
years = st.integers(2000, 2030).map(FinancialYear)
periods = st.one_of(
    years,
    st.tuples(years, st.integers(1, 4)).map(lambda yq: Quarter(*yq)),
    st.tuples(st.integers(2000, 2030), st.integers(1, 12)).map(lambda ym: Month(*ym)),
)
audiences = st.sampled_from([Audience.COLLABORATIVE, Audience.FAMILY])
ONE_DAY = dt.timedelta(days=1)


def shared_on(day: dt.date, audience: Audience) -> SharingEvent:
    return SharingEvent(uuid.uuid4(), uuid.uuid4(), RW1, audience, day, "learning event")


@given(years, audiences)
def test_sharing_on_31_march_counts_for_the_year_ending_then_and_not_the_next(
    year: FinancialYear, audience: Audience
) -> None:
    member = Trust(RW1, "Trust", year.start - dt.timedelta(days=400))
    event = shared_on(year.end, audience)
    assert year.end == dt.date(year.start_year + 1, 3, 31)
    assert sharing_coverage([member], [event], year, audience).met is True
    assert sharing_coverage([member], [event], year.quarters[3], audience).met is True
    assert sharing_coverage([member], [event], year.next(), audience).met is False
    assert sharing_coverage([member], [event], year.next().quarters[0], audience).met is False


@given(years, audiences)
def test_sharing_on_1_april_counts_for_the_year_starting_then_and_not_the_last(
    year: FinancialYear, audience: Audience
) -> None:
    member = Trust(RW1, "Trust", year.start - dt.timedelta(days=400))
    event = shared_on(year.start, audience)
    assert sharing_coverage([member], [event], year, audience).met is True
    assert sharing_coverage([member], [event], year.previous(), audience).met is False


@given(periods, audiences)
def test_a_trust_joining_on_the_last_day_counts_and_only_that_days_sharing_counts(
    period: Quarter, audience: Audience
) -> None:
    joiner = Trust(RW1, "Trust", period.end)
    on_the_day = sharing_coverage([joiner], [shared_on(period.end, audience)], period, audience)
    the_day_before = sharing_coverage(
        [joiner], [shared_on(period.end - ONE_DAY, audience)], period, audience
    )
    assert (on_the_day.numerator, on_the_day.denominator) == (1, 1)
    assert (the_day_before.numerator, the_day_before.denominator) == (0, 1)


@given(periods, audiences)
def test_a_trust_leaving_on_the_first_day_counts_and_only_that_days_sharing_counts(
    period: Quarter, audience: Audience
) -> None:
    leaver = Trust(RW1, "Trust", period.start - dt.timedelta(days=30), left=period.start)
    on_the_day = sharing_coverage([leaver], [shared_on(period.start, audience)], period, audience)
    the_day_after = sharing_coverage(
        [leaver], [shared_on(period.start + ONE_DAY, audience)], period, audience
    )
    assert (on_the_day.numerator, on_the_day.denominator) == (1, 1)
    assert (the_day_after.numerator, the_day_after.denominator) == (0, 1)


@given(periods, audiences)
def test_a_trust_leaving_the_day_before_or_joining_the_day_after_is_not_counted(
    period: Quarter, audience: Audience
) -> None:
    gone = Trust(RW1, "Trust", period.start - dt.timedelta(days=30), left=period.start - ONE_DAY)
    coming = Trust(OdsCode("RX2"), "Trust", period.end + ONE_DAY)
    coverage = sharing_coverage([gone, coming], [], period, audience)
    assert coverage.denominator == 0
    assert coverage.proportion is None


def death_on(day: dt.date) -> Death:
    return Death(uuid.uuid4(), RW1, CaseReference(RW1, "D-1"), day, DeathSetting.INPATIENT, age=50)


@given(years)
def test_a_death_on_31_march_belongs_to_q4_and_one_on_1_april_to_the_next_q1(
    year: FinancialYear,
) -> None:
    member = Trust(RW1, "Trust", year.start - dt.timedelta(days=400))
    span = [year, year.next()]
    query = lfd_dashboard_query([member], span, year.next().end)
    deaths = [death_on(year.end), death_on(year.next().start)]
    board = lfd_dashboard(lfd_facts(deaths, [], query), [member], span, query.as_of)
    assert board.collaborative(year.quarters[3]).all_ages.in_scope == 1
    assert board.collaborative(year.next().quarters[0]).all_ages.in_scope == 1
    assert board.collaborative(year).all_ages.in_scope == 1
    assert board.collaborative(year.next()).all_ages.in_scope == 1


@given(years)
def test_a_trust_joining_on_31_march_is_on_that_years_dashboard_for_q4_only(
    year: FinancialYear,
) -> None:
    joiner = Trust(RW1, "Trust", year.end)
    board = lfd_dashboard([], [joiner], [year], year.end)
    assert [board.row(RW1, q) is not None for q in year.quarters] == [False, False, False, True]
    assert board.row(RW1, year) is not None


@given(st.dates(dt.date(2000, 1, 2), dt.date(2030, 12, 30)))
def test_capability_counts_a_member_on_the_day_they_leave_and_an_assessment_on_the_day(
    on: dt.date,
) -> None:
    def census_with(left: dt.date, assessed: dt.date) -> int:
        person = Member(uuid.uuid4(), "m", MemberKind.STAFF, RW1, dt.date(2000, 1, 1), left)
        done = Assessment(uuid.uuid4(), person.id, "3ls", "pdsa", "Learn", assessed)
        return capability_census([person], [done], on).count

    assert census_with(on, on) == 1
    assert census_with(on - ONE_DAY, on) == 0  # left the day before
    assert census_with(on, on + ONE_DAY) == 0  # assessed the day after


@given(st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)), st.integers(1, 3000))
def test_a_target_expects_its_goal_exactly_from_the_deadline(start: dt.date, span: int) -> None:
    target = Target("t", "m", 0, start, span, start + dt.timedelta(days=span))
    assert target.expected_on(target.deadline - ONE_DAY) == span - 1
    assert target.expected_on(target.deadline) == span
    assert target.expected_on(target.deadline + ONE_DAY) == span

"""Worked examples of every target and headline figure, each small enough to check by hand."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from collab_core import (
    HOGAN_PREVENTABILITY,
    RCP_AVOIDABILITY,
    Action,
    ActionStatus,
    AgeBand,
    Assessment,
    Audience,
    CandourCase,
    CandourPolicy,
    CaseReference,
    CollabError,
    Death,
    DeathSetting,
    Direction,
    DomainValidationError,
    FinancialYear,
    LearningItem,
    LfdBlock,
    LfdCounts,
    LfdRow,
    Member,
    MemberKind,
    Month,
    OdsCode,
    Quarter,
    ResponseType,
    Review,
    Score,
    SharingCoverage,
    SharingEvent,
    Target,
    Trust,
    UnreachableReason,
    as_percent,
    candour_compliance,
    capability_census,
    capability_growth,
    capability_target,
    growth_goal,
    lfd_dashboard,
    lfd_dashboard_query,
    lfd_look_back,
    lfd_look_back_queries,
    overdue_actions,
    sharing_coverage,
    sharing_query,
)
from collab_core.domain.facts import LfdFact, lfd_facts

D = dt.date
RW1, RX2, RY3 = OdsCode("RW1"), OdsCode("RX2"), OdsCode("RY3")
Q1 = Quarter.parse("2018/19 Q1")
FY18 = FinancialYear(2018)


FOUNDED = D(2017, 1, 1)


def trust(code: OdsCode, joined: dt.date = FOUNDED, left: dt.date | None = None) -> Trust:
    return Trust(code, f"Trust {code}", joined, left)


def shared(code: OdsCode, on: dt.date, audience: Audience = Audience.COLLABORATIVE) -> SharingEvent:
    return SharingEvent(uuid.uuid4(), uuid.uuid4(), code, audience, on, "learning event")


# --- presentation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Fraction(1, 8), 1, Decimal("12.5")),
        (Fraction(1, 8), 0, Decimal("13")),  # a half rounds away from zero
        (Fraction(-1, 8), 0, Decimal("-13")),
        (Fraction(1, 3), 2, Decimal("33.33")),
        (Fraction(2, 3), 1, Decimal("66.7")),
        (Fraction(0), 1, Decimal("0.0")),
        (Fraction(-1, 1000), 0, Decimal("0")),  # no negative zero
    ],
)
def test_percent_rounds_exactly_and_halves_away_from_zero(
    value: Fraction, places: int, shown: Decimal
) -> None:
    result = as_percent(value, places)
    assert result == shown
    assert str(result) == str(shown)


def test_an_undefined_proportion_presents_as_none() -> None:
    assert as_percent(None) is None


def test_percent_refuses_a_silly_number_of_places() -> None:
    with pytest.raises(DomainValidationError, match="places"):
        as_percent(Fraction(1, 2), -1)


# --- sharing coverage ------------------------------------------------------------------------


def test_coverage_counts_member_trusts_that_shared_with_the_collaborative() -> None:
    trusts = [trust(RW1), trust(RX2), trust(RY3)]
    events = [shared(RW1, D(2018, 5, 1)), shared(RX2, D(2018, 7, 1))]  # RX2 shared in Q2
    coverage = sharing_coverage(trusts, events, Q1, Audience.COLLABORATIVE)
    assert (coverage.numerator, coverage.denominator) == (1, 3)
    assert coverage.proportion == Fraction(1, 3)
    assert coverage.shared == (RW1,)
    assert coverage.not_shared == (RX2, RY3)
    assert coverage.to_share == 2
    assert coverage.proportion_gap == Fraction(2, 3)
    assert coverage.met is False
    assert coverage.percent() == Decimal("33.3")
    assert coverage.gap_percent() == Decimal("66.7")


def test_coverage_for_families_counts_only_sharing_with_families() -> None:
    trusts = [trust(RW1), trust(RX2)]
    events = [shared(RW1, D(2018, 5, 1)), shared(RX2, D(2018, 5, 2), Audience.FAMILY)]
    family = sharing_coverage(trusts, events, Q1, Audience.FAMILY)
    collaborative = sharing_coverage(trusts, events, Q1, Audience.COLLABORATIVE)
    assert family.shared == (RX2,)
    assert collaborative.shared == (RW1,)


def test_every_member_sharing_meets_the_target() -> None:
    trusts = [trust(RW1), trust(RX2)]
    events = [shared(RW1, D(2018, 4, 1)), shared(RX2, D(2018, 6, 30))]
    coverage = sharing_coverage(trusts, events, Q1, Audience.COLLABORATIVE)
    assert coverage.met is True
    assert coverage.proportion == 1
    assert coverage.proportion_gap == 0


def test_a_period_without_member_trusts_has_no_proportion() -> None:
    coverage = sharing_coverage([trust(RW1, D(2019, 1, 1))], [], Q1, Audience.COLLABORATIVE)
    assert coverage.denominator == 0
    assert coverage.proportion is None
    assert coverage.proportion_gap is None
    assert coverage.met is None
    assert coverage.percent() is None


def test_sharing_before_joining_or_after_leaving_does_not_count() -> None:
    joined = trust(RW1, D(2018, 5, 1))
    left = trust(RX2, D(2017, 1, 1), left=D(2018, 5, 31))
    events = [shared(RW1, D(2018, 4, 30)), shared(RX2, D(2018, 6, 1))]
    coverage = sharing_coverage([joined, left], events, Q1, Audience.COLLABORATIVE)
    assert coverage.denominator == 2  # both were members on some day of the quarter
    assert coverage.numerator == 0


def test_the_query_gives_each_trust_only_its_member_days() -> None:
    query = sharing_query(
        [
            trust(RW1, D(2018, 5, 1)),
            trust(RX2, left=D(2018, 5, 31)),
            trust(RY3, left=D(2018, 3, 31)),
        ],
        Q1,
        Audience.FAMILY,
    )
    assert query.audience is Audience.FAMILY
    assert query.windows == {
        RW1: (D(2018, 5, 1), D(2018, 6, 30)),
        RX2: (D(2018, 4, 1), D(2018, 5, 31)),
    }


def test_a_store_answer_naming_a_non_member_is_refused() -> None:
    with pytest.raises(DomainValidationError, match="not members"):
        SharingCoverage.of([trust(RW1)], Q1, Audience.COLLABORATIVE, {RW1, RX2})


def test_the_same_trust_twice_is_refused() -> None:
    with pytest.raises(DomainValidationError, match="once"):
        sharing_coverage([trust(RW1), trust(RW1)], [], Q1, Audience.COLLABORATIVE)


def test_coverage_derived_figures_cannot_be_edited_out_of_step() -> None:
    coverage = sharing_coverage([trust(RW1)], [], Q1, Audience.COLLABORATIVE)
    with pytest.raises(DomainValidationError, match="proportion"):
        attrs.evolve(coverage, proportion=Fraction(1))


def test_coverage_works_for_months_and_years() -> None:
    trusts = [trust(RW1), trust(RX2)]
    events = [shared(RW1, D(2019, 3, 31))]
    assert sharing_coverage(trusts, events, Month(2019, 3), Audience.COLLABORATIVE).numerator == 1
    assert sharing_coverage(trusts, events, FY18, Audience.COLLABORATIVE).numerator == 1
    assert (
        sharing_coverage(trusts, events, FinancialYear(2019), Audience.COLLABORATIVE).numerator == 0
    )


# --- the generic target ------------------------------------------------------------------------


def test_a_target_follows_the_straight_line_from_baseline_to_goal() -> None:
    target = Target("t", "m", 100, D(2018, 1, 1), 200, D(2018, 1, 11))
    assert target.expected_on(D(2018, 1, 1)) == 100
    assert target.expected_on(D(2018, 1, 4)) == 130
    assert target.expected_on(D(2018, 1, 11)) == 200
    assert target.expected_on(D(2017, 6, 1)) == 100  # before the baseline: the baseline
    assert target.expected_on(D(2019, 1, 1)) == 200  # after the deadline: the goal


def test_progress_on_track_and_projection_for_a_target_going_up() -> None:
    target = Target("t", "m", 100, D(2018, 1, 1), 200, D(2018, 1, 11))
    progress = target.assess(120, D(2018, 1, 3))  # 20 up in 2 days: 10 a day
    assert progress.expected == 120
    assert progress.on_track is True
    assert progress.met is False
    assert progress.progress == Fraction(1, 5)
    assert progress.remaining == 80
    assert progress.projected_on == D(2018, 1, 11)  # 100 more at 10 a day from the baseline
    assert progress.percent() == Decimal("20.0")


def test_a_target_going_down_is_on_track_below_its_line() -> None:
    target = Target("t", "m", 50, D(2018, 1, 1), 30, D(2018, 1, 21), Direction.DOWN)
    assert target.is_on_track(40, D(2018, 1, 11)) is True
    assert target.is_on_track(41, D(2018, 1, 11)) is False
    assert target.projected_on(45, D(2018, 1, 6)) == D(2018, 1, 21)
    assert target.is_met(30) is True
    assert target.is_met(31) is False


def test_no_movement_gives_no_projected_date() -> None:
    target = Target("t", "m", 10, D(2018, 1, 1), 20, D(2019, 1, 1))
    assert target.projected_on(10, D(2018, 6, 1)) is None
    assert target.projected_on(9, D(2018, 6, 1)) is None
    assert target.projected_on(15, D(2018, 1, 1)) is None  # no time has passed


def test_a_projection_rounds_up_to_a_whole_day() -> None:
    target = Target("t", "m", 0, D(2018, 1, 1), 10, D(2019, 1, 1))
    # 3 in 1 day: 10 is reached 3 1/3 days after the baseline, so on the 4th day.
    assert target.projected_on(3, D(2018, 1, 2)) == D(2018, 1, 5)


def test_targets_refuse_floats_and_goals_on_the_wrong_side() -> None:
    with pytest.raises(DomainValidationError, match="exact number"):
        Target("t", "m", 0.3, D(2018, 1, 1), 1, D(2019, 1, 1))
    with pytest.raises(DomainValidationError, match="above the baseline"):
        Target("t", "m", 10, D(2018, 1, 1), 10, D(2019, 1, 1))
    with pytest.raises(DomainValidationError, match="below the baseline"):
        Target("t", "m", 10, D(2018, 1, 1), 11, D(2019, 1, 1), Direction.DOWN)
    with pytest.raises(DomainValidationError, match="deadline"):
        Target("t", "m", 10, D(2018, 1, 1), 11, D(2018, 1, 1))


def test_targets_take_decimals_and_text_exactly() -> None:
    target = Target("t", "m", Decimal("0.3"), D(2018, 1, 1), "9/10", D(2019, 1, 1))
    assert target.baseline == Fraction(3, 10)
    assert target.goal == Fraction(9, 10)


def test_a_trajectory_lists_the_expected_value_on_each_day() -> None:
    target = Target("t", "m", 0, D(2018, 1, 1), 4, D(2018, 1, 5))
    points = target.trajectory([D(2018, 1, 2), D(2018, 1, 3)])
    assert [(p.on, p.expected) for p in points] == [(D(2018, 1, 2), 1), (D(2018, 1, 3), 2)]


# --- capability growth ---------------------------------------------------------------------


def member(
    kind: MemberKind = MemberKind.STAFF,
    trust_code: OdsCode | None = RW1,
    joined: dt.date = FOUNDED,
    left: dt.date | None = None,
) -> Member:
    return Member(uuid.uuid4(), f"m{uuid.uuid4().hex[:6]}", kind, trust_code, joined, left)


def assessed(who: Member, level: str, on: dt.date, subject: str = "measurement") -> Assessment:
    return Assessment(uuid.uuid4(), who.id, "3ls", subject, level, on)


def test_census_counts_members_holding_a_level_and_breaks_them_down() -> None:
    staff, lived, carer, loose = (
        member(),
        member(MemberKind.LIVED_EXPERIENCE, RX2),
        member(MemberKind.CARER_FAMILY, None),
        member(),
    )
    assessments = [
        assessed(staff, "Learn", D(2018, 1, 1)),
        assessed(staff, "Lead", D(2018, 2, 1), "pdsa"),
        assessed(lived, "Live", D(2018, 1, 1)),
        assessed(carer, "Learn", D(2018, 1, 1)),
    ]
    census = capability_census([staff, lived, carer, loose], assessments, D(2018, 3, 1))
    assert census.count == 3  # ``loose`` was never assessed
    assert [(r.level, r.count) for r in census.by_level] == [("Learn", 1), ("Live", 1), ("Lead", 1)]
    assert census.for_kind(MemberKind.STAFF) == 1
    assert census.for_kind(MemberKind.LIVED_EXPERIENCE) == 1
    assert census.for_kind(MemberKind.CARER_FAMILY) == 1
    assert [(r.trust, r.count) for r in census.by_trust] == [(RW1, 1), (RX2, 1), (None, 1)]


def test_census_ignores_later_assessments_and_members_who_left_or_had_not_joined() -> None:
    left = member(left=D(2018, 2, 28))
    late = member(joined=D(2018, 3, 2))
    future = member()
    assessments = [
        assessed(left, "Lead", D(2018, 1, 1)),
        assessed(late, "Lead", D(2018, 1, 1)),
        assessed(future, "Lead", D(2018, 3, 2)),
    ]
    census = capability_census([left, late, future], assessments, D(2018, 3, 1))
    assert census.count == 0


def test_census_lists_requested_trusts_even_with_nobody() -> None:
    census = capability_census([], [], D(2018, 3, 1), trusts=[RY3])
    assert [(r.trust, r.count) for r in census.by_trust] == [(RY3, 0)]


def test_census_with_a_higher_minimum_level() -> None:
    a, b = member(), member()
    assessments = [assessed(a, "Learn", D(2018, 1, 1)), assessed(b, "Live", D(2018, 1, 1))]
    census = capability_census([a, b], assessments, D(2018, 3, 1), minimum_level="live")
    assert census.count == 1
    assert [r.level for r in census.by_level] == ["Live", "Lead"]


def test_the_growth_goal_is_the_baseline_plus_30_percent_rounded_up() -> None:
    assert growth_goal(41) == 54  # 53.3 members: 54 people reach it
    assert growth_goal(10) == 13
    assert growth_goal(0) == 0
    assert growth_goal(10, Fraction(1, 2)) == 15


def test_growth_must_be_an_exact_positive_fraction() -> None:
    with pytest.raises(DomainValidationError, match="growth"):
        growth_goal(10, 0.3)  # type: ignore[arg-type]
    with pytest.raises(DomainValidationError, match="growth"):
        growth_goal(10, Fraction(0))


def test_a_baseline_of_nobody_needs_an_explicit_goal() -> None:
    with pytest.raises(DomainValidationError, match="explicit goal"):
        capability_target(0, D(2017, 4, 1))
    target = capability_target(0, D(2017, 4, 1), goal=25)
    assert target.goal == 25


def test_capability_growth_reports_the_target_and_the_trajectory() -> None:
    people = [member() for _ in range(13)]
    early = [assessed(p, "Learn", D(2017, 4, 1)) for p in people[:10]]
    later = [assessed(p, "Live", D(2018, 4, 1)) for p in people[10:12]]
    baseline = capability_census(people, early, D(2017, 4, 1))
    current = capability_census(people, early + later, D(2018, 4, 1))
    growth = capability_growth(baseline, current, deadline=D(2019, 4, 1))
    assert growth.goal == 13
    assert growth.change == 2
    # Halfway in time (365 of 730 days), the line expects 11.5; 12 is on track.
    assert growth.progress.expected == Fraction(23, 2)
    assert growth.progress.on_track is True
    # 3 to go at 2 a year: 365 x 3/2 = 547.5 days after the baseline, so on day 548.
    assert growth.progress.projected_on == D(2017, 4, 1) + dt.timedelta(days=548)


def test_capability_growth_refuses_a_current_census_before_the_baseline() -> None:
    a = member()
    early = capability_census([a], [assessed(a, "Learn", D(2017, 1, 1))], D(2018, 1, 1))
    before = capability_census([a], [assessed(a, "Learn", D(2017, 1, 1))], D(2017, 6, 1))
    with pytest.raises(DomainValidationError, match="before the baseline"):
        capability_growth(early, before)


# --- the Learning from Deaths dashboard ------------------------------------------------------


def death(
    code: OdsCode,
    on: dt.date,
    age: int | None = 40,
    *,
    ld: bool = False,
    setting: DeathSetting = DeathSetting.INPATIENT,
) -> Death:
    return Death(
        uuid.uuid4(),
        code,
        CaseReference(code, f"D-{uuid.uuid4().hex[:8]}"),
        on,
        setting,
        age=age,
        learning_disability=ld,
    )


def review(of: Death, completed: dt.date | None, *scores: Score) -> Review:
    return Review(
        uuid.uuid4(),
        of.id,
        of.trust,
        ResponseType.STRUCTURED_JUDGEMENT_REVIEW,
        of.died_on,
        completed,
        scores,
    )


def test_dashboard_counts_deaths_reviews_and_judgements_by_each_scale_rule() -> None:
    trusts = [trust(RW1), trust(RX2)]
    d1, d2, d3 = (
        death(RW1, D(2018, 4, 10)),
        death(RW1, D(2018, 5, 1), 70),
        death(RX2, D(2018, 8, 1)),
    )
    reviews = [
        review(d1, D(2018, 6, 1), Score.on(RCP_AVOIDABILITY, 3)),  # 3: probably avoidable
        review(d2, D(2018, 6, 1), Score.on(HOGAN_PREVENTABILITY, 3)),  # 3: not very likely
        review(d3, D(2019, 5, 1), Score.on(HOGAN_PREVENTABILITY, 5)),  # after as_of
    ]
    query = lfd_dashboard_query(trusts, [FY18], D(2019, 3, 31))
    board = lfd_dashboard(lfd_facts([d1, d2, d3], reviews, query), trusts, [FY18], query.as_of)
    q1 = board.row(RW1, Q1)
    assert q1 is not None
    assert q1.all_ages == LfdCounts(2, 2, 1)
    assert q1.adults_18_64 == LfdCounts(1, 1, 1)
    assert q1.adults_65_plus == LfdCounts(1, 1, 0)
    q2 = board.row(RX2, Q1.next())
    assert q2 is not None
    assert q2.all_ages == LfdCounts(1, 0, 0)
    assert board.collaborative(FY18).all_ages == LfdCounts(3, 2, 1)
    assert board.collaborative(FY18).all_ages.reviewed_percent() == Decimal("66.7")


def test_under_18_and_unknown_ages_sit_outside_the_adult_total() -> None:
    trusts = [trust(RW1)]
    deaths = [
        death(RW1, D(2018, 4, 10), 16),
        death(RW1, D(2018, 4, 11), None),
        death(RW1, D(2018, 4, 12)),
    ]
    query = lfd_dashboard_query(trusts, [FY18], D(2019, 3, 31))
    row = lfd_dashboard(lfd_facts(deaths, [], query), trusts, [FY18], query.as_of).row(RW1, FY18)
    assert row is not None
    assert row.adults.in_scope == 1
    assert row.under_18.in_scope == 1
    assert row.age_unknown.in_scope == 1
    assert row.all_ages.in_scope == 3
    assert row.block(LfdBlock.AGE_UNKNOWN) == row.age_unknown


def test_learning_disability_deaths_have_their_own_block_and_stay_in_the_totals() -> None:
    trusts = [trust(RW1)]
    ld = death(RW1, D(2018, 4, 10), 30, ld=True, setting=DeathSetting.NOT_UNDER_CARE)
    leder = Review(uuid.uuid4(), ld.id, RW1, ResponseType.LEDER, D(2018, 5, 1), D(2018, 9, 1))
    query = lfd_dashboard_query(trusts, [FY18], D(2019, 3, 31))
    row = lfd_dashboard(lfd_facts([ld], [leder], query), trusts, [FY18], query.as_of).row(RW1, Q1)
    assert row is not None
    assert row.ld_autism == LfdCounts(1, 1, 0)
    assert row.all_ages == LfdCounts(1, 1, 0)


def test_a_trust_has_rows_only_for_quarters_it_was_a_member() -> None:
    joined = trust(RX2, D(2018, 9, 30))  # the last day of Q2
    query = lfd_dashboard_query([joined], [FY18], D(2019, 3, 31))
    deaths = [death(RX2, D(2018, 4, 2)), death(RX2, D(2018, 7, 2)), death(RX2, D(2018, 10, 2))]
    board = lfd_dashboard(lfd_facts(deaths, [], query), [joined], [FY18], query.as_of)
    assert board.row(RX2, Q1) is None
    row = board.row(RX2, FY18)
    assert row is not None
    assert row.all_ages.in_scope == 2  # Q2 (all of it: facts are kept by quarter) and Q3
    assert board.collaborative(FY18).all_ages.in_scope == 2


def test_an_inconsistent_fact_from_a_store_is_refused() -> None:
    def from_a_bad_fact() -> None:
        bad = LfdFact(RW1, Q1, AgeBand.ADULT_18_64, False, in_scope=1, reviewed=2, judged=0)
        lfd_dashboard([bad], [trust(RW1)], [FY18], D(2019, 3, 31))

    with pytest.raises(DomainValidationError, match="reviewed"):
        from_a_bad_fact()


def test_a_dashboard_row_keeps_its_totals_consistent() -> None:
    with pytest.raises(DomainValidationError, match="adults"):
        LfdRow(RW1, Q1, adults=LfdCounts(1, 0, 0))


def test_asking_for_a_period_off_the_dashboard_is_an_error() -> None:
    board = lfd_dashboard([], [trust(RW1)], [FY18], D(2019, 3, 31))
    with pytest.raises(CollabError, match="not on this dashboard"):
        board.row(RW1, FinancialYear(2017))
    with pytest.raises(CollabError, match="not on this dashboard"):
        board.row(RX2, FY18)


def test_look_back_counts_last_years_deaths_reviewed_and_judged_this_year() -> None:
    trusts = [trust(RW1), trust(RX2)]
    last_year = FinancialYear(2017)
    d1, d2, d3 = death(RW1, D(2017, 6, 1)), death(RW1, D(2018, 2, 1)), death(RX2, D(2018, 3, 1))
    reviews = [
        review(d1, D(2017, 9, 1), Score.on(RCP_AVOIDABILITY, 2)),  # judged last year
        review(d2, D(2018, 5, 1), Score.on(RCP_AVOIDABILITY, 1)),  # reviewed and judged this year
        review(d3, D(2018, 6, 1), Score.on(RCP_AVOIDABILITY, 6)),  # reviewed this year
        review(d3, D(2019, 6, 1), Score.on(RCP_AVOIDABILITY, 1)),  # next year: not yet
    ]
    earlier_q, later_q = lfd_look_back_queries(trusts, FY18)
    assert (earlier_q.as_of, later_q.as_of) == (last_year.end, FY18.end)
    look = lfd_look_back(
        lfd_facts([d1, d2, d3], reviews, earlier_q),
        lfd_facts([d1, d2, d3], reviews, later_q),
        trusts,
        FY18,
    )
    total = look.collaborative
    assert (total.reviewed_in_year, total.judged_in_year) == (2, 1)  # 27.7, 27.8
    assert (total.previous_estimate, total.revised_estimate) == (1, 2)  # 27.3 then, 27.9
    rw1 = look.row(RW1)
    assert rw1 is not None
    assert (rw1.reviewed_in_year, rw1.judged_in_year, rw1.revised_estimate) == (1, 1, 2)


def test_look_back_with_the_as_of_dates_swapped_is_refused() -> None:
    trusts = [trust(RW1)]
    d1 = death(RW1, D(2018, 2, 1))
    reviews = [review(d1, D(2018, 5, 1))]
    earlier_q, later_q = lfd_look_back_queries(trusts, FY18)
    with pytest.raises(DomainValidationError, match="swapped"):
        lfd_look_back(
            lfd_facts([d1], reviews, later_q), lfd_facts([d1], reviews, earlier_q), trusts, FY18
        )


# --- candour and actions ---------------------------------------------------------------------


def candour(code: OdsCode, reported: dt.date) -> CandourCase:
    return CandourCase(uuid.uuid4(), code, reported)


def test_candour_compliance_sorts_cases_into_met_late_overdue_and_pending() -> None:
    policy = CandourPolicy(deadline_days=10, working_days=False)
    on_time = candour(RW1, D(2018, 4, 2)).decide(True, D(2018, 4, 3))
    on_time = on_time.notify_in_person(D(2018, 4, 12), apology=True)  # deadline 12 April
    late = candour(RW1, D(2018, 4, 2)).decide(True, D(2018, 4, 3))
    late = late.notify_in_person(D(2018, 4, 13), apology=True)
    overdue = candour(RX2, D(2018, 5, 1)).decide(True, D(2018, 5, 2))
    pending = candour(RX2, D(2018, 6, 25)).decide(True, D(2018, 6, 26))
    not_notifiable = candour(RX2, D(2018, 5, 1)).decide(False, D(2018, 5, 2))
    result = candour_compliance(
        [trust(RW1), trust(RX2)],
        [on_time, late, overdue, pending, not_notifiable],
        Q1,
        as_of=D(2018, 6, 30),
        policy=policy,
    )
    rw1, rx2 = result.row(RW1), result.row(RX2)
    assert rw1 is not None
    assert rx2 is not None
    assert (rw1.due, rw1.met, rw1.late, rw1.proportion) == (2, 1, 1, Fraction(1, 2))
    assert rx2.overdue == (overdue.id,)
    assert rx2.pending == 1
    assert rx2.proportion == 0
    assert result.overall.proportion == Fraction(1, 3)
    assert result.overall.percent() == Decimal("33.3")


def test_candour_steps_after_the_as_of_day_are_not_yet_known() -> None:
    policy = CandourPolicy(deadline_days=10, working_days=False)
    case = candour(RW1, D(2018, 4, 2)).decide(True, D(2018, 4, 3))
    case = case.notify_in_person(D(2018, 4, 20), apology=True)
    then = candour_compliance([trust(RW1)], [case], Q1, D(2018, 4, 15), policy)
    now = candour_compliance([trust(RW1)], [case], Q1, D(2018, 6, 30), policy)
    assert then.overall.overdue == (case.id,)
    assert now.overall.overdue == ()
    assert now.overall.late == 1


def test_closing_as_unreachable_in_time_counts_as_met() -> None:
    case = candour(RW1, D(2018, 4, 2)).decide(True, D(2018, 4, 3))
    case = case.record_attempt(D(2018, 4, 4), "letter")
    case = case.close_unreachable(UnreachableReason.CANNOT_BE_CONTACTED, D(2018, 4, 5))
    result = candour_compliance([trust(RW1)], [case], Q1, D(2018, 6, 30))
    assert result.overall.met == 1


def test_overdue_actions_are_listed_per_trust_oldest_first() -> None:
    def action(
        due: dt.date, status: ActionStatus = ActionStatus.PLANNED, done: dt.date | None = None
    ) -> Action:
        return Action(uuid.uuid4(), "Audit handovers", "Ward manager", due, status, done)

    old, newer, done_late, done, cancelled, not_due = (
        action(D(2018, 4, 1)),
        action(D(2018, 5, 1), ActionStatus.IN_PROGRESS),
        action(D(2018, 4, 15), ActionStatus.COMPLETED, D(2018, 7, 1)),  # open on the as-of day
        action(D(2018, 4, 15), ActionStatus.COMPLETED, D(2018, 5, 1)),
        action(D(2018, 4, 15), ActionStatus.CANCELLED),
        action(D(2018, 6, 30)),
    )
    item = LearningItem(
        uuid.uuid4(),
        RW1,
        "Handover",
        "Risk information was lost",
        D(2018, 3, 1),
        actions=(newer, old, done_late, done, cancelled, not_due),
    )
    later_item = LearningItem(
        uuid.uuid4(),
        RW1,
        "Later",
        "Recorded after",
        D(2018, 7, 1),
        actions=(action(D(2018, 1, 1)),),
    )
    result = overdue_actions([trust(RW1), trust(RX2)], [item, later_item], D(2018, 6, 30))
    rw1 = result.row(RW1)
    assert rw1 is not None
    assert rw1.open == 4
    assert [o.action_id for o in rw1.overdue] == [old.id, done_late.id, newer.id]
    assert rw1.overdue[0].days_overdue == (D(2018, 6, 30) - D(2018, 4, 1)).days
    assert result.row(RX2) is not None
    assert result.overdue == 3


def test_a_float_value_is_refused_when_assessing_a_target() -> None:
    target = Target("t", "m", 0, D(2018, 1, 1), 1, D(2019, 1, 1))
    with pytest.raises(DomainValidationError, match="exact number"):
        target.assess(0.3, D(2018, 6, 1))  # type: ignore[arg-type]

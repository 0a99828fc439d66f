"""Properties of capability growth: the census follows its definition, never falls when levels
rise, the +30% goal is exact for every baseline, and on the deadline being on track is meeting
the target."""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from fractions import Fraction

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from collab_core import (
    THREE_LS,
    Assessment,
    CapabilityFact,
    CapabilityQuery,
    DomainValidationError,
    Member,
    MemberKind,
    OdsCode,
    capability_census,
    capability_census_of,
    capability_facts,
    capability_growth,
    capability_target,
    growth_goal,
    levels_on,
)
from collab_core.testing import strategies
from collab_core.testing.strategies import CollaborativeRecords

FIRST, LAST = dt.date(2016, 4, 1), dt.date(2019, 12, 31)
SUBJECTS = ("measurement", "pdsa", "co-production")
LEVELS = ("Learn", "Live", "Lead")
days = st.dates(FIRST, LAST)


@st.composite
def members(draw: st.DrawFn) -> Member:
    joined = draw(days)
    return Member(
        id=draw(st.uuids()),
        handle="member",
        kind=draw(st.sampled_from(list(MemberKind))),
        trust=draw(st.sampled_from([OdsCode("RW1"), OdsCode("RX2"), None])),
        joined=joined,
        left=draw(st.none() | st.dates(joined, LAST)),
    )


def assessments_of(people: list[Member]) -> st.SearchStrategy[Assessment]:
    ids = [m.id for m in people] or [uuid.UUID(int=0)]
    return st.builds(
        Assessment,
        id=st.uuids(),
        member_id=st.sampled_from(ids),
        framework=st.just("3ls"),
        subject=st.sampled_from(SUBJECTS),
        level=st.sampled_from(LEVELS),
        assessed_on=days,
    )


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Member], list[Assessment]]:
    people = draw(st.lists(members(), max_size=8, unique_by=lambda m: m.id))
    return people, draw(st.lists(assessments_of(people), max_size=20))


@given(histories(), days)
def test_the_census_counts_exactly_the_assessed_members_on_the_day(
    history: tuple[list[Member], list[Assessment]], on: dt.date
) -> None:
    people, assessments = history
    assessed = {a.member_id for a in assessments if a.assessed_on <= on}
    expected = sum(1 for m in people if m.is_member_on(on) and m.id in assessed)
    census = capability_census(people, assessments, on)
    assert census.count == expected
    assert sum(r.count for r in census.by_level) == expected
    assert sum(r.count for r in census.by_kind) == expected
    assert sum(r.count for r in census.by_trust) == expected


@given(histories(), days, st.data())
def test_an_assessment_that_raises_a_level_never_lowers_the_count(
    history: tuple[list[Member], list[Assessment]], on: dt.date, data: st.DataObject
) -> None:
    people, assessments = history
    assume(people)
    for minimum in LEVELS:
        new = data.draw(assessments_of(people).filter(lambda a: a.assessed_on <= on))
        held = levels_on(assessments, THREE_LS, on).get((new.member_id, new.subject))
        assume(held is None or THREE_LS.level(new.level) >= held)
        before = capability_census(people, assessments, on, minimum_level=minimum)
        after = capability_census(people, [*assessments, new], on, minimum_level=minimum)
        assert after.count >= before.count


@given(histories(), days, st.data())
def test_assessments_after_the_day_and_members_who_left_do_not_count(
    history: tuple[list[Member], list[Assessment]], on: dt.date, data: st.DataObject
) -> None:
    people, assessments = history
    assume(on < LAST)
    future = data.draw(
        st.lists(
            assessments_of(people).filter(lambda a: a.assessed_on > on),
            max_size=5,
        )
    )
    joined = data.draw(st.dates(FIRST, on - dt.timedelta(days=1))) if on > FIRST else None
    assume(joined is not None)
    gone = Member(uuid.uuid4(), "gone", MemberKind.STAFF, None, joined, on - dt.timedelta(days=1))
    gone_assessed = Assessment(uuid.uuid4(), gone.id, "3ls", "pdsa", "Lead", joined)
    before = capability_census(people, assessments, on)
    after = capability_census([*people, gone], [*assessments, *future, gone_assessed], on)
    assert after == before


@given(histories(), days)
def test_a_higher_minimum_level_never_counts_more_members(
    history: tuple[list[Member], list[Assessment]], on: dt.date
) -> None:
    people, assessments = history
    counts = [capability_census(people, assessments, on, minimum_level=lv).count for lv in LEVELS]
    assert counts == sorted(counts, reverse=True)


@given(st.integers(0, 10**9))
def test_the_30_percent_goal_is_the_exact_ceiling_for_every_baseline(baseline: int) -> None:
    goal = growth_goal(baseline)
    assert goal == math.ceil(Fraction(13, 10) * baseline)
    assert goal == -(-13 * baseline // 10)
    assert Fraction(goal - 1) < Fraction(13, 10) * baseline <= goal


@given(st.integers(0, 10**6), st.fractions(min_value=Fraction(1, 1000), max_value=10))
def test_any_growth_goal_is_the_exact_ceiling(baseline: int, growth: Fraction) -> None:
    assert growth_goal(baseline, growth) == math.ceil((1 + growth) * baseline)


@given(st.integers(1, 10**6))
def test_a_growth_goal_is_always_above_a_positive_baseline(baseline: int) -> None:
    assert growth_goal(baseline) > baseline


@given(st.integers(1, 10**4), st.integers(0, 2 * 10**4), st.dates(FIRST, dt.date(2019, 3, 30)))
def test_on_the_deadline_being_on_track_is_meeting_the_target(
    baseline: int, count: int, baseline_on: dt.date
) -> None:
    target = capability_target(baseline, baseline_on)
    progress = target.assess(count, target.deadline)
    assert progress.on_track is progress.met
    assert progress.met is (count >= growth_goal(baseline))


@given(st.integers(1, 10**4), st.integers(0, 2 * 10**4), st.dates(FIRST, dt.date(2019, 3, 30)))
def test_after_the_deadline_being_on_track_is_meeting_the_target(
    baseline: int, count: int, baseline_on: dt.date
) -> None:
    target = capability_target(baseline, baseline_on)
    later = target.deadline + dt.timedelta(days=1)
    assert target.is_on_track(count, later) is target.is_met(count)


@given(histories(), st.dates(FIRST, dt.date(2018, 3, 31)), st.data())
def test_capability_growth_is_the_generic_target_applied_to_two_censuses(
    history: tuple[list[Member], list[Assessment]], baseline_on: dt.date, data: st.DataObject
) -> None:
    people, assessments = history
    on = data.draw(st.dates(baseline_on, LAST))
    baseline = capability_census(people, assessments, baseline_on)
    current = capability_census(people, assessments, on)
    if baseline.count == 0:
        with pytest.raises(DomainValidationError, match="explicit goal"):
            capability_growth(baseline, current)
        growth = capability_growth(baseline, current, goal=5)
    else:
        growth = capability_growth(baseline, current)
    assert growth.progress == growth.target.assess(current.count, on)
    assert growth.target.baseline == baseline.count
    assert growth.change == current.count - baseline.count


@given(strategies.collaboratives())
def test_the_census_of_a_whole_collaborative_follows_the_definition_each_year(
    records: CollaborativeRecords,
) -> None:
    for year in records.years:
        for on in (year.start, year.end):
            census = capability_census(records.members, records.assessments, on, records.framework)
            assessed = {a.member_id for a in records.assessments if a.assessed_on <= on}
            counted = [m for m in records.members if m.is_member_on(on) and m.id in assessed]
            assert census.count == len(counted)
            for kind in MemberKind:
                assert census.for_kind(kind) == sum(1 for m in counted if m.kind is kind)


# -- the census facts ----------------------------------------------------------------------


@given(histories(), days, st.sampled_from(LEVELS))
def test_the_census_facts_are_sorted_unique_cells_at_or_above_the_minimum(
    history: tuple[list[Member], list[Assessment]], on: dt.date, minimum: str
) -> None:
    people, assessments = history
    query = CapabilityQuery(on, THREE_LS, minimum)
    facts = capability_facts(people, assessments, query)
    assert facts == sorted(facts)
    cells = [(f.rank, f.kind, f.trust) for f in facts]
    assert len(cells) == len(set(cells))
    lowest = THREE_LS.level(minimum).rank
    assert all(f.rank >= lowest and f.level == LEVELS[f.rank - 1] for f in facts)
    census = capability_census(people, assessments, on, minimum_level=minimum)
    assert sum(f.count for f in facts) == census.count
    assert capability_census_of(facts, query) == census


@given(histories(), days, st.randoms(use_true_random=False))
def test_the_census_facts_do_not_depend_on_the_order_records_arrive_in(
    history: tuple[list[Member], list[Assessment]], on: dt.date, rng: random.Random
) -> None:
    people, assessments = history
    query = CapabilityQuery(on, THREE_LS)
    expected = capability_facts(people, assessments, query)
    rng.shuffle(people)
    rng.shuffle(assessments)
    assert capability_facts(people, assessments, query) == expected


@given(
    days,
    st.sampled_from(list(MemberKind)),
    st.sampled_from([OdsCode("RW1"), None]),
    st.integers(1, 10**6),
)
def test_a_census_refuses_facts_that_do_not_fit_its_query(
    on: dt.date, kind: MemberKind, trust: OdsCode | None, count: int
) -> None:
    learn = CapabilityFact(1, "Learn", kind, trust, count)
    assert capability_census_of([learn], CapabilityQuery(on, THREE_LS)).count == count
    with pytest.raises(DomainValidationError) as below:
        capability_census_of([learn], CapabilityQuery(on, THREE_LS, "Live"))
    assert below.value.field == "facts"
    with pytest.raises(DomainValidationError) as misranked:
        capability_census_of([attrs.evolve(learn, rank=3)], CapabilityQuery(on, THREE_LS))
    assert misranked.value.field == "facts"


def test_a_level_named_in_any_case_is_the_frameworks_level() -> None:
    member = Member(uuid.UUID(int=1), "m", MemberKind.STAFF, None, FIRST)
    assessed = [
        Assessment(uuid.UUID(int=2), member.id, "3ls", "pdsa", "LEAD", FIRST),
        Assessment(uuid.UUID(int=3), member.id, "3ls", "measurement", "live", FIRST),
    ]
    (fact,) = capability_facts([member], assessed, CapabilityQuery(FIRST, THREE_LS, "lIVE"))
    assert (fact.rank, fact.level, fact.count) == (3, "Lead", 1)

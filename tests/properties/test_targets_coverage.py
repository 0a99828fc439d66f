"""Properties of sharing coverage: a proportion in [0, 1] that only rises with sharing, ignores the
order of its input and is untouched by trusts that had left before the period."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given
from hypothesis import strategies as st

from collab_core import (
    Audience,
    FinancialYear,
    Month,
    OdsCode,
    Quarter,
    SharingCoverage,
    SharingEvent,
    Trust,
    sharing_coverage,
    sharing_query,
)
from collab_core.domain.facts import sharing_trusts
from collab_core.testing import strategies
from collab_core.testing.strategies import CollaborativeRecords

FIRST, LAST = dt.date(2017, 1, 1), dt.date(2020, 12, 31)
CODES = [OdsCode(c) for c in ("RW1", "RX2", "RY3", "R1A", "R2B", "TAK")]
days = st.dates(FIRST, LAST)
audiences = st.sampled_from([Audience.COLLABORATIVE, Audience.FAMILY])
periods = st.one_of(
    days.map(Month.of),
    days.map(Quarter.of),
    days.map(FinancialYear.of),
)


@st.composite
def trust_lists(draw: st.DrawFn, codes: list[OdsCode] = CODES) -> list[Trust]:
    chosen = draw(st.lists(st.sampled_from(codes), unique=True, max_size=len(codes)))
    out = []
    for code in chosen:
        joined = draw(days)
        left = draw(st.none() | st.dates(joined, LAST))
        out.append(Trust(code, f"Trust {code}", joined, left))
    return out


def events(codes: list[OdsCode] = CODES) -> st.SearchStrategy[SharingEvent]:
    return st.builds(
        SharingEvent,
        id=st.uuids(),
        learning_item_id=st.uuids(),
        trust=st.sampled_from(codes),
        audience=st.sampled_from(list(Audience)),
        shared_on=days,
        channel=st.just("learning event"),
    )


def event_lists() -> st.SearchStrategy[list[SharingEvent]]:
    return st.lists(events(), max_size=25)


@given(trust_lists(), event_lists(), periods, audiences)
def test_coverage_lies_between_nothing_and_everything(
    trusts: list[Trust], shared: list[SharingEvent], period: Quarter, audience: Audience
) -> None:
    coverage = sharing_coverage(trusts, shared, period, audience)
    if coverage.denominator == 0:
        assert coverage.proportion is None
        assert coverage.met is None
    else:
        assert coverage.proportion is not None
        assert 0 <= coverage.proportion <= 1
        assert coverage.proportion + coverage.proportion_gap == 1
    assert coverage.numerator + coverage.to_share == coverage.denominator


@given(trust_lists(), event_lists(), periods, audiences)
def test_coverage_matches_a_day_by_day_reading_of_the_definition(
    trusts: list[Trust], shared: list[SharingEvent], period: Quarter, audience: Audience
) -> None:
    members = {t.ods_code for t in trusts if t.was_member_during(period)}
    by_code = {t.ods_code: t for t in trusts}
    sharers = {
        e.trust
        for e in shared
        if e.audience is audience
        and e.trust in members
        and e.shared_on in period
        and by_code[e.trust].is_member_on(e.shared_on)
    }
    coverage = sharing_coverage(trusts, shared, period, audience)
    assert set(coverage.shared) == sharers
    assert set(coverage.not_shared) == members - sharers


@given(trust_lists(), event_lists(), events(), periods, audiences)
def test_adding_a_sharing_event_never_lowers_coverage(
    trusts: list[Trust],
    shared: list[SharingEvent],
    extra: SharingEvent,
    period: Quarter,
    audience: Audience,
) -> None:
    before = sharing_coverage(trusts, shared, period, audience)
    after = sharing_coverage(trusts, [*shared, extra], period, audience)
    assert after.denominator == before.denominator
    assert after.numerator >= before.numerator
    assert set(before.shared) <= set(after.shared)


@given(st.data(), trust_lists(), event_lists(), periods, audiences)
def test_the_order_of_the_input_does_not_change_coverage(
    data: st.DataObject,
    trusts: list[Trust],
    shared: list[SharingEvent],
    period: Quarter,
    audience: Audience,
) -> None:
    shuffled_trusts = data.draw(st.permutations(trusts))
    shuffled_events = data.draw(st.permutations(shared))
    assert sharing_coverage(shuffled_trusts, shuffled_events, period, audience) == (
        sharing_coverage(trusts, shared, period, audience)
    )


@given(trust_lists(CODES[:4]), event_lists(), periods, audiences, st.data())
def test_a_trust_that_left_before_the_period_never_affects_coverage(
    trusts: list[Trust],
    shared: list[SharingEvent],
    period: Quarter,
    audience: Audience,
    data: st.DataObject,
) -> None:
    before = period.start - dt.timedelta(days=1)
    joined = data.draw(st.dates(FIRST - dt.timedelta(days=400), before))
    gone = Trust(CODES[5], "Former member", joined, data.draw(st.dates(joined, before)))
    its_sharing = data.draw(st.lists(events([CODES[5]]), max_size=5))
    assert sharing_coverage([*trusts, gone], [*shared, *its_sharing], period, audience) == (
        sharing_coverage(trusts, shared, period, audience)
    )


@given(trust_lists(), event_lists(), periods, audiences)
def test_a_native_answer_to_the_query_gives_the_same_coverage(
    trusts: list[Trust], shared: list[SharingEvent], period: Quarter, audience: Audience
) -> None:
    # What a store with native aggregates does: answer the query, then hand back the trusts.
    query = sharing_query(trusts, period, audience)
    answer = sharing_trusts(iter(shared), query)
    assert SharingCoverage.of(trusts, period, audience, answer) == (
        sharing_coverage(trusts, shared, period, audience)
    )


@given(trust_lists(), periods, audiences)
def test_coverage_with_no_sharing_is_zero_for_any_members(
    trusts: list[Trust], period: Quarter, audience: Audience
) -> None:
    coverage = sharing_coverage(trusts, [], period, audience)
    assert coverage.numerator == 0
    assert coverage.met is (None if coverage.denominator == 0 else False)


def test_an_event_of_an_unknown_trust_is_ignored() -> None:
    trust = Trust(CODES[0], "Member", FIRST)
    stranger = SharingEvent(
        uuid.uuid4(), uuid.uuid4(), CODES[1], Audience.FAMILY, dt.date(2018, 5, 1), "meeting"
    )
    coverage = sharing_coverage(
        [trust], [stranger], Quarter.of(stranger.shared_on), Audience.FAMILY
    )
    assert (coverage.numerator, coverage.denominator) == (0, 1)


@given(strategies.collaboratives(), audiences)
def test_coverage_of_a_whole_collaborative_follows_the_definition_in_every_quarter(
    records: CollaborativeRecords, audience: Audience
) -> None:
    for year in records.years:
        for period in (*year.quarters, year):
            coverage = sharing_coverage(records.trusts, records.sharing_events, period, audience)
            members = {t.ods_code: t for t in records.trusts if t.was_member_during(period)}
            sharers = {
                e.trust
                for e in records.sharing_events
                if e.audience is audience
                and e.shared_on in period
                and e.trust in members
                and members[e.trust].is_member_on(e.shared_on)
            }
            assert set(coverage.shared) == sharers
            assert coverage.denominator == len(members)

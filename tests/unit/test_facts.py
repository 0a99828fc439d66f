"""The reference dashboard facts: deaths in scope, reviewed and judged more likely than not due
to problems in care (Quality Account items 27.1-27.3), per trust and quarter of death; and the
trusts that shared learning with an audience inside their window."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain import (
    HOGAN_PREVENTABILITY,
    RCP_AVOIDABILITY,
    Audience,
    CaseReference,
    Death,
    DeathSetting,
    DomainValidationError,
    OdsCode,
    Quarter,
    ResponseType,
    Review,
    ScopePolicy,
    Score,
    SharingEvent,
)
from collab_core.domain.facts import LfdFact, LfdQuery, SharingQuery, lfd_facts, sharing_trusts

TRUSTS = [OdsCode("RH8"), OdsCode("RX1")]
FROM, TO = dt.date(2018, 4, 1), dt.date(2019, 3, 31)
QUERY = LfdQuery(
    as_of=dt.date(2019, 9, 30),
    deaths_from=FROM,
    deaths_to=TO,
    policies={t: ScopePolicy() for t in TRUSTS},
)

death_rows = st.lists(
    st.tuples(
        st.sampled_from(TRUSTS),
        st.dates(dt.date(2018, 1, 1), dt.date(2019, 6, 30)),
        st.sampled_from(list(DeathSetting)),
        st.one_of(st.none(), st.integers(10, 99)),
        st.booleans(),
        # review: none, or (response, delay in days, RCP or Hogan, value)
        st.one_of(
            st.none(),
            st.tuples(
                st.sampled_from(list(ResponseType)),
                st.integers(0, 400),
                st.sampled_from([RCP_AVOIDABILITY, HOGAN_PREVENTABILITY]),
                st.integers(1, 6),
            ),
        ),
    ),
    max_size=30,
)


def _build(rows: list[tuple]) -> tuple[list[Death], list[Review]]:  # type: ignore[type-arg]
    deaths, reviews = [], []
    for i, (trust, died, setting, age, ld, rv) in enumerate(rows):
        discharged = (
            died - dt.timedelta(days=10) if setting is DeathSetting.POST_DISCHARGE else None
        )
        d = Death(
            uuid.UUID(int=i + 1),
            trust,
            CaseReference(trust, f"C{i}"),
            died,
            setting,
            age=age,
            discharged_on=discharged,
            learning_disability=ld,
        )
        deaths.append(d)
        if rv is not None:
            response, delay, scale, value = rv
            reviews.append(
                Review(
                    uuid.UUID(int=10_000 + i),
                    d.id,
                    trust,
                    response,
                    started_on=died,
                    completed_on=died + dt.timedelta(days=delay),
                    scores=[Score.on(scale, value)],
                )
            )
    return deaths, reviews


@given(death_rows)
def test_reviewed_deaths_never_exceed_deaths_in_scope_nor_judged_the_reviewed(
    rows: list[tuple],  # type: ignore[type-arg]
) -> None:
    deaths, reviews = _build(rows)
    facts = lfd_facts(deaths, reviews, QUERY)
    for f in facts:
        assert 0 <= f.judged <= f.reviewed <= f.in_scope
    in_window = [d for d in deaths if FROM <= d.died_on <= TO and d.in_scope(ScopePolicy())]
    assert sum(f.in_scope for f in facts) == len(in_window)
    assert facts == sorted(facts)


@given(death_rows)
def test_every_death_counts_in_the_quarter_it_died_in_whenever_it_was_reviewed(
    rows: list[tuple],  # type: ignore[type-arg]
) -> None:
    deaths, reviews = _build(rows)
    facts = lfd_facts(deaths, reviews, QUERY)
    for f in facts:
        assert f.quarter.start >= Quarter.of(FROM).start
        assert f.quarter.end <= Quarter.of(TO).end
    by_quarter: dict[tuple[OdsCode, Quarter], int] = {}
    for d in deaths:
        if FROM <= d.died_on <= TO and d.in_scope(ScopePolicy()):
            key = (d.trust, d.quarter)
            by_quarter[key] = by_quarter.get(key, 0) + 1
    summed: dict[tuple[OdsCode, Quarter], int] = {}
    for f in facts:
        summed[(f.trust, f.quarter)] = summed.get((f.trust, f.quarter), 0) + f.in_scope
    assert summed == by_quarter


def test_a_q4_death_reviewed_next_year_is_judged_in_q4_by_its_scales_own_rule() -> None:
    trust = TRUSTS[0]
    d = Death(
        uuid.UUID(int=1),
        trust,
        CaseReference(trust, "A1"),
        dt.date(2019, 3, 20),
        DeathSetting.INPATIENT,
        age=40,
    )
    reviewed = Review(
        uuid.UUID(int=2),
        d.id,
        trust,
        ResponseType.STRUCTURED_JUDGEMENT_REVIEW,
        started_on=dt.date(2019, 4, 10),
        completed_on=dt.date(2019, 6, 1),
        scores=[Score.on(RCP_AVOIDABILITY, 2)],
    )
    (fact,) = lfd_facts([d], [reviewed], QUERY)
    assert fact.quarter == Quarter.parse("2018/19 Q4")
    assert (fact.in_scope, fact.reviewed, fact.judged) == (1, 1, 1)
    # Not yet completed on the as_of day: in scope, not reviewed.
    early = LfdQuery(dt.date(2019, 5, 31), FROM, TO, QUERY.policies)
    (fact,) = lfd_facts([d], [reviewed], early)
    assert (fact.in_scope, fact.reviewed, fact.judged) == (1, 0, 0)


def test_deaths_of_unknown_and_known_age_sort_together() -> None:
    trust = TRUSTS[0]
    deaths = [
        Death(
            uuid.UUID(int=i),
            trust,
            CaseReference(trust, f"A{i}"),
            dt.date(2018, 5, 1),
            DeathSetting.INPATIENT,
            age=age,
        )
        for i, age in enumerate([None, 30, 70, None])
    ]
    facts = lfd_facts(deaths, [], QUERY)
    assert [f.age_band for f in facts] == [None, *sorted(f.age_band for f in facts if f.age_band)]
    assert sum(f.in_scope for f in facts) == 4


@pytest.mark.parametrize(
    ("in_scope", "reviewed", "judged"), [(1, 2, 0), (2, 1, 2), (-1, 0, 0), (1, 1, True)]
)
def test_a_fact_whose_counts_are_not_nested_subsets_is_refused(
    in_scope: int, reviewed: int, judged: int
) -> None:
    with pytest.raises(DomainValidationError):
        LfdFact(TRUSTS[0], Quarter.of(FROM), None, False, in_scope, reviewed, judged)


def test_a_query_whose_window_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(DomainValidationError) as err:
        LfdQuery(dt.date(2019, 1, 1), TO, FROM)
    assert err.value.field == "deaths_to"


def test_the_judged_values_of_each_scale_are_given_for_native_engines() -> None:
    judged = QUERY.judged_values
    assert judged[RCP_AVOIDABILITY.key] == frozenset({1, 2, 3})
    assert judged[HOGAN_PREVENTABILITY.key] == frozenset({4, 5, 6})


@given(
    st.lists(
        st.tuples(
            st.sampled_from(TRUSTS),
            st.sampled_from(list(Audience)),
            st.dates(dt.date(2018, 1, 1), dt.date(2019, 12, 31)),
        ),
        max_size=20,
    )
)
def test_a_trust_shared_when_it_has_an_event_for_the_audience_inside_its_own_window(
    rows: list[tuple[OdsCode, Audience, dt.date]],
) -> None:
    windows = {TRUSTS[0]: (dt.date(2018, 4, 1), dt.date(2019, 3, 31))}
    events = [
        SharingEvent(uuid.UUID(int=i), uuid.UUID(int=100), t, a, on, "board paper")
        for i, (t, a, on) in enumerate(rows)
    ]
    found = sharing_trusts(events, SharingQuery(Audience.TRUST_BOARD, windows))
    expected = {
        t
        for t, a, on in rows
        if a is Audience.TRUST_BOARD and t in windows and windows[t][0] <= on <= windows[t][1]
    }
    assert found == expected

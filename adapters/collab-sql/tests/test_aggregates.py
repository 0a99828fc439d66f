"""The dashboard facts computed in SQL agree with the pure reference on random data, on both
engines, including the errors the reference raises; and the derived columns follow the
domain's own scope rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from collab_sql_testkit import (
    ALL_SCALES,
    a_death,
    a_review,
    days,
    deaths,
    policy_maps,
    reviews_of,
    sharings,
    trust_codes,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_core import (
    RCP_AVOIDABILITY,
    Audience,
    CollabError,
    Death,
    DeathSetting,
    OdsCode,
    Review,
    ScaleRegistry,
    ScopePolicy,
    ScopeReason,
    Score,
    SharingEvent,
)
from collab_core.ports import LfdQuery, SharingQuery, lfd_facts, sharing_trusts
from collab_sql import SqlStore
from collab_sql._derived import contact_months, decode_quarter, encode_quarter
from collab_sql.schema import RECORD_TABLES, REVIEW_SCORE

# Each example writes to a real database: a fixture-scoped store, emptied per example.
DB_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _empty(store: SqlStore) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.delete(REVIEW_SCORE))
        for kind in ("review", "death", "sharing"):
            conn.execute(sa.delete(RECORD_TABLES[kind]))


@st.composite
def populations(draw: st.DrawFn, *, stray: bool = False) -> tuple[list[Death], list[Review]]:
    people = draw(st.lists(deaths(), max_size=25))
    reviews: list[Review] = []
    for death in people:
        reviews.extend(draw(st.lists(reviews_of(death, stray=stray), max_size=3)))
    # Reviews of deaths the store does not hold count for nothing, but must not break anything.
    reviews.extend(draw(st.lists(deaths().flatmap(reviews_of), max_size=2)))
    return people, reviews


@st.composite
def lfd_queries(draw: st.DrawFn, *, stray: bool = False) -> LfdQuery:
    start = draw(days)
    end = draw(days.filter(lambda d: d >= start))
    registries = [ALL_SCALES, ALL_SCALES[:-1], ()] if stray else [ALL_SCALES, ALL_SCALES[:-1]]
    scales = ScaleRegistry.of(draw(st.sampled_from(registries)))
    return LfdQuery(
        as_of=draw(days),
        deaths_from=start,
        deaths_to=end,
        policies=draw(policy_maps()),
        scales=scales,
    )


def _outcome(compute: Any) -> Any:
    """What a computation returns, or the class and message of the error it raises."""
    try:
        return compute()
    except CollabError as exc:
        return (type(exc), str(exc))


@DB_SETTINGS
@given(data=populations(), query=lfd_queries())
def test_lfd_facts_in_sql_equal_the_reference(
    store: SqlStore, data: tuple[list[Death], list[Review]], query: LfdQuery
) -> None:
    people, reviews = data
    _empty(store)
    with store.unit_of_work() as unit:
        unit.put([*people, *reviews])
    assert store.lfd_facts(query) == lfd_facts(people, reviews, query)


@DB_SETTINGS
@given(data=populations(stray=True), query=lfd_queries(stray=True))
def test_lfd_facts_in_sql_fail_exactly_when_the_reference_fails(
    store: SqlStore, data: tuple[list[Death], list[Review]], query: LfdQuery
) -> None:
    people, reviews = data
    _empty(store)
    with store.unit_of_work() as unit:
        unit.put([*people, *reviews])
    # The reference judges reviews in the order it is given them: the store's key order.
    ordered = sorted(reviews, key=lambda r: str(r.id))
    expected = _outcome(lambda: lfd_facts(people, ordered, query))
    assert _outcome(lambda: store.lfd_facts(query)) == expected


@DB_SETTINGS
@given(
    events=st.lists(sharings, max_size=30),
    audience=st.sampled_from(Audience),
    windows=st.dictionaries(
        trust_codes.map(OdsCode), st.tuples(days, days).map(lambda w: tuple(sorted(w))), max_size=4
    ),
)
def test_sharing_trusts_in_sql_equal_the_reference(
    store: SqlStore,
    events: list[SharingEvent],
    audience: Audience,
    windows: dict[OdsCode, tuple[dt.date, dt.date]],
) -> None:
    _empty(store)
    with store.unit_of_work() as unit:
        unit.put(events)
    query = SharingQuery(audience, windows)
    assert store.sharing_trusts(query) == sharing_trusts(events, query)


def test_a_review_counts_for_the_quarter_of_the_death_not_of_the_review(store: SqlStore) -> None:
    death = a_death(died_on=dt.date(2019, 6, 30))
    review = a_review(
        death, completed_on=dt.date(2019, 7, 15), scores=(Score.on(RCP_AVOIDABILITY, 1),)
    )
    with store.unit_of_work() as unit:
        unit.put([death, review])
    query = LfdQuery(
        as_of=dt.date(2019, 12, 31),
        deaths_from=dt.date(2019, 4, 1),
        deaths_to=dt.date(2019, 12, 31),
        policies={OdsCode("RH8"): ScopePolicy()},
    )
    (fact,) = store.lfd_facts(query)
    assert (fact.quarter.label, fact.in_scope, fact.reviewed, fact.judged) == (
        "2019/20 Q1",
        1,
        1,
        1,
    )
    assert store.lfd_facts(query) == lfd_facts([death], [review], query)


def test_a_score_on_a_scale_the_query_does_not_know_fails_like_the_reference(
    store: SqlStore,
) -> None:
    death = a_death()
    review = a_review(death, completed_on=dt.date(2019, 6, 1), scores=(Score("no-such", 1, 3),))
    with store.unit_of_work() as unit:
        unit.put([death, review])
    query = LfdQuery(
        as_of=dt.date(2019, 12, 31),
        deaths_from=dt.date(2019, 4, 1),
        deaths_to=dt.date(2019, 12, 31),
        policies={OdsCode("RH8"): ScopePolicy()},
    )
    with pytest.raises(CollabError) as native:
        store.lfd_facts(query)
    with pytest.raises(CollabError) as reference:
        lfd_facts([death], [review], query)
    assert str(native.value) == str(reference.value)


def test_the_dashboard_query_is_one_grouped_statement_not_a_scan(store: SqlStore) -> None:
    query = LfdQuery(
        as_of=dt.date(2019, 12, 31),
        deaths_from=dt.date(2019, 4, 1),
        deaths_to=dt.date(2019, 12, 31),
        policies={OdsCode("RH8"): ScopePolicy()},
    )
    seen: list[str] = []

    def _record(*args: Any) -> None:
        seen.append(args[2])

    sa.event.listen(store.engine, "before_cursor_execute", _record)
    try:
        store.lfd_facts(query)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", _record)
    assert any("GROUP BY" in sql for sql in seen)
    # Deaths are never loaded as payloads to be counted (ARCHITECTURE rule 10).
    assert not any("death.payload" in sql for sql in seen)


# -- the derived columns ----------------------------------------------------------------------


@given(deaths(), st.integers(1, 40))
def test_a_contact_window_covers_a_death_exactly_from_its_contact_months_on(
    death: Death, months: int
) -> None:
    policy = ScopePolicy(
        inpatient=False,
        community_contact_months=months,
        discharge_days=None,
        route_ld_autism_to_leder=False,
    )
    covered = ScopeReason.COMMUNITY_CONTACT in death.scope_reasons(policy)
    needed = contact_months(death)
    assert covered == (needed is not None and months >= needed)


@given(st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31)))
def test_quarters_survive_their_integer_code_and_sort_in_time_order(day: dt.date) -> None:
    from collab_core import Quarter

    quarter = Quarter.of(day)
    assert decode_quarter(encode_quarter(quarter)) == quarter
    assert encode_quarter(quarter) < encode_quarter(quarter.next())


@pytest.mark.parametrize(("last_contact", "months"), [((2019, 2, 28), 6), ((2019, 2, 27), 7)])
def test_contact_months_follow_the_domains_month_end_clamping(
    last_contact: tuple[int, int, int], months: int
) -> None:
    # 31 August minus 6 months is 28 February (the domain clamps to the month's length).
    death = a_death(
        died_on=dt.date(2019, 8, 31),
        setting=DeathSetting.COMMUNITY,
        last_contact_on=dt.date(*last_contact),
    )
    assert contact_months(death) == months

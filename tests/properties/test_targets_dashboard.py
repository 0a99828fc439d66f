"""Properties of the Learning from Deaths dashboard over any small collaborative: judged <=
reviewed <= deaths in scope in every cell, quarters add up to the year, trusts add up to the
collaborative, the age blocks add up to their totals, and 27.7-27.9 agree with the deaths."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given
from hypothesis import strategies as st

from collab_core import (
    EXPLICIT_JUDGEMENT,
    HOGAN_PREVENTABILITY,
    RCP_AVOIDABILITY,
    CaseReference,
    Death,
    DeathSetting,
    FinancialYear,
    LfdBlock,
    LfdCounts,
    LfdDashboard,
    OdsCode,
    ResponseType,
    Review,
    Score,
    Trust,
    lfd_dashboard,
    lfd_dashboard_query,
    lfd_look_back,
    lfd_look_back_queries,
)
from collab_core.domain.facts import lfd_facts

YEARS = (FinancialYear(2017), FinancialYear(2018))
FIRST, LAST = YEARS[0].start, YEARS[-1].end
CODES = [OdsCode(c) for c in ("RW1", "RX2", "RY3")]
SCALES = (RCP_AVOIDABILITY, HOGAN_PREVENTABILITY, EXPLICIT_JUDGEMENT)


@st.composite
def trusts(draw: st.DrawFn) -> list[Trust]:
    chosen = draw(st.lists(st.sampled_from(CODES), min_size=1, unique=True))
    out = []
    for code in chosen:
        joined = draw(st.dates(FIRST - dt.timedelta(days=200), LAST))
        left = draw(st.none() | st.dates(joined, LAST + dt.timedelta(days=200)))
        out.append(Trust(code, f"Trust {code}", joined, left))
    return out


@st.composite
def deaths(draw: st.DrawFn) -> Death:
    code = draw(st.sampled_from(CODES))
    died_on = draw(st.dates(FIRST - dt.timedelta(days=60), LAST + dt.timedelta(days=60)))
    setting = draw(st.sampled_from(list(DeathSetting)))
    discharged = died_on - dt.timedelta(days=draw(st.integers(0, 60)))
    return Death(
        id=draw(st.uuids()),
        trust=code,
        case_ref=CaseReference(code, "D-1"),
        died_on=died_on,
        setting=setting,
        age=draw(st.none() | st.integers(0, 105)),
        last_contact_on=draw(st.none() | st.dates(died_on - dt.timedelta(days=400), died_on)),
        discharged_on=discharged if setting is DeathSetting.POST_DISCHARGE else None,
        learning_disability=draw(st.booleans()),
        autistic=draw(st.booleans()),
    )


@st.composite
def reviews_of(draw: st.DrawFn, death: Death) -> Review:
    scale = draw(st.sampled_from(SCALES))
    completed = draw(st.none() | st.dates(death.died_on, death.died_on + dt.timedelta(days=800)))
    return Review(
        id=draw(st.uuids()),
        death_id=death.id,
        trust=death.trust,
        response_type=draw(st.sampled_from(list(ResponseType))),
        started_on=death.died_on,
        completed_on=completed,
        scores=(Score.on(scale, draw(st.integers(scale.minimum, scale.maximum))),),
    )


@st.composite
def collaboratives(draw: st.DrawFn) -> tuple[list[Trust], list[Death], list[Review]]:
    members = draw(trusts())
    died = draw(st.lists(deaths(), max_size=15))
    reviewed = [draw(reviews_of(d)) for d in died for _ in range(draw(st.integers(0, 2)))]
    return members, died, reviewed


def build(
    collaborative: tuple[list[Trust], list[Death], list[Review]], as_of: dt.date
) -> LfdDashboard:
    members, died, reviewed = collaborative
    query = lfd_dashboard_query(members, YEARS, as_of)
    return lfd_dashboard(lfd_facts(died, reviewed, query), members, YEARS, as_of)


as_of_days = st.dates(FIRST, LAST + dt.timedelta(days=800))


@given(collaboratives(), as_of_days)
def test_reviewed_deaths_never_exceed_deaths_in_scope_and_judged_never_exceed_reviewed(
    collaborative: tuple[list[Trust], list[Death], list[Review]], as_of: dt.date
) -> None:
    for row in build(collaborative, as_of).rows:
        for block in LfdBlock:
            counts = row.block(block)
            assert 0 <= counts.judged <= counts.reviewed <= counts.in_scope


@given(collaboratives(), as_of_days)
def test_the_quarters_add_up_to_the_year(
    collaborative: tuple[list[Trust], list[Death], list[Review]], as_of: dt.date
) -> None:
    board = build(collaborative, as_of)
    for year in YEARS:
        for trust in (*board.trusts, None):
            quarters = [board.row(trust, q) for q in year.quarters]
            total = board.row(trust, year)
            present = [r for r in quarters if r is not None]
            assert (total is None) is (not present)
            if total is None:
                continue
            for block in LfdBlock:
                assert sum((r.block(block) for r in present), LfdCounts()) == total.block(block)


@given(collaboratives(), as_of_days)
def test_the_trusts_add_up_to_the_collaborative(
    collaborative: tuple[list[Trust], list[Death], list[Review]], as_of: dt.date
) -> None:
    board = build(collaborative, as_of)
    for period in board.periods:
        rows = [board.row(t, period) for t in board.trusts]
        for block in LfdBlock:
            added = sum((r.block(block) for r in rows if r is not None), LfdCounts())
            assert added == board.collaborative(period).block(block)


@given(collaboratives(), as_of_days)
def test_the_age_blocks_add_up_and_ld_deaths_are_among_all_deaths(
    collaborative: tuple[list[Trust], list[Death], list[Review]], as_of: dt.date
) -> None:
    for row in build(collaborative, as_of).rows:
        assert row.adults == row.adults_18_64 + row.adults_65_plus
        assert row.all_ages == row.adults + row.under_18 + row.age_unknown
        assert row.all_ages.covers(row.ld_autism)


@given(collaboratives(), as_of_days)
def test_the_collaborative_counts_every_death_in_scope_of_a_member_quarter(
    collaborative: tuple[list[Trust], list[Death], list[Review]], as_of: dt.date
) -> None:
    members, died, _ = collaborative
    board = build(collaborative, as_of)
    by_code = {t.ods_code: t for t in members}
    for year in YEARS:
        for quarter in year.quarters:
            expected = sum(
                1
                for d in died
                if d.died_on in quarter
                and d.trust in by_code
                and by_code[d.trust].was_member_during(quarter)
                and d.in_scope(by_code[d.trust].scope_policy)
            )
            assert board.collaborative(quarter).all_ages.in_scope == expected


@given(collaboratives(), as_of_days, st.data())
def test_the_order_of_the_facts_does_not_change_the_dashboard(
    collaborative: tuple[list[Trust], list[Death], list[Review]],
    as_of: dt.date,
    data: st.DataObject,
) -> None:
    members, died, reviewed = collaborative
    query = lfd_dashboard_query(members, YEARS, as_of)
    facts = lfd_facts(died, reviewed, query)
    shuffled = data.draw(st.permutations(facts))
    assert lfd_dashboard(shuffled, members, YEARS, as_of) == build(collaborative, as_of)


@given(collaboratives(), as_of_days, as_of_days)
def test_a_later_as_of_day_never_lowers_a_count(
    collaborative: tuple[list[Trust], list[Death], list[Review]], first: dt.date, second: dt.date
) -> None:
    early, late = sorted((first, second))
    before, after = build(collaborative, early), build(collaborative, late)
    for row in before.rows:
        later = after.row(row.trust, row.period)
        assert later is not None
        assert later.all_ages.in_scope == row.all_ages.in_scope
        assert later.all_ages.covers(row.all_ages)


@given(collaboratives())
def test_the_look_back_items_agree_with_the_deaths(
    collaborative: tuple[list[Trust], list[Death], list[Review]],
) -> None:
    members, died, reviewed = collaborative
    year = YEARS[-1]
    earlier_q, later_q = lfd_look_back_queries(members, year)
    look = lfd_look_back(
        lfd_facts(died, reviewed, earlier_q), lfd_facts(died, reviewed, later_q), members, year
    )
    by_code = {t.ods_code: t for t in members}
    counted = [
        d
        for d in died
        if d.died_on in year.previous()
        and d.trust in by_code
        and any(
            by_code[d.trust].was_member_during(q) and d.died_on in q
            for q in year.previous().quarters
        )
        and d.in_scope(by_code[d.trust].scope_policy)
    ]

    def first_completed(death_id: uuid.UUID, judged: bool) -> dt.date | None:
        days = [
            r.completed_on
            for r in reviewed
            if r.death_id == death_id
            and r.response_type.counts_as_review_or_investigation
            and r.completed_on is not None
            and (not judged or r.problem_in_care(earlier_q.scales))
        ]
        return min(days, default=None)

    newly_reviewed = sum(
        1 for d in counted if (day := first_completed(d.id, False)) is not None and day in year
    )
    newly_judged = sum(
        1 for d in counted if (day := first_completed(d.id, True)) is not None and day in year
    )
    total = look.collaborative
    assert total.reviewed_in_year == newly_reviewed  # 27.7
    assert total.judged_in_year == newly_judged  # 27.8
    assert total.revised_estimate == total.previous_estimate + total.judged_in_year  # 27.9
    for name in ("reviewed_in_year", "judged_in_year", "previous_estimate", "revised_estimate"):
        assert getattr(total, name) == sum(getattr(r, name) for r in look.rows[:-1])

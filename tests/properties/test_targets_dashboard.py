"""Properties of the Learning from Deaths dashboard over any generated collaborative: judged <=
reviewed <= deaths in scope in every cell, quarters add up to the year, trusts add up to the
collaborative, the age blocks add up to their totals, and 27.7-27.9 agree with the deaths.

Whole consistent collaboratives come from :func:`collab_core.testing.strategies.collaboratives`;
a local strategy adds what a consistent one never holds (deaths outside a trust's membership,
trusts that left before the years), to show that the dashboard leaves them out."""

from __future__ import annotations

import datetime as dt
import uuid

import attrs
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
    Quarter,
    ResponseType,
    Review,
    ScaleRegistry,
    Score,
    Trust,
    lfd_dashboard,
    lfd_dashboard_query,
    lfd_look_back,
    lfd_look_back_queries,
)
from collab_core.domain.facts import lfd_facts
from collab_core.testing import strategies
from collab_core.testing.strategies import CollaborativeRecords

YEARS = (FinancialYear(2017), FinancialYear(2018))
FIRST, LAST = YEARS[0].start, YEARS[-1].end
CODES = [OdsCode(c) for c in ("RW1", "RX2", "RY3")]
SCALES = (RCP_AVOIDABILITY, HOGAN_PREVENTABILITY, EXPLICIT_JUDGEMENT)


@attrs.frozen
class History:
    """The records the dashboard reads, over ``years``."""

    trusts: tuple[Trust, ...]
    deaths: tuple[Death, ...]
    reviews: tuple[Review, ...]
    years: tuple[FinancialYear, ...]
    scales: ScaleRegistry = attrs.field(factory=ScaleRegistry)

    def dashboard(self, as_of: dt.date) -> LfdDashboard:
        query = lfd_dashboard_query(self.trusts, self.years, as_of, self.scales)
        facts = lfd_facts(self.deaths, self.reviews, query)
        return lfd_dashboard(facts, self.trusts, self.years, as_of)


def _whole(records: CollaborativeRecords) -> History:
    return History(records.trusts, records.deaths, records.reviews, records.years, records.scales)


@st.composite
def _loose_trusts(draw: st.DrawFn) -> tuple[Trust, ...]:
    chosen = draw(st.lists(st.sampled_from(CODES), min_size=1, unique=True))
    out = []
    for code in chosen:
        joined = draw(st.dates(FIRST - dt.timedelta(days=400), LAST))
        left = draw(st.none() | st.dates(joined, LAST + dt.timedelta(days=200)))
        out.append(Trust(code, f"Trust {code}", joined, left))
    return tuple(out)


@st.composite
def _loose_deaths(draw: st.DrawFn) -> Death:
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
def _loose_review(draw: st.DrawFn, death: Death) -> Review:
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
def _loose(draw: st.DrawFn) -> History:
    """Records no consistent collaborative holds: deaths before a trust joined or after it
    left, deaths of trusts that are not members, trusts that left before the years."""
    died = draw(st.lists(_loose_deaths(), max_size=12))
    reviewed = [draw(_loose_review(d)) for d in died for _ in range(draw(st.integers(0, 2)))]
    return History(draw(_loose_trusts()), tuple(died), tuple(reviewed), YEARS)


histories = st.one_of(
    strategies.collaboratives(max_trusts=3, max_deaths_per_trust=4).map(_whole), _loose()
)
# The as-of day, in days after the first year begins: up to two years after the last one ends.
offsets = st.integers(0, 4 * 366)


def as_of(history: History, offset: int) -> dt.date:
    return history.years[0].start + dt.timedelta(days=offset)


@given(histories, offsets)
def test_reviewed_deaths_never_exceed_deaths_in_scope_and_judged_never_exceed_reviewed(
    history: History, offset: int
) -> None:
    for row in history.dashboard(as_of(history, offset)).rows:
        for block in LfdBlock:
            counts = row.block(block)
            assert 0 <= counts.judged <= counts.reviewed <= counts.in_scope


@given(histories, offsets)
def test_the_quarters_add_up_to_the_year(history: History, offset: int) -> None:
    board = history.dashboard(as_of(history, offset))
    for year in board.years:
        for trust in (*board.trusts, None):
            quarters = [board.row(trust, q) for q in year.quarters]
            total = board.row(trust, year)
            present = [r for r in quarters if r is not None]
            assert (total is None) is (not present)
            if total is None:
                continue
            for block in LfdBlock:
                assert sum((r.block(block) for r in present), LfdCounts()) == total.block(block)


@given(histories, offsets)
def test_the_trusts_add_up_to_the_collaborative(history: History, offset: int) -> None:
    board = history.dashboard(as_of(history, offset))
    for period in board.periods:
        rows = [board.row(t, period) for t in board.trusts]
        for block in LfdBlock:
            added = sum((r.block(block) for r in rows if r is not None), LfdCounts())
            assert added == board.collaborative(period).block(block)


@given(histories, offsets)
def test_the_age_blocks_add_up_and_ld_deaths_are_among_all_deaths(
    history: History, offset: int
) -> None:
    for row in history.dashboard(as_of(history, offset)).rows:
        assert row.adults == row.adults_18_64 + row.adults_65_plus
        assert row.all_ages == row.adults + row.under_18 + row.age_unknown
        assert row.all_ages.covers(row.ld_autism)


def _counted(history: History, within: FinancialYear | Quarter) -> list[Death]:
    """The deaths in scope in ``within`` of trusts that were members during its quarter."""
    by_code = {t.ods_code: t for t in history.trusts}
    return [
        d
        for d in history.deaths
        if d.died_on in within
        and d.trust in by_code
        and by_code[d.trust].was_member_during(Quarter.of(d.died_on))
        and d.in_scope(by_code[d.trust].scope_policy)
    ]


@given(histories, offsets)
def test_the_collaborative_counts_every_death_in_scope_of_a_member_quarter(
    history: History, offset: int
) -> None:
    board = history.dashboard(as_of(history, offset))
    for period in board.periods:
        assert board.collaborative(period).all_ages.in_scope == len(_counted(history, period))


@given(histories, offsets, st.data())
def test_the_order_of_the_facts_does_not_change_the_dashboard(
    history: History, offset: int, data: st.DataObject
) -> None:
    day = as_of(history, offset)
    query = lfd_dashboard_query(history.trusts, history.years, day, history.scales)
    shuffled = data.draw(st.permutations(lfd_facts(history.deaths, history.reviews, query)))
    assert lfd_dashboard(shuffled, history.trusts, history.years, day) == history.dashboard(day)


@given(histories, offsets, offsets)
def test_a_later_as_of_day_never_lowers_a_count(history: History, first: int, second: int) -> None:
    early, late = sorted((first, second))
    before, after = (
        history.dashboard(as_of(history, early)),
        history.dashboard(as_of(history, late)),
    )
    for row in before.rows:
        later = after.row(row.trust, row.period)
        assert later is not None
        assert later.all_ages.in_scope == row.all_ages.in_scope
        assert later.all_ages.covers(row.all_ages)


@given(histories)
def test_the_look_back_items_agree_with_the_deaths(history: History) -> None:
    year = history.years[-1]
    earlier, later = lfd_look_back_queries(history.trusts, year, history.scales)
    look = lfd_look_back(
        lfd_facts(history.deaths, history.reviews, earlier),
        lfd_facts(history.deaths, history.reviews, later),
        history.trusts,
        year,
    )

    def first_completed(death_id: uuid.UUID, *, judged: bool) -> dt.date | None:
        days = [
            r.completed_on
            for r in history.reviews
            if r.death_id == death_id
            and r.response_type.counts_as_review_or_investigation
            and r.completed_on is not None
            and (not judged or r.problem_in_care(history.scales))
        ]
        return min(days, default=None)

    counted = _counted(history, year.previous())
    reviewed = [first_completed(d.id, judged=False) for d in counted]
    judged = [first_completed(d.id, judged=True) for d in counted]
    total = look.collaborative
    assert total.reviewed_in_year == sum(1 for day in reviewed if day is not None and day in year)
    assert total.judged_in_year == sum(1 for day in judged if day is not None and day in year)
    assert total.previous_estimate == sum(
        1 for day in judged if day is not None and day <= year.previous().end
    )
    assert total.revised_estimate == total.previous_estimate + total.judged_in_year  # 27.9
    for name in ("reviewed_in_year", "judged_in_year", "previous_estimate", "revised_estimate"):
        assert getattr(total, name) == sum(getattr(r, name) for r in look.rows[:-1])

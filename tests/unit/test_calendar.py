"""The NHS calendar: financial years 1 April - 31 March written ``2018/19``, quarters Q1 April-June
to Q4 January-March, and working days in England (weekends and ``holidays`` bank holidays off)."""

from __future__ import annotations

import datetime as dt
import itertools

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain import (
    DomainValidationError,
    FinancialYear,
    Month,
    Quarter,
    add_working_days,
    is_working_day,
    period_of,
    periods_between,
    working_days_between,
)
from collab_core.domain.calendar import bank_holidays_england

days = st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31))
years = st.integers(1950, 2099)
# The quarter each calendar month falls in (domain.md §6: CWP table, DCH dashboard).
QUARTER_OF_MONTH = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3, 1: 4, 2: 4, 3: 4}


# ---------------------------------------------------------------- financial years


@given(days)
def test_a_financial_year_runs_from_1_april_to_31_march(day: dt.date) -> None:
    fy = FinancialYear.of(day)
    assert fy.start == dt.date(fy.start_year, 4, 1)
    assert fy.end == dt.date(fy.start_year + 1, 3, 31)
    assert fy.start <= day <= fy.end
    assert day in fy
    assert day not in fy.previous()
    assert day not in fy.next()


@pytest.mark.parametrize(
    ("text", "start_year"),
    [
        ("2018/19", 2018),
        ("2018-19", 2018),
        ("2018/2019", 2018),
        ("2018-2019", 2018),
        (" 2018 / 19 ", 2018),
        ("1999/00", 1999),
        ("2099/00", 2099),
        ("2099/2100", 2099),
    ],
)
def test_financial_years_are_read_in_their_usual_spellings(text: str, start_year: int) -> None:
    assert FinancialYear.parse(text) == FinancialYear(start_year)


@pytest.mark.parametrize(
    "text",
    [
        "2018/20",
        "2018/2020",
        "2018/18",
        "2019/18",
        "18/19",
        "2018/019",
        "2018",
        "2018/19/20",
        "２０１８/19",
        "2018\\19",
        "",
        "2018/19 Q1",
    ],
)
def test_a_financial_year_that_is_not_one_year_to_the_next_is_refused(text: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        FinancialYear.parse(text)
    assert err.value.field == "financial_year"


@pytest.mark.parametrize("value", [2018, None, b"2018/19"])
def test_only_text_is_parsed_as_a_financial_year(value: object) -> None:
    with pytest.raises(DomainValidationError):
        FinancialYear.parse(value)


@given(st.integers(1948, 2998))
def test_a_financial_year_label_parses_back_to_the_same_year(start_year: int) -> None:
    fy = FinancialYear(start_year)
    assert fy.label == f"{start_year}/{(start_year + 1) % 100:02d}"
    assert str(fy) == fy.label
    assert FinancialYear.parse(fy.label) == fy
    assert FinancialYear.parse(f"{start_year}-{start_year + 1}") == fy


def test_the_label_of_the_year_spanning_a_century_ends_in_00() -> None:
    assert FinancialYear(2099).label == "2099/00"
    assert FinancialYear(1999).label == "1999/00"


@pytest.mark.parametrize("start_year", [1947, 3000, True, "2018"])
def test_a_financial_year_outside_the_nhs_era_or_not_a_year_is_refused(start_year: object) -> None:
    with pytest.raises(DomainValidationError):
        FinancialYear(start_year)  # type: ignore[arg-type]


@given(years, years)
def test_financial_years_order_as_their_start_years(a: int, b: int) -> None:
    assert (FinancialYear(a) < FinancialYear(b)) == (a < b)


# ---------------------------------------------------------------- quarters


@given(days)
def test_every_date_is_in_exactly_one_quarter_of_its_financial_year(day: dt.date) -> None:
    fy = FinancialYear.of(day)
    holding = [q for q in fy.quarters if day in q]
    assert holding == [Quarter.of(day)]
    assert Quarter.of(day).number == QUARTER_OF_MONTH[day.month]
    assert Quarter.of(day).year == fy


@given(days)
def test_a_quarter_of_a_date_round_trips_through_its_label(day: dt.date) -> None:
    q = Quarter.of(day)
    assert q.start <= day <= q.end
    assert Quarter.parse(q.label) == q
    assert Quarter.parse(q.label.lower()) == q
    assert Quarter.of(q.start) == q
    assert Quarter.of(q.end) == q


@given(years)
def test_the_quarters_tile_the_financial_year(start_year: int) -> None:
    fy = FinancialYear(start_year)
    qs = fy.quarters
    assert [q.number for q in qs] == [1, 2, 3, 4]
    assert qs[0].start == fy.start
    assert qs[-1].end == fy.end
    for before, after in itertools.pairwise(qs):
        assert before.end + dt.timedelta(days=1) == after.start
        assert before.next() == after
        assert after.previous() == before
    assert sum((q.end - q.start).days + 1 for q in qs) == (fy.end - fy.start).days + 1


@given(years)
def test_the_months_tile_each_quarter_in_calendar_order(start_year: int) -> None:
    fy = FinancialYear(start_year)
    months = fy.months
    assert len(months) == 12
    assert months[0] == Month(start_year, 4)
    assert months[-1] == Month(start_year + 1, 3)
    for q in fy.quarters:
        assert q.months[0].start == q.start
        assert q.months[-1].end == q.end
        assert all(QUARTER_OF_MONTH[m.month] == q.number for m in q.months)


def test_q4_is_january_to_march_of_the_following_calendar_year() -> None:
    q4 = Quarter(FinancialYear(2018), 4)
    assert (q4.start, q4.end) == (dt.date(2019, 1, 1), dt.date(2019, 3, 31))
    assert q4.label == "2018/19 Q4"
    assert q4.next() == Quarter(FinancialYear(2019), 1)


@pytest.mark.parametrize("text", ["2018/19 Q5", "2018/19 Q0", "Q3", "2018/20 Q1", "2018 Q1"])
def test_a_malformed_quarter_is_refused(text: str) -> None:
    with pytest.raises(DomainValidationError):
        Quarter.parse(text)


@pytest.mark.parametrize(("year", "number"), [(2018, 1), (FinancialYear(2018), 5)])
def test_a_quarter_needs_a_financial_year_and_a_number_from_1_to_4(
    year: object, number: int
) -> None:
    with pytest.raises(DomainValidationError):
        Quarter(year, number)  # type: ignore[arg-type]


@given(days, st.sampled_from(["month", "quarter", "year"]))
def test_the_period_of_a_day_contains_it(day: dt.date, kind: str) -> None:
    period = period_of(day, kind)  # type: ignore[arg-type]
    assert day in period
    assert dt.datetime.combine(day, dt.time(12)) in period


@given(days, st.integers(0, 800), st.sampled_from(["month", "quarter", "year"]))
def test_periods_between_two_days_tile_the_range_without_gaps(
    first: dt.date, span: int, kind: str
) -> None:
    last = min(first + dt.timedelta(days=span), dt.date(2100, 12, 31))
    periods = periods_between(first, last, kind)  # type: ignore[arg-type]
    assert first in periods[0]
    assert last in periods[-1]
    for before, after in itertools.pairwise(periods):
        assert before.end + dt.timedelta(days=1) == after.start


def test_periods_between_refuses_a_range_that_ends_before_it_starts() -> None:
    with pytest.raises(DomainValidationError):
        periods_between(dt.date(2019, 1, 2), dt.date(2019, 1, 1), "month")


def test_an_unknown_period_kind_is_refused() -> None:
    with pytest.raises(DomainValidationError):
        period_of(dt.date(2019, 1, 1), "week")  # type: ignore[arg-type]


# ---------------------------------------------------------------- working days


def test_bank_holidays_come_from_the_holidays_package_for_england() -> None:
    for year in (2019, 2022, 2023):
        expected = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))
        assert bank_holidays_england(year) == expected
    # One-off bank holidays: the State Funeral (19 September 2022) and the Coronation (8 May 2023).
    assert not is_working_day(dt.date(2022, 9, 19))
    assert not is_working_day(dt.date(2023, 5, 8))
    # Christmas 2021 fell on a Saturday: the substitute days 27 and 28 December are off.
    assert not is_working_day(dt.date(2021, 12, 27))
    assert not is_working_day(dt.date(2021, 12, 28))
    assert is_working_day(dt.date(2021, 12, 29))


@given(days)
def test_weekends_and_bank_holidays_are_never_working_days(day: dt.date) -> None:
    expected = day.weekday() < 5 and day not in bank_holidays_england(day.year)
    assert is_working_day(day) == expected


@given(days, st.integers(1, 60))
def test_adding_working_days_lands_on_a_working_day_that_many_working_days_on(
    day: dt.date, n: int
) -> None:
    later = add_working_days(day, n)
    assert is_working_day(later)
    assert later > day
    assert working_days_between(day, later) == n
    assert working_days_between(day, later - dt.timedelta(days=1)) == n - 1


@given(days)
def test_adding_no_working_days_stays_put(day: dt.date) -> None:
    assert add_working_days(day, 0) == day


@given(days, st.integers(0, 30), st.integers(0, 30))
def test_adding_working_days_composes(day: dt.date, a: int, b: int) -> None:
    assert add_working_days(add_working_days(day, a), b) == add_working_days(day, a + b)


@given(days, days)
def test_working_days_between_counts_working_days_after_start_up_to_end(
    a: dt.date, b: dt.date
) -> None:
    start, end = min(a, b), min(max(a, b), min(a, b) + dt.timedelta(days=400))
    expected = sum(
        is_working_day(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )
    assert working_days_between(start, end) == expected
    assert working_days_between(end, start) == 0


def test_a_friday_plus_one_working_day_is_the_next_working_monday_or_later() -> None:
    assert add_working_days(dt.date(2019, 3, 1), 1) == dt.date(2019, 3, 4)
    # Good Friday 19 April 2019 and Easter Monday 22 April: Thursday + 1 is Tuesday.
    assert add_working_days(dt.date(2019, 4, 18), 1) == dt.date(2019, 4, 23)


@pytest.mark.parametrize("n", [-1, 1.5, True, "3"])
def test_a_negative_or_non_integer_number_of_working_days_is_refused(n: object) -> None:
    with pytest.raises(DomainValidationError) as err:
        add_working_days(dt.date(2019, 1, 1), n)  # type: ignore[arg-type]
    assert err.value.field == "days"

"""How the site writes numbers, shares and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from collab_core import Count, Disclosure, Figure, Month, Share
from collab_site.formatting import dated, number, percent, plain, shown, slug


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_a_percentage_is_within_half_a_tenth_of_the_exact_value(n: int, d: int) -> None:
    text = percent(Fraction(n, d))
    assert text.endswith("%")
    assert abs(Decimal(text[:-1]) - Decimal(n) * 100 / Decimal(d)) <= Decimal("0.05")


@given(st.fractions(min_value=-1000, max_value=1000, max_denominator=1000))
def test_a_number_is_within_half_a_tenth_and_whole_numbers_stay_whole(value: Fraction) -> None:
    text = number(value)
    assert abs(Decimal(text) - Decimal(value.numerator) / Decimal(value.denominator)) <= Decimal(
        "0.05"
    )
    if value.denominator == 1:
        assert text == str(value.numerator)


def test_a_withheld_count_is_a_star_for_the_eye_and_says_so_to_a_screen_reader() -> None:
    withheld = Count.suppressed()
    assert plain(withheld) == "*"
    assert str(shown(withheld)) == '*<span class="nhsuk-u-visually-hidden"> (withheld)</span>'
    assert shown(Count(15, Disclosure.ROUNDED)) == "15"
    share = Share(withheld, Count(20, Disclosure.ROUNDED), None)
    assert plain(share) == "*"
    assert plain(Figure(None, (withheld,))) == "*"
    assert plain(Share.of(1, 8)) == "12.5%"
    assert plain(None) == "–"


def test_dates_and_periods_read_as_words() -> None:
    assert dated(dt.date(2018, 12, 3)) == "3 December 2018"
    assert dated(Month(2018, 7)) == Month(2018, 7).label
    assert slug("2018/19", "RH8") == "2018-19-rh8"

"""Properties of run charts: the Anhøj table, the median split, runs and crossings counts."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain.measures import (
    PointLabel,
    anhoej_analysis,
    crossings_lower_limit,
    longest_run_upper_limit,
    run_chart,
    runs_limits,
)

# qicharts2 vignette, "Appendix 2: Critical values for longest run and number of crossings"
# (anhoej/qicharts2 docs/articles/qicharts2.html), for 10 to 100 useful observations.
LONGEST_RUN_TABLE = {
    n: 6 if n < 12 else 7 if n < 23 else 8 if n < 46 else 9 if n < 91 else 10
    for n in range(10, 101)
}
CROSSINGS_TABLE = dict(
    zip(
        range(10, 101),
        (
            2,
            2,
            3,
            3,
            4,
            4,
            4,
            5,
            5,
            6,
            6,
            6,
            7,
            7,
            8,
            8,
            8,
            9,
            9,
            10,
            10,
            11,
            11,
            11,
            12,
            12,
            13,
            13,
            14,
            14,
            14,
            15,
            15,
            16,
            16,
            17,
            17,
            17,
            18,
            18,
            19,
            19,
            20,
            20,
            21,
            21,
            21,
            22,
            22,
            23,
            23,
            24,
            24,
            25,
            25,
            25,
            26,
            26,
            27,
            27,
            28,
            28,
            29,
            29,
            29,
            30,
            30,
            31,
            31,
            32,
            32,
            33,
            33,
            34,
            34,
            34,
            35,
            35,
            36,
            36,
            37,
            37,
            38,
            38,
            39,
            39,
            39,
            40,
            40,
            41,
            41,
        ),
        strict=True,
    )
)


@pytest.mark.parametrize("n", range(10, 101))
def test_anhoej_thresholds_match_the_published_table(n: int) -> None:
    assert longest_run_upper_limit(n) == LONGEST_RUN_TABLE[n]
    assert crossings_lower_limit(n) == CROSSINGS_TABLE[n]


@given(st.integers(1, 400))
def test_the_crossings_limit_is_the_exact_lower_five_percent_binomial_quantile(n: int) -> None:
    k, m = crossings_lower_limit(n), n - 1
    below = Fraction(sum(comb(m, i) for i in range(k)), 2**m)  # P(X <= k - 1)
    assert below < Fraction(1, 20)
    assert below + Fraction(comb(m, k), 2**m) >= Fraction(1, 20)


@given(st.integers(1, 10**6))
def test_the_longest_run_limit_is_round_log2_plus_3(n: int) -> None:
    # round(log2(n)) is k exactly when 2**(k - 1/2) <= n < 2**(k + 1/2)
    k = longest_run_upper_limit(n) - 3
    assert Fraction(2 ** (2 * k - 1)) <= n * n < 2 ** (2 * k + 1)


series = st.lists(st.integers(-5, 5), min_size=2, max_size=60)


@given(series)
def test_the_median_splits_the_points_in_half(values: list[int]) -> None:
    result = run_chart(values)
    above = sum(v > result.median for v in values)
    below = sum(v < result.median for v in values)
    assert above <= len(values) // 2
    assert below <= len(values) // 2
    assert result.anhoej.n_useful == above + below


@given(series)
def test_crossings_are_runs_minus_one_and_runs_cover_the_useful_points(values: list[int]) -> None:
    a = run_chart(values).anhoej
    if a.n_useful:
        assert a.crossings == a.runs - 1
        assert 1 <= a.longest_run <= a.n_useful
        assert a.runs <= a.n_useful
        assert a.long_run == (a.longest_run > longest_run_upper_limit(a.n_useful))
    else:
        assert (a.runs, a.crossings, a.signal) == (0, 0, False)


@given(st.lists(st.sampled_from([1, -1]), min_size=1, max_size=50), st.data())
def test_points_on_the_centre_line_neither_break_nor_count(
    sides: list[int], data: st.DataObject
) -> None:
    padded = list(sides)
    for _ in range(data.draw(st.integers(0, 10))):
        padded.insert(data.draw(st.integers(0, len(padded))), 0)
    a, b = anhoej_analysis(sides), anhoej_analysis(padded)
    assert (b.n_useful, b.runs, b.longest_run, b.crossings) == (
        a.n_useful,
        a.runs,
        a.longest_run,
        a.crossings,
    )
    assert b.n_observations == len(padded)


@given(st.integers(1, 25), st.integers(1, 25))
def test_each_runs_tail_holds_at_most_alpha_over_two(n1: int, n2: int) -> None:
    lower, upper = runs_limits(n1, n2)
    total = comb(n1 + n2, n1)

    def ways(r: int) -> int:
        k, odd = divmod(r, 2)
        if not odd:
            return 2 * comb(n1 - 1, k - 1) * comb(n2 - 1, k - 1)
        return comb(n1 - 1, k) * comb(n2 - 1, k - 1) + comb(n1 - 1, k - 1) * comb(n2 - 1, k)

    top = 2 * min(n1, n2) + (n1 != n2)
    assert sum(ways(r) for r in range(2, top + 1)) == total
    assert Fraction(sum(ways(r) for r in range(2, lower)), total) <= Fraction(1, 40)
    assert Fraction(sum(ways(r) for r in range(2, lower + 1)), total) > Fraction(1, 40)
    assert Fraction(sum(ways(r) for r in range(upper + 1, top + 1)), total) <= Fraction(1, 40)
    assert Fraction(sum(ways(r) for r in range(upper, top + 1)), total) > Fraction(1, 40)


@given(series)
def test_every_shift_and_trend_is_long_enough(values: list[int]) -> None:
    result = run_chart(values)
    for span in result.ihi.shifts:
        useful = [p for p in result.points[span.start : span.end + 1] if p.side is not None]
        assert len(useful) >= 6
        assert {p.side for p in useful} == {span.side}
    for span in result.ihi.trends:
        distinct = [values[span.start]]
        for v in values[span.start + 1 : span.end + 1]:
            if v != distinct[-1]:
                distinct.append(v)
        assert len(distinct) >= 5
        assert distinct in (sorted(distinct), sorted(distinct, reverse=True))


@given(series)
def test_a_point_on_the_median_is_never_part_of_a_shift(values: list[int]) -> None:
    # Perla, Provost & Murray 2011: a point on the median neither counts towards nor breaks a
    # shift; the points that are marked are exactly the off-median points of the shifts
    result = run_chart(values)
    covered = {
        k
        for span in result.ihi.shifts
        for k in range(span.start, span.end + 1)
        if result.points[k].side is not None
    }
    assert {k for k, p in enumerate(result.points) if p.shift} == covered
    for p in result.points:
        if p.side is None and not p.trend:
            assert p.label is PointLabel.COMMON_CAUSE

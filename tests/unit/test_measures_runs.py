"""Run charts: the median, Anhøj's thresholds and counts, the IHI shift, trend and runs rules."""

from __future__ import annotations

from fractions import Fraction

import pytest

from collab_core import DomainValidationError
from collab_core.domain.measures import (
    IHI_RUNS_TABLE,
    IhiOptions,
    PointLabel,
    RunsReference,
    Side,
    TrendTies,
    crossings_lower_limit,
    longest_run_upper_limit,
    run_chart,
    runs_limits,
)


def test_the_vignette_example_of_24_useful_points() -> None:
    # qicharts2 vignette "The Anhøj rules": with 24 useful points a run of more than 8, or
    # fewer than 8 crossings, suggests a shift.
    assert longest_run_upper_limit(24) == 8
    assert crossings_lower_limit(24) == 8


def test_the_median_is_exact_and_points_on_it_are_not_useful() -> None:
    result = run_chart([1, 2, 3, 4, 5])
    assert result.median == 3
    assert result.anhoej.n_observations == 5
    assert result.anhoej.n_useful == 4
    assert result.points[2].side is None
    assert run_chart([1, 2]).median == Fraction(3, 2)


def test_a_baseline_takes_the_median_from_the_first_values() -> None:
    result = run_chart([1, 2, 3, 10, 11, 12], baseline=3)
    assert result.median == 2
    assert result.baseline == 3


def test_a_long_run_and_few_crossings_signal() -> None:
    values = [1] * 9 + [5] * 9
    result = run_chart([*values, 3])
    assert result.anhoej.longest_run == 9
    assert result.anhoej.long_run
    assert result.anhoej.few_crossings
    assert result.signal


def test_an_ihi_shift_ignores_points_on_the_median() -> None:
    # Perla, Provost & Murray 2011, rule 1: a point on the median neither counts towards nor
    # breaks a shift, so it is not part of the shift either
    values = [1, 9, 1, 9, 1, 9, 9, 9, 5, 9, 9, 9, 1, 1, 1, 1, 1, 5]
    result = run_chart(values)
    assert result.median == 5
    shift = result.ihi.shifts[0]
    assert (shift.start, shift.end, shift.side) == (5, 11, Side.HIGH)
    on_median = result.points[8]
    assert on_median.side is None
    assert not on_median.shift
    assert on_median.label is PointLabel.COMMON_CAUSE
    assert on_median.label_side is None
    assert [p.shift for p in result.points[5:12]] == [True] * 3 + [False] + [True] * 3
    assert result.points[7].label is PointLabel.SPECIAL_CAUSE_IMPROVEMENT


def test_an_ihi_trend_ignores_repeated_values_by_default() -> None:
    values = [5, 1, 2, 2, 3, 4, 5, 3, 1, 6, 2, 4]
    ignore = run_chart(values)
    brk = run_chart(values, ihi=IhiOptions(trend_ties=TrendTies.BREAK))
    assert [(t.start, t.end) for t in ignore.ihi.trends] == [(1, 6)]
    assert brk.ihi.trends == ()


def test_runs_limits_match_the_swed_eisenhart_critical_values() -> None:
    # Swed & Eisenhart (1943) table, alpha 0.05 two-sided: n1 = n2 = 5 rejects at r <= 2 and
    # r >= 10; n1 = n2 = 10 rejects at r <= 6 and r >= 16.
    assert runs_limits(5, 5) == (3, 9)
    assert runs_limits(10, 10) == (7, 15)


def test_too_few_runs_signal_and_the_balanced_reference_uses_an_even_split() -> None:
    values = [1] * 6 + [9] * 6 + [1] * 6 + [9] * 6
    result = run_chart(values)
    assert result.ihi.runs == 4
    assert result.ihi.too_few_runs
    balanced = run_chart(values, ihi=IhiOptions(runs_reference=RunsReference.BALANCED))
    assert (balanced.ihi.runs_lower, balanced.ihi.runs_upper) == runs_limits(12, 12)


def test_too_many_runs_signal() -> None:
    result = run_chart([1, 9] * 10)
    assert result.ihi.runs == 20
    assert result.ihi.too_many_runs


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: run_chart([1]), "values"),
        (lambda: run_chart([1, 2, 3], baseline=1), "baseline"),
        (lambda: run_chart([1, 2, 3], baseline=True), "baseline"),
        (lambda: longest_run_upper_limit(0), "n_useful"),
        (lambda: crossings_lower_limit(-1), "n_useful"),
        (lambda: runs_limits(-1, 3), "n1"),
        (lambda: IhiOptions(trend_length=2), "trend_length"),
    ],
)
def test_bad_input_is_refused_naming_the_field(call: object, field: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        call()  # type: ignore[operator]
    assert err.value.field == field


def test_the_ihi_table_gives_the_published_limits_where_it_has_a_row() -> None:
    # Perla, Provost & Murray 2011, Table 1: 20 useful observations, fewer than 6 or more
    # than 16 runs; the exact Swed-Eisenhart limits for 10 above and 10 below are 7 and 15
    assert IHI_RUNS_TABLE[20] == (6, 16)
    assert runs_limits(10, 10) == (7, 15)
    assert sorted(IHI_RUNS_TABLE) == list(range(10, 41))
    values = [1, 9] * 3 + [1] * 4 + [9] * 4 + [1, 9] * 3  # 20 useful points, 14 runs
    table = run_chart(values, ihi=IhiOptions(runs_reference=RunsReference.IHI_TABLE))
    assert table.ihi.n_useful == 20
    assert (table.ihi.runs_lower, table.ihi.runs_upper) == (6, 16)
    exact = run_chart(values)
    assert (exact.ihi.runs_lower, exact.ihi.runs_upper) == (7, 15)


def test_sixteen_runs_in_twenty_are_too_many_by_the_exact_limits_but_not_by_the_table() -> None:
    values = [1, 9] * 6 + [1, 1, 9, 9] * 2  # 10 below and 10 above the median, in 16 runs
    exact = run_chart(values)
    table = run_chart(values, ihi=IhiOptions(runs_reference=RunsReference.IHI_TABLE))
    assert exact.ihi.runs == table.ihi.runs == 16
    assert exact.ihi.too_many_runs
    assert not table.ihi.too_many_runs


def test_outside_the_tables_range_the_limits_are_computed() -> None:
    reference = IhiOptions(runs_reference=RunsReference.IHI_TABLE)
    short = [1, 9, 9, 1, 1, 9, 1, 9]  # 8 useful observations: no row in the table
    assert run_chart(short, ihi=reference).ihi == run_chart(short).ihi
    long = [v % 7 for v in range(50)]
    analysis = run_chart(long, ihi=reference).ihi
    assert analysis.n_useful > 40
    assert analysis == run_chart(long).ihi

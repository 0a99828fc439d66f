"""Properties of p, u and funnel limits: narrower with larger denominators, within [0, 1]."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from collab_core.domain.measures import (
    FunnelSignificance,
    funnel_limits,
    funnel_plot,
    p_chart,
    p_prime_chart,
    u_chart,
)


@st.composite
def proportions(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    dens = draw(st.lists(st.integers(1, 500), min_size=2, max_size=30))
    nums = [draw(st.integers(0, d)) for d in dens]
    return nums, dens


@given(proportions())
def test_p_values_and_limits_lie_in_zero_to_one(data: tuple[list[int], list[int]]) -> None:
    nums, dens = data
    charts = [p_chart(nums, dens)]
    if 0 < sum(nums) < sum(dens):  # with a centre line of 0 or 1 Laney's σz is refused
        charts.append(p_prime_chart(nums, dens))
    for chart in charts:
        for point in chart.points:
            assert 0 <= point.value <= 1  # type: ignore[operator]
            assert 0 <= point.lower_limit <= float(point.centre) <= point.upper_limit <= 1  # type: ignore[operator]
            assert (
                point.lower_limit
                <= point.lower_two_sigma
                <= point.upper_two_sigma
                <= point.upper_limit
            )  # type: ignore[operator]


@given(proportions())
def test_p_limits_widen_as_the_denominator_shrinks(data: tuple[list[int], list[int]]) -> None:
    nums, dens = data
    chart = p_chart(nums, dens)
    for a, b in zip(chart.points, chart.points[1:], strict=False):
        if a.denominator < b.denominator:  # type: ignore[operator]
            assert a.sigma >= b.sigma  # type: ignore[operator]
            assert a.upper_limit >= b.upper_limit  # type: ignore[operator]
            assert a.lower_limit <= b.lower_limit  # type: ignore[operator]


@given(st.lists(st.integers(1, 1000), min_size=2, max_size=30), st.data())
def test_u_limits_widen_as_the_denominator_shrinks(dens: list[int], data: st.DataObject) -> None:
    nums = [data.draw(st.integers(0, 50)) for _ in dens]
    chart = u_chart(nums, dens)
    for a, b in zip(chart.points, chart.points[1:], strict=False):
        assert (a.denominator < b.denominator) <= (a.sigma >= b.sigma)  # type: ignore[operator]
        assert a.lower_limit >= 0  # type: ignore[operator]


@given(st.fractions(0, 1), st.integers(1, 10**6), st.integers(1, 10**6))
def test_funnel_limits_narrow_as_the_denominator_grows(p: Fraction, n: int, m: int) -> None:
    assume(n < m)
    small, large = funnel_limits(p, n), funnel_limits(p, m)
    assert small.lower_998 <= large.lower_998 <= large.lower_95 <= float(p)
    assert float(p) <= large.upper_95 <= large.upper_998 <= small.upper_998
    assert small.lower_998 >= 0
    assert small.upper_998 <= 1


@given(proportions())
def test_funnel_significance_agrees_with_the_limits(data: tuple[list[int], list[int]]) -> None:
    nums, dens = data
    result = funnel_plot([f"T{i}" for i in range(len(nums))], nums, dens)
    for unit in result.units:
        value = float(unit.proportion)
        limits = unit.limits
        if unit.significance is FunnelSignificance.NOT_SIGNIFICANT:
            # small float tolerance: the labels are decided exactly, the limits are floats
            assert limits.lower_95 - 1e-12 <= value <= limits.upper_95 + 1e-12
        elif unit.significance.value.startswith("High"):
            assert value >= limits.upper_95 - 1e-12
        else:
            assert value <= limits.lower_95 + 1e-12

"""Funnel plots: the pooled proportion, limits per denominator, significance labels."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest

from collab_core import DomainValidationError
from collab_core.domain.measures import (
    Z_95,
    Z_998,
    FunnelSignificance,
    funnel_axis,
    funnel_limits,
    funnel_plot,
)


def test_the_limits_are_the_normal_approximation_around_the_average() -> None:
    limits = funnel_limits(Fraction(1, 5), 400)
    se = math.sqrt(0.2 * 0.8 / 400)
    assert limits.lower_95 == pytest.approx(0.2 - Z_95 * se, rel=1e-15)
    assert limits.upper_998 == pytest.approx(0.2 + Z_998 * se, rel=1e-15)
    assert math.isclose(Z_95, 1.959963984540054, rel_tol=1e-15)  # R: qnorm(0.975)
    assert math.isclose(Z_998, 3.090232306167813, rel_tol=1e-15)  # R: qnorm(0.999)


def test_limits_for_a_tiny_denominator_are_clipped_to_zero_and_one() -> None:
    limits = funnel_limits(Fraction(1, 2), 1)
    assert (limits.lower_998, limits.upper_998) == (0.0, 1.0)


def test_each_unit_is_labelled_against_its_own_limits() -> None:
    result = funnel_plot(
        ["RX1", "RX2", "RX3", "RX4", "RX5"],
        [500, 420, 380, 300, 600],
        [1000, 1000, 1000, 1000, 1000],
    )
    assert result.average == Fraction(2200, 5000)
    by_name = {u.name: u.significance for u in result.units}
    assert by_name["RX1"] is FunnelSignificance.HIGH_0_001
    assert by_name["RX2"] is FunnelSignificance.NOT_SIGNIFICANT
    assert by_name["RX3"] is FunnelSignificance.LOW_0_001
    assert by_name["RX4"] is FunnelSignificance.LOW_0_001
    assert by_name["RX5"] is FunnelSignificance.HIGH_0_001


def test_the_axis_steps_evenly_on_a_log_scale_to_105_percent_of_the_largest() -> None:
    axis = funnel_axis(300, 5000)
    assert axis[0] == 1
    assert axis[-1] == 5300  # 5,250 rounded up to two significant figures
    assert len(axis) == 100
    assert all(b > a for a, b in itertools.pairwise(axis))
    narrow = funnel_axis(10_500, 20_000)
    assert narrow[0] == 9000  # 95% of the smallest, down to one significant figure


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: funnel_plot(["A", "A"], [1, 2], [10, 10]), "names"),
        (lambda: funnel_plot([" "], [1], [10]), "names[0]"),
        (lambda: funnel_plot(["A"], [11], [10]), "numerators[0]"),
        (lambda: funnel_plot(["A"], [1], [0]), "denominators[0]"),
        (lambda: funnel_plot(["A"], [None], [10]), "numerators[0]"),
        (lambda: funnel_plot([], [], []), "names"),
        (lambda: funnel_limits(2, 10), "average"),
    ],
)
def test_bad_input_is_refused_naming_the_field(call: object, field: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        call()  # type: ignore[operator]
    assert err.value.field == field

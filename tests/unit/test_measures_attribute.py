"""p, u, p′ and u′ charts: limits per denominator, clipping, Laney's σz, validation."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from fractions import Fraction

import pytest

from collab_core import DomainValidationError
from collab_core.domain.measures import (
    AssuranceIcon,
    AttributeChartKind,
    ImprovementDirection,
    PointLabel,
    SpcRule,
    p_chart,
    p_prime_chart,
    u_chart,
    u_prime_chart,
)

NUMS = [12, 8, 6, 9, 10, 12, 11, 16, 10, 6, 20, 15]
DENS = [100, 80, 80, 100, 110, 110, 100, 100, 90, 90, 110, 120]


def test_the_centre_line_is_the_pooled_proportion_and_limits_follow_each_denominator() -> None:
    chart = p_chart(NUMS, DENS)
    p = Fraction(sum(NUMS), sum(DENS))
    assert chart.phases[0].centre == p
    for point, n in zip(chart.points, DENS, strict=True):
        half = 3 * math.sqrt(p * (1 - p) / n)
        assert point.upper_limit == pytest.approx(float(p) + half, rel=1e-15)
        assert point.lower_limit == pytest.approx(max(0.0, float(p) - half), rel=1e-15)
    assert chart.kind is AttributeChartKind.P


def test_p_limits_are_clipped_to_zero_and_one() -> None:
    chart = p_chart([1, 1, 2], [2, 2, 3])
    assert all(0 <= pt.lower_limit <= pt.upper_limit <= 1 for pt in chart.points)  # type: ignore[operator]
    assert chart.points[0].lower_limit == 0
    assert chart.points[0].upper_limit == 1


def test_a_u_chart_rate_may_pass_one_and_only_the_lower_limit_is_clipped() -> None:
    chart = u_chart([30, 35, 28, 31], [10, 10, 10, 10])
    assert chart.phases[0].centre == Fraction(124, 40)
    assert all(pt.upper_limit > 1 for pt in chart.points)  # type: ignore[operator]


def test_the_multiplier_scales_values_centre_limits_and_target() -> None:
    plain = u_chart(NUMS, DENS, target=Fraction(1, 10))
    per_1000 = u_chart(NUMS, DENS, target=100, multiplier=1000)
    assert per_1000.phases[0].centre == plain.phases[0].centre * 1000
    assert per_1000.points[3].value == plain.points[3].value * 1000  # type: ignore[operator]
    assert per_1000.points[3].upper_limit == pytest.approx(plain.points[3].upper_limit * 1000)  # type: ignore[operator]
    assert per_1000.assurance is plain.assurance
    assert [p.label for p in per_1000.points] == [p.label for p in plain.points]


def test_prime_limits_are_the_classic_limits_widened_by_sigma_z() -> None:
    # Laney 2002: σ′ᵢ = σᵢ·σz, σz = mean |zᵢ − zᵢ₋₁| / 1.128 with zᵢ = (pᵢ − p̄)/σᵢ
    nums = [5210, 5020, 5480, 4990, 5305, 5100, 5600, 4870, 5250, 5150]
    dens = [10000, 9800, 10400, 9900, 10100, 10050, 10500, 9700, 10000, 9950]
    classic, prime = p_chart(nums, dens), p_prime_chart(nums, dens)
    p = Fraction(sum(nums), sum(dens))
    zs = [
        float((Fraction(a, b) - p) / Fraction(math.sqrt(p * (1 - p) / b)))
        for a, b in zip(nums, dens, strict=True)
    ]
    sigma_z = sum(abs(b - a) for a, b in itertools.pairwise(zs)) / (len(zs) - 1) / 1.128
    assert prime.phases[0].sigma_z == pytest.approx(sigma_z, rel=1e-12)
    for c, q in zip(classic.points, prime.points, strict=True):
        assert q.sigma == pytest.approx(c.sigma * sigma_z, rel=1e-12)  # type: ignore[operator]
    assert prime.kind is AttributeChartKind.P_PRIME
    assert u_prime_chart(nums, dens).kind is AttributeChartKind.U_PRIME


def test_excluded_points_are_plotted_and_tested_but_left_out_of_the_centre_line() -> None:
    chart = p_chart([*NUMS, 60], [*DENS, 100], exclude=[13])
    assert chart.phases[0].centre == Fraction(sum(NUMS), sum(DENS))
    assert not chart.points[-1].included
    assert chart.points[-1].rule is SpcRule.BEYOND_LIMITS
    assert chart.phases[0].anhoej.n_observations == len(NUMS)


def test_rebasing_gives_each_phase_its_own_pooled_proportion() -> None:
    chart = p_chart([*NUMS, *(n // 2 for n in NUMS)], [*DENS, *DENS], rebase_at=[13])
    assert chart.phases[1].centre == Fraction(sum(n // 2 for n in NUMS), sum(DENS))


def test_labels_and_assurance_follow_the_improvement_direction() -> None:
    down = ImprovementDirection.DECREASE
    chart = p_chart([*NUMS, 60], [*DENS, 100], improvement=down, target=Fraction(1, 100))
    assert chart.points[-1].label is PointLabel.SPECIAL_CAUSE_CONCERN
    assert chart.assurance is AssuranceIcon.FAIL


def test_missing_points_keep_their_place() -> None:
    chart = p_chart([*NUMS[:3], None, *NUMS[4:]], DENS)
    assert chart.points[3].value is None
    assert chart.points[3].label is None
    assert chart.points[3].lower_limit is None


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: p_chart([1, 2], [10, 0]), "denominators[1]"),
        (lambda: p_chart([1, 2], [10, -5]), "denominators[1]"),
        (lambda: p_chart([-1, 2], [10, 5]), "numerators[0]"),
        (lambda: p_chart([11, 2], [10, 5]), "numerators[0]"),
        (lambda: p_chart([1, 2], [10]), "denominators"),
        (lambda: u_chart([1, 2], [10, 10], multiplier=0), "multiplier"),
        (lambda: u_chart([1, 2], [10, 10], exclude=[1, 2]), "numerators"),
        (lambda: u_chart([1, 2], [10, 10], rebase_at=[1]), "rebase_at"),
    ],
)
def test_bad_input_is_refused_naming_the_field(call: object, field: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        call()  # type: ignore[operator]
    assert err.value.field == field


@pytest.mark.parametrize("chart", [p_prime_chart, u_prime_chart])
def test_a_prime_chart_needs_two_values_to_estimate_sigma_z(chart: object) -> None:
    # σz is the mean moving range of the z-scores over 1.128 (Laney 2002): one value has no
    # moving range, where qicharts2 0.8.1 (R/helper.functions.R) gets NaN limits
    with pytest.raises(DomainValidationError) as err:
        chart([5], [100])  # type: ignore[operator]
    assert err.value.field == "numerators"
    assert "at least 2 included values" in str(err.value)
    assert "sigma-z" in str(err.value)
    # a later phase of one value is refused the same way, naming the phase
    with pytest.raises(DomainValidationError, match=r"phase 2"):
        chart([5, 6, 7, 8], [100, 100, 100, 100], rebase_at=[4])  # type: ignore[operator]
    # a centre line of 0 gives every value a σ of 0, so no z-score at all
    with pytest.raises(DomainValidationError, match=r"\(got 0\)"):
        chart([0, 0, 0], [100, 100, 100])  # type: ignore[operator]
    assert chart([5, 6], [100, 100]).phases[0].sigma_z is not None  # type: ignore[operator]


@pytest.mark.parametrize("chart", [p_prime_chart, u_prime_chart])
def test_identical_proportions_give_sigma_z_zero_and_limits_on_the_centre_line(
    chart: object,
) -> None:
    # every z-score is 0, so σz = 0 and the limits close onto the centre line (Laney's
    # formula, and qicharts2's limits.pp); a value off the line is then beyond a limit
    result = chart([10, 20, 30, 7], [100, 200, 300, 50], exclude=[4])  # type: ignore[operator]
    phase = result.phases[0]
    assert phase.sigma_z == 0
    assert phase.centre == Fraction(1, 10)
    for point in result.points[:3]:
        assert point.lower_limit == point.upper_limit == pytest.approx(0.1)
        assert point.label is PointLabel.COMMON_CAUSE
    excluded = result.points[3]
    assert excluded.value == Fraction(7, 50)
    assert excluded.rule is SpcRule.BEYOND_LIMITS


@pytest.mark.parametrize(
    "direction", [ImprovementDirection.INCREASE, ImprovementDirection.DECREASE]
)
def test_a_target_equal_to_a_reported_limit_is_hit_and_miss(
    direction: ImprovementDirection,
) -> None:
    chart = p_chart(NUMS, DENS, multiplier=100)
    last = chart.points[-1]
    assert last.lower_limit is not None
    assert last.upper_limit is not None
    for limit in (last.lower_limit, last.upper_limit):
        on = p_chart(NUMS, DENS, multiplier=100, improvement=direction, target=limit)
        assert on.assurance is AssuranceIcon.HIT_AND_MISS
        on_exact = p_chart(
            NUMS, DENS, multiplier=100, improvement=direction, target=Fraction(limit)
        )
        assert on_exact.assurance is AssuranceIcon.HIT_AND_MISS
    above = math.nextafter(last.upper_limit, math.inf)
    below = math.nextafter(last.lower_limit, -math.inf)
    increasing = direction is ImprovementDirection.INCREASE
    assert p_chart(NUMS, DENS, multiplier=100, improvement=direction, target=above).assurance is (
        AssuranceIcon.FAIL if increasing else AssuranceIcon.PASS
    )
    assert p_chart(NUMS, DENS, multiplier=100, improvement=direction, target=below).assurance is (
        AssuranceIcon.PASS if increasing else AssuranceIcon.FAIL
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: u_chart([1e300, 2e300], [1.0, 1.0], multiplier=1e10), "numerators"),
        (lambda: u_chart([10**400, 10**400], [1, 1]), "numerators"),
        (lambda: u_chart([1.7e308, 1.0e308], [1e-300, 1e-300]), "numerators"),
        (lambda: p_chart([1, 2], [10, 10], target=Decimal("sNaN")), "target"),
        (lambda: p_chart([Decimal("sNaN"), 2], [10, 10]), "numerators[0]"),
        (lambda: u_chart([1, 2], [Decimal("NaN"), 10]), "denominators[0]"),
        (lambda: u_chart([1, 2], [10, 10], multiplier=Decimal("sNaN")), "multiplier"),
    ],
)
def test_numbers_at_the_edge_of_floats_are_refused_naming_the_field(
    call: object, field: str
) -> None:
    with pytest.raises(DomainValidationError) as err:
        call()  # type: ignore[operator]
    assert err.value.field == field

"""XmR charts: limits, screening, fixing, rebasing, the four rules, labels and icons."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from collab_core import DomainValidationError
from collab_core.domain.measures import (
    QICHARTS2_LIMIT,
    AssuranceIcon,
    ImprovementDirection,
    LabelSide,
    PointLabel,
    Side,
    SpcOptions,
    SpcRule,
    TrendTies,
    TwoOfThree,
    VariationIcon,
    xmr,
)

FLAT = [10, 12, 11, 13, 10, 12, 11, 13, 10, 12, 11, 13]


def _flagged(result: object, rule: SpcRule) -> list[int]:
    return [i for i, p in enumerate(result.points) if rule in p.rules]  # type: ignore[attr-defined]


def test_limits_are_mean_plus_minus_266_mean_moving_ranges_in_exact_fractions() -> None:
    result = xmr(FLAT)
    phase = result.phases[0]
    assert phase.mean == Fraction(138, 12)
    mrs = [abs(a - b) for a, b in zip(FLAT[1:], FLAT[:-1], strict=True)]
    amr = Fraction(sum(mrs), len(mrs))
    assert phase.mean_moving_range == amr
    assert phase.upper_limit == phase.mean + Fraction("2.66") * amr
    assert phase.lower_limit == phase.mean - Fraction("2.66") * amr
    assert phase.sigma == Fraction("2.66") * amr / 3


def test_float_inputs_give_float_results_and_exact_inputs_give_fractions() -> None:
    assert isinstance(xmr(FLAT).phases[0].mean, Fraction)
    assert isinstance(xmr([Decimal("1.5"), Decimal("2.5"), 3]).phases[0].mean, Fraction)
    assert isinstance(xmr([1.5, 2.5, 3.0]).phases[0].mean, float)


def test_a_large_moving_range_is_screened_out_unless_kept() -> None:
    values = [10, 11, 10, 11, 10, 11, 10, 40, 11, 10, 11, 10]
    screened = xmr(values).phases[0]
    kept = xmr(values, options=SpcOptions(screen_moving_ranges=False)).phases[0]
    assert screened.moving_ranges_screened == 2
    assert kept.moving_ranges_screened == 0
    assert screened.upper_limit < kept.upper_limit
    assert not xmr(values).points[7].moving_range_used


def test_a_point_strictly_beyond_a_limit_is_special_cause_and_one_on_it_is_not() -> None:
    result = xmr([*FLAT, 30])
    assert result.points[-1].rule is SpcRule.BEYOND_LIMITS
    assert result.points[-1].label is PointLabel.SPECIAL_CAUSE_IMPROVEMENT
    assert result.variation is VariationIcon.IMPROVEMENT_HIGH
    down = xmr([*FLAT, 30], improvement=ImprovementDirection.DECREASE)
    assert down.points[-1].label is PointLabel.SPECIAL_CAUSE_CONCERN
    assert down.variation is VariationIcon.CONCERN_HIGH
    neutral = xmr([*FLAT, 30], improvement=ImprovementDirection.NEUTRAL)
    assert neutral.points[-1].label is PointLabel.SPECIAL_CAUSE_NEITHER
    assert neutral.variation is VariationIcon.NEITHER_HIGH


def test_seven_points_on_one_side_make_a_shift_and_a_point_on_the_mean_breaks_it() -> None:
    # NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R: eight points on one side
    # then a crossing flag the eight.
    values = [1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1]
    options = SpcOptions(shift_length=7, fix_after=12)
    shifted = xmr(values, options=options)
    assert _flagged(shifted, SpcRule.SHIFT) == list(range(10, 18))
    with_break = [*values[:13], shifted.phases[0].mean, *values[14:]]
    broken = xmr(with_break, options=options)
    assert broken.phases[0].mean == shifted.phases[0].mean
    assert _flagged(broken, SpcRule.SHIFT) == []


def test_seven_rising_points_make_a_trend_and_a_tie_breaks_it() -> None:
    # NHSRplotthedots: ptd_seven_point_trend(c(2, 1:7, 3)) flags 1:7; c(1:3, 3:6) is no trend.
    assert _flagged(xmr([2, 1, 2, 3, 4, 5, 6, 7, 3]), SpcRule.TREND) == list(range(1, 8))
    assert _flagged(xmr([1, 2, 3, 3, 4, 5, 6]), SpcRule.TREND) == []
    ignoring = SpcOptions(trend_ties=TrendTies.IGNORE)
    assert _flagged(xmr([1, 2, 3, 3, 4, 5, 6, 7], options=ignoring), SpcRule.TREND) == list(
        range(8)
    )


def test_two_of_three_beyond_two_sigma_on_one_side_flags_the_points_beyond() -> None:
    base = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12]
    probe = xmr(base).phases[0]
    near = (probe.upper_two_sigma + probe.upper_limit) / 2
    result = xmr([*base, near, 11 + Fraction(1, 2), near], options=SpcOptions(fix_after=12))
    assert _flagged(result, SpcRule.TWO_OF_THREE) == [12, 14]
    assert result.points[13].label is PointLabel.COMMON_CAUSE


def test_western_electric_two_of_three_counts_points_beyond_the_limits() -> None:
    base = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12]
    probe = xmr(base).phases[0]
    near = (probe.upper_two_sigma + probe.upper_limit) / 2
    values = [*base, near, probe.upper_limit + 5, 11]
    plotthedots = xmr(values, options=SpcOptions(fix_after=12))
    western = xmr(
        values, options=SpcOptions(fix_after=12, two_of_three=TwoOfThree.WESTERN_ELECTRIC)
    )
    assert SpcRule.TWO_OF_THREE not in plotthedots.points[12].rules
    assert SpcRule.TWO_OF_THREE in western.points[12].rules


def test_precedence_decides_the_rule_and_label_side_can_follow_the_rule() -> None:
    # a rising trend that crosses the mean: by the mean its first points are low, by the rule
    # (a rising trend) they are high
    values = [10, 14] * 6 + [9, 10, 11, Fraction(25, 2), 13, 14, 15]
    by_mean = xmr(values, options=SpcOptions(fix_after=12, label_side=LabelSide.PLOTTHEDOTS_0_1))
    by_rule = xmr(values, options=SpcOptions(fix_after=12))
    assert SpcOptions().label_side is LabelSide.RULE
    assert LabelSide.MEAN is LabelSide.PLOTTHEDOTS_0_1
    below = 13  # the value 10, under the mean of 12
    assert by_mean.points[below].rules == (SpcRule.TREND,)
    assert by_mean.points[below].side is Side.LOW
    assert by_mean.points[below].label is PointLabel.SPECIAL_CAUSE_CONCERN
    assert by_rule.points[below].side is Side.HIGH
    assert by_rule.points[below].label is PointLabel.SPECIAL_CAUSE_IMPROVEMENT


def test_the_first_rule_in_the_precedence_gives_the_label() -> None:
    values = [10, 14] * 6 + [40, 41, 42, 43, 44, 45, 46]
    default = xmr(values, options=SpcOptions(fix_after=12)).points[-1]
    assert default.rules == (SpcRule.BEYOND_LIMITS, SpcRule.TREND, SpcRule.SHIFT)
    assert default.rule is SpcRule.BEYOND_LIMITS
    reordered = SpcOptions(
        fix_after=12,
        precedence=(SpcRule.TREND, SpcRule.BEYOND_LIMITS, SpcRule.SHIFT, SpcRule.TWO_OF_THREE),
    )
    assert xmr(values, options=reordered).points[-1].rule is SpcRule.TREND


def test_fixing_limits_uses_only_the_first_n_values() -> None:
    values = [*FLAT, 50, 60, 70]
    fixed = xmr(values, options=SpcOptions(fix_after=12))
    assert fixed.phases[0].mean == xmr(FLAT).phases[0].mean
    assert fixed.phases[0].baseline == 12
    assert fixed.points[-1].rule is SpcRule.BEYOND_LIMITS


def test_fix_after_fewer_than_12_points_is_refused() -> None:
    with pytest.raises(DomainValidationError, match="fix_after"):
        SpcOptions(fix_after=11)


def test_rebasing_starts_a_phase_with_its_own_limits_and_no_moving_range_across() -> None:
    values = [*FLAT, *(v + 100 for v in FLAT)]
    result = xmr(values, rebase_at=[13])
    assert len(result.phases) == 2
    assert result.phases[1].mean == result.phases[0].mean + 100
    assert result.points[12].moving_range is None
    assert result.points[12].phase == 1
    assert all(p.label is PointLabel.COMMON_CAUSE for p in result.points)


def test_missing_values_keep_their_position_and_are_left_out_of_the_limits() -> None:
    values: list[int | None] = [*FLAT[:5], None, *FLAT[5:]]
    result = xmr(values)
    assert result.points[5].value is None
    assert result.points[5].label is None
    assert result.points[6].moving_range is None
    assert result.phases[0].mean == xmr(FLAT).phases[0].mean
    bridged = xmr(values, options=SpcOptions(moving_range_across_gaps=True))
    assert bridged.points[6].moving_range == abs(FLAT[5] - FLAT[4])


def test_assurance_compares_the_target_with_the_latest_limits() -> None:
    up = ImprovementDirection.INCREASE
    down = ImprovementDirection.DECREASE
    assert xmr(FLAT, target=5, improvement=up).assurance is AssuranceIcon.PASS
    assert xmr(FLAT, target=30, improvement=up).assurance is AssuranceIcon.FAIL
    assert xmr(FLAT, target=11, improvement=up).assurance is AssuranceIcon.HIT_AND_MISS
    assert xmr(FLAT, target=5, improvement=down).assurance is AssuranceIcon.FAIL
    assert xmr(FLAT, target=30, improvement=down).assurance is AssuranceIcon.PASS
    assert xmr(FLAT, target=5, improvement=ImprovementDirection.NEUTRAL).assurance is None
    assert xmr(FLAT).assurance is None


def test_the_qicharts2_constant_is_three_over_1_128() -> None:
    phase = xmr(FLAT, options=SpcOptions(limit_constant=QICHARTS2_LIMIT)).phases[0]
    assert phase.upper_limit - phase.mean == 3 * phase.mean_moving_range / Fraction("1.128")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"values": [1]}, "values"),
        ({"values": [1, None, 3]}, "values"),
        ({"values": [1, 2, "3"]}, "values[2]"),
        ({"values": [1, 2, True]}, "values[2]"),
        ({"values": [1.0, float("nan")]}, "values[1]"),
        ({"values": [1, 2, 3], "x": [1, 1, 2]}, "x"),
        ({"values": [1, 2, 3], "x": [1, 2]}, "x"),
        ({"values": [1, 2, 3, 4], "rebase_at": [9]}, "rebase_at"),
        ({"values": [1, 2, 3, 4], "rebase_at": [1]}, "rebase_at"),
        ({"values": [1, 2, 3, 4], "rebase_at": [4]}, "values"),
        ({"values": [1, 2, 3], "target": "high"}, "target"),
        # floats at the edge: a moving range or a limit beyond the largest float, a signalling
        # NaN (which math.isfinite cannot even look at)
        ({"values": [1.7e308, -1.7e308, 1.0]}, "values"),
        ({"values": [1e308, 1.5e308, 1.7e308]}, "values"),
        ({"values": [1.0, 2.0], "target": 10**400}, "target"),
        ({"values": [1, Decimal("sNaN")]}, "values[1]"),
        ({"values": [Decimal("NaN"), 1, 2]}, "values[0]"),
        ({"values": [1, 2, 3], "target": Decimal("sNaN")}, "target"),
    ],
)
def test_bad_input_is_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        xmr(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit_constant": float("nan")}, "limit_constant"),
        ({"limit_constant": Decimal("sNaN")}, "limit_constant"),
        ({"moving_range_limit": float("inf")}, "moving_range_limit"),
        ({"precedence": ("beyond_limits", "shift", "trend", "two_of_three")}, "precedence"),
        ({"precedence": (SpcRule.SHIFT, SpcRule.TREND)}, "precedence"),
        ({"short_group_threshold": -1}, "short_group_threshold"),
        ({"short_group_threshold": True}, "short_group_threshold"),
    ],
)
def test_bad_options_are_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        SpcOptions(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_exact_values_far_beyond_the_float_range_stay_exact() -> None:
    result = xmr([10**400, 3 * 10**400, 2 * 10**400])
    assert result.phases[0].mean == 2 * 10**400

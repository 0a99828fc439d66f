"""XmR labels, icons, warnings and limits pinned to NHSRplotthedots 0.2.2 (NHS-R Community,
github.com/nhs-r-community/NHSRplotthedots, tag 0.2.2): its own test cases and vignettes, and
what its labelling functions give on series chosen to tell the methods apart.

Each test names the file and function of NHSRplotthedots it follows. The rnorm() draws of its
tests (``set.seed(123)``) are written out to the last bit, as R prints them with ``%.17g``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from collab_core.domain.measures import (
    SHIFT_FIRST_PRECEDENCE,
    SHORT_GROUP_THRESHOLD,
    AssuranceIcon,
    ImprovementDirection,
    LabelSide,
    PointLabel,
    Side,
    SpcOptions,
    SpcRule,
    VariationIcon,
    XmrResult,
    assurance_icon,
    xmr,
)

UP, DOWN, NEUTRAL = (
    ImprovementDirection.INCREASE,
    ImprovementDirection.DECREASE,
    ImprovementDirection.NEUTRAL,
)
CC, IMP, CON = "common_cause", "special_cause_improvement", "special_cause_concern"

# set.seed(123); rnorm(24), then rnorm(12, 5), then rnorm(12, -5)
RNORM_24 = [
    -0.5604756465522126,
    -0.23017748948327996,
    1.558708314149124,
    0.070508391424576003,
    0.12928773516094624,
    1.715064986883281,
    0.4609162059892023,
    -1.265061234606534,
    -0.68685285189352607,
    -0.44566197009995806,
    1.2240817974394615,
    0.35981382705736381,
    0.40077145059405217,
    0.11068271594511971,
    -0.55584113475407493,
    1.7869131368030782,
    0.49785047822923939,
    -1.9666171566296382,
    0.70135590156368555,
    -0.47279140772793404,
    -1.0678237059868452,
    -0.21797491465829513,
    -1.0260044483072397,
    -0.72889122929114025,
]
RNORM_20 = RNORM_24[:20]
RNORM_12_MEAN_5 = [
    4.3749607321507433,
    3.3133066892575869,
    5.837787044494525,
    5.153373117836515,
    3.8618630629880526,
    6.2538149210699263,
    5.426464221476814,
    4.7049285170077288,
    5.8951256610450224,
    5.8781334875330424,
    5.8215810816374871,
    5.6886402541000907,
]
RNORM_12_MEAN_MINUS_5 = [
    -4.4460823464624113,
    -5.0619117105767213,
    -5.3059626637399164,
    -5.3804710010123831,
    -5.6947069789205127,
    -5.2079172780195986,
    -6.2653963515682642,
    -2.8310440346614874,
    -3.7920380016950093,
    -6.1231085832033489,
    -5.4028848352990764,
    -5.466655353623219,
]


def _types(result: XmrResult) -> list[str]:
    """Each point as NHSRplotthedots' ``point_type`` column names it."""
    out = []
    for p in result.points:
        assert p.label is not None
        if p.label is PointLabel.SPECIAL_CAUSE_NEITHER:
            assert p.side is not None
            out.append(f"special_cause_neutral_{p.side.value}")
        else:
            out.append(p.label.value)
    return out


# ---------------------------------------------------------------------------------------------
# R/ptd_calculate_point_type.R, ptd_special_cause_type: the order of precedence
# ---------------------------------------------------------------------------------------------


def test_a_point_in_a_shift_and_a_trend_is_labelled_by_the_trend() -> None:
    # ptd_special_cause_type's case_when tries outside the limits, then the 7 point trend,
    # then 2 in 3, then 7 points on one side: the 16 at position 8 is the 8th point above the
    # mean and the start of a falling trend, so it is "7 Point Trend (Decreasing)", concern
    values = [14, 16, 14, 16, 14, 16, 14, 16, 13, 12, 11, 10, 9, 8, 7, 16, 14, 16]
    result = xmr(values, improvement=UP)
    assert _types(result) == [IMP] * 7 + [CON] * 8 + [CC] * 3
    peak = result.points[7]
    assert peak.rules == (SpcRule.TREND, SpcRule.SHIFT)
    assert peak.rule is SpcRule.TREND
    assert peak.side is Side.LOW
    assert _types(xmr(values, improvement=DOWN)) == [CON] * 7 + [IMP] * 8 + [CC] * 3
    beyond = result.points[13]
    assert beyond.rules == (SpcRule.BEYOND_LIMITS, SpcRule.TREND, SpcRule.SHIFT)
    assert beyond.rule is SpcRule.BEYOND_LIMITS
    # the order before: the shift decides, and by the side of the mean the 16 is improvement
    earlier = xmr(
        values,
        options=SpcOptions(precedence=SHIFT_FIRST_PRECEDENCE, label_side=LabelSide.PLOTTHEDOTS_0_1),
    )
    assert earlier.points[7].rule is SpcRule.SHIFT
    assert earlier.points[7].label is PointLabel.SPECIAL_CAUSE_IMPROVEMENT


def test_two_in_three_on_opposite_sides_of_the_mean_is_common_cause() -> None:
    # tests/testthat/test-ptd_spc_standard.R, "it only reports special cause for 2of3 points
    # close to limits when they are on the same side of the mean" (NHSRplotthedots #143)
    values = [1, -1] * 8
    values[14], values[15] = Fraction(11, 2), Fraction(-11, 2)
    assert _types(xmr(values))[-2:] == [CC, CC]


# ---------------------------------------------------------------------------------------------
# The colour of a trend (NHSRplotthedots #171, in 0.2.0): by the trend's direction
# ---------------------------------------------------------------------------------------------


def test_a_rising_trend_that_starts_below_the_mean_is_all_improvement() -> None:
    values = [10, 14] * 6 + [9, 10, 11, 12, 13, 14, 15]
    result = xmr(values, improvement=UP)
    assert result.phases[0].mean == 12
    assert _types(result) == [CC] * 12 + [IMP] * 7
    assert (
        _types(xmr(values, improvement=NEUTRAL)) == [CC] * 12 + ["special_cause_neutral_high"] * 7
    )
    # before 2023 (0.1.0's point_type): by the point's side of the mean, and a special cause
    # exactly on the mean is concern
    before = xmr(values, improvement=UP, options=SpcOptions(label_side=LabelSide.PLOTTHEDOTS_0_1))
    assert _types(before) == [CC] * 12 + [CON] * 4 + [IMP] * 3
    assert before.points[15].value == 12
    assert before.points[15].side is Side.LOW


def test_the_peak_of_a_rise_and_a_fall_takes_the_later_trend() -> None:
    # ptd_special_cause_type: "if a point is part of a trend either side, use right side"
    values = [0, 20, 0, 20, 0, 20, 3, 5, 7, 9, 11, 13, 15, 13, 11, 9, 7, 5, 3, 20, 0, 20, 0, 20]
    result = xmr(values, improvement=UP)
    assert _types(result) == [CC] * 6 + [IMP] * 6 + [CON] * 7 + [CC] * 5
    peak = result.points[12]
    assert peak.value == 15
    assert peak.rule is SpcRule.TREND
    assert peak.side is Side.LOW


def test_where_one_trend_ends_and_another_starts_the_step_between_them_decides() -> None:
    # ptd_special_cause_type reads each trend point's direction from the step to the next
    # point when that point is in a trend too: the 17 that ends a rise is "Decreasing" when a
    # new rise starts lower, and a repeated value reads as decreasing (sign 0 is not 1)
    new_rise = [10, 20, 10, 20, 10, 20, 11, 12, 13, 14, 15, 16, 17, 12, 13, 14, 15, 16, 17, 18]
    result = xmr([*new_rise, 20, 10, 20, 10, 20], improvement=UP)
    assert _types(result) == [CC] * 6 + [IMP] * 6 + [CON] + [IMP] * 8 + [CC] * 4
    tie = [10, 20, 10, 20, 10, 20, 11, 12, 13, 14, 15, 16, 17, 17, 16, 15, 14, 13, 12, 11]
    tied = xmr([*tie, 20, 10, 20, 10, 20], improvement=UP)
    assert _types(tied) == [CC] * 6 + [IMP] * 6 + [CON] * 8 + [CC] * 5
    assert _types(xmr([*tie, 20, 10, 20, 10, 20], improvement=DOWN)) == (
        [CC] * 6 + [CON] * 6 + [IMP] * 8 + [CC] * 5
    )


# ---------------------------------------------------------------------------------------------
# R/ptd_add_short_group_warnings.R, ptd_add_short_group_warnings
# ---------------------------------------------------------------------------------------------


def test_the_default_threshold_warns_a_phase_of_12_as_version_0_2_does() -> None:
    # getOption("ptd_spc.warning_threshold", 13): n() < 13 warns. The "deviations" vignette
    # rebases 36 months at 2017-04 and 2018-04 and captions all three 12-month phases
    assert SHORT_GROUP_THRESHOLD == 13
    assert SpcOptions().short_group_threshold == 13
    months = [30000 + 10 * (i % 5) for i in range(36)]
    result = xmr(months, rebase_at=[13, 25])
    assert [p.short_group for p in result.phases] == [True, True, True]
    assert len(result.warnings) == 3
    assert xmr(list(range(13))).warnings == ()


@pytest.mark.parametrize(("n", "warned"), [(11, True), (12, False), (20, False)])
def test_a_group_shorter_than_the_threshold_is_warned_and_one_equal_to_it_is_not(
    n: int, warned: bool
) -> None:
    # tests/testthat/test-ptd_add_short_group_warnings.R with warning_threshold <- 12
    result = xmr([v % 3 for v in range(n)], options=SpcOptions(short_group_threshold=12))
    assert result.phases[0].short_group is warned
    assert bool(result.warnings) is warned


def test_only_the_short_rebase_group_is_warned() -> None:
    # test-ptd_add_short_group_warnings.R, "warning on one facet": rebase groups of 35, 5, 20
    # and 20 points; only the group of 5 is short
    values = [v % 4 for v in range(80)]
    result = xmr(values, rebase_at=[36, 41, 61], options=SpcOptions(short_group_threshold=12))
    assert [p.short_group for p in result.phases] == [False, True, False, False]
    assert result.short_groups == (1,)
    assert result.warnings == (
        "phase 2 has 5 values, fewer than 12: its limits are trial limits and will change as "
        "values are added",
    )


# ---------------------------------------------------------------------------------------------
# R/ptd_calculate_assurance_type.R, ptd_calculate_assurance_type
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "increase", "decrease"),
    [
        (1, 3, AssuranceIcon.FAIL, AssuranceIcon.PASS),
        (5, 7, AssuranceIcon.PASS, AssuranceIcon.FAIL),
        (1, 5, AssuranceIcon.HIT_AND_MISS, AssuranceIcon.HIT_AND_MISS),
    ],
)
def test_assurance_for_a_target_of_4(
    lower: int, upper: int, increase: AssuranceIcon, decrease: AssuranceIcon
) -> None:
    # tests/testthat/test-ptd_calculate_assurance_type.R: facets a, b, c with target 4
    assert assurance_icon(4, lower, upper, UP) is increase
    assert assurance_icon(4, lower, upper, DOWN) is decrease
    assert assurance_icon(4, lower, upper, NEUTRAL) is None
    assert assurance_icon(None, lower, upper, UP) is None


# ---------------------------------------------------------------------------------------------
# R/ptd_spc_standard.R: limits (tests/testthat/_snaps/ptd_spc_standard.md, ptd_spc.md)
# ---------------------------------------------------------------------------------------------


def test_the_limits_of_the_snapshot_series_with_and_without_screening() -> None:
    # test-ptd_spc_standard.R "it returns expected values": rnorm(20), then y[15] <- 10
    first = xmr(RNORM_20).phases[0]
    assert first.mean == pytest.approx(0.1416238, abs=5e-8)
    assert first.lower_limit == pytest.approx(-3.01138, abs=5e-6)
    assert first.upper_limit == pytest.approx(3.294627, abs=5e-7)
    outlier = list(RNORM_20)
    outlier[14] = 10.0
    screened = xmr(outlier).phases[0]
    assert screened.mean == pytest.approx(0.6694159, abs=5e-8)
    assert screened.lower_limit == pytest.approx(-2.383666, abs=5e-7)
    assert screened.upper_limit == pytest.approx(3.722497, abs=5e-7)
    kept = xmr(outlier, options=SpcOptions(screen_moving_ranges=False)).phases[0]
    assert kept.lower_limit == pytest.approx(-4.596625, abs=5e-7)
    assert kept.upper_limit == pytest.approx(5.935457, abs=5e-7)
    sides = [1 if p.value > first.mean else -1 for p in xmr(RNORM_20).points]  # type: ignore[operator]
    assert sides[:15] == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1]


def test_the_summary_of_the_snapshot_series_and_its_two_facets() -> None:
    # _snaps/ptd_spc.md, "it outputs expected content": 20 points, all common cause; the
    # facets of 10 points each have means 0.0746 and 0.209 and limits (-2.60, 2.75) and
    # (-3.28, 3.70)
    whole = xmr(RNORM_20)
    assert _types(whole) == [CC] * 20
    for values, mean, lower, upper in (
        (RNORM_20[:10], 0.0746, -2.60, 2.75),
        (RNORM_20[10:], 0.209, -3.28, 3.70),
    ):
        facet = xmr(values)
        assert _types(facet) == [CC] * 10
        phase = facet.phases[0]
        assert round(float(phase.mean), 4 if mean < 0.1 else 3) == mean
        assert round(float(phase.lower_limit), 2) == lower
        assert round(float(phase.upper_limit), 2) == upper


# ---------------------------------------------------------------------------------------------
# R/geom_ptd_icon.R, ptd_get_icons (tests/testthat/test-geom_ptd_icon.R)
# ---------------------------------------------------------------------------------------------


def test_the_icons_of_the_icon_tests() -> None:
    d = list(RNORM_24)
    s1 = xmr(d)
    assert (s1.variation, s1.assurance) == (VariationIcon.COMMON_CAUSE, None)
    s2 = xmr(d, target=0.5)
    assert (s2.variation, s2.assurance) == (VariationIcon.COMMON_CAUSE, AssuranceIcon.HIT_AND_MISS)
    for facet in (d[:12], d[12:]):  # s3 and s4: facet f = rep(0:1, each = 12)
        assert xmr(facet).variation is VariationIcon.COMMON_CAUSE
        assert xmr(facet, target=0.5).assurance is AssuranceIcon.HIT_AND_MISS
    high = d[:12] + RNORM_12_MEAN_5
    s5 = xmr(high, target=-3)
    assert (s5.variation, s5.assurance) == (VariationIcon.IMPROVEMENT_HIGH, AssuranceIcon.PASS)
    s6 = xmr(high, target=-3, improvement=DOWN)
    assert (s6.variation, s6.assurance) == (VariationIcon.CONCERN_HIGH, AssuranceIcon.FAIL)
    low = d[:12] + RNORM_12_MEAN_MINUS_5
    s7 = xmr(low, target=3)
    assert (s7.variation, s7.assurance) == (VariationIcon.CONCERN_LOW, AssuranceIcon.FAIL)
    s8 = xmr(low, target=3, improvement=DOWN)
    assert (s8.variation, s8.assurance) == (VariationIcon.IMPROVEMENT_LOW, AssuranceIcon.PASS)
    s9 = xmr(low, target=3, improvement=NEUTRAL)
    assert (s9.variation, s9.assurance) == (VariationIcon.NEITHER_LOW, None)


# ---------------------------------------------------------------------------------------------
# Assurance with a target on a limit (ptd_calculate_assurance_type: strictly beyond)
# ---------------------------------------------------------------------------------------------

ON_A_LIMIT = [15.0, 13.0, 12.0, 13.0, 12.0, 11.0, 8.0, 6.0, 9.0, 11.0, 6.0, 5.0, 14.0]


@pytest.mark.parametrize("direction", [UP, DOWN])
def test_a_float_target_equal_to_a_reported_limit_is_hit_and_miss(
    direction: ImprovementDirection,
) -> None:
    result = xmr(ON_A_LIMIT, improvement=direction)
    phase = result.phases[0]
    assert phase.upper_limit == 15.704615384615385
    # the float is not the exact limit, 5104/325: comparing the float's binary value with the
    # exact Fraction would call the target beyond the limit
    exact = xmr([int(v) for v in ON_A_LIMIT]).phases[0]
    assert exact.upper_limit == Fraction(5104, 325)
    assert Fraction(phase.upper_limit) != exact.upper_limit
    assert Fraction(phase.lower_limit) != exact.lower_limit
    for limit in (phase.upper_limit, phase.lower_limit):
        assert xmr(ON_A_LIMIT, improvement=direction, target=limit).assurance is (
            AssuranceIcon.HIT_AND_MISS
        )
    # the exact limit as the target of exact values is on it too
    for limit in (exact.upper_limit, exact.lower_limit):
        exact_values = [int(v) for v in ON_A_LIMIT]
        assert xmr(exact_values, improvement=direction, target=limit).assurance is (
            AssuranceIcon.HIT_AND_MISS
        )
    # one float step beyond either limit passes or fails
    above = math.nextafter(phase.upper_limit, math.inf)
    below = math.nextafter(phase.lower_limit, -math.inf)
    up_fail, up_pass = (
        (AssuranceIcon.FAIL, AssuranceIcon.PASS)
        if direction is UP
        else (AssuranceIcon.PASS, AssuranceIcon.FAIL)
    )
    assert xmr(ON_A_LIMIT, improvement=direction, target=above).assurance is up_fail
    assert xmr(ON_A_LIMIT, improvement=direction, target=below).assurance is up_pass

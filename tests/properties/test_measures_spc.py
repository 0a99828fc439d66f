"""Properties of XmR charts: translation, scaling and reflection act on them as they should."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain.measures import (
    PLOTTHEDOTS_PRECEDENCE,
    AssuranceIcon,
    ImprovementDirection,
    PointLabel,
    Side,
    SpcOptions,
    SpcRule,
    TwoOfThree,
    xmr,
)

values_st = st.lists(st.integers(-40, 40), min_size=2, max_size=40)
directions = st.sampled_from(ImprovementDirection)
options_st = st.builds(
    SpcOptions,
    screen_moving_ranges=st.booleans(),
    two_of_three=st.sampled_from(TwoOfThree),
    shift_length=st.integers(5, 8),
    trend_length=st.integers(5, 8),
)
constants = st.fractions(min_value=-100, max_value=100, max_denominator=7)
positive = st.fractions(min_value=Fraction(1, 7), max_value=50, max_denominator=7)


@given(values_st, constants, directions, options_st, st.integers(-40, 40))
def test_adding_a_constant_shifts_mean_and_limits_and_keeps_every_label(
    values: list[int], c: Fraction, direction: ImprovementDirection, options: SpcOptions, t: int
) -> None:
    before = xmr(values, improvement=direction, target=t, options=options)
    after = xmr([v + c for v in values], improvement=direction, target=t + c, options=options)
    for a, b in zip(before.phases, after.phases, strict=True):
        assert b.mean == a.mean + c
        assert (b.lower_limit, b.upper_limit) == (a.lower_limit + c, a.upper_limit + c)
        assert b.mean_moving_range == a.mean_moving_range
    assert [p.label for p in after.points] == [p.label for p in before.points]
    assert [p.rules for p in after.points] == [p.rules for p in before.points]
    assert (after.variation, after.assurance) == (before.variation, before.assurance)


@given(values_st, positive, directions, options_st)
def test_multiplying_by_a_positive_constant_scales_mean_and_limits(
    values: list[int], k: Fraction, direction: ImprovementDirection, options: SpcOptions
) -> None:
    before = xmr(values, improvement=direction, options=options)
    after = xmr([v * k for v in values], improvement=direction, options=options)
    for a, b in zip(before.phases, after.phases, strict=True):
        assert b.mean == a.mean * k
        assert (b.lower_limit, b.upper_limit) == (a.lower_limit * k, a.upper_limit * k)
        assert b.sigma == a.sigma * k
    assert [p.label for p in after.points] == [p.label for p in before.points]


SWAP_ASSURANCE = {
    AssuranceIcon.PASS: AssuranceIcon.FAIL,
    AssuranceIcon.FAIL: AssuranceIcon.PASS,
    AssuranceIcon.HIT_AND_MISS: AssuranceIcon.HIT_AND_MISS,
    None: None,
}


@given(values_st, directions, options_st, st.integers(-40, 40))
def test_reflecting_the_series_swaps_improvement_and_concern(
    values: list[int], direction: ImprovementDirection, options: SpcOptions, t: int
) -> None:
    before = xmr(values, improvement=direction, target=t, options=options)
    after = xmr([-v for v in values], improvement=direction, target=-t, options=options)
    for a, b in zip(before.phases, after.phases, strict=True):
        assert b.mean == -a.mean
        assert (b.lower_limit, b.upper_limit) == (-a.upper_limit, -a.lower_limit)
    for a, b in zip(before.points, after.points, strict=True):
        assert b.label is (a.label.swapped if a.label else None)
        assert b.side is (a.side.opposite if a.side else None)
        assert b.rules == a.rules
    assert after.assurance is SWAP_ASSURANCE[before.assurance]


@given(values_st, directions, options_st, st.integers(-40, 40))
def test_reversing_the_direction_swaps_improvement_and_concern(
    values: list[int], direction: ImprovementDirection, options: SpcOptions, t: int
) -> None:
    before = xmr(values, improvement=direction, target=t, options=options)
    after = xmr(values, improvement=direction.reversed, target=t, options=options)
    for a, b in zip(before.points, after.points, strict=True):
        assert b.label is (a.label.swapped if a.label else None)
        assert b.side is a.side
    assert after.assurance is SWAP_ASSURANCE[before.assurance]


@given(values_st, directions, options_st, st.integers(-40, 40))
def test_reflecting_the_series_and_reversing_the_direction_keeps_every_label(
    values: list[int], direction: ImprovementDirection, options: SpcOptions, t: int
) -> None:
    # the two swaps cancel: a mirrored chart of the mirrored measure tells the same story
    before = xmr(values, improvement=direction, target=t, options=options)
    after = xmr([-v for v in values], improvement=direction.reversed, target=-t, options=options)
    assert [p.label for p in after.points] == [p.label for p in before.points]
    assert after.assurance is before.assurance


@given(values_st, directions, options_st)
def test_a_point_is_special_cause_exactly_when_a_rule_flags_it(
    values: list[int], direction: ImprovementDirection, options: SpcOptions
) -> None:
    result = xmr(values, improvement=direction, options=options)
    phase = result.phases[0]
    for p in result.points:
        assert (p.label is PointLabel.COMMON_CAUSE) == (p.rules == ())
        beyond = p.value is not None and not phase.lower_limit <= p.value <= phase.upper_limit
        assert (SpcRule.BEYOND_LIMITS in p.rules) == beyond
        if direction is ImprovementDirection.NEUTRAL:
            assert p.label in (PointLabel.COMMON_CAUSE, PointLabel.SPECIAL_CAUSE_NEITHER)


@given(values_st, st.integers(-40, 40))
def test_a_target_outside_the_limits_passes_or_fails_and_inside_is_hit_and_miss(
    values: list[int], t: int
) -> None:
    result = xmr(values, target=t)
    phase = result.phases[-1]
    expected = (
        AssuranceIcon.FAIL
        if t > phase.upper_limit
        else AssuranceIcon.PASS
        if t < phase.lower_limit
        else AssuranceIcon.HIT_AND_MISS
    )
    assert result.assurance is expected


@given(values_st, st.data())
def test_missing_values_keep_their_place_and_leave_the_limits_alone(
    values: list[int], data: st.DataObject
) -> None:
    gappy: list[int | None] = list(values)
    for _ in range(data.draw(st.integers(1, 5))):
        gappy.insert(data.draw(st.integers(1, len(gappy))), None)
    bridged = SpcOptions(moving_range_across_gaps=True)
    plain, with_gaps = xmr(values, options=bridged), xmr(gappy, options=bridged)
    assert len(with_gaps.points) == len(gappy)
    assert with_gaps.phases[0].mean == plain.phases[0].mean
    assert with_gaps.phases[0].upper_limit == plain.phases[0].upper_limit
    assert [p.label for p in with_gaps.points if p.value is not None] == [
        p.label for p in plain.points
    ]
    assert all(p.label is None for p in with_gaps.points if p.value is None)


def _trend_step_side(values: list[int], trend_at: list[bool], i: int) -> Side:
    """NHSRplotthedots 0.2.x (ptd_special_cause_type): a trend point's direction is the step to
    the next point when that point is in a trend too, else the step from the previous one; a
    zero step reads as decreasing."""
    if i + 1 < len(values) and trend_at[i + 1]:
        step = values[i + 1] - values[i]
    else:
        step = values[i] - values[i - 1]
    return Side.HIGH if step > 0 else Side.LOW


@given(st.lists(st.integers(-20, 20), min_size=2, max_size=50), directions)
def test_plotthedots_precedence_gives_one_label_coloured_by_the_rule_and_the_direction(
    values: list[int], direction: ImprovementDirection
) -> None:
    result = xmr(values, improvement=direction)
    assert result.options.precedence == PLOTTHEDOTS_PRECEDENCE
    phase = result.phases[0]
    trend_at = [SpcRule.TREND in p.rules for p in result.points]
    for i, p in enumerate(result.points):
        # at most one label: the deciding rule is the first that fired, in the precedence
        assert p.label is not None
        if not p.rules:
            assert (p.label, p.rule, p.side) == (PointLabel.COMMON_CAUSE, None, None)
            continue
        assert p.rule == p.rules[0]
        assert list(p.rules) == [r for r in PLOTTHEDOTS_PRECEDENCE if r in p.rules]
        # the side is the rule's direction
        if p.rule is SpcRule.TREND:
            expected = _trend_step_side(values, trend_at, i)
        elif p.rule is SpcRule.BEYOND_LIMITS:
            expected = Side.HIGH if p.value > phase.upper_limit else Side.LOW  # type: ignore[operator]
        else:  # a shift or two-of-three: the side of the mean the run is on
            assert p.value != phase.mean
            expected = Side.HIGH if p.value > phase.mean else Side.LOW  # type: ignore[operator]
        assert p.side is expected
        # the colour: improvement on the better side, concern on the other, neither if neutral
        if direction is ImprovementDirection.NEUTRAL:
            assert p.label is PointLabel.SPECIAL_CAUSE_NEITHER
        else:
            better = Side.HIGH if direction is ImprovementDirection.INCREASE else Side.LOW
            assert p.label is (
                PointLabel.SPECIAL_CAUSE_IMPROVEMENT
                if p.side is better
                else PointLabel.SPECIAL_CAUSE_CONCERN
            )

"""One XmR chart of one phase with no missing value, as :func:`~collab_core.domain.measures.
xmr_summaries` charts most series: the same integers, limits, rules and labels as the general
chart in :mod:`collab_core.domain.measures.spc`, worked out in fewer passes.

Each value is placed once in one of seven zones about its phase's lines (beyond the lower
limit, below 2σ, below the mean, on it, above it, above 2σ, beyond the upper limit), by one
bisection against six integer thresholds at the values' own scale. The zones, one byte per
point, are then searched for shifts and two-of-three windows with regular expressions, and the
steps between values for trends, so that the loops in Python run over flagged points only.
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import partial
from itertools import islice

from collab_core.domain.measures._numbers import Quantity, present_ratio
from collab_core.domain.measures.labels import ImprovementDirection, PointLabel, Side, label_for
from collab_core.domain.measures.options import LabelSide, SpcOptions, SpcRule, TwoOfThree
from collab_core.domain.measures.patterns import TrendTies
from collab_core.domain.measures.rules import _side_of_mean_0_1, _trend_sides

__all__ = ["PhaseFigures", "SinglePhasePlan", "single_phase"]

# Zones, bisect_right of a value among the six thresholds: 0 beyond the lower limit, 1 below
# the lower 2σ line, 2 below the mean, 3 on it, 4 above it, 5 above the upper 2σ line, 6 beyond
# the upper limit.
_LOW_TWO_SIGMA, _ON_MEAN, _HIGH_TWO_SIGMA = 1, 3, 5
_HIGH, _LOW = Side.HIGH, Side.LOW
# A point's side as a code: 0 for no special cause, then high and low.
_SIDES: tuple[Side | None, Side, Side] = (None, _HIGH, _LOW)
_HIGH_CODE, _LOW_CODE = 1, 2

# Two of three points between 2σ and the limit, all three on one side of the mean (a lookahead,
# so that every window is found, overlapping ones too).
_TWO_OF_THREE_PLOTTHEDOTS = re.compile(
    rb"(?=\x05\x05[\x04-\x06]|\x05[\x04-\x06]\x05|[\x04-\x06]\x05\x05"
    rb"|\x01\x01[\x00-\x02]|\x01[\x00-\x02]\x01|[\x00-\x02]\x01\x01)"
)
# Two of three points beyond 2σ on one side, the limits counted, the third anywhere.
_TWO_OF_THREE_WESTERN = re.compile(
    rb"(?=[\x05\x06][\x05\x06][\x00-\x06]|[\x05\x06][\x00-\x06][\x05\x06]"
    rb"|[\x00-\x06][\x05\x06][\x05\x06]"
    rb"|[\x00\x01][\x00\x01][\x00-\x06]|[\x00\x01][\x00-\x06][\x00\x01]"
    rb"|[\x00-\x06][\x00\x01][\x00\x01])"
)
_BEYOND = re.compile(rb"[\x00\x06]")

#: mean, mean moving range, lower and upper limits, lower and upper 2σ lines, sigma (each as
#: :func:`present_ratio` gives it); values the mean came from, moving ranges used and screened
PhaseFigures = tuple[
    Quantity, Quantity, Quantity, Quantity, Quantity, Quantity, Quantity, int, int, int
]


class SinglePhasePlan:
    """What every chart of one batch shares: the options taken apart once, the patterns for
    its run lengths, and the label of each side."""

    __slots__ = (
        "fix_after",
        "improvement",
        "labels",
        "limit",
        "old_sides",
        "options",
        "order",
        "screen",
        "shift",
        "trend",
        "trend_candidate",
        "two_of_three",
    )

    def __init__(self, improvement: ImprovementDirection, options: SpcOptions) -> None:
        self.improvement = improvement
        self.options = options
        self.limit = options.limit_constant
        self.screen = options.moving_range_limit if options.screen_moving_ranges else None
        self.fix_after = options.fix_after
        length = options.shift_length
        self.shift = re.compile(rb"[\x04-\x06]{%d,}|[\x00-\x02]{%d,}" % (length, length))
        steps = options.trend_length - 1
        ties_break = options.trend_ties is TrendTies.BREAK
        # runs of rising steps; runs of steps that do not rise, where a falling trend may be
        self.trend = re.compile(rb"\x01{%d,}" % steps) if ties_break else None
        self.trend_candidate = re.compile(rb"\x00{%d,}" % steps)
        self.two_of_three = (
            _TWO_OF_THREE_PLOTTHEDOTS
            if options.two_of_three is TwoOfThree.PLOTTHEDOTS
            else _TWO_OF_THREE_WESTERN
        )
        # the lowest precedence first, so that a rule higher up overwrites it
        self.order = tuple(reversed(options.precedence))
        self.old_sides = options.label_side is LabelSide.PLOTTHEDOTS_0_1
        self.labels = (
            PointLabel.COMMON_CAUSE,
            label_for(improvement, _HIGH),
            label_for(improvement, _LOW),
        )


def single_phase(
    vals: Sequence[int | None], denominator: int, exact: bool, plan: SinglePhasePlan
) -> tuple[PhaseFigures, list[PointLabel], list[SpcRule | None], Side | None] | None:
    """The phase's figures, each point's label and deciding rule, and the last point's side, as
    the general chart gives them; None when the chart is not one this handles (a missing
    value, fewer than two values, or no moving range kept), for the general chart to make or
    refuse. Only :func:`present_ratio` may raise, as it does, in the same order, there."""
    n = len(vals)
    if n < 2 or None in vals:
        return None
    values: list[int] = list(vals)  # type: ignore[arg-type]
    count = n if plan.fix_after is None else min(n, plan.fix_after)
    moving = list(map(abs, map(operator.sub, islice(values, 1, None), values)))
    base_mrs = moving if count == n else moving[: count - 1]
    total = sum(values) if count == n else sum(values[:count])
    mr_total = sum(base_mrs)
    kept = len(base_mrs)
    screen = plan.screen
    if screen is not None and mr_total > 0:
        # kept below screen × their mean: mr × m × q < p × total, i.e. mr <= (p × total - 1)
        # // (m × q) for integers
        cut = (screen.numerator * mr_total - 1) // (screen.denominator * kept)
        base_mrs = [mr for mr in base_mrs if mr <= cut]
        kept = len(base_mrs)
        if not kept:
            return None
        mr_total = sum(base_mrs)
    limit = plan.limit
    factor = 3 * count * limit.denominator * kept
    mid = 3 * total * limit.denominator * kept
    reach = 3 * limit.numerator * mr_total * count
    reach2 = 2 * limit.numerator * mr_total * count
    over = factor * denominator
    figures: PhaseFigures = (
        present_ratio(mid, over, exact),
        present_ratio(mr_total, kept * denominator, exact),
        present_ratio(mid - reach, over, exact),
        present_ratio(mid + reach, over, exact),
        present_ratio(mid - reach2, over, exact),
        present_ratio(mid + reach2, over, exact),
        present_ratio(reach, 3 * over, exact),
        count,
        kept,
        count - 1 - kept,
    )
    # A value v is compared as v × factor with each line; for an integer v, v × factor > line
    # when v > line // factor, and v × factor < line when v < ceil(line / factor).
    thresholds = [
        -((reach - mid) // factor),
        -((reach2 - mid) // factor),
        -(-mid // factor),
        mid // factor + 1,
        (mid + reach2) // factor + 1,
        (mid + reach) // factor + 1,
    ]
    zones = bytes(map(partial(bisect_right, thresholds), values))
    # each point's side as a code (_SIDES) and its rule, the lowest precedence written first
    sides = bytearray(n)
    rules: list[SpcRule | None] = [None] * n
    for rule in plan.order:
        if rule is SpcRule.BEYOND_LIMITS:
            for match in _BEYOND.finditer(zones):
                i = match.start()
                sides[i] = _HIGH_CODE if zones[i] else _LOW_CODE
                rules[i] = rule
        elif rule is SpcRule.SHIFT:
            for match in plan.shift.finditer(zones):
                start, end = match.span()
                side = _HIGH_CODE if zones[start] > _ON_MEAN else _LOW_CODE
                sides[start:end] = bytes((side,)) * (end - start)
                rules[start:end] = [rule] * (end - start)
        else:
            flagged = _trends(values, plan) if rule is SpcRule.TREND else _two_of_three(zones, plan)
            for i, side in flagged:
                sides[i] = side
                rules[i] = rule
    if plan.old_sides:
        improvement = plan.improvement
        for i, code in enumerate(sides):
            if code:
                zone = zones[i]
                sign = 1 if zone > _ON_MEAN else -1 if zone < _ON_MEAN else 0
                side_of_mean = _side_of_mean_0_1(sign, _SIDES[code], improvement)  # type: ignore[arg-type]
                sides[i] = _HIGH_CODE if side_of_mean is _HIGH else _LOW_CODE
    labels = list(map(plan.labels.__getitem__, sides))
    return figures, labels, rules, _SIDES[sides[-1]]


def _trends(values: list[int], plan: SinglePhasePlan) -> list[tuple[int, int]]:
    """The trend rule's points and directions (side codes), as the general chart reads
    them."""
    pattern = plan.trend
    if pattern is None:  # ties ignored: the general reading
        return [
            (k, _HIGH_CODE if side is _HIGH else _LOW_CODE)
            for k, side in _trend_sides(values, plan.options)
        ]
    rising = bytes(map(operator.lt, values, islice(values, 1, None)))
    # falling steps only where enough steps in a row do not rise
    falling = (
        bytes(map(operator.gt, values, islice(values, 1, None)))
        if plan.trend_candidate.search(rising)
        else b""
    )
    n = len(values)
    in_trend = bytearray(n)
    for steps in (rising, falling):
        for match in pattern.finditer(steps):
            start, end = match.span()  # steps start..end-1 join points start..end
            in_trend[start : end + 1] = b"\x01" * (end + 1 - start)
    out: list[tuple[int, int]] = []
    if not any(in_trend):
        return out
    # Ties break trends, so a point's direction is the sign of the step to the next point
    # when that one is in a trend too, else of the step from the previous one; a zero step
    # reads as decreasing.
    for k in range(n):
        if in_trend[k]:
            up = rising[k] if k + 1 < n and in_trend[k + 1] else rising[k - 1]
            out.append((k, _HIGH_CODE if up else _LOW_CODE))
    return out


def _two_of_three(zones: bytes, plan: SinglePhasePlan) -> list[tuple[int, int]]:
    """The points flagged by the two-of-three rule: in each window found, those beyond 2σ on
    the window's side (between 2σ and the limit in NHSRplotthedots' reading, where all three
    points lie on that side of the mean)."""
    out: list[tuple[int, int]] = []
    if plan.two_of_three is _TWO_OF_THREE_PLOTTHEDOTS:
        for match in _TWO_OF_THREE_PLOTTHEDOTS.finditer(zones):
            k = match.start()
            for j in (k, k + 1, k + 2):
                zone = zones[j]
                if zone == _HIGH_TWO_SIGMA:
                    out.append((j, _HIGH_CODE))
                elif zone == _LOW_TWO_SIGMA:
                    out.append((j, _LOW_CODE))
        return out
    for match in _TWO_OF_THREE_WESTERN.finditer(zones):
        k = match.start()
        window = zones[k : k + 3]
        # two of the three on one side: the window's side (the third may lie beyond the other)
        high = (window[0] >= _HIGH_TWO_SIGMA) + (window[1] >= _HIGH_TWO_SIGMA) + (
            window[2] >= _HIGH_TWO_SIGMA
        ) >= 2
        for j in (k, k + 1, k + 2):
            zone = zones[j]
            if high and zone >= _HIGH_TWO_SIGMA:
                out.append((j, _HIGH_CODE))
            elif not high and zone <= _LOW_TWO_SIGMA:
                out.append((j, _LOW_CODE))
    return out

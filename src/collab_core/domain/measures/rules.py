"""The four Making Data Count rules applied to a chart's points, and the one label each point
gets: shared by XmR and attribute (p, u, p′, u′) charts.

Default semantics follow NHSRplotthedots 0.2.x (``R/ptd_calculate_point_type.R``:
``ptd_special_cause_type`` and ``ptd_point_type``); the alternatives are :class:`SpcOptions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TypeAlias

import attrs

from collab_core.domain.measures._numbers import Quantity
from collab_core.domain.measures.labels import ImprovementDirection, PointLabel, Side, label_for
from collab_core.domain.measures.options import LabelSide, SpcOptions, SpcRule, TwoOfThree
from collab_core.domain.measures.patterns import TrendTies, shift_spans, trend_spans

__all__ = ["flag_lists", "flag_points"]

#: What the rules compare: Fractions, or integers scaled by one positive factor per phase.
Exact: TypeAlias = Fraction | int


@attrs.frozen
class ChartLines:
    """Per-point centre line, limits and 2σ lines that the rules are tested against."""

    centre: Sequence[Quantity | int]
    lower: Sequence[Quantity | int]
    upper: Sequence[Quantity | int]
    lower2: Sequence[Quantity | int]
    upper2: Sequence[Quantity | int]


@attrs.frozen
class Flagged:
    """A point's label, the side of its special cause, the deciding rule and every rule that
    fired (all None or empty for a missing value)."""

    label: PointLabel | None
    side: Side | None
    rule: SpcRule | None
    rules: tuple[SpcRule, ...]


def _sign(v: Exact, c: Quantity | int) -> int:
    return (v > c) - (v < c)


def _side(sign: int) -> Side:
    return Side.HIGH if sign > 0 else Side.LOW


def flag_points(
    values: Sequence[Exact | None],
    lines: ChartLines,
    phases: Sequence[int],
    *,
    improvement: ImprovementDirection,
    options: SpcOptions,
) -> list[Flagged]:
    """Apply the four rules within each phase and give each point one label."""
    labels, sides, rules = flag_lists(
        values, lines, phases, improvement=improvement, options=options
    )
    return [
        Flagged(label, side, fired[0] if fired else None, fired)
        for label, side, fired in zip(labels, sides, rules, strict=True)
    ]


_NO_RULES: tuple[SpcRule, ...] = ()


def flag_lists(
    values: Sequence[Exact | None],
    lines: ChartLines,
    phases: Sequence[int],
    *,
    improvement: ImprovementDirection,
    options: SpcOptions,
) -> tuple[list[PointLabel | None], list[Side | None], list[tuple[SpcRule, ...]]]:
    """:func:`flag_points` as three lists (each point's label, side and the rules that fired,
    the deciding rule first), for callers that make many charts and no per-point objects.

    Values and lines may be Fractions or integers scaled by one positive factor per phase:
    every rule compares values with each other or with lines of the same phase only.
    """
    n = len(values)
    centre, lower, upper = lines.centre, lines.lower, lines.upper
    high, low = Side.HIGH, Side.LOW
    # One list per rule: the side it fired on at each point (None: it did not fire).
    beyond: list[Side | None] = [
        None if v is None else high if v > u else low if v < lo else None
        for v, u, lo in zip(values, upper, lower, strict=True)
    ]
    shift: list[Side | None] = [None] * n
    trend: list[Side | None] = [None] * n
    two: list[Side | None] = [None] * n
    by_rule: dict[SpcRule, list[Side | None]] = {
        SpcRule.BEYOND_LIMITS: beyond,
        SpcRule.SHIFT: shift,
        SpcRule.TREND: trend,
        SpcRule.TWO_OF_THREE: two,
    }
    mean_side: list[int | None] = [
        None if v is None else (v > c) - (v < c) for v, c in zip(values, centre, strict=True)
    ]
    touched = {i for i, side in enumerate(beyond) if side is not None}  # where a rule fired
    for segment in _segments(values, phases, options.gaps_break_runs):
        seg_sides = [mean_side[i] for i in segment]
        for span in shift_spans(seg_sides, options.shift_length, on_line_breaks=True):
            for k in range(span.start, span.end + 1):
                shift[segment[k]] = span.side
                touched.add(segment[k])
        seg_values: list[Exact] = [v for i in segment if (v := values[i]) is not None]
        for k, side in _trend_sides(seg_values, options):
            trend[segment[k]] = side
            touched.add(segment[k])
        for i, side in _two_of_three(segment, values, mean_side, lines, options=options):
            two[i] = side
            touched.add(i)
    common = PointLabel.COMMON_CAUSE
    labels: list[PointLabel | None] = [None if v is None else common for v in values]
    sides: list[Side | None] = [None] * n
    fired_rules: list[tuple[SpcRule, ...]] = [_NO_RULES] * n
    # The precedence lists every rule once: which rules fired at a point, as a 4-bit mask in
    # precedence order, picks its tuple of rules from a table made once.
    first, second, third, fourth = (by_rule[rule] for rule in options.precedence)
    fired_by_mask = [
        tuple(rule for bit, rule in enumerate(options.precedence) if mask >> bit & 1)
        for mask in range(16)
    ]
    old_sides = options.label_side is LabelSide.PLOTTHEDOTS_0_1
    for i in touched:
        a, b, c, d = first[i], second[i], third[i], fourth[i]
        mask = (a is not None) | (b is not None) << 1 | (c is not None) << 2 | (d is not None) << 3
        chosen = a if a is not None else b if b is not None else c if c is not None else d
        assert chosen is not None  # noqa: S101 - some rule fired at i
        if old_sides:
            chosen = _side_of_mean_0_1(mean_side[i], chosen, improvement)
        labels[i] = label_for(improvement, chosen)
        sides[i] = chosen
        fired_rules[i] = fired_by_mask[mask]
    return labels, sides, fired_rules


def _side_of_mean_0_1(sign: int | None, rule_side: Side, improvement: ImprovementDirection) -> Side:
    """NHSRplotthedots 0.1.0's ``point_type``: ``relative_to_mean == improvement_direction`` is
    improvement, anything else concern, so a special cause on the mean is concern."""
    if sign:
        return _side(sign)
    if improvement is ImprovementDirection.INCREASE:
        return Side.LOW
    if improvement is ImprovementDirection.DECREASE:
        return Side.HIGH
    return rule_side


def _trend_sides(values: Sequence[Exact], options: SpcOptions) -> list[tuple[int, Side]]:
    """The positions in a trend and the direction each one is labelled with.

    NHSRplotthedots 0.2.x (``ptd_special_cause_type``) reads the direction per point: when the
    next point is also part of a trend, the sign of the step to it, otherwise the sign of the
    step from the previous point. Inside one trend that is the trend's direction; at the peak
    (or trough) shared by two trends it is the later trend's. Where one trend ends and another
    starts at the next point, the end takes the direction of the step between them, and a zero
    step reads as decreasing (its ``ifelse(sdy == 1, "In", "De")``); both are reproduced.
    With ``TrendTies.IGNORE`` a zero step inside a trend takes the later trend's direction.
    """
    in_trend: list[Side | None] = [None] * len(values)
    for span in trend_spans(values, options.trend_length, ties=options.trend_ties):
        for k in range(span.start, span.end + 1):
            in_trend[k] = span.side  # a later trend overwrites an earlier one
    out: list[tuple[int, Side]] = []
    for k, span_side in enumerate(in_trend):
        if span_side is None:
            continue
        if k + 1 < len(values) and in_trend[k + 1] is not None:
            step = _sign(values[k + 1], values[k])
        elif k > 0:
            step = _sign(values[k], values[k - 1])
        else:  # pragma: no cover - a trend has at least three points
            step = 0
        if step:
            out.append((k, _side(step)))
        elif options.trend_ties is TrendTies.BREAK:
            out.append((k, Side.LOW))
        else:
            out.append((k, span_side))
    return out


def _segments(
    values: Sequence[Exact | None], phases: Sequence[int], gaps_break: bool
) -> list[list[int]]:
    """Positions of present values, split by phase (and by gaps when they break runs)."""
    if values and phases[0] == phases[-1] and None not in values:
        return [list(range(len(values)))]  # one phase, no gaps: the common case
    segments: list[list[int]] = []
    current: list[int] = []
    previous_phase = None
    for i, v in enumerate(values):
        if phases[i] != previous_phase or (v is None and gaps_break):
            if current:
                segments.append(current)
            current = []
            previous_phase = phases[i]
        if v is not None:
            current.append(i)
    if current:
        segments.append(current)
    return segments


def _two_of_three(
    segment: list[int],
    values: Sequence[Exact | None],
    mean_side: Sequence[int | None],
    lines: ChartLines,
    *,
    options: SpcOptions,
) -> list[tuple[int, Side]]:
    lower, upper, lower2, upper2 = lines.lower, lines.upper, lines.lower2, lines.upper2
    flagged: list[tuple[int, Side]] = []
    # +1 beyond 2σ high, -1 low, 0 not (segments hold present values only)
    beyond2: list[int] = [
        1 if values[i] > upper2[i] else -1 if values[i] < lower2[i] else 0  # type: ignore[operator]
        for i in segment
    ]
    if options.two_of_three is TwoOfThree.PLOTTHEDOTS:
        # NHSRplotthedots' close_to_limits excludes points beyond the limits
        beyond2 = [
            0 if b and (values[i] > upper[i] or values[i] < lower[i]) else b  # type: ignore[operator]
            for b, i in zip(beyond2, segment, strict=True)
        ]
    plotthedots = options.two_of_three is TwoOfThree.PLOTTHEDOTS
    for k in range(len(segment) - 2):
        b0, b1, b2 = beyond2[k], beyond2[k + 1], beyond2[k + 2]
        if not (b0 or b1 or b2):
            continue  # no point beyond 2σ: neither side can have two
        for s in (1, -1):
            if (b0 == s) + (b1 == s) + (b2 == s) < 2:
                continue
            if plotthedots and not (
                mean_side[segment[k]] == s
                and mean_side[segment[k + 1]] == s
                and mean_side[segment[k + 2]] == s
            ):
                continue
            side = Side.HIGH if s > 0 else Side.LOW
            flagged.extend((segment[j], side) for j in (k, k + 1, k + 2) if beyond2[j] == s)
    return flagged

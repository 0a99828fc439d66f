"""The four Making Data Count rules applied to a chart's points, and the one label each point
gets: shared by XmR and attribute (p, u, p′, u′) charts.

Default semantics follow NHSRplotthedots 0.2.x (``R/ptd_calculate_point_type.R``:
``ptd_special_cause_type`` and ``ptd_point_type``); the alternatives are :class:`SpcOptions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import attrs

from collab_core.domain.measures._numbers import Quantity
from collab_core.domain.measures.labels import ImprovementDirection, PointLabel, Side, label_for
from collab_core.domain.measures.options import LabelSide, SpcOptions, SpcRule, TwoOfThree
from collab_core.domain.measures.patterns import TrendTies, shift_spans, trend_spans

__all__ = ["flag_points"]


@attrs.frozen
class ChartLines:
    """Per-point centre line, limits and 2σ lines that the rules are tested against."""

    centre: Sequence[Quantity]
    lower: Sequence[Quantity]
    upper: Sequence[Quantity]
    lower2: Sequence[Quantity]
    upper2: Sequence[Quantity]


@attrs.frozen
class Flagged:
    """A point's label, the side of its special cause, the deciding rule and every rule that
    fired (all None or empty for a missing value)."""

    label: PointLabel | None
    side: Side | None
    rule: SpcRule | None
    rules: tuple[SpcRule, ...]


def _sign(v: Fraction, c: Quantity) -> int:
    return (v > c) - (v < c)


def _side(sign: int) -> Side:
    return Side.HIGH if sign > 0 else Side.LOW


def flag_points(
    values: Sequence[Fraction | None],
    lines: ChartLines,
    phases: Sequence[int],
    *,
    improvement: ImprovementDirection,
    options: SpcOptions,
) -> list[Flagged]:
    """Apply the four rules within each phase and give each point one label."""
    n = len(values)
    centre, lower, upper = lines.centre, lines.lower, lines.upper
    fired: list[dict[SpcRule, Side]] = [{} for _ in range(n)]
    mean_side = [None if v is None else _sign(v, c) for v, c in zip(values, centre, strict=True)]
    for i, v in enumerate(values):
        if v is not None and (v > upper[i] or v < lower[i]):
            fired[i][SpcRule.BEYOND_LIMITS] = Side.HIGH if v > upper[i] else Side.LOW
    for segment in _segments(values, phases, options.gaps_break_runs):
        seg_sides = [mean_side[i] for i in segment]
        for span in shift_spans(seg_sides, options.shift_length, on_line_breaks=True):
            for k in range(span.start, span.end + 1):
                fired[segment[k]][SpcRule.SHIFT] = span.side
        seg_values: list[Fraction] = [v for i in segment if (v := values[i]) is not None]
        for k, side in _trend_sides(seg_values, options):
            fired[segment[k]][SpcRule.TREND] = side
        for i, side in _two_of_three(segment, values, mean_side, lines, options=options):
            fired[i][SpcRule.TWO_OF_THREE] = side
    out: list[Flagged] = []
    for i, v in enumerate(values):
        if v is None:
            out.append(Flagged(None, None, None, ()))
            continue
        rules = tuple(r for r in options.precedence if r in fired[i])
        if not rules:
            out.append(Flagged(PointLabel.COMMON_CAUSE, None, None, ()))
            continue
        rule = rules[0]
        side = fired[i][rule]
        if options.label_side is LabelSide.PLOTTHEDOTS_0_1:
            side = _side_of_mean_0_1(mean_side[i], side, improvement)
        out.append(Flagged(label_for(improvement, side), side, rule, rules))
    return out


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


def _trend_sides(values: Sequence[Fraction], options: SpcOptions) -> list[tuple[int, Side]]:
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
    values: Sequence[Fraction | None], phases: Sequence[int], gaps_break: bool
) -> list[list[int]]:
    """Positions of present values, split by phase (and by gaps when they break runs)."""
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
    values: Sequence[Fraction | None],
    mean_side: Sequence[int | None],
    lines: ChartLines,
    *,
    options: SpcOptions,
) -> list[tuple[int, Side]]:
    lower, upper, lower2, upper2 = lines.lower, lines.upper, lines.lower2, lines.upper2
    flagged: list[tuple[int, Side]] = []
    beyond2: list[int] = []  # +1 beyond 2σ high, -1 low, 0 not
    for i in segment:
        v = values[i]
        assert v is not None  # noqa: S101 - segments hold present values only
        side = 1 if v > upper2[i] else -1 if v < lower2[i] else 0
        if options.two_of_three is TwoOfThree.PLOTTHEDOTS and (v > upper[i] or v < lower[i]):
            side = 0  # NHSRplotthedots' close_to_limits excludes points beyond the limits
        beyond2.append(side)
    for k in range(len(segment) - 2):
        window = range(k, k + 3)
        for s in (1, -1):
            hits = [j for j in window if beyond2[j] == s]
            if len(hits) < 2:
                continue
            if options.two_of_three is TwoOfThree.PLOTTHEDOTS and any(
                mean_side[segment[j]] != s for j in window
            ):
                continue
            flagged.extend((segment[j], Side.HIGH if s > 0 else Side.LOW) for j in hits)
    return flagged

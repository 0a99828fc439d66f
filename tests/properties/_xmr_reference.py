"""The XmR chart as collab_core 0.1 computed it, on Fractions throughout: the reference that
the integer arithmetic of :func:`collab_core.domain.measures.xmr` is held to, label for label
and value for value."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import attrs

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.measures._numbers import (
    Number,
    Quantity,
    XValue,
    coerce_values,
    coerce_x,
    positions_of,
    present,
    present_opt,
    to_fraction,
)
from collab_core.domain.measures.labels import (
    ImprovementDirection,
    PointLabel,
    Side,
    label_for,
    variation_icon,
)
from collab_core.domain.measures.options import LabelSide, SpcOptions, SpcRule, TwoOfThree
from collab_core.domain.measures.patterns import TrendTies, shift_spans, trend_spans
from collab_core.domain.measures.spc import (
    XmrPhase,
    XmrPoint,
    XmrResult,
    assurance_icon,
    phase_bounds,
    short_group_warning,
)


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
        assert v is not None
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


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def reference_xmr(
    values: Sequence[Number | None],
    *,
    x: Sequence[XValue] | None = None,
    improvement: ImprovementDirection = ImprovementDirection.INCREASE,
    target: Number | None = None,
    rebase_at: Sequence[XValue] = (),
    options: SpcOptions | None = None,
) -> XmrResult:
    """An XmR (individuals) chart with Making Data Count's rules and icons.

    :param values: the measure per period; ``None`` marks a missing value, which keeps its x
        position but is left out of the mean, the limits and the rules.
    :param x: the x positions (1, 2, ... by default).
    :param improvement: which way is better.
    :param target: the target for the assurance icon.
    :param rebase_at: x positions at which a new phase starts (its own mean and limits;
        moving ranges never cross into a new phase).
    :param options: the methodological choices (NHSRplotthedots' by default).
    :returns: the chart; a phase with fewer values than ``options.short_group_threshold``
        is flagged ``short_group`` and warned about in ``warnings``.
    :raises DomainValidationError: when a phase has fewer than 2 values, a rebase point is
        not an x position or is the first, an input is not a finite number, or a float result
        would be beyond the largest float.
    """
    options = SpcOptions() if options is None else options
    if not isinstance(options, SpcOptions):
        raise DomainValidationError("options", "must be SpcOptions", type(options).__name__)
    if not isinstance(improvement, ImprovementDirection):
        raise DomainValidationError("improvement", "must be an ImprovementDirection", improvement)
    vals, exact = coerce_values(values, "values")
    xs = coerce_x(x, len(vals))
    target_f: Fraction | None = None
    if target is not None:
        target_f, target_exact = to_fraction(target, "target")
        exact = exact and target_exact
    starts = positions_of(xs, rebase_at, "rebase_at")
    if 0 in starts:
        raise DomainValidationError(
            "rebase_at", "a new phase must start after the first point", xs[0]
        )
    bounds = phase_bounds(len(vals), starts)

    phase_of = [0] * len(vals)
    moving_ranges: list[Fraction | None] = [None] * len(vals)
    used = [False] * len(vals)
    centre: list[Fraction] = [Fraction(0)] * len(vals)
    lower: list[Fraction] = list(centre)
    upper: list[Fraction] = list(centre)
    lower2: list[Fraction] = list(centre)
    upper2: list[Fraction] = list(centre)
    phases: list[XmrPhase] = []
    warnings: list[str] = []
    for p, (start, end) in enumerate(bounds):
        present_at = [i for i in range(start, end) if vals[i] is not None]
        if len(present_at) < 2:
            raise DomainValidationError(
                "values",
                f"an XmR chart needs at least 2 values in each phase (phase {p + 1})",
                len(present_at),
            )
        base_at = present_at if options.fix_after is None else present_at[: options.fix_after]
        last_base = base_at[-1]
        for i in range(start, end):
            phase_of[i] = p
            prev = i - 1
            if options.moving_range_across_gaps:
                while prev >= start and vals[prev] is None:
                    prev -= 1
            a, b = vals[i], vals[prev] if prev >= start else None
            if a is not None and b is not None:
                moving_ranges[i] = abs(a - b)
        base_mrs = [i for i in range(start, last_base + 1) if moving_ranges[i] is not None]
        if not base_mrs:
            raise DomainValidationError(
                "values", f"phase {p + 1} needs two consecutive values for a moving range", 0
            )
        mean = _mean([vals[i] for i in base_at])  # type: ignore[misc]
        amr = _mean([moving_ranges[i] for i in base_mrs])  # type: ignore[misc]
        kept = base_mrs
        if options.screen_moving_ranges and amr > 0:
            cut = options.moving_range_limit * amr
            kept = [i for i in base_mrs if moving_ranges[i] < cut]  # type: ignore[operator]
            amr = _mean([moving_ranges[i] for i in kept])  # type: ignore[misc]
        for i in kept:
            used[i] = True
        width = options.limit_constant * amr
        for i in range(start, end):
            centre[i], lower[i], upper[i] = mean, mean - width, mean + width
            lower2[i], upper2[i] = mean - width * 2 / 3, mean + width * 2 / 3
        phases.append(
            XmrPhase(
                start=start,
                end=end,
                mean=present(mean, exact),
                mean_moving_range=present(amr, exact),
                lower_limit=present(mean - width, exact),
                upper_limit=present(mean + width, exact),
                lower_two_sigma=present(mean - width * 2 / 3, exact),
                upper_two_sigma=present(mean + width * 2 / 3, exact),
                sigma=present(width / 3, exact),
                baseline=len(base_at),
                moving_ranges_used=len(kept),
                moving_ranges_screened=len(base_mrs) - len(kept),
                short_group=len(present_at) < options.short_group_threshold,
            )
        )
        warning = short_group_warning(
            p, len(bounds), len(present_at), options.short_group_threshold
        )
        if warning is not None:
            warnings.append(warning)
    flags = flag_points(
        vals,
        ChartLines(centre, lower, upper, lower2, upper2),
        phase_of,
        improvement=improvement,
        options=options,
    )
    points = tuple(
        XmrPoint(
            x=xs[i],
            value=present_opt(vals[i], exact),
            phase=phase_of[i],
            moving_range=present_opt(moving_ranges[i], exact),
            moving_range_used=used[i],
            label=flags[i].label,
            side=flags[i].side,
            rule=flags[i].rule,
            rules=flags[i].rules,
        )
        for i in range(len(vals))
    )
    last = next(f for f in reversed(flags) if f.label is not None)
    shown_target = present_opt(target_f, exact, "target")
    latest = phases[-1]
    return XmrResult(
        points=points,
        phases=tuple(phases),
        improvement=improvement,
        target=shown_target,
        variation=variation_icon(last.label, last.side),
        assurance=assurance_icon(shown_target, latest.lower_limit, latest.upper_limit, improvement),
        options=options,
        warnings=tuple(warnings),
    )

"""Statistical process control as NHS England's Making Data Count: XmR charts, the four
special cause rules, point labels and the variation and assurance icons.

Default semantics follow NHS-R Community's NHSRplotthedots (``ptd_spc_standard``,
``ptd_calculate_point_type``, ``ptd_calculate_assurance_type``); every place where methods
differ is an option of :class:`SpcOptions` and is listed in docs/measures.md.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs

from collab_core.domain._rules import is_type
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.measures._numbers import (
    Number,
    Quantity,
    XValue,
    check_int,
    coerce_values,
    coerce_x,
    positions_of,
    present,
    present_opt,
    to_fraction,
)
from collab_core.domain.measures.labels import (
    AssuranceIcon,
    ImprovementDirection,
    PointLabel,
    Side,
    VariationIcon,
    label_for,
    variation_icon,
)
from collab_core.domain.measures.patterns import TrendTies, shift_spans, trend_spans

__all__ = [
    "MDC_LIMIT",
    "MOVING_RANGE_LIMIT",
    "QICHARTS2_LIMIT",
    "LabelSide",
    "SpcOptions",
    "SpcRule",
    "TwoOfThree",
    "XmrPhase",
    "XmrPoint",
    "XmrResult",
    "assurance_icon",
    "xmr",
]

MDC_LIMIT = Fraction("2.66")
"""Making Data Count's (and NHSRplotthedots') limit constant: mean ± 2.66 × mean moving range."""

QICHARTS2_LIMIT = Fraction(3) / Fraction("1.128")
"""qicharts2's limit constant, 3/d2 with d2 = 1.128 (≈ 2.6596) (Montgomery 2009, 6.33)."""

MOVING_RANGE_LIMIT = Fraction("3.267")
"""D4 for moving ranges of 2: a moving range at or above 3.267 × their mean is screened out
of the limits (Nelson 1982; NHSRplotthedots ``screen_outliers``)."""


class SpcRule(enum.Enum):
    """The Making Data Count special cause rules."""

    BEYOND_LIMITS = "beyond_limits"
    """A point strictly beyond a process limit."""
    SHIFT = "shift"
    """A run of points on one side of the mean (7 by default)."""
    TREND = "trend"
    """A run of points all rising or all falling (7 by default)."""
    TWO_OF_THREE = "two_of_three"
    """Two of three points beyond two sigma on the same side."""


class TwoOfThree(enum.Enum):
    """How "two of three points beyond 2σ" is read.

    ``PLOTTHEDOTS`` (NHSRplotthedots): in a window of three points *all on one side of the
    mean*, at least two lie between 2σ and the limit (a point beyond the limit is not counted);
    only those points are flagged. ``WESTERN_ELECTRIC``: at least two of three consecutive
    points lie beyond 2σ on the same side, counting points beyond the limits; the third point
    may lie anywhere; the points beyond 2σ are flagged.
    """

    PLOTTHEDOTS = "plotthedots"
    WESTERN_ELECTRIC = "western_electric"


class LabelSide(enum.Enum):
    """Where a special cause point's high/low side comes from.

    ``MEAN`` (NHSRplotthedots): the point's own side of the mean, whichever rule flagged it; a
    point exactly on the mean takes the side of the rule that decided it. ``RULE``: the side of
    the rule that decided the label (a rising trend is high even below the mean).
    """

    MEAN = "mean"
    RULE = "rule"


DEFAULT_PRECEDENCE = (SpcRule.BEYOND_LIMITS, SpcRule.SHIFT, SpcRule.TREND, SpcRule.TWO_OF_THREE)


def _check_precedence(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or sorted(value, key=lambda r: r.value) != sorted(
        SpcRule, key=lambda r: r.value
    ):
        raise DomainValidationError(attr.name, "must list every SpcRule exactly once", value)


def _check_fraction(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Fraction) or value <= 0:
        raise DomainValidationError(attr.name, "must be a positive Fraction", value)


def _to_fraction(value: object) -> object:
    # a converter only normalises; the validator above refuses anything that is still wrong
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value)
        except ValueError:
            return value
    return value


@attrs.frozen
class SpcOptions:
    """The methodological choices of an SPC chart; the defaults are NHSRplotthedots'.

    :param limit_constant: limits are mean ± this × mean moving range (2.66; qicharts2 uses
        :data:`QICHARTS2_LIMIT`). Only XmR charts use it.
    :param screen_moving_ranges: leave moving ranges at or above
        ``moving_range_limit`` × their mean out of the limits (True); the Making Data Count
        Excel tools keep them (False).
    :param moving_range_limit: the screening constant, 3.267.
    :param fix_after: take the mean and limits from the first N values of each phase
        (N ≥ 12), and hold them for the rest of the phase.
    :param shift_length: points on one side of the mean that make a shift (7).
    :param trend_length: points all rising or all falling that make a trend (7).
    :param trend_ties: an equal neighbour breaks a trend (BREAK, NHSRplotthedots) or not.
    :param two_of_three: which reading of the two-of-three rule.
    :param precedence: the order in which rules decide a point's one label.
    :param label_side: whether a special cause is high/low by the point's side of the mean or
        by the deciding rule.
    :param moving_range_across_gaps: take a moving range between the values either side of a
        missing one (False: a moving range needs two consecutive values, as in R's ``diff``).
    :param gaps_break_runs: a missing value ends a shift, trend or two-of-three window
        (False: it is skipped, neither counting nor breaking).
    """

    limit_constant: Fraction = attrs.field(
        default=MDC_LIMIT, converter=_to_fraction, validator=_check_fraction
    )
    screen_moving_ranges: bool = attrs.field(default=True, validator=is_type(bool))
    moving_range_limit: Fraction = attrs.field(
        default=MOVING_RANGE_LIMIT, converter=_to_fraction, validator=_check_fraction
    )
    fix_after: int | None = attrs.field(default=None)
    shift_length: int = attrs.field(default=7, validator=is_type(int))
    trend_length: int = attrs.field(default=7, validator=is_type(int))
    trend_ties: TrendTies = attrs.field(default=TrendTies.BREAK, validator=is_type(TrendTies))
    two_of_three: TwoOfThree = attrs.field(
        default=TwoOfThree.PLOTTHEDOTS, validator=is_type(TwoOfThree)
    )
    precedence: tuple[SpcRule, ...] = attrs.field(
        default=DEFAULT_PRECEDENCE, converter=tuple, validator=_check_precedence
    )
    label_side: LabelSide = attrs.field(default=LabelSide.MEAN, validator=is_type(LabelSide))
    moving_range_across_gaps: bool = attrs.field(default=False, validator=is_type(bool))
    gaps_break_runs: bool = attrs.field(default=False, validator=is_type(bool))

    @fix_after.validator
    def _fix_after(self, _attr: attrs.Attribute[int | None], value: int | None) -> None:
        # Making Data Count: limits need at least 12 points to be worth fixing
        if value is not None:
            check_int("fix_after", value, 12)

    def __attrs_post_init__(self) -> None:
        check_int("shift_length", self.shift_length, 2)
        check_int("trend_length", self.trend_length, 3)


@attrs.frozen
class XmrPhase:
    """One phase of an XmR chart (a new phase starts at each rebase point).

    ``start``/``end`` are 0-based positions (end exclusive). ``sigma`` is the limit distance
    over 3; ``lower_two_sigma``/``upper_two_sigma`` are mean ∓ 2σ. ``baseline`` counts the
    values the mean came from; ``moving_ranges_used``/``moving_ranges_screened`` count the
    moving ranges that made, or were screened out of, the mean moving range.
    """

    start: int
    end: int
    mean: Quantity
    mean_moving_range: Quantity
    lower_limit: Quantity
    upper_limit: Quantity
    lower_two_sigma: Quantity
    upper_two_sigma: Quantity
    sigma: Quantity
    baseline: int
    moving_ranges_used: int
    moving_ranges_screened: int


@attrs.frozen
class XmrPoint:
    """One point of an XmR chart.

    ``rules`` are every rule that flagged the point; ``rule`` is the one that decided its
    ``label`` (by the precedence); ``side`` is the special cause's high/low side. A missing
    value has ``value``, ``label`` and ``side`` of None.
    """

    x: XValue
    value: Quantity | None
    phase: int
    moving_range: Quantity | None
    moving_range_used: bool
    label: PointLabel | None
    side: Side | None
    rule: SpcRule | None
    rules: tuple[SpcRule, ...]


@attrs.frozen
class XmrResult:
    """An XmR chart: points, phases, the icons, and the options it was made with."""

    points: tuple[XmrPoint, ...]
    phases: tuple[XmrPhase, ...]
    improvement: ImprovementDirection
    target: Quantity | None
    variation: VariationIcon
    assurance: AssuranceIcon | None
    options: SpcOptions


@attrs.frozen
class _Flagged:
    label: PointLabel | None
    side: Side | None
    rule: SpcRule | None
    rules: tuple[SpcRule, ...]


def _sign(v: Fraction, c: Quantity) -> int:
    return (v > c) - (v < c)


@attrs.frozen
class ChartLines:
    """Per-point centre line, limits and 2σ lines that the rules are tested against."""

    centre: Sequence[Quantity]
    lower: Sequence[Quantity]
    upper: Sequence[Quantity]
    lower2: Sequence[Quantity]
    upper2: Sequence[Quantity]


def flag_points(
    values: Sequence[Fraction | None],
    lines: ChartLines,
    phases: Sequence[int],
    *,
    improvement: ImprovementDirection,
    options: SpcOptions,
) -> list[_Flagged]:
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
        seg_values = [values[i] for i in segment]
        for span in trend_spans(seg_values, options.trend_length, ties=options.trend_ties):
            for k in range(span.start, span.end + 1):
                fired[segment[k]].setdefault(SpcRule.TREND, span.side)
        for i, side in _two_of_three(segment, values, mean_side, lines, options=options):
            fired[i][SpcRule.TWO_OF_THREE] = side
    out: list[_Flagged] = []
    for i, v in enumerate(values):
        if v is None:
            out.append(_Flagged(None, None, None, ()))
            continue
        rules = tuple(r for r in options.precedence if r in fired[i])
        if not rules:
            out.append(_Flagged(PointLabel.COMMON_CAUSE, None, None, ()))
            continue
        rule = rules[0]
        side = fired[i][rule]
        if options.label_side is LabelSide.MEAN and mean_side[i]:
            side = Side.HIGH if mean_side[i] == 1 else Side.LOW
        out.append(_Flagged(label_for(improvement, side), side, rule, rules))
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


def assurance_icon(
    target: Quantity | None,
    lower: Quantity,
    upper: Quantity,
    improvement: ImprovementDirection,
) -> AssuranceIcon | None:
    """The assurance icon for a target against the latest limits (None without a target or
    for a neutral measure). A target on a limit is hit and miss, as in NHSRplotthedots."""
    if target is None or improvement is ImprovementDirection.NEUTRAL:
        return None
    increasing = improvement is ImprovementDirection.INCREASE
    if target > upper:
        return AssuranceIcon.FAIL if increasing else AssuranceIcon.PASS
    if target < lower:
        return AssuranceIcon.PASS if increasing else AssuranceIcon.FAIL
    return AssuranceIcon.HIT_AND_MISS


def phase_bounds(n: int, starts: Sequence[int]) -> list[tuple[int, int]]:
    """``(start, end)`` of each phase from the 0-based positions where new phases start."""
    cuts = [0, *[s for s in starts if s > 0], n]
    return [(cuts[k], cuts[k + 1]) for k in range(len(cuts) - 1)]


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def xmr(
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
    :raises DomainValidationError: when a phase has fewer than 2 values, a rebase point is
        not an x position or is the first, or an input is not a number.
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
            )
        )
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
    latest = bounds[-1][0]
    return XmrResult(
        points=points,
        phases=tuple(phases),
        improvement=improvement,
        target=present_opt(target_f, exact),
        variation=variation_icon(last.label, last.side),
        assurance=assurance_icon(target_f, lower[latest], upper[latest], improvement),
        options=options,
    )

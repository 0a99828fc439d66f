"""Statistical process control as NHS England's Making Data Count: XmR charts, their limits
and phases, the short-group warning and the variation and assurance icons.

Default semantics follow NHS-R Community's NHSRplotthedots 0.2.x (``ptd_spc_standard``,
``ptd_calculate_point_type``, ``ptd_add_short_group_warnings``,
``ptd_calculate_assurance_type``); the rules that label points live in
:mod:`collab_core.domain.measures.rules`, and every place where methods differ is an option
of :class:`~collab_core.domain.measures.options.SpcOptions`, listed in docs/measures.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

import attrs

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.measures._numbers import (
    Number,
    Quantity,
    XValue,
    coerce_x,
    positions_of,
    present_opt,
    present_ratio,
    scale_floats,
    scale_values,
    to_fraction,
)
from collab_core.domain.measures._single_phase import SinglePhasePlan, single_phase
from collab_core.domain.measures.labels import (
    AssuranceIcon,
    ImprovementDirection,
    PointLabel,
    Side,
    VariationIcon,
    variation_icon,
)
from collab_core.domain.measures.options import (  # noqa: F401 - also importable from here
    MDC_LIMIT,
    MOVING_RANGE_LIMIT,
    QICHARTS2_LIMIT,
    LabelSide,
    SpcOptions,
    SpcRule,
    TwoOfThree,
)
from collab_core.domain.measures.rules import ChartLines, flag_lists

__all__ = [
    "XmrPhase",
    "XmrPoint",
    "XmrResult",
    "XmrSummary",
    "assurance_icon",
    "short_group_warning",
    "xmr",
    "xmr_summaries",
]


@attrs.frozen
class XmrPhase:
    """One phase of an XmR chart (a new phase starts at each rebase point).

    ``start``/``end`` are 0-based positions (end exclusive). ``sigma`` is the limit distance
    over 3; ``lower_two_sigma``/``upper_two_sigma`` are mean ∓ 2σ. ``baseline`` counts the
    values the mean came from; ``moving_ranges_used``/``moving_ranges_screened`` count the
    moving ranges that made, or were screened out of, the mean moving range. ``short_group``
    is true when the phase has fewer values than ``SpcOptions.short_group_threshold``, so its
    limits are trial limits (None in a payload written before it was recorded).
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
    short_group: bool | None = None


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
    """An XmR chart: points, phases, the icons, the options it was made with, and its
    warnings (the short-group warning of NHSRplotthedots, one per short phase)."""

    points: tuple[XmrPoint, ...]
    phases: tuple[XmrPhase, ...]
    improvement: ImprovementDirection
    target: Quantity | None
    variation: VariationIcon
    assurance: AssuranceIcon | None
    options: SpcOptions
    warnings: tuple[str, ...] = ()

    @property
    def short_groups(self) -> tuple[int, ...]:
        """The 0-based numbers of the phases with trial limits (fewer values than the
        threshold)."""
        return tuple(k for k, phase in enumerate(self.phases) if phase.short_group)


def assurance_icon(
    target: Quantity | None,
    lower: Quantity,
    upper: Quantity,
    improvement: ImprovementDirection,
) -> AssuranceIcon | None:
    """The assurance icon for a target against the latest limits (None without a target or
    for a neutral measure). A target on a limit is hit and miss, as in NHSRplotthedots
    (``ptd_calculate_assurance_type``: strictly above the upper or below the lower limit).

    Charts pass the target and the limits as they report them: a chart of floats compares
    floats, so a float target equal to the reported limit is on it, whatever the exact binary
    value of the limit before it was rounded to a float.
    """
    if target is None or improvement is ImprovementDirection.NEUTRAL:
        return None
    increasing = improvement is ImprovementDirection.INCREASE
    if target > upper:
        return AssuranceIcon.FAIL if increasing else AssuranceIcon.PASS
    if target < lower:
        return AssuranceIcon.PASS if increasing else AssuranceIcon.FAIL
    return AssuranceIcon.HIT_AND_MISS


def short_group_warning(phase: int, phases: int, n_values: int, threshold: int) -> str | None:
    """The warning for a phase of ``n_values`` values (0-based ``phase`` of ``phases``), or
    None when it has at least ``threshold`` values: its limits are trial limits."""
    if n_values >= threshold:
        return None
    where = "the chart has" if phases == 1 else f"phase {phase + 1} has"
    return (
        f"{where} {n_values} values, fewer than {threshold}: its limits are trial limits "
        "and will change as values are added"
    )


def phase_bounds(n: int, starts: Sequence[int]) -> list[tuple[int, int]]:
    """``(start, end)`` of each phase from the 0-based positions where new phases start."""
    cuts = [0, *[s for s in starts if s > 0], n]
    return [(cuts[k], cuts[k + 1]) for k in range(len(cuts) - 1)]


class _Chart:
    """What :func:`xmr` and :func:`xmr_summaries` share: the chart worked out on integers over
    one common denominator, before any per-point object is made."""

    __slots__ = (
        "denominator",
        "exact",
        "labels",
        "moving_ranges",
        "phase_of",
        "phases",
        "ratios",
        "rules",
        "sides",
        "target",
        "used",
        "warnings",
    )

    def __init__(
        self,
        scaled_values: tuple[list[tuple[int, int] | None], list[int | None], int, bool],
        target: Number | None,
        starts: Sequence[int],
        improvement: ImprovementDirection,
        options: SpcOptions,
    ) -> None:
        ratios, vals, denominator, exact = scaled_values
        target_f: Fraction | None = None
        if target is not None:
            target_f, target_exact = to_fraction(target, "target")
            exact = exact and target_exact
        bounds = phase_bounds(len(vals), starts)
        n = len(vals)
        phase_of = [0] * n
        moving_ranges: list[int | None] = [None] * n
        used = [False] * n
        # The rules compare each value with its phase's lines, all scaled by one positive
        # integer per phase so that every comparison is between integers, exactly.
        scaled: list[int | None] = []
        centre: list[int] = []
        lower: list[int] = []
        upper: list[int] = []
        lower2: list[int] = []
        upper2: list[int] = []
        limit = options.limit_constant
        screen = options.moving_range_limit
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
            phase_of[start:end] = [p] * (end - start)
            if options.moving_range_across_gaps:
                for i in range(start + 1, end):
                    a, prev = vals[i], i - 1
                    if a is None:
                        continue
                    while prev >= start and vals[prev] is None:
                        prev -= 1
                    b = vals[prev] if prev >= start else None
                    if b is not None:
                        moving_ranges[i] = abs(a - b)
            else:
                moving_ranges[start + 1 : end] = [
                    None if a is None or b is None else abs(a - b)
                    for a, b in zip(vals[start + 1 : end], vals[start : end - 1], strict=True)
                ]
            base_mrs = [i for i in range(start, last_base + 1) if moving_ranges[i] is not None]
            if not base_mrs:
                raise DomainValidationError(
                    "values", f"phase {p + 1} needs two consecutive values for a moving range", 0
                )
            total = sum(vals[i] for i in base_at)  # type: ignore[misc]
            count = len(base_at)
            mr_total: int = sum(moving_ranges[i] for i in base_mrs)  # type: ignore[misc]
            kept = base_mrs
            if options.screen_moving_ranges and mr_total > 0:
                # a moving range is kept below screen × their mean: mr × m × q < p × total
                below = screen.numerator * mr_total
                times = screen.denominator * len(base_mrs)
                kept = [i for i in base_mrs if moving_ranges[i] * times < below]  # type: ignore[operator]
                mr_total = sum(moving_ranges[i] for i in kept)  # type: ignore[misc]
            for i in kept:
                used[i] = True
            # Scaled by 3 × count × limit's denominator × moving ranges kept: the mean, the
            # limit width and two thirds of it become integers (each line is its integer
            # over factor × denominator).
            factor = 3 * count * limit.denominator * len(kept)
            mid = 3 * total * limit.denominator * len(kept)
            reach = 3 * limit.numerator * mr_total * count
            reach2 = 2 * limit.numerator * mr_total * count
            over = factor * denominator
            size = end - start
            scaled.extend(None if v is None else v * factor for v in vals[start:end])
            centre.extend([mid] * size)
            lower.extend([mid - reach] * size)
            upper.extend([mid + reach] * size)
            lower2.extend([mid - reach2] * size)
            upper2.extend([mid + reach2] * size)
            phases.append(
                XmrPhase(
                    start=start,
                    end=end,
                    mean=present_ratio(mid, over, exact),
                    mean_moving_range=present_ratio(mr_total, len(kept) * denominator, exact),
                    lower_limit=present_ratio(mid - reach, over, exact),
                    upper_limit=present_ratio(mid + reach, over, exact),
                    lower_two_sigma=present_ratio(mid - reach2, over, exact),
                    upper_two_sigma=present_ratio(mid + reach2, over, exact),
                    sigma=present_ratio(reach, 3 * over, exact),
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
        self.labels, self.sides, self.rules = flag_lists(
            scaled,
            ChartLines(centre, lower, upper, lower2, upper2),
            phase_of,
            improvement=improvement,
            options=options,
        )
        self.ratios = ratios
        self.denominator = denominator
        self.exact = exact
        self.phase_of = phase_of
        self.moving_ranges = moving_ranges
        self.used = used
        self.phases = tuple(phases)
        self.warnings = tuple(warnings)
        self.target = present_opt(target_f, exact, "target")

    def icons(
        self, improvement: ImprovementDirection
    ) -> tuple[VariationIcon, AssuranceIcon | None]:
        """The variation icon (from the last labelled point) and the assurance icon."""
        k = next(i for i in range(len(self.labels) - 1, -1, -1) if self.labels[i] is not None)
        latest = self.phases[-1]
        return (
            variation_icon(self.labels[k], self.sides[k]),
            assurance_icon(self.target, latest.lower_limit, latest.upper_limit, improvement),
        )


def _checked(improvement: ImprovementDirection, options: SpcOptions | None) -> SpcOptions:
    options = SpcOptions() if options is None else options
    if not isinstance(options, SpcOptions):
        raise DomainValidationError("options", "must be SpcOptions", type(options).__name__)
    if not isinstance(improvement, ImprovementDirection):
        raise DomainValidationError("improvement", "must be an ImprovementDirection", improvement)
    return options


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

    Every calculation is exact, whatever the inputs: values are taken at their exact value (a
    float at its exact binary value) as integers over one common denominator, so sums,
    moving ranges and every comparison of the rules are exact integer arithmetic.

    :param values: the measure per period; ``None`` marks a missing value, which keeps its x
        position but is left out of the mean, the limits and the rules.
    :param x: the x positions (1, 2, ... by default).
    :param improvement: which way is better.
    :param target: the target for the assurance icon.
    :param rebase_at: x positions at which a new phase starts (its own mean and limits;
        moving ranges never cross into a new phase).
    :param options: the methodological choices (NHSRplotthedots' by default).
    :returns: the chart; a phase with fewer values than ``options.short_group_threshold``
        is flagged ``short_group`` and warned about in ``warnings``. Results are Fractions
        when every input was exact, else the floats nearest the exact results.
    :raises DomainValidationError: when a phase has fewer than 2 values, a rebase point is
        not an x position or is the first, an input is not a finite number, or a float result
        would be beyond the largest float.
    """
    options = _checked(improvement, options)
    scaled = scale_values(values, "values")
    xs = coerce_x(x, len(scaled[0]))
    if target is not None:
        to_fraction(target, "target")
    starts = positions_of(xs, rebase_at, "rebase_at")
    if 0 in starts:
        raise DomainValidationError(
            "rebase_at", "a new phase must start after the first point", xs[0]
        )
    chart = _Chart(scaled, target, starts, improvement, options)
    exact, denominator = chart.exact, chart.denominator
    points = tuple(
        XmrPoint(
            x=xs[i],
            value=None if ratio is None else present_ratio(ratio[0], ratio[1], exact),
            phase=chart.phase_of[i],
            moving_range=None if mr is None else present_ratio(mr, denominator, exact),
            moving_range_used=chart.used[i],
            label=chart.labels[i],
            side=chart.sides[i],
            rule=chart.rules[i][0] if chart.rules[i] else None,
            rules=chart.rules[i],
        )
        for i, (ratio, mr) in enumerate(zip(chart.ratios, chart.moving_ranges, strict=True))
    )
    variation, assurance = chart.icons(improvement)
    return XmrResult(
        points=points,
        phases=chart.phases,
        improvement=improvement,
        target=chart.target,
        variation=variation,
        assurance=assurance,
        options=options,
        warnings=chart.warnings,
    )


@attrs.frozen
class XmrSummary:
    """One series' XmR chart as :func:`xmr_summaries` gives it: what :func:`xmr` gives, but
    each point's label and deciding rule only, without per-point objects.

    ``labels[i]`` and ``rules[i]`` are ``xmr(...).points[i].label`` and ``.rule``; the phases,
    icons and warnings are :func:`xmr`'s own.
    """

    labels: tuple[PointLabel | None, ...]
    rules: tuple[SpcRule | None, ...]
    phases: tuple[XmrPhase, ...]
    improvement: ImprovementDirection
    target: Quantity | None
    variation: VariationIcon
    assurance: AssuranceIcon | None
    warnings: tuple[str, ...] = ()


def xmr_summaries(
    series: Iterable[Sequence[Number | None]],
    *,
    improvement: ImprovementDirection = ImprovementDirection.INCREASE,
    targets: Iterable[Number | None] | None = None,
    options: SpcOptions | None = None,
) -> list[XmrSummary]:
    """XmR charts of many series at once (every trust's every measure in a national hub),
    with every rule and both icons, each as :func:`xmr` would label it.

    :param series: the values of each series (``None`` for a missing value); one phase each.
    :param improvement: which way is better, for every series.
    :param targets: one target (or ``None``) per series, for the assurance icons.
    :param options: the methodological choices, for every series.
    :raises DomainValidationError: as :func:`xmr` does, the field named ``series[k]...``; or
        when ``targets`` does not hold one entry per series.
    """
    options = _checked(improvement, options)
    all_series = list(series)
    goals: list[Number | None] = [None] * len(all_series) if targets is None else list(targets)
    if len(goals) != len(all_series):
        raise DomainValidationError(
            "targets", f"holds one entry per series ({len(all_series)})", len(goals)
        )
    plan = SinglePhasePlan(improvement, options)
    out: list[XmrSummary] = []
    for k, (values, target) in enumerate(zip(all_series, goals, strict=True)):
        try:
            floats = scale_floats(values)
            scaled = scale_values(values, "values") if floats is None else None
            vals: Sequence[int | None]
            if scaled is not None:
                vals, denominator, exact = scaled[1], scaled[2], scaled[3]
            else:
                (vals, denominator), exact = floats, False  # type: ignore[misc,unused-ignore]
            summary = _single_phase_summary(vals, denominator, exact, target, plan)
            if summary is None:
                if scaled is None:
                    scaled = scale_values(values, "values")
                summary = _summary(scaled, target, improvement, options)
        except DomainValidationError as exc:
            raise type(exc)(
                f"series[{k}].{exc.field}", exc.rule, exc.value, sensitive=exc.sensitive
            ) from None
        out.append(summary)
    return out


def _summary(
    scaled: tuple[list[tuple[int, int] | None], list[int | None], int, bool],
    target: Number | None,
    improvement: ImprovementDirection,
    options: SpcOptions,
) -> XmrSummary:
    """One series' summary from the general chart (any series :func:`xmr` charts in one
    phase)."""
    chart = _Chart(scaled, target, (), improvement, options)
    variation, assurance = chart.icons(improvement)
    return XmrSummary(
        labels=tuple(chart.labels),
        rules=tuple([r[0] if r else None for r in chart.rules]),
        phases=chart.phases,
        improvement=improvement,
        target=chart.target,
        variation=variation,
        assurance=assurance,
        warnings=chart.warnings,
    )


def _single_phase_summary(
    vals: Sequence[int | None],
    denominator: int,
    exact: bool,
    target: Number | None,
    plan: SinglePhasePlan,
) -> XmrSummary | None:
    """:func:`_summary` of a series with no missing value, worked out in fewer passes
    (:mod:`collab_core.domain.measures._single_phase`); None for any other series, or when
    the general chart would refuse it, for :func:`_summary` to chart or refuse.

    ``vals`` are the values as integers over ``denominator`` (:func:`scale_values`, or
    :func:`scale_floats` for floats), ``exact`` whether every value was exact."""
    target_f: Fraction | None = None
    shown_target: Quantity | None = None
    if type(target) is float and math.isfinite(target):
        # a float's own value, as the general chart shows it (0.0 for -0.0, as Fraction has)
        exact, shown_target = False, target if target else 0.0
    elif target is not None:  # refused first, as the general chart refuses it
        target_f, target_exact = to_fraction(target, "target")
        exact = exact and target_exact
    worked = single_phase(vals, denominator, exact, plan)
    if worked is None:
        return None
    figures, labels, rules, last_side = worked
    n = len(labels)
    threshold = plan.options.short_group_threshold
    phase = XmrPhase(0, n, *figures, short_group=n < threshold)
    warning = short_group_warning(0, 1, n, threshold)
    if target_f is not None:
        shown_target = present_opt(target_f, exact, "target")
    return XmrSummary(
        labels=tuple(labels),
        rules=tuple(rules),
        phases=(phase,),
        improvement=plan.improvement,
        target=shown_target,
        variation=variation_icon(labels[-1], last_side),
        assurance=assurance_icon(
            shown_target, phase.lower_limit, phase.upper_limit, plan.improvement
        ),
        warnings=() if warning is None else (warning,),
    )

"""Statistical process control as NHS England's Making Data Count: XmR charts, their limits
and phases, the short-group warning and the variation and assurance icons.

Default semantics follow NHS-R Community's NHSRplotthedots 0.2.x (``ptd_spc_standard``,
``ptd_calculate_point_type``, ``ptd_add_short_group_warnings``,
``ptd_calculate_assurance_type``); the rules that label points live in
:mod:`collab_core.domain.measures.rules`, and every place where methods differ is an option
of :class:`~collab_core.domain.measures.options.SpcOptions`, listed in docs/measures.md.
"""

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
from collab_core.domain.measures.rules import ChartLines, flag_points

__all__ = [
    "XmrPhase",
    "XmrPoint",
    "XmrResult",
    "assurance_icon",
    "short_group_warning",
    "xmr",
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

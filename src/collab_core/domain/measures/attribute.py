"""Attribute SPC charts: p charts (proportions) and u charts (rates), with limits for each
point's own denominator, and Laney's p′ and u′ charts for very large denominators.

Formulas: Montgomery, *Statistical Quality Control* (2009) 7.7 (p) and 7.19 (u); Laney,
Quality Engineering 2002;14(4):531-537 (prime charts); the same as qicharts2's ``qic.p``,
``qic.u``, ``qic.pp`` and ``qic.up``. Points take Making Data Count's rules and labels.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.measures._numbers import (
    Number,
    Quantity,
    XValue,
    coerce_values,
    coerce_x,
    fsqrt,
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
from collab_core.domain.measures.options import SpcOptions, SpcRule
from collab_core.domain.measures.rules import ChartLines, flag_points
from collab_core.domain.measures.runs import AnhojAnalysis, anhoej_analysis, sides_about
from collab_core.domain.measures.spc import assurance_icon, phase_bounds, short_group_warning

__all__ = [
    "LANEY_D2",
    "AttributeChartKind",
    "AttributePhase",
    "AttributePoint",
    "AttributeResult",
    "p_chart",
    "p_prime_chart",
    "u_chart",
    "u_prime_chart",
]

LANEY_D2 = Fraction("1.128")
"""d2 for moving ranges of 2: Laney's σz is the mean moving range of the z-scores / 1.128."""


class AttributeChartKind(enum.Enum):
    """Which attribute chart: p (proportion), u (rate), or Laney's prime versions of them."""

    P = "p"
    U = "u"
    P_PRIME = "p_prime"
    U_PRIME = "u_prime"

    @property
    def is_proportion(self) -> bool:
        return self in (AttributeChartKind.P, AttributeChartKind.P_PRIME)

    @property
    def is_prime(self) -> bool:
        return self in (AttributeChartKind.P_PRIME, AttributeChartKind.U_PRIME)


_PRIME_NAMES = {AttributeChartKind.P_PRIME: "p′", AttributeChartKind.U_PRIME: "u′"}


@attrs.frozen
class AttributePoint:
    """One point of a p, u, p′ or u′ chart.

    ``value`` is numerator / denominator. The limits are the point's own (3σ of its
    denominator, times σz on a prime chart), the lower clipped at 0 and, for proportions, the
    upper at 1. ``sigma`` is the point's σ before clipping; ``z`` its Laney z-score (prime
    charts only). ``included`` is false for a point excluded from the centre line.
    """

    x: XValue
    numerator: Quantity | None
    denominator: Quantity | None
    value: Quantity | None
    phase: int
    included: bool
    centre: Quantity
    sigma: float | None
    lower_limit: float | None
    upper_limit: float | None
    lower_two_sigma: float | None
    upper_two_sigma: float | None
    z: float | None
    label: PointLabel | None
    side: Side | None
    rule: SpcRule | None
    rules: tuple[SpcRule, ...]


@attrs.frozen
class AttributePhase:
    """One phase: its centre line (the pooled proportion or rate), Laney's σz on a prime
    chart, and Anhøj's runs analysis of its included points about the centre line.

    ``short_group`` is true when the phase has fewer values than
    ``SpcOptions.short_group_threshold`` (None in a payload written before it was recorded).
    """

    start: int
    end: int
    centre: Quantity
    sigma_z: float | None
    anhoej: AnhojAnalysis
    short_group: bool | None = None


@attrs.frozen
class AttributeResult:
    """A p, u, p′ or u′ chart with its points, phases and Making Data Count icons.

    Values, centre lines, limits and the target are in the chart's units: the proportion or
    rate times ``multiplier`` (100 for a percentage, 1000 for a rate per 1,000 bed days).
    ``warnings`` holds the short-group warning of each phase with trial limits.
    """

    kind: AttributeChartKind
    points: tuple[AttributePoint, ...]
    phases: tuple[AttributePhase, ...]
    improvement: ImprovementDirection
    target: Quantity | None
    variation: VariationIcon
    assurance: AssuranceIcon | None
    options: SpcOptions
    multiplier: Quantity = 1
    warnings: tuple[str, ...] = ()


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def _attribute_chart(kind: AttributeChartKind, *args: Any, **kwargs: Any) -> AttributeResult:
    try:
        return _compute(kind, *args, **kwargs)
    except OverflowError:
        # a float step (a square root, a z-score, a scaled limit) went past the largest float
        raise DomainValidationError(
            "numerators",
            "are too large: a limit or z-score would be beyond the largest float; use smaller "
            "units or a smaller multiplier",
            None,
        ) from None


def _compute(
    kind: AttributeChartKind,
    numerators: Sequence[Number | None],
    denominators: Sequence[Number | None],
    *,
    x: Sequence[XValue] | None,
    improvement: ImprovementDirection,
    target: Number | None,
    rebase_at: Sequence[XValue],
    exclude: Sequence[XValue],
    options: SpcOptions | None,
    screen_moving_ranges: bool,
    multiplier: Number,
) -> AttributeResult:
    options = SpcOptions() if options is None else options
    scale, scale_exact = to_fraction(multiplier, "multiplier")
    if scale <= 0:
        raise DomainValidationError("multiplier", "must be greater than 0", multiplier)
    if not isinstance(options, SpcOptions):
        raise DomainValidationError("options", "must be SpcOptions", type(options).__name__)
    if not isinstance(improvement, ImprovementDirection):
        raise DomainValidationError("improvement", "must be an ImprovementDirection", improvement)
    nums, exact_n = coerce_values(numerators, "numerators")
    dens, exact_d = coerce_values(denominators, "denominators")
    if len(nums) != len(dens):
        raise DomainValidationError(
            "denominators", f"must have one per numerator ({len(nums)})", len(dens)
        )
    exact = exact_n and exact_d and scale_exact
    for i, (a, b) in enumerate(zip(nums, dens, strict=True)):
        if b is not None and b <= 0:
            raise DomainValidationError(f"denominators[{i}]", "must be greater than 0", b)
        if a is not None and a < 0:
            raise DomainValidationError(f"numerators[{i}]", "must not be negative", a)
        if kind.is_proportion and a is not None and b is not None and a > b:
            raise DomainValidationError(
                f"numerators[{i}]", "a proportion's numerator must not exceed its denominator", a
            )
    xs = coerce_x(x, len(nums))
    target_f: Fraction | None = None
    if target is not None:
        target_f, target_exact = to_fraction(target, "target")
        exact = exact and target_exact
        target_f /= scale  # the target is in the multiplied units
    starts = positions_of(xs, rebase_at, "rebase_at")
    if 0 in starts:
        raise DomainValidationError(
            "rebase_at", "a new phase must start after the first point", xs[0]
        )
    excluded = set(positions_of(xs, exclude, "exclude"))
    values: list[Fraction | None] = [
        None if a is None or b is None else a / b for a, b in zip(nums, dens, strict=True)
    ]
    known = {
        i: (a, b)
        for i, (a, b) in enumerate(zip(nums, dens, strict=True))
        if a is not None and b is not None
    }
    n = len(values)
    phase_of = [0] * n
    centre: list[Fraction] = [Fraction(0)] * n
    sigma: list[float | None] = [None] * n
    zs: list[float | None] = [None] * n
    phases: list[AttributePhase] = []
    warnings: list[str] = []
    bounds = phase_bounds(n, starts)
    for p, (start, end) in enumerate(bounds):
        usable = [i for i in range(start, end) if values[i] is not None and i not in excluded]
        if not usable:
            raise DomainValidationError(
                "numerators", f"phase {p + 1} needs at least one included value", 0
            )
        warning = short_group_warning(p, len(bounds), len(usable), options.short_group_threshold)
        if warning is not None:
            warnings.append(warning)
        base = usable if options.fix_after is None else usable[: options.fix_after]
        # present points have both a numerator and a denominator
        cl = sum((known[i][0] for i in base), Fraction(0)) / sum(
            (known[i][1] for i in base), Fraction(0)
        )
        for i in range(start, end):
            phase_of[i], centre[i] = p, cl
            if i in known:
                d = known[i][1]
                variance = cl * (1 - cl) / d if kind.is_proportion else cl / d
                sigma[i] = fsqrt(variance)
        sigma_z: float | None = None
        if kind.is_prime:
            z_of: dict[int, float] = {}
            for i in base:
                s_i = sigma[i]
                if s_i:
                    z_of[i] = float((known[i][0] / known[i][1] - cl) / Fraction(s_i))
                    zs[i] = z_of[i]
            z_at = list(z_of)
            if len(z_at) < 2:
                # σz is the mean moving range of the z-scores: it needs two of them
                raise DomainValidationError(
                    "numerators",
                    f"a {_PRIME_NAMES[kind]} chart needs at least 2 included values with a "
                    f"non-zero sigma in each phase to estimate Laney's sigma-z (phase {p + 1}; "
                    "a centre line of 0, or of 1 for a proportion, gives every value sigma 0)",
                    len(z_at),
                )
            mrs = [abs(z_of[b] - z_of[a]) for a, b in itertools.pairwise(z_at)]
            amr = sum(mrs) / len(mrs)
            if screen_moving_ranges and amr > 0:
                kept = [m for m in mrs if m < float(options.moving_range_limit) * amr]
                amr = sum(kept) / len(kept)
            # σz is 0 only when every z-score is the same (identical proportions or rates):
            # the limits then close onto the centre line, as Laney's formula and qicharts2 give
            sigma_z = amr / float(LANEY_D2)
            for i in range(start, end):
                s_i = sigma[i]
                if s_i is not None:
                    sigma[i] = s_i * sigma_z
        sides = sides_about(
            [values[i] if i not in excluded else None for i in range(start, end)],
            [cl] * (end - start),
        )
        phases.append(
            AttributePhase(
                start=start,
                end=end,
                centre=present(cl * scale, exact, "numerators"),
                sigma_z=sigma_z,
                anhoej=anhoej_analysis(sides),
                short_group=len(usable) < options.short_group_threshold,
            )
        )
    top = Fraction(1) if kind.is_proportion else None

    def clip(v: Fraction) -> Fraction:
        v = max(v, Fraction(0))
        return v if top is None else min(v, top)

    # The lines are kept exact about the exact centre (centre ± the float σ taken exactly),
    # so a value equal to the centre is never beyond a collapsed limit by a rounding.
    exact_lines: list[tuple[Fraction, Fraction, Fraction, Fraction] | None] = []
    for c, s_i in zip(centre, sigma, strict=True):
        if s_i is None:
            exact_lines.append(None)
            continue
        w = Fraction(s_i)
        exact_lines.append((clip(c - 3 * w), clip(c + 3 * w), clip(c - 2 * w), clip(c + 2 * w)))
    zero = (Fraction(0),) * 4
    flags = flag_points(
        values,
        ChartLines(
            centre,
            [(ln or zero)[0] for ln in exact_lines],
            [(ln or zero)[1] for ln in exact_lines],
            [(ln or zero)[2] for ln in exact_lines],
            [(ln or zero)[3] for ln in exact_lines],
        ),
        phase_of,
        improvement=improvement,
        options=options,
    )
    lines = [
        (None, None, None, None) if ln is None else tuple(float(v * scale) for v in ln)
        for ln in exact_lines
    ]
    fscale = float(scale)

    def scaled(v: float | None) -> float | None:
        if v is None:
            return None
        if not math.isfinite(v * fscale):
            raise OverflowError
        return v * fscale

    points = tuple(
        AttributePoint(
            x=xs[i],
            numerator=present_opt(nums[i], exact, "numerators"),
            denominator=present_opt(dens[i], exact, "denominators"),
            value=present_opt(
                None if i not in known else known[i][0] / known[i][1] * scale, exact, "numerators"
            ),
            phase=phase_of[i],
            included=i not in excluded,
            centre=present(centre[i] * scale, exact, "numerators"),
            sigma=scaled(sigma[i]),
            lower_limit=lines[i][0],
            upper_limit=lines[i][1],
            lower_two_sigma=lines[i][2],
            upper_two_sigma=lines[i][3],
            z=zs[i],
            label=flags[i].label,
            side=flags[i].side,
            rule=flags[i].rule,
            rules=flags[i].rules,
        )
        for i in range(n)
    )
    last_at = max(i for i in range(n) if values[i] is not None)
    last = flags[last_at]
    shown_target = present_opt(None if target_f is None else target_f * scale, exact, "target")
    # the target against the last point's limits as the result reports them (floats in the
    # chart's units), so a target equal to a reported limit is on it
    lower_last, upper_last = points[last_at].lower_limit, points[last_at].upper_limit
    assert lower_last is not None  # noqa: S101 - a present point has limits
    assert upper_last is not None  # noqa: S101
    return AttributeResult(
        kind=kind,
        points=points,
        phases=tuple(phases),
        improvement=improvement,
        target=shown_target,
        variation=variation_icon(last.label, last.side),
        assurance=assurance_icon(shown_target, lower_last, upper_last, improvement),
        multiplier=present(scale, exact, "multiplier"),
        options=options,
        warnings=tuple(warnings),
    )


def p_chart(
    numerators: Sequence[Number | None],
    denominators: Sequence[Number | None],
    *,
    x: Sequence[XValue] | None = None,
    improvement: ImprovementDirection = ImprovementDirection.INCREASE,
    target: Number | None = None,
    rebase_at: Sequence[XValue] = (),
    exclude: Sequence[XValue] = (),
    options: SpcOptions | None = None,
    multiplier: Number = 1,
) -> AttributeResult:
    """A p chart of ``numerators / denominators`` with 3σ limits per denominator.

    The centre line is the pooled proportion of each phase (sum of numerators over sum of
    denominators, of the first ``options.fix_after`` included points when set); limits are
    ``p̄ ± 3√(p̄(1−p̄)/nᵢ)`` clipped to [0, 1]. Points named in ``exclude`` are plotted and
    tested but left out of the centre line and the runs analysis. ``None`` in either input
    marks a missing point. The assurance icon tests the target against the last point's limits.
    ``multiplier`` scales what is shown (100 for percentages); the target is in those units.

    :raises DomainValidationError: for a denominator of 0 or less, a negative numerator, a
        numerator above its denominator, or mismatched lengths.
    """
    return _attribute_chart(
        AttributeChartKind.P,
        numerators,
        denominators,
        x=x,
        improvement=improvement,
        target=target,
        rebase_at=rebase_at,
        exclude=exclude,
        options=options,
        screen_moving_ranges=False,
        multiplier=multiplier,
    )


def u_chart(
    numerators: Sequence[Number | None],
    denominators: Sequence[Number | None],
    *,
    x: Sequence[XValue] | None = None,
    improvement: ImprovementDirection = ImprovementDirection.INCREASE,
    target: Number | None = None,
    rebase_at: Sequence[XValue] = (),
    exclude: Sequence[XValue] = (),
    options: SpcOptions | None = None,
    multiplier: Number = 1,
) -> AttributeResult:
    """A u chart of the rate ``numerators / denominators``: ``ū ± 3√(ū/nᵢ)``, lower clipped
    at 0. Otherwise as :func:`p_chart` (a rate may exceed 1)."""
    return _attribute_chart(
        AttributeChartKind.U,
        numerators,
        denominators,
        x=x,
        improvement=improvement,
        target=target,
        rebase_at=rebase_at,
        exclude=exclude,
        options=options,
        screen_moving_ranges=False,
        multiplier=multiplier,
    )


def p_prime_chart(
    numerators: Sequence[Number | None],
    denominators: Sequence[Number | None],
    *,
    x: Sequence[XValue] | None = None,
    improvement: ImprovementDirection = ImprovementDirection.INCREASE,
    target: Number | None = None,
    rebase_at: Sequence[XValue] = (),
    exclude: Sequence[XValue] = (),
    options: SpcOptions | None = None,
    screen_moving_ranges: bool = False,
    multiplier: Number = 1,
) -> AttributeResult:
    """Laney's p′ chart: the p chart's σ widened by σz, the mean moving range of the
    z-scores ``(pᵢ − p̄)/σᵢ`` over 1.128, for denominators so large that a p chart's limits
    are too narrow (over-dispersion). ``screen_moving_ranges`` drops moving ranges of z at or
    above 3.267 times their mean first (off by default, as in Laney 2002 and qicharts2)."""
    return _attribute_chart(
        AttributeChartKind.P_PRIME,
        numerators,
        denominators,
        x=x,
        improvement=improvement,
        target=target,
        rebase_at=rebase_at,
        exclude=exclude,
        options=options,
        screen_moving_ranges=screen_moving_ranges,
        multiplier=multiplier,
    )


def u_prime_chart(
    numerators: Sequence[Number | None],
    denominators: Sequence[Number | None],
    *,
    x: Sequence[XValue] | None = None,
    improvement: ImprovementDirection = ImprovementDirection.INCREASE,
    target: Number | None = None,
    rebase_at: Sequence[XValue] = (),
    exclude: Sequence[XValue] = (),
    options: SpcOptions | None = None,
    screen_moving_ranges: bool = False,
    multiplier: Number = 1,
) -> AttributeResult:
    """Laney's u′ chart: the u chart's σ widened by σz, as :func:`p_prime_chart`."""
    return _attribute_chart(
        AttributeChartKind.U_PRIME,
        numerators,
        denominators,
        x=x,
        improvement=improvement,
        target=target,
        rebase_at=rebase_at,
        exclude=exclude,
        options=options,
        screen_moving_ranges=screen_moving_ranges,
        multiplier=multiplier,
    )

"""Funnel plots that compare trusts' proportions with the overall proportion, with 95% and
99.8% limits for each denominator, as PHEindicatormethods' ``phe_funnels`` and
``phe_funnel_significance`` (UKHSA; PHE Fingertips technical guidance).

PHEindicatormethods writes its limits as a quadratic solution (``sigma_adjustment``); solved
out, it is exactly the normal approximation ``p ± z √(p(1−p)/n)`` (see docs/measures.md), and
that is what is computed here. Significance is judged on the unclipped limits; the plotted
limits are clipped to [0, 1].
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from fractions import Fraction
from statistics import NormalDist

import attrs

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.measures._numbers import (
    Number,
    Quantity,
    coerce_values,
    fsqrt,
    present,
    to_fraction,
)

__all__ = [
    "Z_95",
    "Z_998",
    "FunnelLimits",
    "FunnelResult",
    "FunnelSignificance",
    "FunnelUnit",
    "funnel_axis",
    "funnel_limits",
    "funnel_plot",
]

Z_95 = NormalDist().inv_cdf(0.975)
"""The two-sided 95% normal quantile (R's ``qnorm(0.975)``)."""

Z_998 = NormalDist().inv_cdf(0.999)
"""The two-sided 99.8% normal quantile (R's ``qnorm(0.999)``)."""


class FunnelSignificance(enum.Enum):
    """Where a unit lies against the funnel, in PHEindicatormethods' words."""

    HIGH_0_001 = "High (0.001)"
    HIGH_0_025 = "High (0.025)"
    NOT_SIGNIFICANT = "Not significant"
    LOW_0_025 = "Low (0.025)"
    LOW_0_001 = "Low (0.001)"


@attrs.frozen
class FunnelLimits:
    """The 95% and 99.8% limits for one denominator, clipped to [0, 1] (as proportions)."""

    denominator: Quantity
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


@attrs.frozen
class FunnelUnit:
    """One unit (a trust): its counts, proportion, significance and limits."""

    name: str
    numerator: Quantity
    denominator: Quantity
    proportion: Quantity
    significance: FunnelSignificance
    limits: FunnelLimits


@attrs.frozen
class FunnelResult:
    """A funnel plot: each unit, and the overall proportion (pooled over the units)."""

    units: tuple[FunnelUnit, ...]
    average: Quantity

    @property
    def min_denominator(self) -> Quantity:
        return min(u.denominator for u in self.units)

    @property
    def max_denominator(self) -> Quantity:
        return max(u.denominator for u in self.units)


def _half_width(p: Fraction, n: Fraction, z: float) -> float:
    return z * fsqrt(p * (1 - p) / n)


def funnel_limits(average: Number, denominator: Number) -> FunnelLimits:
    """The 95% and 99.8% limits around ``average`` for a unit with ``denominator``."""
    p, _ = to_fraction(average, "average")
    n, n_exact = to_fraction(denominator, "denominator")
    if not 0 <= p <= 1:
        raise DomainValidationError("average", "must be a proportion from 0 to 1", average)
    if n <= 0:
        raise DomainValidationError("denominator", "must be greater than 0", denominator)
    pf = float(p)

    def clip(v: float) -> float:
        return min(max(v, 0.0), 1.0)

    w95, w998 = _half_width(p, n, Z_95), _half_width(p, n, Z_998)
    return FunnelLimits(
        denominator=present(n, n_exact),
        lower_95=clip(pf - w95),
        upper_95=clip(pf + w95),
        lower_998=clip(pf - w998),
        upper_998=clip(pf + w998),
    )


def _beyond(x: Fraction, p: Fraction, n: Fraction, z: float) -> int:
    """+1 when x is above p + z·se, -1 when below p − z·se, else 0; exact for the float z."""
    gap = x - p
    if gap == 0:
        return 0
    # compare gap² with z²·p(1−p)/n in Fractions: no rounding but z's own
    if gap * gap > Fraction(z) ** 2 * p * (1 - p) / n:
        return 1 if gap > 0 else -1
    return 0


def _significance(x: Fraction, p: Fraction, n: Fraction) -> FunnelSignificance:
    # the order of PHEindicatormethods' case_when: low 0.001, low 0.025, high 0.001, high 0.025
    at_998, at_95 = _beyond(x, p, n, Z_998), _beyond(x, p, n, Z_95)
    if at_998 < 0:
        return FunnelSignificance.LOW_0_001
    if at_95 < 0:
        return FunnelSignificance.LOW_0_025
    if at_998 > 0:
        return FunnelSignificance.HIGH_0_001
    if at_95 > 0:
        return FunnelSignificance.HIGH_0_025
    return FunnelSignificance.NOT_SIGNIFICANT


def funnel_plot(
    names: Sequence[str], numerators: Sequence[Number], denominators: Sequence[Number]
) -> FunnelResult:
    """Compare each unit's proportion with the pooled proportion of all units.

    :raises DomainValidationError: for blank or repeated names, mismatched lengths, a
        negative numerator, a denominator of 0 or less, or a numerator above its denominator.
    """
    nums, exact_n = coerce_values(numerators, "numerators", allow_missing=False)
    dens, exact_d = coerce_values(denominators, "denominators", allow_missing=False)
    exact = exact_n and exact_d
    names_t = tuple(names)
    if not len(names_t) == len(nums) == len(dens):
        raise DomainValidationError(
            "denominators", "names, numerators and denominators must be as many", len(dens)
        )
    if not names_t:
        raise DomainValidationError("names", "a funnel plot needs at least one unit", 0)
    for i, name in enumerate(names_t):
        if not isinstance(name, str) or not name.strip():  # type: ignore[redundant-expr]
            raise DomainValidationError(f"names[{i}]", "must be a non-blank string", name)
    if len(set(names_t)) != len(names_t):
        raise DomainValidationError("names", "must be unique", len(names_t))
    for i, (a, b) in enumerate(zip(nums, dens, strict=True)):
        assert a is not None  # noqa: S101 - allow_missing=False
        assert b is not None  # noqa: S101
        if b <= 0:
            raise DomainValidationError(f"denominators[{i}]", "must be greater than 0", b)
        if a < 0:
            raise DomainValidationError(f"numerators[{i}]", "must not be negative", a)
        if a > b:
            raise DomainValidationError(
                f"numerators[{i}]", "must not exceed its denominator for a proportion", a
            )
    total_n = sum((a for a in nums if a is not None), Fraction(0))
    total_d = sum((b for b in dens if b is not None), Fraction(0))
    p = total_n / total_d
    units = []
    for name, a, b in zip(names_t, nums, dens, strict=True):
        assert a is not None  # noqa: S101
        assert b is not None  # noqa: S101
        units.append(
            FunnelUnit(
                name=name,
                numerator=present(a, exact),
                denominator=present(b, exact),
                proportion=present(a / b, exact),
                significance=_significance(a / b, p, b),
                limits=funnel_limits(p, b),
            )
        )
    return FunnelResult(units=tuple(units), average=present(p, exact))


def _floor_leading(x: float) -> float:
    # round down to one significant figure (PHEindicatormethods' signif.floor of 95%)
    v = x * 0.95
    if v < 1:
        return 0.0
    digits = len(str(math.floor(v))) - 1
    return float(math.floor(v / 10**digits) * 10**digits)


def _ceil_two(x: float) -> float:
    # round up to two significant figures (PHEindicatormethods' signif.ceiling of 105%)
    v = x * 1.05
    digits = len(str(math.ceil(v))) - 2
    return float(math.ceil(v / 10**digits) * 10**digits)


def funnel_axis(
    min_denominator: Number, max_denominator: Number, points: int = 100
) -> tuple[int, ...]:
    """Denominators at which to draw the funnel: ``points`` steps, evenly spaced on a log
    scale from the axis minimum to the axis maximum, as PHEindicatormethods' ``phe_funnels``.

    The axis starts at 0 (drawn from 1) when the largest denominator is more than twice the
    smallest, else at 95% of the smallest rounded down to one significant figure; it ends at
    105% of the largest rounded up to two significant figures.
    """
    lo, _ = to_fraction(min_denominator, "min_denominator")
    hi, _ = to_fraction(max_denominator, "max_denominator")
    if lo <= 0 or hi < lo:
        raise DomainValidationError(
            "max_denominator", "denominators must be positive, the maximum at least the minimum", hi
        )
    if points < 2:
        raise DomainValidationError("points", "must be at least 2", points)
    axis_min = 0.0 if hi > 2 * lo else _floor_leading(float(lo))
    axis_max = _ceil_two(float(hi))
    out = [max(1, int(axis_min))]
    for j in range(2, points + 1):
        step = (axis_max / out[-1]) ** (1 / (points + 1 - j)) * out[-1]
        out.append(max(round(step), out[-1] + 1))
    return tuple(out)

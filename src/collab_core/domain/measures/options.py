"""The methodological choices of an SPC chart (:class:`SpcOptions`), with the constants and the
orders of precedence that published tools use.

The defaults reproduce NHS-R Community's NHSRplotthedots 0.2.x; every place where methods
differ is an option here and is listed in docs/measures.md ("Where methods differ").
"""

from __future__ import annotations

import enum
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from collab_core.domain._rules import is_type
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.measures._numbers import check_int
from collab_core.domain.measures.patterns import TrendTies

__all__ = [
    "DEFAULT_PRECEDENCE",
    "MDC_LIMIT",
    "MOVING_RANGE_LIMIT",
    "PLOTTHEDOTS_PRECEDENCE",
    "POWERBI_SPC_PRECEDENCE",
    "QICHARTS2_LIMIT",
    "SHIFT_FIRST_PRECEDENCE",
    "SHORT_GROUP_THRESHOLD",
    "LabelSide",
    "SpcOptions",
    "SpcRule",
    "TwoOfThree",
]

MDC_LIMIT = Fraction("2.66")
"""Making Data Count's (and NHSRplotthedots') limit constant: mean ± 2.66 × mean moving range."""

QICHARTS2_LIMIT = Fraction(3) / Fraction("1.128")
"""qicharts2's limit constant, 3/d2 with d2 = 1.128 (≈ 2.6596) (Montgomery 2009, 6.33)."""

MOVING_RANGE_LIMIT = Fraction("3.267")
"""D4 for moving ranges of 2: a moving range at or above 3.267 × their mean is screened out
of the limits (Nelson 1982; NHSRplotthedots ``screen_outliers``)."""

SHORT_GROUP_THRESHOLD = 13
"""A phase with fewer points than this has trial limits and is warned about.

NHSRplotthedots 0.2.x (``R/ptd_add_short_group_warnings.R``,
``ptd_add_short_group_warnings``) warns for a group with ``n() < 13`` by default (the R option
``ptd_spc.warning_threshold``), so a phase of 12 points is still warned about, as its
"deviations" vignette shows for three rebased phases of 12 months; 0.1.0 used 12."""


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


PLOTTHEDOTS_PRECEDENCE = (
    SpcRule.BEYOND_LIMITS,
    SpcRule.TREND,
    SpcRule.TWO_OF_THREE,
    SpcRule.SHIFT,
)
"""NHSRplotthedots 0.2.x: the first rule that fires labels the point, in the order of the
``dplyr::case_when`` in ``ptd_special_cause_type`` (``R/ptd_calculate_point_type.R``): outside
the limits, then a 7 point trend, then 2 in 3, then 7 points on one side of the mean."""

POWERBI_SPC_PRECEDENCE = (
    SpcRule.BEYOND_LIMITS,
    SpcRule.TWO_OF_THREE,
    SpcRule.TREND,
    SpcRule.SHIFT,
)
"""The PowerBI-SPC visual 1.7 (Western Australia Department of Health): each flag repaints the
point over the one before in the order shift, trend, two-in-three, astronomical
(``src/Classes/viewModelClass.ts``), so the last one that fired wins."""

SHIFT_FIRST_PRECEDENCE = (
    SpcRule.BEYOND_LIMITS,
    SpcRule.SHIFT,
    SpcRule.TREND,
    SpcRule.TWO_OF_THREE,
)
"""Beyond the limits, then shift, trend and two-of-three: collab_core 0.1's default order."""

DEFAULT_PRECEDENCE = PLOTTHEDOTS_PRECEDENCE
"""The default order of precedence, NHSRplotthedots 0.2.x's."""


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
    """Where a special cause point's high/low side (and so its improvement or concern colour)
    comes from.

    ``RULE`` (NHSRplotthedots 0.2.x, since its fix for trends crossing the mean, issue #171):
    the side of the rule that decided the label. A point beyond a limit, in a shift or in a
    two-of-three is on its side of the mean; a point in a trend takes the trend's direction,
    read per point as ``ptd_special_cause_type`` does: the direction of the step to the next
    point when that point is also in a trend, otherwise the step from the previous point (so
    the peak shared by a rise and a fall takes the fall, the later trend).

    ``PLOTTHEDOTS_0_1`` (NHSRplotthedots 0.1.0, before 2023): the point's own side of the mean,
    whichever rule flagged it, so a rising trend that starts below the mean is partly concern
    for a higher-is-better measure. A special cause point exactly on the mean is concern, as
    0.1.0's ``case_when`` makes it (the rule's side for a neutral measure). ``MEAN`` is the same
    member under its earlier name.
    """

    RULE = "rule"
    PLOTTHEDOTS_0_1 = "mean"
    MEAN = "mean"  # noqa: PIE796 - the earlier name of PLOTTHEDOTS_0_1, an alias of it


def _check_precedence(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, tuple)
        or not all(isinstance(r, SpcRule) for r in value)
        or sorted(value, key=lambda r: r.value) != sorted(SpcRule, key=lambda r: r.value)
    ):
        raise DomainValidationError(attr.name, "must list every SpcRule exactly once", value)


def _check_fraction(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Fraction) or value <= 0:
        raise DomainValidationError(attr.name, "must be a positive Fraction", value)


def _to_fraction(value: object) -> object:
    # a converter only normalises; the validator refuses anything that is still wrong
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float) and math.isfinite(value):
        return Fraction(str(value))
    if isinstance(value, Decimal) and value.is_finite():
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value)
        except (ValueError, ZeroDivisionError):
            return value
    return value


def _to_tuple(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


@attrs.frozen
class SpcOptions:
    """The methodological choices of an SPC chart; the defaults are NHSRplotthedots 0.2.x's.

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
    :param precedence: the order in which rules decide a point's one label
        (:data:`PLOTTHEDOTS_PRECEDENCE`; also :data:`POWERBI_SPC_PRECEDENCE`,
        :data:`SHIFT_FIRST_PRECEDENCE` or any order of the four rules).
    :param label_side: whether a special cause is high/low by the deciding rule (a trend by its
        direction) or, as before 2023, by the point's side of the mean.
    :param moving_range_across_gaps: take a moving range between the values either side of a
        missing one (False: a moving range needs two consecutive values, as in R's ``diff``).
    :param gaps_break_runs: a missing value ends a shift, trend or two-of-three window
        (False: it is skipped, neither counting nor breaking).
    :param short_group_threshold: a phase with fewer values than this is flagged as having
        trial limits and warned about (:data:`SHORT_GROUP_THRESHOLD`, 13; 0 never warns).
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
        default=DEFAULT_PRECEDENCE, converter=_to_tuple, validator=_check_precedence
    )
    label_side: LabelSide = attrs.field(default=LabelSide.RULE, validator=is_type(LabelSide))
    moving_range_across_gaps: bool = attrs.field(default=False, validator=is_type(bool))
    gaps_break_runs: bool = attrs.field(default=False, validator=is_type(bool))
    short_group_threshold: int = attrs.field(default=SHORT_GROUP_THRESHOLD)

    @fix_after.validator
    def _fix_after(self, _attr: attrs.Attribute[int | None], value: int | None) -> None:
        # Making Data Count: limits need at least 12 points to be worth fixing
        if value is not None:
            check_int("fix_after", value, 12)

    def __attrs_post_init__(self) -> None:
        check_int("shift_length", self.shift_length, 2)
        check_int("trend_length", self.trend_length, 3)
        check_int("short_group_threshold", self.short_group_threshold, 0)

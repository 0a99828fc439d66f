"""The words a chart speaks in: improvement direction, sides, point labels and the Making Data
Count icons (variation and assurance).

The labels and icon names follow NHS England's Making Data Count and NHSRplotthedots
(``ptd_calculate_point_type``, ``geom_ptd_icon``, ``ptd_calculate_assurance_type``).
"""

from __future__ import annotations

import enum

__all__ = [
    "AssuranceIcon",
    "ImprovementDirection",
    "PointLabel",
    "Side",
    "VariationIcon",
    "label_for",
    "variation_icon",
]


class ImprovementDirection(enum.Enum):
    """Which way is better for a measure: up, down, or neither (a neutral measure)."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"

    @property
    def reversed(self) -> ImprovementDirection:
        """The opposite direction (neutral stays neutral)."""
        return {
            ImprovementDirection.INCREASE: ImprovementDirection.DECREASE,
            ImprovementDirection.DECREASE: ImprovementDirection.INCREASE,
        }.get(self, self)


class Side(enum.Enum):
    """High (above the centre line, or rising) or low (below it, or falling)."""

    HIGH = "high"
    LOW = "low"

    @property
    def opposite(self) -> Side:
        return Side.LOW if self is Side.HIGH else Side.HIGH


class PointLabel(enum.Enum):
    """What a point shows: common cause variation, or special cause of one of three kinds.

    ``SPECIAL_CAUSE_NEITHER`` is Making Data Count's "neither improvement nor concern" (purple),
    given when the improvement direction is neutral.
    """

    COMMON_CAUSE = "common_cause"
    SPECIAL_CAUSE_IMPROVEMENT = "special_cause_improvement"
    SPECIAL_CAUSE_CONCERN = "special_cause_concern"
    SPECIAL_CAUSE_NEITHER = "special_cause_neither"

    @property
    def swapped(self) -> PointLabel:
        """Improvement and concern swapped (what reflecting a series and its direction does)."""
        return {
            PointLabel.SPECIAL_CAUSE_IMPROVEMENT: PointLabel.SPECIAL_CAUSE_CONCERN,
            PointLabel.SPECIAL_CAUSE_CONCERN: PointLabel.SPECIAL_CAUSE_IMPROVEMENT,
        }.get(self, self)


class VariationIcon(enum.Enum):
    """Making Data Count's variation icon, taken from the last point of a chart."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEITHER_HIGH = "neither_high"
    NEITHER_LOW = "neither_low"


class AssuranceIcon(enum.Enum):
    """Making Data Count's assurance icon: will the process meet its target?

    ``PASS``: the target lies outside the limits on the side the process beats it, so it
    consistently passes; ``FAIL``: outside on the other side, so it consistently fails;
    ``HIT_AND_MISS``: the target lies within the limits (or on one), so it sometimes does.
    """

    PASS = "consistent_pass"  # noqa: S105 - an icon name, not a password
    FAIL = "consistent_fail"
    HIT_AND_MISS = "hit_and_miss"


def label_for(direction: ImprovementDirection, side: Side) -> PointLabel:
    """The label of a special cause on ``side`` for a measure improving in ``direction``."""
    if direction is ImprovementDirection.NEUTRAL:
        return PointLabel.SPECIAL_CAUSE_NEITHER
    good = Side.HIGH if direction is ImprovementDirection.INCREASE else Side.LOW
    return (
        PointLabel.SPECIAL_CAUSE_IMPROVEMENT if side is good else PointLabel.SPECIAL_CAUSE_CONCERN
    )


def variation_icon(label: PointLabel | None, side: Side | None) -> VariationIcon:
    """The variation icon for a (last) point's label and the side of its special cause."""
    if label is None or label is PointLabel.COMMON_CAUSE or side is None:
        return VariationIcon.COMMON_CAUSE
    kind = {
        PointLabel.SPECIAL_CAUSE_IMPROVEMENT: "improvement",
        PointLabel.SPECIAL_CAUSE_CONCERN: "concern",
        PointLabel.SPECIAL_CAUSE_NEITHER: "neither",
    }[label]
    return VariationIcon(f"{kind}_{side.value}")

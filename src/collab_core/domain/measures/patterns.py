"""Patterns in a sequence shared by run charts and SPC: runs on one side of a centre line
(shifts) and monotone stretches (trends), each with its handling of points on the line and
of equal neighbours made explicit.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from fractions import Fraction

import attrs

from collab_core.domain.measures.labels import Side

__all__ = ["PointSpan", "TrendTies", "shift_spans", "trend_spans"]


class TrendTies(enum.Enum):
    """What an equal neighbour does to a trend.

    ``IGNORE`` (the IHI reading, Perla et al. 2011: like values are ignored when counting)
    lets a repeated value neither count nor break the trend; ``BREAK`` ends the trend at a
    repeat (NHSRplotthedots: ``sign(diff(y))`` must be all 1 or all -1).
    """

    IGNORE = "ignore"
    BREAK = "break"


@attrs.frozen
class PointSpan:
    """Positions ``start`` to ``end`` (0-based, inclusive) that make up a shift or a trend.

    ``side`` is HIGH for a shift above the centre line or a rising trend, LOW otherwise.
    """

    start: int
    end: int
    side: Side

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def _side(sign: int) -> Side:
    return Side.HIGH if sign > 0 else Side.LOW


def shift_spans(
    sides: Sequence[int | None], length: int, *, on_line_breaks: bool
) -> tuple[PointSpan, ...]:
    """Stretches of at least ``length`` points on one side (+1/-1) of the centre line.

    ``None`` (a missing value) is skipped. A point on the line (0) breaks the stretch when
    ``on_line_breaks`` (NHSRplotthedots), and neither counts nor breaks it otherwise (IHI).
    """
    spans: list[PointSpan] = []
    side, start, end, count = 0, -1, -1, 0

    def close() -> None:
        if side and count >= length:
            spans.append(PointSpan(start, end, _side(side)))

    for i, s in enumerate(sides):
        if s is None:
            continue
        if s == 0:
            if on_line_breaks:
                close()
                side, count = 0, 0
            continue
        if s == side:
            count, end = count + 1, i
            continue
        close()
        side, start, end, count = s, i, i, 1
    close()
    return tuple(spans)


def trend_spans(
    values: Sequence[Fraction | int | None], length: int, *, ties: TrendTies
) -> tuple[PointSpan, ...]:
    """Stretches of at least ``length`` points all rising or all falling.

    ``None`` is skipped. With ``TrendTies.IGNORE`` consecutive equal values act as one point
    (the span still covers them all); with ``BREAK`` an equal neighbour ends the trend.
    """
    # units: the value, first position and last position of consecutive equal values, or
    # of single points when ties break
    if ties is TrendTies.BREAK and None not in values:
        unit_values: list[Fraction | int] = list(values)  # type: ignore[arg-type]
        firsts: Sequence[int] = range(len(unit_values))
        lasts: Sequence[int] = firsts
    else:
        unit_values = []
        first_at: list[int] = []
        last_at: list[int] = []
        ignore = ties is TrendTies.IGNORE
        for i, v in enumerate(values):
            if v is None:
                continue
            if ignore and unit_values and unit_values[-1] == v:
                last_at[-1] = i
            else:
                unit_values.append(v)
                first_at.append(i)
                last_at.append(i)
        firsts, lasts = first_at, last_at
    steps = [(b > a) - (b < a) for a, b in itertools.pairwise(unit_values)]
    spans: list[PointSpan] = []
    direction, first, count = 0, 0, 0
    for k, step in enumerate(steps, start=1):
        if step != 0 and step == direction:
            count += 1
            continue
        if direction and count + 1 >= length:
            spans.append(PointSpan(firsts[first], lasts[k - 1], _side(direction)))
        direction, first, count = step, k - 1, 1 if step else 0
    if direction and count + 1 >= length:
        spans.append(PointSpan(firsts[first], lasts[len(unit_values) - 1], _side(direction)))
    return tuple(spans)

"""The generic target every growth or reduction target shares: a measure, a baseline, a goal
by a deadline, and the straight-line trajectory between them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

import attrs

from collab_core.domain._rules import is_type, non_blank, optional_type, text
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.targets._numbers import _derived, _exact, _to_fraction, _value, as_percent


class Direction(enum.StrEnum):
    """Which way a target wants its measure to move."""

    UP = "up"
    DOWN = "down"

    @property
    def sign(self) -> int:
        """``+1`` for up, ``-1`` for down: multiplying by it turns "better" into "bigger"."""
        return 1 if self is Direction.UP else -1


@attrs.frozen
class Measure:
    """A named quantity that targets are set on, e.g. members who Learn, Live or Lead QI.

    :param id: a stable identifier that targets refer to (``"capability.members"``).
    :param name: the measure in the collaborative's own words.
    :param unit: what one unit is (``"members"``, ``"trusts"``, ``"proportion"``).
    :param description: how the value is counted, in a sentence or two.
    """

    id: str = attrs.field(validator=non_blank)
    name: str = attrs.field(validator=non_blank)
    unit: str = attrs.field(default="count", validator=non_blank)
    description: str = attrs.field(default="", validator=text)


@attrs.frozen
class TrajectoryPoint:
    """The value a target expects on a day."""

    on: dt.date
    expected: Fraction


@attrs.frozen
class Target:
    """A target on a measure: from ``baseline`` on ``baseline_on`` to ``goal`` by ``deadline``.

    Progress is judged against the straight line (the *trajectory*) from the baseline to the
    goal. Values are exact (ints, Fractions or Decimals; never floats).

    :param id: the target's own identifier (a measure may carry several targets).
    :param measure: the :attr:`Measure.id` the target is set on.
    :param direction: :attr:`Direction.UP` when more is better, :attr:`Direction.DOWN` when less
        is; the goal must lie that way from the baseline.
    :param title: the target in words, for reports.
    """

    id: str = attrs.field(validator=non_blank)
    measure: str = attrs.field(validator=non_blank)
    baseline: Fraction = attrs.field(converter=_to_fraction, validator=_exact)
    baseline_on: dt.date = attrs.field(validator=is_type(dt.date))
    goal: Fraction = attrs.field(converter=_to_fraction, validator=_exact)
    deadline: dt.date = attrs.field(validator=is_type(dt.date))
    direction: Direction = attrs.field(default=Direction.UP, validator=is_type(Direction))
    title: str = attrs.field(default="", validator=text)

    def __attrs_post_init__(self) -> None:
        if self.deadline <= self.baseline_on:
            raise DomainValidationError(
                "deadline", f"must be after the baseline date ({self.baseline_on})", self.deadline
            )
        if (self.goal - self.baseline) * self.direction.sign <= 0:
            way = "above" if self.direction is Direction.UP else "below"
            raise DomainValidationError(
                "goal",
                f"must lie {way} the baseline ({self.baseline}) for a target that goes "
                f"{self.direction.value}",
                self.goal,
            )

    @property
    def change(self) -> Fraction:
        """The change the target asks for: ``goal - baseline`` (negative when going down)."""
        return self.goal - self.baseline

    @property
    def days(self) -> int:
        """Days from the baseline date to the deadline."""
        return (self.deadline - self.baseline_on).days

    def expected_on(self, day: dt.date) -> Fraction:
        """The trajectory's value on ``day``: the baseline on or before the baseline date, the
        goal on or after the deadline, and the straight line between them (exact)."""
        if day <= self.baseline_on:
            return self.baseline
        if day >= self.deadline:
            return self.goal
        return self.baseline + self.change * (day - self.baseline_on).days / self.days

    def trajectory(self, days: Iterable[dt.date]) -> tuple[TrajectoryPoint, ...]:
        """The expected value on each of ``days``, e.g. the end of each quarter, for a chart."""
        return tuple(TrajectoryPoint(d, self.expected_on(d)) for d in days)

    def progress(self, value: int | Fraction) -> Fraction:
        """The fraction of the way from baseline to goal: 0 at the baseline, 1 at the goal,
        below 0 when the measure moved the wrong way, above 1 beyond the goal."""
        return (_value(value) - self.baseline) / self.change

    def is_met(self, value: int | Fraction) -> bool:
        """Whether ``value`` has reached the goal (in the target's direction)."""
        return (_value(value) - self.goal) * self.direction.sign >= 0

    def remaining(self, value: int | Fraction) -> Fraction:
        """How far ``value`` still is from the goal, in the measure's units (0 once met)."""
        return max(Fraction(0), (self.goal - _value(value)) * self.direction.sign)

    def is_on_track(self, value: int | Fraction, on: dt.date) -> bool:
        """Whether ``value`` on ``on`` is at or beyond the trajectory (in the target's
        direction). On and after the deadline this is exactly :meth:`is_met`."""
        return (_value(value) - self.expected_on(on)) * self.direction.sign >= 0

    def projected_on(self, value: int | Fraction, on: dt.date) -> dt.date | None:
        """The day the goal is reached if the measure keeps moving at its average rate since the
        baseline date: the first whole day on or after which the straight line through
        ``(baseline_on, baseline)`` and ``(on, value)`` reaches the goal.

        ``None`` when there is no rate to project (``on`` is not after the baseline date), when
        the measure has not moved towards the goal, or when the day would lie beyond the
        calendar. The day is before ``on`` when the goal has already been passed.
        """
        if on <= self.baseline_on:
            return None
        moved = (_value(value) - self.baseline) * self.direction.sign
        if moved <= 0:
            return None
        elapsed = (on - self.baseline_on).days
        needed = self.change * self.direction.sign
        days = -(-(needed * elapsed) // moved)  # ceil, exactly
        try:
            return self.baseline_on + dt.timedelta(days=int(days))
        except OverflowError:
            return None

    def assess(self, value: int | Fraction, on: dt.date) -> TargetProgress:
        """Every progress figure for ``value`` measured on ``on``."""
        return TargetProgress.of(self, value, on)


@attrs.frozen
class TargetProgress:
    """Where a measure stands against a :class:`Target` on a day. Build with :meth:`Target.assess`.

    :param value: the measure's value on ``on``.
    :param expected: the trajectory's value on ``on``.
    :param progress: the fraction of the way from baseline to goal.
    :param on_track: ``value`` is at or beyond the trajectory.
    :param met: ``value`` has reached the goal.
    :param remaining: how far is still to go to the goal (0 once met), in the measure's units.
    :param projected_on: when the goal is reached at the average rate so far (or ``None``).
    """

    target: Target = attrs.field(validator=is_type(Target))
    on: dt.date = attrs.field(validator=is_type(dt.date))
    value: Fraction = attrs.field(converter=_to_fraction, validator=_exact)
    expected: Fraction = attrs.field(converter=_to_fraction, validator=_exact)
    progress: Fraction = attrs.field(converter=_to_fraction, validator=_exact)
    on_track: bool = attrs.field(validator=is_type(bool))
    met: bool = attrs.field(validator=is_type(bool))
    remaining: Fraction = attrs.field(converter=_to_fraction, validator=_exact)
    projected_on: dt.date | None = attrs.field(validator=optional_type(dt.date))

    @classmethod
    def of(cls, target: Target, value: int | Fraction, on: dt.date) -> TargetProgress:
        value = _value(value)
        return cls(
            target=target,
            on=on,
            value=value,
            expected=target.expected_on(on),
            progress=target.progress(value),
            on_track=target.is_on_track(value, on),
            met=target.is_met(value),
            remaining=target.remaining(value),
            projected_on=target.projected_on(value, on),
        )

    def __attrs_post_init__(self) -> None:
        t, v, on = self.target, self.value, self.on
        _derived("expected", self.expected, t.expected_on(on))
        _derived("progress", self.progress, t.progress(v))
        _derived("on_track", self.on_track, t.is_on_track(v, on))
        _derived("met", self.met, t.is_met(v))
        _derived("remaining", self.remaining, t.remaining(v))
        _derived("projected_on", self.projected_on, t.projected_on(v, on))

    def percent(self, places: int = 1) -> Decimal:
        """Progress as a percentage of the way from baseline to goal."""
        return as_percent(self.progress, places)

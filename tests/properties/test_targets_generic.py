"""Properties of the generic target: its trajectory runs exactly through baseline and goal, a
target going down mirrors one going up, and the projected date is the first day the average
rate reaches the goal."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from collab_core import Direction, Target

FIRST, LAST = dt.date(2015, 1, 1), dt.date(2025, 12, 31)
values = st.fractions(min_value=-1000, max_value=1000, max_denominator=100)
changes = st.fractions(min_value=Fraction(1, 100), max_value=1000, max_denominator=100)
days = st.dates(FIRST, LAST)


@st.composite
def targets(draw: st.DrawFn, direction: Direction | None = None) -> Target:
    baseline_on = draw(st.dates(FIRST, LAST - dt.timedelta(days=1)))
    way = direction if direction is not None else draw(st.sampled_from(list(Direction)))
    baseline = draw(values)
    return Target(
        id="t",
        measure="m",
        baseline=baseline,
        baseline_on=baseline_on,
        goal=baseline + way.sign * draw(changes),
        deadline=draw(st.dates(baseline_on + dt.timedelta(days=1), LAST)),
        direction=way,
    )


def mirrored(target: Target) -> Target:
    """The same target going the other way, on the negated measure."""
    other = Direction.DOWN if target.direction is Direction.UP else Direction.UP
    return Target(
        id=target.id,
        measure=target.measure,
        baseline=-target.baseline,
        baseline_on=target.baseline_on,
        goal=-target.goal,
        deadline=target.deadline,
        direction=other,
    )


@given(targets())
def test_the_trajectory_passes_exactly_through_baseline_and_goal(target: Target) -> None:
    assert target.expected_on(target.baseline_on) == target.baseline
    assert target.expected_on(target.deadline) == target.goal


@given(targets(), days, days)
def test_the_trajectory_only_moves_towards_the_goal(
    target: Target, first: dt.date, second: dt.date
) -> None:
    early, late = sorted((first, second))
    step = (target.expected_on(late) - target.expected_on(early)) * target.direction.sign
    assert step >= 0


@given(targets(), days)
def test_the_trajectory_is_the_straight_line_between_its_ends(target: Target, on: dt.date) -> None:
    elapsed = min(max((on - target.baseline_on).days, 0), target.days)
    share = Fraction(elapsed, target.days)
    assert target.expected_on(on) == target.baseline + share * (target.goal - target.baseline)
    assert target.progress(target.expected_on(on)) == share


@given(targets(), values, days)
def test_a_target_going_down_mirrors_one_going_up(
    target: Target, value: Fraction, on: dt.date
) -> None:
    other = mirrored(target)
    assert other.expected_on(on) == -target.expected_on(on)
    assert other.progress(-value) == target.progress(value)
    assert other.is_on_track(-value, on) is target.is_on_track(value, on)
    assert other.is_met(-value) is target.is_met(value)
    assert other.projected_on(-value, on) == target.projected_on(value, on)
    mine, theirs = target.assess(value, on), other.assess(-value, on)
    assert (mine.remaining, mine.progress, mine.on_track) == (
        theirs.remaining,
        theirs.progress,
        theirs.on_track,
    )


@given(targets(), values, days)
def test_on_or_after_the_deadline_on_track_means_met(
    target: Target, value: Fraction, on: dt.date
) -> None:
    later = max(on, target.deadline)
    assert target.is_on_track(value, later) is target.is_met(value)


@given(targets(), values, days)
def test_the_projected_day_is_the_first_the_average_rate_reaches_the_goal(
    target: Target, value: Fraction, on: dt.date
) -> None:
    projected = target.projected_on(value, on)
    moved = (value - target.baseline) * target.direction.sign
    if on <= target.baseline_on or moved <= 0:
        assert projected is None
        return
    if projected is None:  # beyond the calendar
        return
    elapsed = (on - target.baseline_on).days

    def reached(day: int) -> bool:
        line = target.baseline + (value - target.baseline) * Fraction(day, elapsed)
        return (line - target.goal) * target.direction.sign >= 0

    day = (projected - target.baseline_on).days
    assert reached(day)
    assert not reached(day - 1)


@given(targets(), values)
def test_progress_is_one_exactly_at_the_goal_and_zero_at_the_baseline(
    target: Target, value: Fraction
) -> None:
    assert target.progress(target.goal) == 1
    assert target.progress(target.baseline) == 0
    assert target.is_met(value) is (target.progress(value) >= 1)


@given(targets(), values, days)
def test_remaining_is_zero_exactly_when_the_goal_is_met(
    target: Target, value: Fraction, on: dt.date
) -> None:
    progress = target.assess(value, on)
    assert (progress.remaining == 0) is progress.met
    assert progress.remaining >= 0

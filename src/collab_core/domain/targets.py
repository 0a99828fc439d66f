"""The collaborative's targets and headline figures: sharing coverage (the 100% target),
capability growth (+30% by March 2019), the Learning from Deaths dashboard (Quality Account items
27.1-27.3 and 27.7-27.9), Duty of Candour compliance, overdue actions, and the generic
:class:`Target` that every growth or reduction target shares.

Every calculation streams over iterables of records. Counts are ``int`` and proportions are
:class:`fractions.Fraction`; a figure is rounded only when it is presented (``percent()``).
Memory grows with trusts x periods (and, for capability, with members x subject areas), never
with the number of deaths, reviews or sharing events.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import uuid
from collections.abc import Iterable, Mapping, Set
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeAlias, overload

import attrs

from collab_core.domain._rules import each, is_type, non_blank, optional_type, to_tuple
from collab_core.domain.calendar import FinancialYear, Month, Period, Quarter
from collab_core.domain.candour import CandourCase, CandourPolicy
from collab_core.domain.capability import THREE_LS, Assessment, Framework, Level, levels_on
from collab_core.domain.deaths import AgeBand, ScaleRegistry
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.facts import LfdFact, LfdQuery, SharingQuery, sharing_trusts
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.learning import Audience, LearningItem, SharingEvent
from collab_core.domain.organisations import Trust
from collab_core.domain.people import Member, MemberKind

__all__ = [
    "CAPABILITY_DEADLINE",
    "CAPABILITY_GROWTH",
    "CAPABILITY_MEASURE",
    "ActionsRow",
    "CandourCompliance",
    "CandourRow",
    "CapabilityCensus",
    "CapabilityGrowth",
    "Direction",
    "KindCount",
    "LevelCount",
    "LfdBlock",
    "LfdCounts",
    "LfdDashboard",
    "LfdLookBack",
    "LfdLookBackRow",
    "LfdRow",
    "Measure",
    "OverdueAction",
    "OverdueActions",
    "ReportingPeriod",
    "SharingCoverage",
    "Target",
    "TargetProgress",
    "TrajectoryPoint",
    "TrustCount",
    "as_percent",
    "candour_compliance",
    "capability_census",
    "capability_growth",
    "capability_target",
    "growth_goal",
    "lfd_dashboard",
    "lfd_dashboard_query",
    "lfd_look_back",
    "lfd_look_back_queries",
    "overdue_actions",
    "sharing_coverage",
    "sharing_query",
]

#: The reporting periods a figure may be computed for.
ReportingPeriod: TypeAlias = Month | Quarter | FinancialYear

# ---------------------------------------------------------------------------------------------
# Exact numbers and their presentation
# ---------------------------------------------------------------------------------------------


@overload
def as_percent(value: Fraction, places: int = 1) -> Decimal: ...
@overload
def as_percent(value: None, places: int = 1) -> None: ...
@overload
def as_percent(value: Fraction | None, places: int = 1) -> Decimal | None: ...
def as_percent(value: Fraction | None, places: int = 1) -> Decimal | None:
    """``value`` (a proportion) as a percentage rounded to ``places`` decimal places.

    Halves round away from zero (``Fraction(1, 8)`` is ``12.5`` at one place, ``13`` at none),
    computed exactly from the fraction, never through a float. ``None`` (an undefined
    proportion, such as a share of nothing) stays ``None``.
    """
    if value is None:
        return None
    if not _whole(places) or not 0 <= places <= 12:
        raise DomainValidationError("places", "must be an integer from 0 to 12", places)
    scaled = Fraction(value) * 100 * 10**places
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    sign = 1 if scaled < 0 and whole else 0
    return Decimal((sign, tuple(int(c) for c in str(whole)), -places))


def _whole(value: object) -> bool:
    """An int that is not a bool (``True`` is not a count)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _share(part: int, whole: int) -> Fraction | None:
    return None if whole == 0 else Fraction(part, whole)


def _to_fraction(value: object) -> object:
    """Converter: an int, Fraction, Decimal or text such as ``"3/10"`` becomes a Fraction.

    Anything else (a float above all) is left for the validator to refuse: a float cannot
    hold 0.3 exactly, and targets are compared exactly.
    """
    if isinstance(value, bool | float):
        return value
    if isinstance(value, int | Fraction | Decimal | str):
        try:
            return Fraction(value)
        except (ValueError, ZeroDivisionError, OverflowError):
            return value
    return value


def _value(value: object, field: str = "value") -> Fraction:
    """``value`` as an exact Fraction, or :class:`DomainValidationError` (a float, say)."""
    exact = _to_fraction(value)
    if not isinstance(exact, Fraction):
        raise DomainValidationError(
            field, "must be an exact number (an int, Fraction or Decimal), not a float", value
        )
    return exact


def _exact(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Fraction):
        raise DomainValidationError(
            attr.name,
            "must be an exact number (an int, Fraction, Decimal or text like '3/10'), not a float",
            value,
        )


def _count(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainValidationError(attr.name, "must be a whole number of at least 0", value)


def _optional_fraction(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Fraction):
        raise DomainValidationError(attr.name, "must be a Fraction or None", value)


def _derived(field: str, actual: object, expected: object) -> None:
    """Derived figures are stored for serialisation; they must agree with what they derive from."""
    if actual != expected:
        raise DomainValidationError(
            field, f"must agree with the figures it derives from ({expected})", actual
        )


def _period(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    is_type(Month, Quarter, FinancialYear)(_inst, attr, value)


def _trusts_by_code(trusts: Iterable[Trust]) -> dict[OdsCode, Trust]:
    out: dict[OdsCode, Trust] = {}
    for t in trusts:
        if not isinstance(t, Trust):
            raise DomainValidationError("trusts", "must hold Trust records", type(t).__name__)
        if t.ods_code in out:
            raise DomainValidationError("trusts", "each trust appears once", str(t.ods_code))
        out[t.ods_code] = t
    return out


def _membership_window(trust: Trust, period: Period) -> tuple[dt.date, dt.date] | None:
    """The days of ``period`` on which ``trust`` was a member, or ``None`` if there were none."""
    if not trust.was_member_during(period):
        return None
    first = max(trust.joined, period.start)
    last = period.end if trust.left is None else min(trust.left, period.end)
    return (first, last)


# ---------------------------------------------------------------------------------------------
# The generic target: baseline, goal, straight-line trajectory
# ---------------------------------------------------------------------------------------------


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
    description: str = attrs.field(default="", validator=is_type(str))


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
    title: str = attrs.field(default="", validator=is_type(str))

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


# ---------------------------------------------------------------------------------------------
# Sharing coverage: 100% of member organisations share the learning around deaths
# ---------------------------------------------------------------------------------------------


def sharing_query(trusts: Iterable[Trust], period: Period, audience: Audience) -> SharingQuery:
    """The :class:`SharingQuery` behind :func:`sharing_coverage`: one window per trust that was a
    member on at least one day of ``period``, covering only the days it was a member.

    Hand it to a store's native ``sharing_trusts`` and the answer to
    :meth:`SharingCoverage.of`, or let :func:`sharing_coverage` do both in Python.
    """
    windows: dict[OdsCode, tuple[dt.date, dt.date]] = {}
    for code, trust in _trusts_by_code(trusts).items():
        window = _membership_window(trust, period)
        if window is not None:
            windows[code] = window
    return SharingQuery(audience, windows)


@attrs.frozen
class SharingCoverage:
    """The member trusts that shared learning with ``audience`` in ``period`` (the 100% target).

    The denominator is every trust that was a member on at least one day of the period; a trust
    counts in the numerator when it shared at least once with the audience on a day of the period
    on which it was a member. With no member trusts the proportion is undefined (``None``).

    :param shared: the trusts that shared, in ODS-code order.
    :param not_shared: the member trusts still to share.
    :param proportion: ``numerator / denominator``.
    :param to_share: trusts still to share before 100% (the gap, in trusts).
    :param proportion_gap: ``1 - proportion``.
    :param met: whether every member trust shared (``None`` with no member trusts).
    """

    period: ReportingPeriod = attrs.field(validator=_period)
    audience: Audience = attrs.field(validator=is_type(Audience))
    shared: tuple[OdsCode, ...] = attrs.field(converter=to_tuple, validator=each(OdsCode))
    not_shared: tuple[OdsCode, ...] = attrs.field(converter=to_tuple, validator=each(OdsCode))
    numerator: int = attrs.field(validator=_count)
    denominator: int = attrs.field(validator=_count)
    proportion: Fraction | None = attrs.field(validator=_optional_fraction)
    to_share: int = attrs.field(validator=_count)
    proportion_gap: Fraction | None = attrs.field(validator=_optional_fraction)
    met: bool | None = attrs.field(validator=optional_type(bool))

    @classmethod
    def of(
        cls,
        trusts: Iterable[Trust],
        period: ReportingPeriod,
        audience: Audience,
        shared: Set[OdsCode],
    ) -> SharingCoverage:
        """The coverage from the trusts that shared (e.g. a store's native answer to
        :func:`sharing_query`). ``shared`` must name only trusts in the query's windows."""
        members = sorted(sharing_query(trusts, period, audience).windows)
        stray = sorted(str(code) for code in set(shared).difference(members))
        if stray:
            raise DomainValidationError(
                "shared", "names trusts that were not members during the period", stray
            )
        done = tuple(code for code in members if code in shared)
        to_go = tuple(code for code in members if code not in shared)
        proportion = _share(len(done), len(members))
        return cls(
            period=period,
            audience=audience,
            shared=done,
            not_shared=to_go,
            numerator=len(done),
            denominator=len(members),
            proportion=proportion,
            to_share=len(to_go),
            proportion_gap=None if proportion is None else 1 - proportion,
            met=None if proportion is None else not to_go,
        )

    def __attrs_post_init__(self) -> None:
        if set(self.shared) & set(self.not_shared):
            raise DomainValidationError("not_shared", "a trust either shared or did not", None)
        for name in ("shared", "not_shared"):
            codes = getattr(self, name)
            if list(codes) != sorted(set(codes)):
                raise DomainValidationError(name, "lists each trust once, in ODS-code order")
        _derived("numerator", self.numerator, len(self.shared))
        _derived("denominator", self.denominator, len(self.shared) + len(self.not_shared))
        proportion = _share(self.numerator, self.denominator)
        _derived("proportion", self.proportion, proportion)
        _derived("to_share", self.to_share, len(self.not_shared))
        _derived(
            "proportion_gap", self.proportion_gap, None if proportion is None else 1 - proportion
        )
        _derived("met", self.met, None if proportion is None else not self.not_shared)

    def percent(self, places: int = 1) -> Decimal | None:
        """The proportion as a percentage (``None`` with no member trusts)."""
        return as_percent(self.proportion, places)

    def gap_percent(self, places: int = 1) -> Decimal | None:
        """The gap to 100% as a percentage (``None`` with no member trusts)."""
        return as_percent(self.proportion_gap, places)


def sharing_coverage(
    trusts: Iterable[Trust],
    events: Iterable[SharingEvent],
    period: ReportingPeriod,
    audience: Audience,
) -> SharingCoverage:
    """Sharing coverage computed in Python: :func:`sharing_query`, then
    :func:`~collab_core.domain.facts.sharing_trusts` over ``events`` (streamed once)."""
    trusts = tuple(trusts)
    query = sharing_query(trusts, period, audience)
    return SharingCoverage.of(trusts, period, audience, sharing_trusts(events, query))


# ---------------------------------------------------------------------------------------------
# Capability: members who Learn, Live or Lead QI, and the +30% growth target
# ---------------------------------------------------------------------------------------------

#: "Increase the number of members who Learn, Live or Lead QI by 30% by March 2019"
#: (the collaborative's Building Capability workstream).
CAPABILITY_GROWTH = Fraction(3, 10)
CAPABILITY_DEADLINE = dt.date(2019, 3, 31)
CAPABILITY_MEASURE = Measure(
    id="capability.members",
    name="Members who Learn, Live or Lead QI",
    unit="members",
    description=(
        "Members on the day who hold at least the framework's lowest level (Learn) in at least "
        "one subject area, by their latest assessment on or before the day."
    ),
)


@attrs.frozen
class LevelCount:
    """How many members' highest level is ``level``."""

    level: str = attrs.field(validator=non_blank)
    count: int = attrs.field(validator=_count)


@attrs.frozen
class KindCount:
    """How many members of one kind (staff, lived experience, carer/family) count."""

    kind: MemberKind = attrs.field(validator=is_type(MemberKind))
    count: int = attrs.field(validator=_count)


@attrs.frozen
class TrustCount:
    """How many members affiliated to ``trust`` count (``None``: members of no trust)."""

    trust: OdsCode | None = attrs.field(validator=optional_type(OdsCode))
    count: int = attrs.field(validator=_count)


def _sums_to(field: str, rows: tuple[Any, ...], total: int) -> None:
    _derived(f"{field} total", sum(r.count for r in rows), total)


@attrs.frozen
class CapabilityCensus:
    """The members who Learn, Live or Lead QI on a day, with the count broken down.

    A member counts on ``on`` when they are a member that day and, by their latest assessment on
    or before it in each subject area, hold at least ``minimum_level`` in at least one subject.

    :param framework: the framework's id (``"3ls"``).
    :param by_level: members by the highest level they hold in any subject, lowest level first.
    :param by_kind: members by kind, in :class:`MemberKind` order.
    :param by_trust: members by affiliated trust in ODS-code order, unaffiliated (``None``) last.
    """

    on: dt.date = attrs.field(validator=is_type(dt.date))
    framework: str = attrs.field(validator=non_blank)
    minimum_level: str = attrs.field(validator=non_blank)
    count: int = attrs.field(validator=_count)
    by_level: tuple[LevelCount, ...] = attrs.field(converter=to_tuple, validator=each(LevelCount))
    by_kind: tuple[KindCount, ...] = attrs.field(converter=to_tuple, validator=each(KindCount))
    by_trust: tuple[TrustCount, ...] = attrs.field(converter=to_tuple, validator=each(TrustCount))

    def __attrs_post_init__(self) -> None:
        _sums_to("by_level", self.by_level, self.count)
        _sums_to("by_kind", self.by_kind, self.count)
        _sums_to("by_trust", self.by_trust, self.count)

    def for_level(self, level: str) -> int:
        """Members whose highest level is ``level`` (by name, any case)."""
        return sum(r.count for r in self.by_level if r.level.lower() == level.lower())

    def for_kind(self, kind: MemberKind) -> int:
        return sum(r.count for r in self.by_kind if r.kind is kind)

    def for_trust(self, trust: OdsCode | None) -> int:
        return sum(r.count for r in self.by_trust if r.trust == trust)


def capability_census(
    members: Iterable[Member],
    assessments: Iterable[Assessment],
    on: dt.date,
    framework: Framework = THREE_LS,
    *,
    minimum_level: str | None = None,
    trusts: Iterable[OdsCode] = (),
) -> CapabilityCensus:
    """Count the members who Learn, Live or Lead QI on ``on``.

    Assessments dated after ``on`` are ignored (via :func:`levels_on`), as are members who had
    not joined or had already left on ``on``. ``minimum_level`` defaults to the framework's
    lowest (Learn). ``trusts`` lists trusts to show even when none of their members count.
    Each iterable is read once; members must be unique by id.
    """
    lowest = framework.level(minimum_level) if minimum_level is not None else framework.lowest
    highest: dict[uuid.UUID, Level] = {}
    for (member_id, _subject), level in levels_on(assessments, framework, on).items():
        held = highest.get(member_id)
        if held is None or level > held:
            highest[member_id] = level
    by_level: dict[str, int] = {lvl.name: 0 for lvl in framework.levels if lvl >= lowest}
    by_kind: dict[MemberKind, int] = dict.fromkeys(MemberKind, 0)
    by_trust: dict[OdsCode | None, int] = dict.fromkeys(trusts, 0)
    seen: set[uuid.UUID] = set()
    count = 0
    for m in members:
        if m.id in seen:
            raise DomainValidationError("members", "each member appears once", sensitive=True)
        seen.add(m.id)
        top = highest.get(m.id)
        if top is None or top < lowest or not m.is_member_on(on):
            continue
        count += 1
        by_level[top.name] += 1
        by_kind[m.kind] += 1
        by_trust[m.trust] = by_trust.get(m.trust, 0) + 1
    return CapabilityCensus(
        on=on,
        framework=framework.id,
        minimum_level=lowest.name,
        count=count,
        by_level=tuple(LevelCount(name, n) for name, n in by_level.items()),
        by_kind=tuple(KindCount(kind, n) for kind, n in by_kind.items()),
        by_trust=tuple(
            TrustCount(trust, n)
            for trust, n in sorted(by_trust.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
        ),
    )


def growth_goal(baseline: int, growth: Fraction = CAPABILITY_GROWTH) -> int:
    """``ceil((1 + growth) x baseline)`` in exact integer arithmetic.

    For the collaborative's 30% this is ``-(-13 * baseline // 10)``: a baseline of 41 members
    gives a goal of 54 (53.3 rounded up: the goal is a whole number of people, reached, not
    approached).
    """
    if not _whole(baseline) or baseline < 0:
        raise DomainValidationError("baseline", "must be a whole number of at least 0", baseline)
    growth = _growth(growth)
    scaled = (growth.denominator + growth.numerator) * baseline
    return -(-scaled // growth.denominator)


def _growth(growth: object) -> Fraction:
    value = _to_fraction(growth)
    if not isinstance(value, Fraction) or value <= 0:
        raise DomainValidationError(
            "growth", "must be an exact fraction above 0 (3/10 for 30%), not a float", growth
        )
    return value


def capability_target(
    baseline: int,
    baseline_on: dt.date,
    *,
    deadline: dt.date = CAPABILITY_DEADLINE,
    growth: Fraction = CAPABILITY_GROWTH,
    goal: int | None = None,
    id: str = "capability.growth",
) -> Target:
    """The growth target for members who Learn, Live or Lead QI.

    The goal is :func:`growth_goal` of the baseline unless ``goal`` gives it outright. A
    baseline of 0 has no meaningful relative goal (30% more than nobody is nobody), so it needs
    an explicit ``goal``; without one this raises :class:`DomainValidationError`.
    """
    if goal is None:
        if baseline == 0:
            raise DomainValidationError(
                "goal",
                "a baseline of 0 members gives no growth target (any percentage of 0 is 0): "
                "give an explicit goal",
                None,
            )
        goal = growth_goal(baseline, growth)
    elif not _whole(goal):
        raise DomainValidationError("goal", "must be a whole number of members", goal)
    return Target(
        id=id,
        measure=CAPABILITY_MEASURE.id,
        baseline=baseline,
        baseline_on=baseline_on,
        goal=goal,
        deadline=deadline,
        direction=Direction.UP,
        title=f"{CAPABILITY_MEASURE.name}: {goal} by {deadline:%d %B %Y}",
    )


@attrs.frozen
class CapabilityGrowth:
    """The capability growth target and where the current census stands against it."""

    baseline: CapabilityCensus = attrs.field(validator=is_type(CapabilityCensus))
    current: CapabilityCensus = attrs.field(validator=is_type(CapabilityCensus))
    target: Target = attrs.field(validator=is_type(Target))
    progress: TargetProgress = attrs.field(validator=is_type(TargetProgress))

    def __attrs_post_init__(self) -> None:
        b, c = self.baseline, self.current
        if (c.framework, c.minimum_level) != (b.framework, b.minimum_level):
            raise DomainValidationError(
                "current", "must count the same framework and minimum level as the baseline"
            )
        if c.on < b.on:
            raise DomainValidationError(
                "current", f"must not be before the baseline ({b.on})", c.on
            )
        _derived("target.baseline", self.target.baseline, Fraction(b.count))
        _derived("target.baseline_on", self.target.baseline_on, b.on)
        _derived("progress", self.progress, self.target.assess(c.count, c.on))

    @property
    def change(self) -> int:
        """Members gained (or lost) since the baseline."""
        return self.current.count - self.baseline.count

    @property
    def goal(self) -> int:
        return int(self.target.goal)


def capability_growth(
    baseline: CapabilityCensus,
    current: CapabilityCensus,
    *,
    deadline: dt.date = CAPABILITY_DEADLINE,
    growth: Fraction = CAPABILITY_GROWTH,
    goal: int | None = None,
) -> CapabilityGrowth:
    """The growth target set on ``baseline`` (see :func:`capability_target`), assessed on
    ``current``. Count both with :func:`capability_census` on their own days."""
    target = capability_target(
        baseline.count, baseline.on, deadline=deadline, growth=growth, goal=goal
    )
    return CapabilityGrowth(baseline, current, target, target.assess(current.count, current.on))


# ---------------------------------------------------------------------------------------------
# The Learning from Deaths dashboard (Quality Account items 27.1-27.3 and 27.7-27.9)
# ---------------------------------------------------------------------------------------------


class LfdBlock(enum.StrEnum):
    """The blocks of the dashboard, each with its own deaths, reviewed and judged counts.

    ``ADULTS`` (18+) is the dashboard total, split into ``ADULTS_18_64`` and ``ADULTS_65_PLUS``
    (NHS England: mental health trusts may split adults provided the total covers all adults).
    Deaths under 18 and deaths with no recorded age are shown in their own blocks, outside the
    adult total; ``ALL_AGES`` adds them back (Quality Account item 27.1 counts every patient).
    ``LD_AUTISM`` shows the deaths of people with a learning disability and autistic people
    (LeDeR) of every age; they are counted in the other blocks too.
    """

    ALL_AGES = "all_ages"
    ADULTS = "adults"
    ADULTS_18_64 = "adults_18_64"
    ADULTS_65_PLUS = "adults_65_plus"
    UNDER_18 = "under_18"
    AGE_UNKNOWN = "age_unknown"
    LD_AUTISM = "ld_autism"


# The blocks counted directly from facts; the adult and all-ages totals are added up from them.
_COUNTED = (
    LfdBlock.ADULTS_18_64,
    LfdBlock.ADULTS_65_PLUS,
    LfdBlock.UNDER_18,
    LfdBlock.AGE_UNKNOWN,
    LfdBlock.LD_AUTISM,
)
_AGE_SLOT: dict[AgeBand | None, int] = {
    AgeBand.ADULT_18_64: 0,
    AgeBand.ADULT_65_PLUS: 1,
    AgeBand.UNDER_18: 2,
    None: 3,
}
_LD_SLOT = 4
# A row's counts as one flat tuple of ints (in scope, reviewed, judged per counted block), so
# that adding rows up is integer arithmetic rather than building objects.
_Vector: TypeAlias = tuple[int, ...]
_NOTHING: _Vector = (0,) * (3 * len(_COUNTED))


def _add(a: _Vector, b: _Vector) -> _Vector:
    return tuple(x + y for x, y in zip(a, b, strict=True))


@attrs.frozen(order=True)
class LfdCounts:
    """Deaths in scope (item 27.1), those reviewed or investigated (27.2), and those judged more
    likely than not due to problems in care (27.3). ``judged <= reviewed <= in_scope`` always:
    the dashboard shows reviewed deaths as a share of deaths in scope (NHS England)."""

    in_scope: int = attrs.field(default=0, validator=_count)
    reviewed: int = attrs.field(default=0, validator=_count)
    judged: int = attrs.field(default=0, validator=_count)

    def __attrs_post_init__(self) -> None:
        if self.reviewed > self.in_scope:
            raise DomainValidationError(
                "reviewed", f"must not exceed the deaths in scope ({self.in_scope})", self.reviewed
            )
        if self.judged > self.reviewed:
            raise DomainValidationError(
                "judged", f"must not exceed the deaths reviewed ({self.reviewed})", self.judged
            )

    @classmethod
    def of(cls, fact: LfdFact) -> LfdCounts:
        """The counts of one fact, checked (a native store's answer is checked here too)."""
        return cls(fact.in_scope, fact.reviewed, fact.judged)

    def __add__(self, other: LfdCounts) -> LfdCounts:
        if not isinstance(other, LfdCounts):
            return NotImplemented
        return LfdCounts(
            self.in_scope + other.in_scope,
            self.reviewed + other.reviewed,
            self.judged + other.judged,
        )

    def covers(self, other: LfdCounts) -> bool:
        """Every count here is at least the matching count of ``other``."""
        return (
            self.in_scope >= other.in_scope
            and self.reviewed >= other.reviewed
            and self.judged >= other.judged
        )

    @property
    def reviewed_share(self) -> Fraction | None:
        """Reviewed deaths as a share of deaths in scope (``None`` with no deaths in scope)."""
        return _share(self.reviewed, self.in_scope)

    @property
    def judged_share(self) -> Fraction | None:
        """Judged deaths as a share of deaths in scope (``None`` with no deaths in scope)."""
        return _share(self.judged, self.in_scope)

    def reviewed_percent(self, places: int = 1) -> Decimal | None:
        return as_percent(self.reviewed_share, places)

    def judged_percent(self, places: int = 1) -> Decimal | None:
        return as_percent(self.judged_share, places)


_ZERO = LfdCounts()


def _zero() -> LfdCounts:
    return _ZERO


@attrs.frozen
class LfdRow:
    """The dashboard's counts for one trust (``None``: the collaborative) and one period."""

    trust: OdsCode | None = attrs.field(validator=optional_type(OdsCode))
    period: Quarter | FinancialYear = attrs.field(validator=is_type(Quarter, FinancialYear))
    all_ages: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    adults: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    adults_18_64: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    adults_65_plus: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    under_18: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    age_unknown: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))
    ld_autism: LfdCounts = attrs.field(factory=_zero, validator=is_type(LfdCounts))

    def __attrs_post_init__(self) -> None:
        _derived("adults", self.adults, self.adults_18_64 + self.adults_65_plus)
        _derived("all_ages", self.all_ages, self.adults + self.under_18 + self.age_unknown)
        if not self.all_ages.covers(self.ld_autism):
            raise DomainValidationError(
                "ld_autism", "the LD and autism block is part of all deaths", self.ld_autism
            )

    @classmethod
    def from_blocks(
        cls,
        trust: OdsCode | None,
        period: Quarter | FinancialYear,
        blocks: Mapping[LfdBlock, LfdCounts],
    ) -> LfdRow:
        """A row from per-block counts; the adult and all-ages totals are added up here."""
        split = {b: blocks.get(b, _ZERO) for b in LfdBlock}
        adults = split[LfdBlock.ADULTS_18_64] + split[LfdBlock.ADULTS_65_PLUS]
        return cls(
            trust=trust,
            period=period,
            all_ages=adults + split[LfdBlock.UNDER_18] + split[LfdBlock.AGE_UNKNOWN],
            adults=adults,
            adults_18_64=split[LfdBlock.ADULTS_18_64],
            adults_65_plus=split[LfdBlock.ADULTS_65_PLUS],
            under_18=split[LfdBlock.UNDER_18],
            age_unknown=split[LfdBlock.AGE_UNKNOWN],
            ld_autism=split[LfdBlock.LD_AUTISM],
        )

    @classmethod
    def _of_vector(
        cls, trust: OdsCode | None, period: Quarter | FinancialYear, vector: _Vector
    ) -> LfdRow:
        return cls.from_blocks(
            trust,
            period,
            {b: LfdCounts(*vector[3 * i : 3 * i + 3]) for i, b in enumerate(_COUNTED)},
        )

    @property
    def _vector(self) -> _Vector:
        return tuple(
            n
            for b in _COUNTED
            for c in (self.block(b),)
            for n in (c.in_scope, c.reviewed, c.judged)
        )

    def block(self, block: LfdBlock) -> LfdCounts:
        """The counts of one block."""
        counts: LfdCounts = getattr(self, block.value)
        return counts

    def __add__(self, other: LfdRow) -> LfdRow:
        """Counts added block by block; the result keeps this row's trust and period."""
        if not isinstance(other, LfdRow):
            return NotImplemented
        return LfdRow._of_vector(self.trust, self.period, _add(self._vector, other._vector))

    @property
    def is_collaborative(self) -> bool:
        return self.trust is None


def _sum(vectors: Iterable[_Vector | None]) -> _Vector:
    total = _NOTHING
    for v in vectors:
        if v is not None:
            total = _add(total, v)
    return total


@attrs.frozen
class LfdDashboard:
    """The Learning from Deaths dashboard: per trust and for the collaborative, per quarter and
    per financial year, counted with reviews completed on or before ``as_of``.

    Deaths belong to the quarter in which they happened, not the quarter of their review. A
    trust has rows for the quarters in which it was a member on at least one day (all of such a
    quarter's deaths count, because the facts are kept by quarter); its year row adds up those
    quarters, and the collaborative's rows add up the trusts.

    :param trusts: the member trusts shown, in ODS-code order.
    :param rows: trust rows (trust by trust, quarters then year), then the collaborative's.
    """

    as_of: dt.date = attrs.field(validator=is_type(dt.date))
    years: tuple[FinancialYear, ...] = attrs.field(
        converter=to_tuple, validator=each(FinancialYear)
    )
    trusts: tuple[OdsCode, ...] = attrs.field(converter=to_tuple, validator=each(OdsCode))
    rows: tuple[LfdRow, ...] = attrs.field(converter=to_tuple, validator=each(LfdRow))

    @functools.cached_property
    def _index(self) -> dict[tuple[OdsCode | None, Quarter | FinancialYear], LfdRow]:
        return {(r.trust, r.period): r for r in self.rows}

    def __attrs_post_init__(self) -> None:
        if len(self._index) != len(self.rows):
            raise DomainValidationError("rows", "one row per trust and period")
        if list(self.years) != sorted(set(self.years)) or not self.years:
            raise DomainValidationError("years", "lists at least one year, each once, in order")
        if list(self.trusts) != sorted(set(self.trusts)):
            raise DomainValidationError("trusts", "lists each trust once, in ODS-code order")
        known = set(self.periods)
        for r in self.rows:
            if r.period not in known or (r.trust is not None and r.trust not in self.trusts):
                raise DomainValidationError("rows", "a row's trust and period are on the dashboard")
        vectors = {key: row._vector for key, row in self._index.items()}
        for year in self.years:
            for q in year.quarters:
                added = _sum(vectors.get((t, q)) for t in self.trusts)
                _derived(f"collaborative {q}", vectors.get((None, q)), added)
            for trust in (*self.trusts, None):
                parts = [vectors.get((trust, q)) for q in year.quarters]
                expected = _sum(parts) if trust is None or any(parts) else None
                _derived(f"{trust or 'collaborative'} {year}", vectors.get((trust, year)), expected)

    def row(self, trust: OdsCode | None, period: Quarter | FinancialYear) -> LfdRow | None:
        """The row of ``trust`` (``None``: the collaborative) for ``period``; ``None`` when the
        trust was not a member during the period."""
        year = period if isinstance(period, FinancialYear) else period.year
        if year not in self.years:
            raise DomainValidationError("period", "is not on this dashboard", str(period))
        if trust is not None and trust not in self.trusts:
            raise DomainValidationError("trust", "is not on this dashboard", str(trust))
        return self._index.get((trust, period))

    def collaborative(self, period: Quarter | FinancialYear) -> LfdRow:
        """The collaborative's row for ``period``."""
        self.row(None, period)  # checks the period is on the dashboard
        return self._index[(None, period)]

    @property
    def periods(self) -> tuple[Quarter | FinancialYear, ...]:
        """Every period on the dashboard: each year's quarters, then the year."""
        return tuple(p for y in self.years for p in (*y.quarters, y))


def lfd_dashboard_query(
    trusts: Iterable[Trust],
    years: Iterable[FinancialYear],
    as_of: dt.date,
    scales: ScaleRegistry | None = None,
) -> LfdQuery:
    """The :class:`LfdQuery` whose facts :func:`lfd_dashboard` needs: the deaths of the years,
    under each trust's own scope policy, for the trusts that were members during them."""
    span = sorted(set(years))
    if not span:
        raise DomainValidationError("years", "name at least one financial year", ())
    policies = {
        code: t.scope_policy
        for code, t in _trusts_by_code(trusts).items()
        if any(t.was_member_during(y) for y in span)
    }
    return LfdQuery(
        as_of=as_of,
        deaths_from=span[0].start,
        deaths_to=span[-1].end,
        policies=policies,
        scales=scales if scales is not None else ScaleRegistry(),
    )


def lfd_dashboard(
    facts: Iterable[LfdFact],
    trusts: Iterable[Trust],
    years: Iterable[FinancialYear],
    as_of: dt.date,
) -> LfdDashboard:
    """Build the dashboard from :class:`~collab_core.domain.facts.LfdFact` rows, from
    :func:`~collab_core.domain.facts.lfd_facts` or a store's native answer to
    :func:`lfd_dashboard_query`. ``as_of`` records the day the facts were counted to.

    Facts for other years, for trusts not listed, or for quarters in which their trust was not a
    member are left out. Each fact is checked (``judged <= reviewed <= in_scope``).
    """
    members = _trusts_by_code(trusts)
    span = tuple(sorted(set(years)))
    if not span:
        raise DomainValidationError("years", "name at least one financial year", ())
    member_quarters = {
        (code, q)
        for code, t in members.items()
        for y in span
        for q in y.quarters
        if t.was_member_during(q)
    }
    cells: dict[tuple[OdsCode, Quarter], list[int]] = {}
    for fact in facts:
        key = (fact.trust, fact.quarter)
        if key not in member_quarters:
            continue
        counts = LfdCounts.of(fact)  # checks judged <= reviewed <= in_scope
        cell = cells.setdefault(key, list(_NOTHING))
        slots = (
            (_AGE_SLOT[fact.age_band], _LD_SLOT) if fact.ld_autism else (_AGE_SLOT[fact.age_band],)
        )
        for slot in slots:
            cell[3 * slot] += counts.in_scope
            cell[3 * slot + 1] += counts.reviewed
            cell[3 * slot + 2] += counts.judged
    rows: list[LfdRow] = []
    codes = sorted(members)
    totals: dict[Quarter | FinancialYear, _Vector] = {}
    for code in codes:
        for year in span:
            year_total: _Vector | None = None
            for q in year.quarters:
                if (code, q) not in member_quarters:
                    continue
                vector = tuple(cells.get((code, q), _NOTHING))
                rows.append(LfdRow._of_vector(code, q, vector))
                year_total = _add(year_total or _NOTHING, vector)
                totals[q] = _add(totals.get(q, _NOTHING), vector)
            if year_total is not None:
                rows.append(LfdRow._of_vector(code, year, year_total))
    for year in span:
        for q in year.quarters:
            rows.append(LfdRow._of_vector(None, q, totals.get(q, _NOTHING)))
        rows.append(LfdRow._of_vector(None, year, _sum(totals.get(q) for q in year.quarters)))
    return LfdDashboard(as_of=as_of, years=span, trusts=tuple(codes), rows=tuple(rows))


@attrs.frozen
class LfdLookBackRow:
    """Items 27.7-27.9 for one trust (``None``: the collaborative).

    :param reviewed_in_year: 27.7, last year's deaths whose first review or investigation was
        completed during this year (deaths, not reviews).
    :param judged_in_year: 27.8, last year's deaths first judged more likely than not due to
        problems in care during this year.
    :param previous_estimate: 27.3 for last year, as known at the end of last year.
    :param revised_estimate: 27.9, ``previous_estimate + judged_in_year``.
    """

    trust: OdsCode | None = attrs.field(validator=optional_type(OdsCode))
    reviewed_in_year: int = attrs.field(validator=_count)
    judged_in_year: int = attrs.field(validator=_count)
    previous_estimate: int = attrs.field(validator=_count)
    revised_estimate: int = attrs.field(validator=_count)

    def __attrs_post_init__(self) -> None:
        _derived(
            "revised_estimate", self.revised_estimate, self.previous_estimate + self.judged_in_year
        )

    @classmethod
    def between(cls, trust: OdsCode | None, earlier: LfdCounts, later: LfdCounts) -> LfdLookBackRow:
        if not later.covers(earlier) or later.in_scope != earlier.in_scope:
            raise DomainValidationError(
                "later",
                "later facts about the same deaths count the same deaths in scope and no fewer "
                "reviewed or judged (were the two as-of dates swapped?)",
                str(trust or "collaborative"),
            )
        return cls(
            trust=trust,
            reviewed_in_year=later.reviewed - earlier.reviewed,
            judged_in_year=later.judged - earlier.judged,
            previous_estimate=earlier.judged,
            revised_estimate=later.judged,
        )


@attrs.frozen
class LfdLookBack:
    """Items 27.7-27.9 of ``year``'s Quality Account: about the deaths of the year before.

    :param rows: one row per trust that was a member during the previous year, in ODS-code
        order, then the collaborative's (``trust`` is ``None``).
    """

    year: FinancialYear = attrs.field(validator=is_type(FinancialYear))
    rows: tuple[LfdLookBackRow, ...] = attrs.field(
        converter=to_tuple, validator=each(LfdLookBackRow)
    )

    def __attrs_post_init__(self) -> None:
        if not self.rows or self.rows[-1].trust is not None:
            raise DomainValidationError("rows", "end with the collaborative's row")
        trusts, total = self.rows[:-1], self.rows[-1]
        for name in ("reviewed_in_year", "judged_in_year", "previous_estimate"):
            _derived(
                f"collaborative {name}", getattr(total, name), sum(getattr(r, name) for r in trusts)
            )

    @property
    def previous_year(self) -> FinancialYear:
        return self.year.previous()

    @property
    def collaborative(self) -> LfdLookBackRow:
        return self.rows[-1]

    def row(self, trust: OdsCode | None) -> LfdLookBackRow | None:
        """The row of ``trust`` (``None``: the collaborative), or ``None`` when not shown."""
        return next((r for r in self.rows if r.trust == trust), None)


def lfd_look_back_queries(
    trusts: Iterable[Trust], year: FinancialYear, scales: ScaleRegistry | None = None
) -> tuple[LfdQuery, LfdQuery]:
    """The two queries behind :func:`lfd_look_back`: last year's deaths counted with reviews
    completed by the end of last year, and the same deaths with reviews completed by the end
    of ``year``."""
    trusts = tuple(trusts)
    previous = year.previous()
    earlier = lfd_dashboard_query(trusts, [previous], previous.end, scales)
    return earlier, attrs.evolve(earlier, as_of=year.end)


def lfd_look_back(
    earlier: Iterable[LfdFact],
    later: Iterable[LfdFact],
    trusts: Iterable[Trust],
    year: FinancialYear,
) -> LfdLookBack:
    """Items 27.7-27.9 for ``year`` from the facts of :func:`lfd_look_back_queries`.

    With last year's deaths counted as of the end of last year (``earlier``) and as of the end
    of this year (``later``): 27.7 is the rise in reviewed deaths, 27.8 the rise in judged
    deaths, and 27.9 the judged count as of the end of this year, which equals last year's 27.3
    plus 27.8. All counts are of deaths in the all-ages block.
    """
    trusts = tuple(trusts)
    previous = year.previous()
    before = lfd_dashboard(earlier, trusts, [previous], previous.end)
    after = lfd_dashboard(later, trusts, [previous], year.end)
    rows = []
    for code in (*before.trusts, None):
        b, a = before.row(code, previous), after.row(code, previous)
        if b is None or a is None:
            continue
        rows.append(LfdLookBackRow.between(code, b.all_ages, a.all_ages))
    return LfdLookBack(year=year, rows=tuple(rows))


# ---------------------------------------------------------------------------------------------
# Duty of Candour compliance and overdue actions
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class CandourRow:
    """Duty of Candour timeliness for one trust (``None``: every trust together).

    Notifiable incidents reported in the period are *due* once notified (or closed as
    unreachable) or once their deadline has passed; each due case was met (done by the
    deadline), late (done after it) or is overdue (still not done). Cases still inside their
    deadline are *pending* and stay out of the proportion.

    :param overdue: the ids of overdue cases, sorted (ids only: nothing else about a case).
    :param proportion: ``met / due`` (``None`` when nothing is due).
    """

    trust: OdsCode | None = attrs.field(validator=optional_type(OdsCode))
    due: int = attrs.field(validator=_count)
    met: int = attrs.field(validator=_count)
    late: int = attrs.field(validator=_count)
    overdue: tuple[uuid.UUID, ...] = attrs.field(converter=to_tuple, validator=each(uuid.UUID))
    pending: int = attrs.field(validator=_count)
    proportion: Fraction | None = attrs.field(validator=_optional_fraction)

    @classmethod
    def of(
        cls, trust: OdsCode | None, met: int, late: int, overdue: Iterable[uuid.UUID], pending: int
    ) -> CandourRow:
        ids = tuple(sorted(overdue))
        due = met + late + len(ids)
        return cls(trust, due, met, late, ids, pending, _share(met, due))

    def __attrs_post_init__(self) -> None:
        _derived("due", self.due, self.met + self.late + len(self.overdue))
        _derived("proportion", self.proportion, _share(self.met, self.due))
        if list(self.overdue) != sorted(set(self.overdue)):
            raise DomainValidationError("overdue", "lists each case once, sorted", sensitive=True)

    def percent(self, places: int = 1) -> Decimal | None:
        """The share of due cases met in time, as a percentage."""
        return as_percent(self.proportion, places)

    def __add__(self, other: CandourRow) -> CandourRow:
        if not isinstance(other, CandourRow):
            return NotImplemented
        return CandourRow.of(
            None,
            self.met + other.met,
            self.late + other.late,
            (*self.overdue, *other.overdue),
            self.pending + other.pending,
        )


@attrs.frozen
class CandourCompliance:
    """Duty of Candour compliance for ``period`` as known on ``as_of``, by trust and overall."""

    period: ReportingPeriod = attrs.field(validator=_period)
    as_of: dt.date = attrs.field(validator=is_type(dt.date))
    trusts: tuple[CandourRow, ...] = attrs.field(converter=to_tuple, validator=each(CandourRow))
    overall: CandourRow = attrs.field(validator=is_type(CandourRow))

    def __attrs_post_init__(self) -> None:
        total = CandourRow.of(None, 0, 0, (), 0)
        for row in self.trusts:
            total = total + row
        _derived("overall", self.overall, total)

    def row(self, trust: OdsCode) -> CandourRow | None:
        return next((r for r in self.trusts if r.trust == trust), None)


def candour_compliance(
    trusts: Iterable[Trust],
    cases: Iterable[CandourCase],
    period: ReportingPeriod,
    as_of: dt.date,
    policy: CandourPolicy | None = None,
    policies: Mapping[OdsCode, CandourPolicy] | None = None,
) -> CandourCompliance:
    """The share of notifiable incidents notified within the deadline (Regulation 20).

    A case counts when its trust was a member on the day it was reported, the report falls in
    ``period``, and it had been decided notifiable by ``as_of``. Steps recorded after ``as_of``
    are not yet known: a case notified after ``as_of`` is pending or overdue on ``as_of``.
    ``policy`` (default :class:`CandourPolicy`) sets the deadline, ``policies`` per trust.
    """
    default = policy if policy is not None else CandourPolicy()
    chosen = dict(policies or {})
    windows = sharing_query(trusts, period, Audience.COLLABORATIVE).windows
    tally: dict[OdsCode, list[Any]] = {code: [0, 0, [], 0] for code in sorted(windows)}
    for case in cases:
        window = windows.get(case.trust)
        if window is None or not window[0] <= case.reported_on <= window[1]:
            continue
        if case.reported_on > as_of or case.notifiable is not True:
            continue
        if case.decided_on is None or case.decided_on > as_of:
            continue
        rule = chosen.get(case.trust, default)
        done_on = case.notified_on if case.notified_on is not None else case.closed_on
        counts = tally[case.trust]
        if done_on is not None and done_on <= as_of:
            counts[0 if case.notified_within_deadline(rule) else 1] += 1
        elif as_of > case.deadline(rule):
            counts[2].append(case.id)
        else:
            counts[3] += 1
    rows = tuple(CandourRow.of(code, *counts) for code, counts in tally.items())
    overall = CandourRow.of(None, 0, 0, (), 0)
    for row in rows:
        overall = overall + row
    return CandourCompliance(period=period, as_of=as_of, trusts=rows, overall=overall)


@attrs.frozen(order=True)
class OverdueAction:
    """An action still open on the as-of day after its due date (ids only)."""

    due_on: dt.date = attrs.field(validator=is_type(dt.date))
    learning_item_id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    action_id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    days_overdue: int = attrs.field(validator=_count)


@attrs.frozen
class ActionsRow:
    """Open and overdue actions of one trust on the as-of day; overdue ones oldest first."""

    trust: OdsCode = attrs.field(validator=is_type(OdsCode))
    open: int = attrs.field(validator=_count)
    overdue: tuple[OverdueAction, ...] = attrs.field(
        converter=to_tuple, validator=each(OverdueAction)
    )

    def __attrs_post_init__(self) -> None:
        if len(self.overdue) > self.open:
            raise DomainValidationError(
                "overdue", f"must not exceed the open actions ({self.open})", len(self.overdue)
            )

    @property
    def overdue_count(self) -> int:
        return len(self.overdue)


@attrs.frozen
class OverdueActions:
    """Overdue actions (Quality Account item 27.5) per member trust on ``as_of``."""

    as_of: dt.date = attrs.field(validator=is_type(dt.date))
    trusts: tuple[ActionsRow, ...] = attrs.field(converter=to_tuple, validator=each(ActionsRow))

    @property
    def open(self) -> int:
        return sum(r.open for r in self.trusts)

    @property
    def overdue(self) -> int:
        return sum(r.overdue_count for r in self.trusts)

    def row(self, trust: OdsCode) -> ActionsRow | None:
        return next((r for r in self.trusts if r.trust == trust), None)


def overdue_actions(
    trusts: Iterable[Trust], items: Iterable[LearningItem], as_of: dt.date
) -> OverdueActions:
    """Open and overdue actions per trust that is a member on ``as_of``.

    Items recorded after ``as_of`` are not yet known. An action is open on ``as_of`` when it is
    planned or in progress, or was completed after ``as_of``; a cancelled action is closed. An
    open action is overdue when its due date is before ``as_of`` (as :meth:`Action.is_overdue`).
    """
    members = sorted(code for code, t in _trusts_by_code(trusts).items() if t.is_member_on(as_of))
    open_counts: dict[OdsCode, int] = dict.fromkeys(members, 0)
    late: dict[OdsCode, list[OverdueAction]] = {code: [] for code in members}
    for item in items:
        if item.trust not in open_counts or item.recorded_on > as_of:
            continue
        for action in item.actions:
            still_open = action.status.is_open or (
                action.completed_on is not None and action.completed_on > as_of
            )
            if not still_open:
                continue
            open_counts[item.trust] += 1
            if action.due_on < as_of:
                late[item.trust].append(
                    OverdueAction(action.due_on, item.id, action.id, (as_of - action.due_on).days)
                )
    return OverdueActions(
        as_of=as_of,
        trusts=tuple(
            ActionsRow(code, open_counts[code], tuple(sorted(late[code]))) for code in members
        ),
    )

"""Capability: members who Learn, Live or Lead QI, and the +30% growth target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import attrs

from collab_core.domain._rules import each, is_type, non_blank, optional_type, to_tuple
from collab_core.domain.capability import THREE_LS, Assessment, Framework
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.facts import CapabilityFact, CapabilityQuery, capability_facts
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.people import Member, MemberKind
from collab_core.domain.targets._numbers import _count, _derived, _to_fraction, _whole
from collab_core.domain.targets.generic import Direction, Measure, Target, TargetProgress

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
    query = (
        CapabilityQuery(on, framework)
        if minimum_level is None
        else CapabilityQuery(on, framework, minimum_level)
    )
    return capability_census_of(capability_facts(members, assessments, query), query, trusts)


def capability_census_of(
    facts: Iterable[CapabilityFact], query: CapabilityQuery, trusts: Iterable[OdsCode] = ()
) -> CapabilityCensus:
    """The census from its facts (:func:`~collab_core.domain.facts.capability_facts`, or a
    store's native answer to the same query). ``trusts`` lists trusts to show even when none
    of their members count."""
    framework, lowest = query.framework, query.lowest
    counted = [lvl for lvl in framework.levels if lvl >= lowest]
    by_level: dict[str, int] = {lvl.name: 0 for lvl in counted}
    ranks = {lvl.name: lvl.rank for lvl in counted}
    by_kind: dict[MemberKind, int] = dict.fromkeys(MemberKind, 0)
    by_trust: dict[OdsCode | None, int] = dict.fromkeys(trusts, 0)
    count = 0
    for fact in facts:
        if ranks.get(fact.level) != fact.rank:
            raise DomainValidationError(
                "facts",
                f"each names a level of {framework.name} at or above {lowest.name}, by its rank",
                fact.level,
            )
        count += fact.count
        by_level[fact.level] += fact.count
        by_kind[fact.kind] += fact.count
        by_trust[fact.trust] = by_trust.get(fact.trust, 0) + fact.count
    return CapabilityCensus(
        on=query.on,
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

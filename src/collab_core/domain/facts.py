"""The small set of facts that the headline figures are built from, and their pure reference
computation. A store that declares native aggregation answers the same questions in its own
engine (SQL, say); the conformance kit holds its answers to these functions.

- :func:`lfd_facts`: per trust, quarter of death, age band and LD/autism flag, the deaths in
  scope, those reviewed or investigated, and those judged more likely than not due to problems
  in care (Quality Account items 27.1-27.3, SI 2017/744).
- :func:`sharing_trusts`: the trusts that shared learning with an audience inside a date window
  of their own.
- :func:`capability_facts`: per highest level, kind of member and trust, the members who
  Learn, Live or Lead QI on a day (the Building Capability census).

The first two stream: memory grows with trusts x quarters (and with the set of reviewed
deaths), never with the number of deaths. The census keeps one level per member and subject.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from collab_core.domain._rules import is_type, non_blank, optional_type
from collab_core.domain.calendar import Quarter
from collab_core.domain.capability import Assessment, Framework, Level, levels_on
from collab_core.domain.deaths import AgeBand, Death, Review, ScaleRegistry
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.learning import Audience, SharingEvent
from collab_core.domain.organisations import ScopePolicy
from collab_core.domain.people import Member, MemberKind

__all__ = [
    "CapabilityFact",
    "CapabilityQuery",
    "LfdFact",
    "LfdQuery",
    "SharingQuery",
    "capability_facts",
    "lfd_facts",
    "sharing_trusts",
]


_Windows = Mapping[OdsCode, tuple[dt.date, dt.date]]


def _copy_policies(value: Mapping[OdsCode, ScopePolicy]) -> Mapping[OdsCode, ScopePolicy]:
    # A private copy, so that changing the caller's dict cannot change a frozen query.
    try:
        return dict(value)
    except (TypeError, ValueError):
        return value  # not a mapping: left for the validator to refuse


def _copy_windows(value: _Windows) -> _Windows:
    try:
        return dict(value)
    except (TypeError, ValueError):
        return value


def _policies(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise DomainValidationError(attr.name, "must map trust ODS codes to scope policies", value)
    for trust, policy in value.items():
        if not isinstance(trust, OdsCode) or not isinstance(policy, ScopePolicy):
            raise DomainValidationError(
                f"{attr.name}[{trust!r}]", "must map an OdsCode to a ScopePolicy", policy
            )


def _windows(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise DomainValidationError(attr.name, "must map trust ODS codes to date windows", value)
    for trust, window in value.items():
        ok = (
            isinstance(trust, OdsCode)
            and isinstance(window, tuple)
            and len(window) == 2
            and all(type(d) is dt.date for d in window)
            and window[0] <= window[1]
        )
        if not ok:
            raise DomainValidationError(
                f"{attr.name}[{trust!r}]",
                "must map an OdsCode to a (first day, last day) window, first on or before last",
                window,
            )


@attrs.frozen
class LfdQuery:
    """What :func:`lfd_facts` counts.

    :param as_of: a review counts only when completed on or before this day.
    :param deaths_from: first day of death counted (inclusive); ``deaths_to`` the last.
    :param policies: each trust's scope policy; deaths of trusts not listed are left out.
    :param scales: the review scales whose own rules judge problems in care.
    """

    as_of: dt.date = attrs.field(validator=is_type(dt.date))
    deaths_from: dt.date = attrs.field(validator=is_type(dt.date))
    deaths_to: dt.date = attrs.field(validator=is_type(dt.date))
    policies: Mapping[OdsCode, ScopePolicy] = attrs.field(
        factory=dict, converter=_copy_policies, validator=_policies
    )
    scales: ScaleRegistry = attrs.field(factory=ScaleRegistry, validator=is_type(ScaleRegistry))

    def __attrs_post_init__(self) -> None:
        if self.deaths_to < self.deaths_from:
            raise DomainValidationError(
                "deaths_to", f"must not be before deaths_from ({self.deaths_from})", self.deaths_to
            )

    @property
    def judged_values(self) -> dict[tuple[str, int], frozenset[int]]:
        """For a native engine: the values of each scale that mean a problem in care."""
        return {
            key: scale.problem_in_care_values
            for key, scale in self.scales.scales.items()
            if scale.judges_problems_in_care
        }


def _unknown_age_first(band: AgeBand | None) -> str:
    # None (age not recorded) sorts before every band instead of failing to compare with it.
    return "" if band is None else band.value


def _counts(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 0:
        raise DomainValidationError(attr.name, "is a count: a whole number, not negative", value)


@attrs.frozen(order=True)
class LfdFact:
    """Counts for one trust, quarter of death, age band and LD/autism flag.

    ``reviewed`` never exceeds ``in_scope`` and ``judged`` never exceeds ``reviewed``: the
    dashboard shows each as a subset of the one before (NHS England, Learning from Deaths).
    """

    trust: OdsCode = attrs.field(validator=is_type(OdsCode))
    quarter: Quarter = attrs.field(validator=is_type(Quarter))
    age_band: AgeBand | None = attrs.field(
        validator=optional_type(AgeBand), order=_unknown_age_first
    )
    ld_autism: bool = attrs.field(validator=is_type(bool))
    in_scope: int = attrs.field(validator=_counts)
    reviewed: int = attrs.field(validator=_counts)
    judged: int = attrs.field(validator=_counts)

    def __attrs_post_init__(self) -> None:
        if self.reviewed > self.in_scope:
            raise DomainValidationError(
                "reviewed", f"must not exceed the deaths in scope ({self.in_scope})", self.reviewed
            )
        if self.judged > self.reviewed:
            raise DomainValidationError(
                "judged", f"must not exceed the deaths reviewed ({self.reviewed})", self.judged
            )

    @property
    def key(self) -> tuple[OdsCode, Quarter, AgeBand | None, bool]:
        return (self.trust, self.quarter, self.age_band, self.ld_autism)


def _review_status(
    reviews: Iterable[Review], query: LfdQuery
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    reviewed: set[uuid.UUID] = set()
    judged: set[uuid.UUID] = set()
    for r in reviews:
        if not r.response_type.counts_as_review_or_investigation:
            continue
        if r.completed_on is None or r.completed_on > query.as_of:
            continue
        reviewed.add(r.death_id)
        if r.problem_in_care(query.scales):
            judged.add(r.death_id)
    return reviewed, judged


def lfd_facts(deaths: Iterable[Death], reviews: Iterable[Review], query: LfdQuery) -> list[LfdFact]:
    """The reference computation of the dashboard facts, sorted by key.

    A death is *reviewed* when at least one review or investigation of it (not screening, not
    a coroner's report) was completed by ``as_of``; it is *judged* when such a review scores it
    more likely than not due to problems in care on that review's own scale. Deaths are
    attributed to the quarter of the death, not of the review.
    """
    reviewed_ids, judged_ids = _review_status(reviews, query)
    cells: dict[tuple[OdsCode, Quarter, AgeBand | None, bool], list[int]] = {}
    for d in deaths:
        policy = query.policies.get(d.trust)
        if policy is None or not query.deaths_from <= d.died_on <= query.deaths_to:
            continue
        if not d.in_scope(policy):
            continue
        key = (d.trust, Quarter.of(d.died_on), d.age_band, d.ld_or_autism)
        cell = cells.setdefault(key, [0, 0, 0])
        cell[0] += 1
        if d.id in reviewed_ids:
            cell[1] += 1
            if d.id in judged_ids:
                cell[2] += 1
    return sorted(LfdFact(*key, *counts) for key, counts in cells.items())


@attrs.frozen
class SharingQuery:
    """Which trusts shared with ``audience``, each inside its own inclusive date window."""

    audience: Audience = attrs.field(validator=is_type(Audience))
    windows: Mapping[OdsCode, tuple[dt.date, dt.date]] = attrs.field(
        factory=dict, converter=_copy_windows, validator=_windows
    )


def sharing_trusts(events: Iterable[SharingEvent], query: SharingQuery) -> frozenset[OdsCode]:
    """The trusts with at least one sharing event for the audience inside their window."""
    found: set[OdsCode] = set()
    for e in events:
        if e.audience is not query.audience or e.trust in found:
            continue
        window = query.windows.get(e.trust)
        if window is not None and window[0] <= e.shared_on <= window[1]:
            found.add(e.trust)
    return frozenset(found)


# -- the Building Capability census -------------------------------------------------------------


def _minimum_level(inst: CapabilityQuery, attr: attrs.Attribute[Any], value: object) -> None:
    non_blank(inst, attr, value)  # a string, not blank, no identifier in it
    framework = inst.framework
    if not any(n.casefold() == value.casefold() for n in framework.level_names):  # type: ignore[attr-defined]
        raise DomainValidationError(
            attr.name,
            f"must be one of {', '.join(framework.level_names)} in {framework.name}",
            value,
        )


@attrs.frozen
class CapabilityQuery:
    """What :func:`capability_facts` counts: the members who, on ``on``, hold at least
    ``minimum_level`` of ``framework`` in at least one subject area.

    :param on: the day of the census; later assessments, and members who had not joined or had
        left, are left out.
    :param framework: the capability framework (the 3 L's by default).
    :param minimum_level: the lowest level that counts (any case); the framework's lowest by
        default.
    """

    on: dt.date = attrs.field(validator=is_type(dt.date))
    framework: Framework = attrs.field(validator=is_type(Framework))
    minimum_level: str = attrs.field(
        default=attrs.Factory(lambda q: q.framework.lowest.name, takes_self=True),
        validator=_minimum_level,
    )

    @property
    def lowest(self) -> Level:
        """The lowest level that counts, as the framework names it."""
        return self.framework.level(self.minimum_level)

    @property
    def level_ranks(self) -> dict[str, int]:
        """For a native engine: each level's name, case-folded, and its rank (1 = lowest)."""
        return {level.name.casefold(): level.rank for level in self.framework.levels}

    @property
    def subject_codes(self) -> tuple[str, ...]:
        """For a native engine: the framework's subject area codes."""
        return tuple(s.code for s in self.framework.subjects)


def _trust_none_last(trust: OdsCode | None) -> tuple[bool, str]:
    return (trust is None, "" if trust is None else trust.code)


def _kind_order(kind: MemberKind) -> int:
    return _KINDS.index(kind)


_KINDS = list(MemberKind)


@attrs.frozen(order=True)
class CapabilityFact:
    """How many members counted on the day hold ``level`` as their highest level in any
    subject area, are of ``kind`` and are affiliated to ``trust`` (``None``: to no trust).

    Facts sort by the level's rank, then kind (in :class:`MemberKind` order), then trust
    (unaffiliated last).
    """

    rank: int = attrs.field(validator=_counts)
    level: str = attrs.field(validator=non_blank, order=False)
    kind: MemberKind = attrs.field(validator=is_type(MemberKind), order=_kind_order)
    trust: OdsCode | None = attrs.field(validator=optional_type(OdsCode), order=_trust_none_last)
    count: int = attrs.field(validator=_counts)

    def __attrs_post_init__(self) -> None:
        if self.rank < 1:
            raise DomainValidationError("rank", "is a level's rank: 1 for the lowest", self.rank)
        if self.count < 1:
            raise DomainValidationError("count", "a fact counts at least one member", self.count)


def capability_facts(
    members: Iterable[Member], assessments: Iterable[Assessment], query: CapabilityQuery
) -> list[CapabilityFact]:
    """The reference computation of the capability census, sorted.

    Each member's level in each subject is their latest assessment on or before ``query.on``
    (ties broken by the assessment's id, which is time-ordered; :func:`levels_on`); a member
    counts when they are a member that day and their highest level in any subject is at least
    ``query.minimum_level``. Every assessment of the framework up to the day is checked
    against it (an unknown subject area or level raises :class:`DomainValidationError`).
    Members must be unique by id.
    """
    framework, lowest = query.framework, query.lowest
    highest: dict[uuid.UUID, Level] = {}
    for (member_id, _subject), level in levels_on(assessments, framework, query.on).items():
        held = highest.get(member_id)
        if held is None or level > held:
            highest[member_id] = level
    cells: dict[tuple[Level, MemberKind, OdsCode | None], int] = {}
    seen: set[uuid.UUID] = set()
    for m in members:
        if m.id in seen:
            raise DomainValidationError("members", "each member appears once", sensitive=True)
        seen.add(m.id)
        top = highest.get(m.id)
        if top is None or top < lowest or not m.is_member_on(query.on):
            continue
        key = (top, m.kind, m.trust)
        cells[key] = cells.get(key, 0) + 1
    return sorted(
        CapabilityFact(level.rank, level.name, kind, trust, count)
        for (level, kind, trust), count in cells.items()
    )

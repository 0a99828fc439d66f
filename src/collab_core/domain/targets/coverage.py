"""Sharing coverage: 100% of member organisations share the learning around deaths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Set
from decimal import Decimal
from fractions import Fraction

import attrs

from collab_core.domain._rules import each, is_type, optional_type, to_tuple
from collab_core.domain.calendar import Period
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.facts import SharingQuery, sharing_trusts
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.learning import Audience, SharingEvent
from collab_core.domain.organisations import Trust
from collab_core.domain.targets._numbers import (
    _count,
    _derived,
    _optional_fraction,
    _share,
    as_percent,
)
from collab_core.domain.targets.periods import (
    ReportingPeriod,
    _membership_window,
    _period,
    _trusts_by_code,
)


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

"""Trusts and their membership of the collaborative over time, with each trust's scope policy
for deaths. There is no national definition of a death in scope for a mental health trust
(RDaSH policy), so every trust states its own; the defaults follow common practice.
"""

from __future__ import annotations

import datetime as dt

import attrs

from collab_core.domain._rules import (
    each_non_blank,
    is_type,
    non_blank,
    not_before,
    optional,
    optional_type,
    positive,
    to_frozenset,
)
from collab_core.domain.calendar import Period
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode, SiteCode

__all__ = ["ScopePolicy", "Site", "Trust"]


@attrs.frozen
class ScopePolicy:
    """Which deaths a trust counts as *in scope* for Learning from Deaths.

    :param inpatient: deaths of inpatients are in scope.
    :param community_contact_months: deaths of people in contact with community services within
        this many months before death are in scope (CWP and NSFT use 6); ``None`` turns it off.
    :param discharge_days: deaths within this many days of discharge from inpatient care are in
        scope (HSSIB used 30); ``None`` turns it off.
    :param route_ld_autism_to_leder: deaths of people with a learning disability or autistic
        people are routed to LeDeR (KMPT practice: notified to LeDeR, no SJR).
    """

    inpatient: bool = attrs.field(default=True, validator=is_type(bool))
    community_contact_months: int | None = attrs.field(default=6, validator=optional(positive))
    discharge_days: int | None = attrs.field(default=30, validator=optional(positive))
    route_ld_autism_to_leder: bool = attrs.field(default=True, validator=is_type(bool))


@attrs.frozen
class Trust:
    """A member trust of the collaborative, identified by its ODS code.

    A trust joins on ``joined`` and may leave on ``left``; it is a member on every day from
    ``joined`` up to and including ``left``.
    """

    ods_code: OdsCode = attrs.field(validator=is_type(OdsCode))
    name: str = attrs.field(validator=non_blank)
    joined: dt.date = attrs.field(validator=is_type(dt.date))
    left: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("joined")]
    )
    scope_policy: ScopePolicy = attrs.field(factory=ScopePolicy, validator=is_type(ScopePolicy))
    local_themes: frozenset[str] = attrs.field(
        factory=frozenset, converter=to_frozenset, validator=each_non_blank
    )

    def is_member_on(self, day: dt.date) -> bool:
        """Whether the trust was a member of the collaborative on ``day``."""
        return self.joined <= day and (self.left is None or day <= self.left)

    def was_member_during(self, period: Period) -> bool:
        """Whether the trust was a member on at least one day of ``period``."""
        return self.joined <= period.end and (self.left is None or self.left >= period.start)

    def leave(self, on: dt.date) -> Trust:
        """The same trust, having left the collaborative on ``on``."""
        if self.left is not None:
            raise DomainValidationError("left", "the trust has already left", self.left)
        return attrs.evolve(self, left=on)


@attrs.frozen
class Site:
    """A site of a trust, whose 5-character ODS code starts with its trust's code."""

    code: SiteCode = attrs.field(validator=is_type(SiteCode))
    trust: OdsCode = attrs.field(validator=is_type(OdsCode))
    name: str = attrs.field(validator=non_blank)

    def __attrs_post_init__(self) -> None:
        if not self.code.belongs_to(self.trust):
            raise DomainValidationError(
                "code", f"a site code starts with its trust's code ({self.trust})", str(self.code)
            )

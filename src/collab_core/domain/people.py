"""Members of the collaborative: staff, people with lived experience of services, and carers or
family members. A member may be affiliated to a trust or to none, and has joined and left dates.

Members are held by a pseudonymous ``handle``, never a name: collab_core does not need names.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import attrs

from collab_core.domain._rules import (
    free_text,
    is_type,
    not_before,
    optional_type,
)
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode

__all__ = ["Member", "MemberKind"]


class MemberKind(enum.StrEnum):
    """The kinds of member the collaborative counts separately."""

    STAFF = "staff"
    LIVED_EXPERIENCE = "lived_experience"
    CARER_FAMILY = "carer_family"


@attrs.frozen
class Member:
    """A member of the collaborative.

    :param id: the member's record id.
    :param handle: a pseudonymous handle (e.g. an e-mail local part or a staff number),
        unique within the collaborative; never a legal name.
    :param kind: staff, lived experience, or carer/family member.
    :param trust: the trust the member is affiliated to, or ``None``.
    :param joined: the day the member joined; ``left`` the day they left, if they have.
    """

    id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    handle: str = attrs.field(validator=free_text)
    kind: MemberKind = attrs.field(validator=is_type(MemberKind))
    trust: OdsCode | None = attrs.field(validator=optional_type(OdsCode))
    joined: dt.date = attrs.field(validator=is_type(dt.date))
    left: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("joined")]
    )

    def is_member_on(self, day: dt.date) -> bool:
        """Whether the person was a member on ``day`` (``joined <= day <= left``)."""
        return self.joined <= day and (self.left is None or day <= self.left)

    def leave(self, on: dt.date) -> Member:
        """The same member, having left on ``on``."""
        if self.left is not None:
            raise DomainValidationError("left", "the member has already left", self.left)
        return attrs.evolve(self, left=on)

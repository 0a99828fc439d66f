"""The statutory Duty of Candour (Regulation 20, Health and Social Care Act 2008 (Regulated
Activities) Regulations 2014) as a state machine.

1. A notifiable safety incident is decided (20(2), in the reasonable opinion of a clinician).
2. The relevant person is notified in person, with an apology (20(3)).
3. A written follow-up gives the account, the enquiries and their results (20(4)).

Or, when the relevant person cannot be contacted or declines, the attempts are recorded (20(5)).

The statute says "as soon as reasonably practicable"; the NHS Standard Contract set 10 days. The
deadline is a :class:`CandourPolicy` setting, by default 10 working days from the incident being
reported. A step taken out of order raises :class:`CandourStepError`.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import attrs

from collab_core.domain._rules import (
    each,
    in_range,
    is_type,
    non_blank,
    not_before,
    optional_type,
    to_tuple,
)
from collab_core.domain.calendar import add_working_days
from collab_core.domain.errors import CandourStepError, DomainValidationError
from collab_core.domain.identifiers import OdsCode

__all__ = [
    "CandourCase",
    "CandourPolicy",
    "CandourState",
    "ContactAttempt",
    "UnreachableReason",
]


class CandourState(enum.StrEnum):
    REPORTED = "reported"
    NOT_NOTIFIABLE = "not_notifiable"
    NOTIFIABLE = "notifiable"
    NOTIFIED = "notified"
    FOLLOWED_UP = "followed_up"
    ATTEMPTS_RECORDED = "attempts_recorded"

    @property
    def is_closed(self) -> bool:
        return self in {
            CandourState.NOT_NOTIFIABLE,
            CandourState.FOLLOWED_UP,
            CandourState.ATTEMPTS_RECORDED,
        }


class UnreachableReason(enum.StrEnum):
    """Why Regulation 20(2)-(4) did not apply (20(5))."""

    CANNOT_BE_CONTACTED = "cannot_be_contacted"
    DECLINED = "declined"


@attrs.frozen
class CandourPolicy:
    """How a trust times the duty: ``deadline_working_days`` after the incident is reported.

    ``working_days=False`` counts calendar days instead (contracts have said "days").
    """

    deadline_days: int = attrs.field(default=10, validator=in_range(1, 365))
    working_days: bool = attrs.field(default=True, validator=is_type(bool))

    def deadline(self, reported_on: dt.date) -> dt.date:
        if self.working_days:
            return add_working_days(reported_on, self.deadline_days)
        return reported_on + dt.timedelta(days=self.deadline_days)


@attrs.frozen
class ContactAttempt:
    """One attempt to contact the relevant person, kept as the written record 20(5) asks for."""

    attempted_on: dt.date = attrs.field(validator=is_type(dt.date))
    method: str = attrs.field(validator=non_blank)


@attrs.frozen
class CandourCase:
    """The Duty of Candour for one incident.

    The state is derived from the dates recorded, so it can never disagree with them; use the
    step methods (``decide``, ``notify_in_person``, ``follow_up_in_writing``,
    ``record_attempt``, ``close_unreachable``) to move it on.
    """

    id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    trust: OdsCode = attrs.field(validator=is_type(OdsCode))
    reported_on: dt.date = attrs.field(validator=is_type(dt.date))
    death_id: uuid.UUID | None = attrs.field(default=None, validator=optional_type(uuid.UUID))
    notifiable: bool | None = attrs.field(default=None, validator=optional_type(bool))
    decided_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("reported_on")]
    )
    notified_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("decided_on")]
    )
    apology_given: bool = attrs.field(default=False, validator=is_type(bool))
    followed_up_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("notified_on")]
    )
    attempts: tuple[ContactAttempt, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(ContactAttempt)
    )
    unreachable: UnreachableReason | None = attrs.field(
        default=None, validator=optional_type(UnreachableReason)
    )
    closed_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("decided_on")]
    )

    def __attrs_post_init__(self) -> None:
        # Every combination of dates must be reachable through the steps, in order.
        if (self.notifiable is None) != (self.decided_on is None):
            raise CandourStepError("decided_on", "is set exactly when notifiability is decided")
        if self.notifiable is not True and (
            self.notified_on or self.followed_up_on or self.attempts or self.unreachable
        ):
            raise CandourStepError(
                "notifiable",
                "later steps need a decision that the incident is notifiable",
                self.notifiable,
            )
        if (self.notified_on is not None) != self.apology_given:
            raise CandourStepError(
                "apology_given",
                "the apology is given with the notification in person (20(3)(d))",
                self.apology_given,
            )
        if self.followed_up_on is not None and self.notified_on is None:
            raise CandourStepError(
                "followed_up_on", "the written follow-up comes after notification in person"
            )
        if (self.unreachable is None) != (self.closed_on is None):
            raise CandourStepError(
                "closed_on", "is set exactly when the case is closed as unreachable"
            )
        if self.unreachable is not None and self.notified_on is not None:
            raise CandourStepError(
                "unreachable",
                "a person who was notified was not unreachable",
                self.unreachable.value,
            )
        if self.unreachable is not None and not self.attempts:
            # 20(5): a written record of the attempts to contact, or to speak to, the person.
            raise CandourStepError(
                "attempts", "closing as unreachable needs the recorded attempts (20(5))", 0
            )
        # Attempts are recorded while the case waits for notification, so none can come after
        # the notification in person or the closing of the case.
        last_step = self.notified_on or self.closed_on
        for i, a in enumerate(self.attempts):
            if self.decided_on is not None and a.attempted_on < self.decided_on:
                raise DomainValidationError(
                    f"attempts[{i}].attempted_on",
                    "must not be before the decision",
                    a.attempted_on,
                )
            if last_step is not None and a.attempted_on > last_step:
                raise CandourStepError(
                    f"attempts[{i}].attempted_on",
                    "an attempt to contact comes before the notification or closing",
                    a.attempted_on,
                )

    @property
    def state(self) -> CandourState:
        if self.notifiable is None:
            return CandourState.REPORTED
        if not self.notifiable:
            return CandourState.NOT_NOTIFIABLE
        if self.unreachable is not None:
            return CandourState.ATTEMPTS_RECORDED
        if self.followed_up_on is not None:
            return CandourState.FOLLOWED_UP
        if self.notified_on is not None:
            return CandourState.NOTIFIED
        return CandourState.NOTIFIABLE

    def _require(self, step: str, *allowed: CandourState) -> None:
        if self.state not in allowed:
            wanted = " or ".join(s.value for s in allowed)
            raise CandourStepError(
                "state", f"{step} is allowed only when the case is {wanted}", self.state.value
            )

    def decide(self, notifiable: bool, on: dt.date) -> CandourCase:
        """Record the decision whether this is a notifiable safety incident."""
        self._require("deciding notifiability", CandourState.REPORTED)
        return attrs.evolve(self, notifiable=notifiable, decided_on=on)

    def notify_in_person(self, on: dt.date, *, apology: bool) -> CandourCase:
        """Record notification in person; an apology is part of it (20(3)(d))."""
        self._require("notification in person", CandourState.NOTIFIABLE)
        if not apology:
            raise CandourStepError(
                "apology", "notification in person must include an apology (20(3)(d))", apology
            )
        return attrs.evolve(self, notified_on=on, apology_given=True)

    def follow_up_in_writing(self, on: dt.date) -> CandourCase:
        """Record the written follow-up with the results of enquiries (20(4))."""
        self._require("the written follow-up", CandourState.NOTIFIED)
        return attrs.evolve(self, followed_up_on=on)

    def record_attempt(self, on: dt.date, method: str) -> CandourCase:
        """Record an attempt to contact (or to speak to) the relevant person (20(5))."""
        self._require("recording a contact attempt", CandourState.NOTIFIABLE)
        return attrs.evolve(self, attempts=(*self.attempts, ContactAttempt(on, method)))

    def close_unreachable(self, reason: UnreachableReason, on: dt.date) -> CandourCase:
        """Close the case because the person cannot be contacted or declines (20(5)).

        The attempts must have been recorded first (:meth:`record_attempt`).
        """
        self._require("closing as unreachable", CandourState.NOTIFIABLE)
        return attrs.evolve(self, unreachable=reason, closed_on=on)

    def deadline(self, policy: CandourPolicy) -> dt.date:
        return policy.deadline(self.reported_on)

    def notified_within_deadline(self, policy: CandourPolicy) -> bool:
        """Whether the person was notified in person by the deadline.

        A case closed as unreachable counts as met when it was closed by the deadline.
        """
        deadline = self.deadline(policy)
        if self.notified_on is not None:
            return self.notified_on <= deadline
        return self.closed_on is not None and self.closed_on <= deadline

    def is_overdue(self, policy: CandourPolicy, as_of: dt.date) -> bool:
        """Notifiable, still not notified nor closed, and past the deadline on ``as_of``."""
        return self.state is CandourState.NOTIFIABLE and as_of > self.deadline(policy)

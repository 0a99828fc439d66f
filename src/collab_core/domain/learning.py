"""Learning items (what was learnt, Quality Account item 27.4), the actions taken or planned
(27.5) with their impact (27.6), family involvement, and the sharing of learning with an
audience. Learning reaches the collaborative or the public only after review sign-off.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import attrs

from collab_core.domain._rules import (
    each,
    free_text,
    is_type,
    non_blank,
    not_before,
    optional,
    optional_type,
    to_frozenset,
    to_tuple,
)
from collab_core.domain.errors import DomainValidationError, TransitionError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.themes import theme_tags

__all__ = [
    "Action",
    "ActionStatus",
    "Audience",
    "FamilyInvolvement",
    "FamilyQuestion",
    "FamilyResponse",
    "ImpactAssessment",
    "ImpactRating",
    "LearningItem",
    "SharingEvent",
]


class Audience(enum.StrEnum):
    """Who learning is shared with."""

    FAMILY = "family"
    TRUST_BOARD = "trust_board"
    STAFF = "staff"
    COLLABORATIVE = "collaborative"
    PUBLIC = "public"

    @property
    def needs_sign_off(self) -> bool:
        """Learning reaches the collaborative or the public only after review sign-off."""
        return self in {Audience.COLLABORATIVE, Audience.PUBLIC}


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self in {ActionStatus.PLANNED, ActionStatus.IN_PROGRESS}


class ImpactRating(enum.StrEnum):
    NOT_YET_KNOWN = "not_yet_known"
    NO_IMPACT = "no_impact"
    SOME_IMPACT = "some_impact"
    SUSTAINED_IMPROVEMENT = "sustained_improvement"


@attrs.frozen
class ImpactAssessment:
    """An assessment of an action's impact (Quality Account item 27.6)."""

    assessed_on: dt.date = attrs.field(validator=is_type(dt.date))
    rating: ImpactRating = attrs.field(validator=is_type(ImpactRating))
    summary: str = attrs.field(validator=free_text)
    measure: str | None = attrs.field(default=None, validator=optional(non_blank))


@attrs.frozen
class Action:
    """An action taken or planned in response to learning (Quality Account item 27.5).

    :param owner_role: a role, not a person (``"Ward manager, Elm ward"``).
    :param completed_on: set exactly when the status is completed.
    """

    id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    description: str = attrs.field(validator=free_text)
    owner_role: str = attrs.field(validator=non_blank)
    due_on: dt.date = attrs.field(validator=is_type(dt.date))
    status: ActionStatus = attrs.field(
        default=ActionStatus.PLANNED, validator=is_type(ActionStatus)
    )
    completed_on: dt.date | None = attrs.field(default=None, validator=optional_type(dt.date))
    impact: ImpactAssessment | None = attrs.field(
        default=None, validator=optional_type(ImpactAssessment)
    )
    themes: frozenset[str] = attrs.field(
        default=frozenset(), converter=to_frozenset, validator=theme_tags
    )

    def __attrs_post_init__(self) -> None:
        if (self.status is ActionStatus.COMPLETED) != (self.completed_on is not None):
            raise DomainValidationError(
                "completed_on",
                "is set exactly when the action's status is completed",
                self.completed_on,
            )
        if (
            self.impact is not None
            and self.completed_on is not None
            and self.impact.assessed_on < self.completed_on
        ):
            raise DomainValidationError(
                "impact.assessed_on",
                "impact is assessed once the action is complete",
                self.impact.assessed_on,
            )

    def is_overdue(self, as_of: dt.date) -> bool:
        """Open (planned or in progress) and past its due date."""
        return self.status.is_open and self.due_on < as_of

    def complete(self, on: dt.date) -> Action:
        if not self.status.is_open:
            raise TransitionError("status", "only an open action can be completed", self.status)
        return attrs.evolve(self, status=ActionStatus.COMPLETED, completed_on=on)


@attrs.frozen
class LearningItem:
    """What a trust learnt from one or more reviews of deaths.

    :param review_ids: the reviews that produced the learning.
    :param signed_off_on: when the learning was signed off at review; needed before it may be
        shared with the collaborative or the public.
    :param themes: theme codes from the taxonomy (see :mod:`collab_core.domain.themes`).
    """

    id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    trust: OdsCode = attrs.field(validator=is_type(OdsCode))
    title: str = attrs.field(validator=free_text)
    what_was_learnt: str = attrs.field(validator=free_text)
    recorded_on: dt.date = attrs.field(validator=is_type(dt.date))
    review_ids: frozenset[uuid.UUID] = attrs.field(
        default=frozenset(), converter=to_frozenset, validator=each(uuid.UUID)
    )
    themes: frozenset[str] = attrs.field(
        default=frozenset(), converter=to_frozenset, validator=theme_tags
    )
    actions: tuple[Action, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(Action)
    )
    signed_off_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("recorded_on")]
    )

    def __attrs_post_init__(self) -> None:
        ids = [a.id for a in self.actions]
        if len(ids) != len(set(ids)):
            raise DomainValidationError("actions", "action ids are unique within an item", len(ids))

    def sign_off(self, on: dt.date) -> LearningItem:
        if self.signed_off_on is not None:
            raise TransitionError(
                "signed_off_on", "the item is already signed off", self.signed_off_on
            )
        return attrs.evolve(self, signed_off_on=on)

    def is_signed_off_by(self, day: dt.date) -> bool:
        return self.signed_off_on is not None and self.signed_off_on <= day

    def with_action(self, action: Action) -> LearningItem:
        return attrs.evolve(self, actions=(*self.actions, action))

    def share(
        self, sharing_id: uuid.UUID, audience: Audience, on: dt.date, channel: str
    ) -> SharingEvent:
        """A sharing of this item; refused before sign-off for the collaborative or public."""
        event = SharingEvent(sharing_id, self.id, self.trust, audience, on, channel)
        event.check_allowed(self)
        return event


@attrs.frozen
class SharingEvent:
    """A learning item shared with an audience on a date through a channel.

    ``channel`` is free text: ``"board paper"``, ``"family meeting"``, ``"learning event"``...
    """

    id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    learning_item_id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    trust: OdsCode = attrs.field(validator=is_type(OdsCode))
    audience: Audience = attrs.field(validator=is_type(Audience))
    shared_on: dt.date = attrs.field(validator=is_type(dt.date))
    channel: str = attrs.field(validator=non_blank)

    def check_allowed(self, item: LearningItem) -> None:
        """Raise unless ``item`` may be shared this way."""
        if item.id != self.learning_item_id:
            raise DomainValidationError("learning_item_id", "must be the item being shared")
        if item.trust != self.trust:
            raise DomainValidationError("trust", "must be the trust of the item", str(self.trust))
        if self.shared_on < item.recorded_on:
            raise DomainValidationError(
                "shared_on", "learning is shared on or after it is recorded", self.shared_on
            )
        if self.audience.needs_sign_off and not item.is_signed_off_by(self.shared_on):
            raise TransitionError(
                "audience",
                "learning reaches the collaborative or the public only after review sign-off",
                self.audience.value,
            )


class FamilyResponse(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


@attrs.frozen
class FamilyQuestion:
    """A question the family asked, and when it was answered."""

    asked_on: dt.date = attrs.field(validator=is_type(dt.date))
    answered_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("asked_on")]
    )

    @property
    def answered(self) -> bool:
        return self.answered_on is not None


@attrs.frozen
class FamilyInvolvement:
    """How a bereaved family was involved in the response to a death (NQB, July 2018).

    Involvement is offered, then accepted or declined; a family that accepted may contribute,
    and may ask questions that the trust answers.
    """

    death_id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    trust: OdsCode = attrs.field(validator=is_type(OdsCode))
    offered_on: dt.date | None = attrs.field(default=None, validator=optional_type(dt.date))
    response: FamilyResponse | None = attrs.field(
        default=None, validator=optional_type(FamilyResponse)
    )
    responded_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("offered_on")]
    )
    contributed_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("responded_on")]
    )
    questions: tuple[FamilyQuestion, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(FamilyQuestion)
    )

    def __attrs_post_init__(self) -> None:
        if (self.response is None) != (self.responded_on is None):
            raise DomainValidationError(
                "responded_on", "is set exactly when the family has responded", self.responded_on
            )
        if self.response is not None and self.offered_on is None:
            raise TransitionError(
                "response", "involvement must be offered first", self.response.value
            )
        if self.contributed_on is not None and self.response is not FamilyResponse.ACCEPTED:
            raise TransitionError(
                "contributed_on", "a family contributes only after accepting", self.contributed_on
            )

    def offer(self, on: dt.date) -> FamilyInvolvement:
        if self.offered_on is not None:
            raise TransitionError("offered_on", "involvement was already offered", self.offered_on)
        return attrs.evolve(self, offered_on=on)

    def accept(self, on: dt.date) -> FamilyInvolvement:
        return self._respond(FamilyResponse.ACCEPTED, on)

    def decline(self, on: dt.date) -> FamilyInvolvement:
        return self._respond(FamilyResponse.DECLINED, on)

    def _respond(self, response: FamilyResponse, on: dt.date) -> FamilyInvolvement:
        if self.response is not None:
            raise TransitionError(
                "response", "the family has already responded", self.response.value
            )
        return attrs.evolve(self, response=response, responded_on=on)

    def contribute(self, on: dt.date) -> FamilyInvolvement:
        """Record the family's contribution (the first one: later ones do not move the date)."""
        if self.contributed_on is not None:
            raise TransitionError(
                "contributed_on",
                "the family's contribution is already recorded",
                self.contributed_on,
            )
        return attrs.evolve(self, contributed_on=on)

    def ask(self, on: dt.date) -> FamilyInvolvement:
        return attrs.evolve(self, questions=(*self.questions, FamilyQuestion(on)))

    def answer(self, index: int, on: dt.date) -> FamilyInvolvement:
        if not 0 <= index < len(self.questions):
            raise DomainValidationError("index", "no such question", index)
        q = self.questions[index]
        if q.answered:
            raise TransitionError("answered_on", "the question was already answered", q.answered_on)
        qs = list(self.questions)
        qs[index] = attrs.evolve(q, answered_on=on)
        return attrs.evolve(self, questions=tuple(qs))

    @property
    def all_questions_answered(self) -> bool:
        return all(q.answered for q in self.questions)

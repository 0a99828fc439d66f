"""Overdue actions (Quality Account item 27.5) per member trust."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import attrs

from collab_core.domain._rules import each, is_type, to_tuple
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.learning import LearningItem
from collab_core.domain.organisations import Trust
from collab_core.domain.targets._numbers import _count
from collab_core.domain.targets.periods import _trusts_by_code


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

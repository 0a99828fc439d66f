"""Continuous learning, in the collaborative's words "a systematic way of capturing everyday
concerns and acting on them, followed by a cycle of learning and improvement": a captured
concern, the action taken, and the plan-do-study-act (PDSA) cycles that followed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import attrs

from collab_core.domain._rules import (
    each,
    free_text,
    is_type,
    not_before,
    optional,
    optional_type,
    positive,
    to_frozenset,
    to_tuple,
)
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.themes import theme_tags

__all__ = ["Concern", "PdsaCycle"]


@attrs.frozen
class PdsaCycle:
    """One plan-do-study-act cycle of a test of change."""

    number: int = attrs.field(validator=positive)
    plan: str = attrs.field(validator=free_text)
    started_on: dt.date = attrs.field(validator=is_type(dt.date))
    do: str | None = attrs.field(default=None, validator=optional(free_text))
    study: str | None = attrs.field(default=None, validator=optional(free_text))
    act: str | None = attrs.field(default=None, validator=optional(free_text))
    ended_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("started_on")]
    )

    @property
    def complete(self) -> bool:
        return None not in (self.do, self.study, self.act, self.ended_on)


@attrs.frozen
class Concern:
    """An everyday concern captured by a team, what was done about it, and the PDSA cycles."""

    id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    trust: OdsCode = attrs.field(validator=is_type(OdsCode))
    raised_on: dt.date = attrs.field(validator=is_type(dt.date))
    description: str = attrs.field(validator=free_text)
    action_taken: str | None = attrs.field(default=None, validator=optional(free_text))
    cycles: tuple[PdsaCycle, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(PdsaCycle)
    )
    themes: frozenset[str] = attrs.field(
        default=frozenset(), converter=to_frozenset, validator=theme_tags
    )
    learning_item_id: uuid.UUID | None = attrs.field(
        default=None, validator=optional_type(uuid.UUID)
    )

    def __attrs_post_init__(self) -> None:
        numbers = [c.number for c in self.cycles]
        if numbers != list(range(1, len(numbers) + 1)):
            raise DomainValidationError(
                "cycles", "PDSA cycles are numbered 1, 2, 3, ... in order", numbers
            )
        for i, c in enumerate(self.cycles):
            if c.started_on < self.raised_on:
                raise DomainValidationError(
                    f"cycles[{i}].started_on",
                    "a cycle starts after the concern is raised",
                    c.started_on,
                )
        # Each cycle follows the last: the one before is complete, and ended before this began.
        for i, (before, after) in enumerate(itertools.pairwise(self.cycles), start=1):
            if not before.complete:
                raise DomainValidationError(
                    f"cycles[{i - 1}]",
                    "only the latest PDSA cycle may be unfinished",
                    before.number,
                )
            if before.ended_on is not None and after.started_on < before.ended_on:
                raise DomainValidationError(
                    f"cycles[{i}].started_on",
                    f"a cycle starts once the one before has ended ({before.ended_on})",
                    after.started_on,
                )

    def next_cycle(self, plan: str, started_on: dt.date) -> Concern:
        if self.cycles and not self.cycles[-1].complete:
            raise DomainValidationError(
                "cycles", "finish the current PDSA cycle before the next", len(self.cycles)
            )
        cycle = PdsaCycle(len(self.cycles) + 1, plan, started_on)
        return attrs.evolve(self, cycles=(*self.cycles, cycle))

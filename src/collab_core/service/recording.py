"""The cross-record rules of a batch, checked inside its unit of work before anything is
written: each record once, every record's trust recorded, and every record it refers to existing
in the same trust."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from collab_core.domain.candour import CandourCase
from collab_core.domain.capability import Assessment, LearningJourney
from collab_core.domain.deaths import Death, Review
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.improvement import Concern
from collab_core.domain.learning import FamilyInvolvement, LearningItem, SharingEvent
from collab_core.domain.organisations import Trust
from collab_core.domain.people import Member
from collab_core.ports import R, Record, UnitOfWork, key_text, spec_for

__all__ = ["check_batch", "check_unique"]


#: Each record of a batch by its type and key.
BatchIndex = dict[tuple[type[Any], str], Record]


def check_unique(batch: Sequence[Record]) -> BatchIndex:
    """Refuse a batch that holds one record (kind and key) twice; return the batch by type and
    key, for :func:`check_batch`."""
    index: BatchIndex = {}
    for i, r in enumerate(batch):
        kind = type(r)
        spec = spec_for(kind)
        slot = (kind, spec.key(r))
        if slot in index:
            raise DomainValidationError(
                f"records[{i}]", f"a batch holds each {spec.kind} once", slot[1]
            )
        index[slot] = r
    return index


def check_batch(batch: Sequence[Record], uow: UnitOfWork, index: BatchIndex | None = None) -> None:
    """Check ``batch`` against the cross-record rules, reading what it refers to through ``uow``.

    :param index: what :func:`check_unique` returned for the batch, if it was called.
    :raises DomainValidationError: a rule is broken; the field is named ``records[i].field``.
    """
    _check_references(batch, _References(uow, check_unique(batch) if index is None else index))


class _References:
    """Looks up the records a batch refers to: the batch itself first, then the store (once per
    key), so that a batch may hold a death and its review together."""

    def __init__(self, uow: UnitOfWork, index: BatchIndex) -> None:
        self._uow = uow
        self._batch = index
        self._seen: dict[tuple[type[Any], str], Record | None] = {}

    def find(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> R | None:
        slot = (kind, key_text(key))
        if slot in self._batch:
            found: Any = self._batch[slot]
            return found  # type: ignore[no-any-return]
        if slot not in self._seen:
            stored = self._uow.get(kind, key)
            self._seen[slot] = None if stored is None else stored.record
        return self._seen[slot]  # type: ignore[return-value]


def _check_references(records: Sequence[Record], refs: _References) -> None:
    """The cross-record rules of a batch: every record's trust is recorded, and every record it
    refers to exists and belongs to the same trust."""

    def need(i: int, field: str, kind: type[R], key: Any, trust: OdsCode | None = None) -> R:
        found = refs.find(kind, key)
        name = spec_for(kind).kind.replace("_", " ")
        if found is None:
            raise DomainValidationError(
                f"records[{i}].{field}", f"names a {name} that is not recorded", key_text(key)
            )
        if trust is not None and getattr(found, "trust", trust) != trust:
            raise DomainValidationError(
                f"records[{i}].trust", f"must be the trust of the {name} it refers to", str(trust)
            )
        return found

    for i, r in enumerate(records):
        trust = spec_for(type(r)).trust(r)
        if trust is not None and not isinstance(r, Trust):
            need(i, "trust", Trust, trust)
        death_id = r.death_id if isinstance(r, Review | FamilyInvolvement | CandourCase) else None
        if death_id is not None:
            need(i, "death_id", Death, death_id, trust)
        elif isinstance(r, LearningItem):
            for review_id in sorted(r.review_ids):
                need(i, "review_ids", Review, review_id, r.trust)
        elif isinstance(r, SharingEvent):
            item = need(i, "learning_item_id", LearningItem, r.learning_item_id, r.trust)
            try:
                r.check_allowed(item)
            except DomainValidationError as exc:
                raise type(exc)(
                    f"records[{i}].{exc.field}", exc.rule, exc.value, sensitive=exc.sensitive
                ) from None
        elif isinstance(r, Assessment | LearningJourney):
            need(i, "member_id", Member, r.member_id)
        elif isinstance(r, Concern) and r.learning_item_id is not None:
            need(i, "learning_item_id", LearningItem, r.learning_item_id, r.trust)

"""The records a store holds: the kinds, how each is keyed, filtered and versioned."""

from __future__ import annotations

import datetime as dt
import operator
import uuid
from collections.abc import Callable
from typing import Any, Generic, TypeAlias, TypeVar

import attrs

from collab_core.domain.candour import CandourCase
from collab_core.domain.capability import Assessment, LearningJourney
from collab_core.domain.deaths import Death, Review
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.improvement import Concern
from collab_core.domain.learning import FamilyInvolvement, LearningItem, SharingEvent
from collab_core.domain.organisations import Trust
from collab_core.domain.people import Member
from collab_core.serialization import (
    register_type,
)

Record: TypeAlias = (
    Trust
    | Member
    | Death
    | Review
    | LearningItem
    | SharingEvent
    | Assessment
    | LearningJourney
    | FamilyInvolvement
    | CandourCase
    | Concern
)
R = TypeVar("R", bound=Record)

R_co = TypeVar("R_co", covariant=True)


@attrs.frozen
class RecordSpec(Generic[R]):
    """How a store files one kind of record.

    :param kind: the stable name of the kind (``"death"``), used for tables and payload tags.
    :param type: the domain class.
    :param key: the record's key as text (a UUID's canonical form, or a trust's ODS code).
    :param trust: the trust a record belongs to, for queries by trust (``None`` if it has none).
    :param day: the date that queries by period filter on (``None`` if it has none).

    A record whose ``trust`` is ``None`` never matches a query by trust, and one whose ``day``
    is ``None`` never matches a query by period (as SQL's ``NULL`` never compares equal).
    """

    kind: str
    type: type[R]
    key: Callable[[R], str]
    trust: Callable[[R], OdsCode | None]
    day: Callable[[R], dt.date | None]


def _spec(
    kind: str, cls: type[Any], key: str, trust: str | None, day: str | None
) -> RecordSpec[Any]:
    get_key = operator.attrgetter(key)

    def key_of(r: Any) -> str:
        k = get_key(r)
        return k.code if isinstance(k, OdsCode) else str(k)

    def trust_of(r: Any) -> OdsCode | None:
        return None if trust is None else getattr(r, trust)

    def day_of(r: Any) -> dt.date | None:
        return None if day is None else getattr(r, day)

    return RecordSpec(kind, cls, key_of, trust_of, day_of)


RECORD_SPECS: tuple[RecordSpec[Any], ...] = (
    _spec("trust", Trust, "ods_code", "ods_code", "joined"),
    _spec("member", Member, "id", "trust", "joined"),
    _spec("death", Death, "id", "trust", "died_on"),
    _spec("review", Review, "id", "trust", "started_on"),
    _spec("learning_item", LearningItem, "id", "trust", "recorded_on"),
    _spec("sharing", SharingEvent, "id", "trust", "shared_on"),
    _spec("assessment", Assessment, "id", None, "assessed_on"),
    _spec("learning_journey", LearningJourney, "id", None, "planned_on"),
    _spec("family_involvement", FamilyInvolvement, "death_id", "trust", "offered_on"),
    _spec("candour_case", CandourCase, "id", "trust", "reported_on"),
    _spec("concern", Concern, "id", "trust", "raised_on"),
)
_BY_TYPE: dict[type[Any], RecordSpec[Any]] = {s.type: s for s in RECORD_SPECS}
_BY_KIND: dict[str, RecordSpec[Any]] = {s.kind: s for s in RECORD_SPECS}


def spec_for(kind: type[R] | str) -> RecordSpec[R]:
    """The :class:`RecordSpec` of a domain class or kind name."""
    spec = _BY_KIND.get(kind) if isinstance(kind, str) else _BY_TYPE.get(kind)
    if spec is None:
        raise DomainValidationError("kind", "is not a kind of record a store holds", str(kind))
    return spec


def record_key(record: Record) -> str:
    """The key a store files ``record`` under."""
    return spec_for(type(record)).key(record)


def key_text(key: uuid.UUID | OdsCode | str) -> str:
    """Normalise a key given as a UUID, an ODS code or text."""
    if isinstance(key, OdsCode):
        return key.code
    return str(key)


@attrs.frozen
class Versioned(Generic[R_co]):
    """A record as stored, with its version (1 for a new record, +1 on every change)."""

    record: R_co
    version: int


register_type(Versioned, "versioned")

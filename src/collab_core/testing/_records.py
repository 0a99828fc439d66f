"""The records the conformance kit writes: :mod:`collab_core.testing.strategies` for every kind a
store holds, with their trusts drawn from a small pool so that queries by trust find several
records, and a few helpers the kit's state machine needs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st

from collab_core.domain.deaths import Death, Review
from collab_core.domain.identifiers import CaseReference, OdsCode
from collab_core.domain.learning import SharingEvent
from collab_core.domain.organisations import Trust
from collab_core.ports import RECORD_SPECS, Publication
from collab_core.testing import strategies as cs

__all__ = [
    "KEY_FIELDS",
    "TRUST_CODES",
    "days",
    "deaths",
    "moved",
    "outbox_publications",
    "record_of",
    "record_pairs",
    "records",
    "reviews",
    "sharing_events",
    "short_text",
    "timestamps",
    "with_key",
]

#: A few trust codes, so that queries by trust find several records per trust.
TRUST_CODES = tuple(OdsCode(c) for c in ("RH8", "RV5", "RX2", "TAF", "R1L"))
#: The attribute each kind is keyed by, where it is not ``id`` (see ``RECORD_SPECS``).
KEY_FIELDS = {"trust": "ods_code", "family_involvement": "death_id"}

_pool = st.sampled_from(TRUST_CODES)
T = TypeVar("T")

days = cs.days
#: Timezone-aware instants (UTC or a fixed offset): a store keeps the instant.
timestamps: st.SearchStrategy[dt.datetime] = cs.aware_datetimes()
# Outbox text (a publication's title, a delivery error) is held in plain text columns, and
# PostgreSQL text cannot hold NUL: it is left out there. Records, stored whole, get any text.
short_text: st.SearchStrategy[str] = cs.free_text(max_size=12).filter(lambda t: "\x00" not in t)


def moved(record: Any, code: OdsCode) -> Any:
    """``record`` as one of trust ``code``'s (cheaper than drawing it for that trust)."""
    if isinstance(record, Trust):
        return attrs.evolve(record, ods_code=code)
    if isinstance(record, Death):
        return attrs.evolve(
            record, trust=code, case_ref=CaseReference(code, record.case_ref.local_id)
        )
    if getattr(record, "trust", None) is not None:
        return attrs.evolve(record, trust=code)
    return record


def _pooled(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    # Mapped, not built: a failing example then prints the record itself, as code.
    return st.tuples(strategy, _pool).map(lambda pair: moved(*pair))


def deaths(trust: OdsCode | None = None) -> st.SearchStrategy[Death]:
    """Deaths of ``trust``, or of a trust of the pool."""
    return cs.deaths(trust) if trust is not None else _pooled(cs.deaths())


def reviews(death: Death | None = None) -> st.SearchStrategy[Review]:
    """Reviews of ``death``, or of any death by a trust of the pool."""
    return cs.reviews(death) if death is not None else _pooled(cs.reviews())


def sharing_events() -> st.SearchStrategy[SharingEvent]:
    """Sharings that their learning item allows, by trusts of the pool."""
    return _pooled(cs.sharing_events())


_BY_KIND: dict[str, st.SearchStrategy[Any]] = {
    "trust": _pooled(cs.trusts()),
    "member": _pooled(cs.members()),
    "death": deaths(),
    "review": reviews(),
    "learning_item": _pooled(cs.learning_items()),
    "sharing": sharing_events(),
    "assessment": cs.assessments(),
    "learning_journey": cs.learning_journeys(),
    "family_involvement": _pooled(cs.family_involvements()),
    "candour_case": _pooled(cs.candour_cases()),
    "concern": _pooled(cs.concerns()),
}
assert set(_BY_KIND) == {s.kind for s in RECORD_SPECS}, "every kind a store holds has a strategy"


def record_of(kind: str) -> st.SearchStrategy[Any]:
    """One valid record of ``kind`` (a :data:`~collab_core.ports.RECORD_SPECS` kind name)."""
    return _BY_KIND[kind]


def records() -> st.SearchStrategy[Any]:
    """One valid record of any kind."""
    return st.one_of(*_BY_KIND.values())


def record_pairs(kind: str | None = None) -> st.SearchStrategy[tuple[Any, Any]]:
    """Two records of one kind (of ``kind``, or of any): a record and a variant of it, which
    the state machine puts under the record's key to change it."""
    kinds = [kind] if kind is not None else list(_BY_KIND)
    return st.one_of(*(st.tuples(_BY_KIND[k], _BY_KIND[k]) for k in kinds))


def with_key(record: Any, like: Any) -> Any:
    """``record`` moved under the key of ``like`` (a record of the same kind)."""
    kind = next(s.kind for s in RECORD_SPECS if s.type is type(record))
    field = KEY_FIELDS.get(kind, "id")
    return attrs.evolve(record, **{field: getattr(like, field)})


def outbox_publications() -> st.SearchStrategy[Publication]:
    """Publications with a plain JSON body, and a title without NUL."""
    return cs.publications().filter(lambda p: "\x00" not in p.title)

"""Strategies for the records the ports exchange: publications, outbox, receipts."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from collab_core.domain.learning import (
    Audience,
)
from collab_core.ports import (
    DeliveryReceipt,
    OutboxEntry,
    OutboxStatus,
    Publication,
    Versioned,
)
from collab_core.testing.strategies._base import (
    _maybe,
    aware_datetimes,
    free_text,
)
from collab_core.testing.strategies._domain import (
    assessments,
    candour_cases,
    concerns,
    deaths,
    family_involvements,
    learning_items,
    learning_journeys,
    members,
    reviews,
    sharing_events,
    trusts,
)
from collab_core.testing.strategies._publications import titles

# --------------------------------------------------------------------------------------------
# The records of the ports.
# --------------------------------------------------------------------------------------------


@functools.cache
def _json_values() -> st.SearchStrategy[Any]:
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=20)
    )
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )


@functools.cache
def publications() -> st.SearchStrategy[Publication]:
    """Publications with a plain JSON body (as a plugin's kind has), created at a
    timezone-aware moment, titled in one line."""
    return st.builds(
        Publication,
        id=st.uuids(),
        kind=st.sampled_from(("learning_bulletin", "lfd_dashboard", "board_pack")),
        audience=st.sampled_from(Audience),
        title=titles(),
        body=st.dictionaries(st.text(max_size=8), _json_values(), max_size=4),
        created_at=aware_datetimes(),
    )


@functools.cache
def outbox_entries() -> st.SearchStrategy[OutboxEntry]:
    """Outbox entries in every status, with their attempts and last error."""
    return st.builds(
        OutboxEntry,
        id=st.uuids(),
        publisher=st.sampled_from(("site", "board", "mail")),
        publication=publications(),
        status=st.sampled_from(OutboxStatus),
        attempts=st.integers(0, 10),
        last_error=_maybe(free_text()),
        updated_at=_maybe(aware_datetimes()),
    )


@functools.cache
def delivery_receipts() -> st.SearchStrategy[DeliveryReceipt]:
    """What publishers report after delivering."""
    return st.builds(
        DeliveryReceipt,
        publisher=st.sampled_from(("site", "board", "mail")),
        publication_id=st.uuids(),
        delivered_at=aware_datetimes(),
        location=_maybe(free_text()),
    )


_RECORD_STRATEGIES: tuple[Callable[[], st.SearchStrategy[Any]], ...] = (
    trusts,
    members,
    deaths,
    reviews,
    learning_items,
    sharing_events,
    assessments,
    learning_journeys,
    family_involvements,
    candour_cases,
    concerns,
)


def versioned(
    records: st.SearchStrategy[Any] | None = None,
) -> st.SearchStrategy[Versioned[Any]]:
    """Stored records with their version: of ``records`` or of any kind a store holds."""
    source = records if records is not None else st.one_of([s() for s in _RECORD_STRATEGIES])
    return st.builds(Versioned, source, st.integers(1, 1_000))

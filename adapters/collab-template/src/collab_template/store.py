"""A minimal store: every method of the :class:`~collab_core.ports.Store` port, each handing
its work to a *client* that stands in for your trust's system.

Here the client is collab_core's in-memory reference store, so the template passes the
conformance kit as it is. Replace each body marked YOUR SYSTEM with calls to your own system
(a warehouse, an incident system's API...), run the kit, and fix what it finds.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TypeVar

from collab_core import LfdFact, LfdQuery, MemoryStore, OdsCode, SharingQuery
from collab_core.ports import (
    Capability,
    OnCorrupt,
    OutboxEntry,
    OutboxStatus,
    Record,
    UnitOfWork,
    Versioned,
)

__all__ = ["TemplateStore"]

R = TypeVar("R", bound=Record)


class TemplateStore:
    """The template's store, opened by ``template://NAME`` URLs."""

    def __init__(self, name: str) -> None:
        # YOUR SYSTEM: connect to it here. The stand-in is a named in-memory store.
        self._name = name
        self._client = MemoryStore(f"template-{name}")

    @property
    def url(self) -> str:
        # Never put a password in here: it is shown in logs and errors.
        return f"template://{self._name}"

    @property
    def capabilities(self) -> frozenset[Capability]:
        # Declare only what your system really does; the kit tests each declared capability.
        return frozenset({Capability.REOPENABLE, Capability.OUTBOX, Capability.OUTBOX_CLAIMS})

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        # YOUR SYSTEM: begin a transaction; commit on a clean exit, roll back on an exception.
        return self._client.unit_of_work()

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        # YOUR SYSTEM: read one record by key and turn its payload back into a record with
        # collab_core.from_payload; raise CorruptRecordError when it does not structure.
        return self._client.get(kind, key)

    def scan(
        self,
        kind: type[R],
        *,
        trust: OdsCode | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        batch_size: int = 1000,
        on_corrupt: OnCorrupt | None = None,
    ) -> Iterator[Versioned[R]]:
        # YOUR SYSTEM: page through records in key order, batch_size at a time. A record that
        # does not read back raises CorruptRecordError, or, when on_corrupt is given, is
        # skipped and handed to it.
        return self._client.scan(
            kind, trust=trust, start=start, end=end, batch_size=batch_size, on_corrupt=on_corrupt
        )

    def count(
        self,
        kind: type[R],
        *,
        trust: OdsCode | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> int:
        # YOUR SYSTEM: count without reading the records.
        return self._client.count(kind, trust=trust, start=start, end=end)

    def outbox(
        self, *, publisher: str | None = None, status: OutboxStatus | None = OutboxStatus.PENDING
    ) -> list[OutboxEntry]:
        # YOUR SYSTEM: the publications still waiting for each publisher.
        return self._client.outbox(publisher=publisher, status=status)

    def claim_outbox(
        self,
        entry_ids: Sequence[uuid.UUID],
        *,
        claimant: str,
        now: dt.datetime,
        until: dt.datetime,
    ) -> list[OutboxEntry]:
        # YOUR SYSTEM: atomically mark those of entry_ids that are due (entry.due(now)) as
        # held by claimant until `until`, and return them. If your system cannot do that
        # atomically, leave Capability.OUTBOX_CLAIMS out: then run one deliverer at a time.
        return self._client.claim_outbox(entry_ids, claimant=claimant, now=now, until=until)

    def lfd_facts(self, query: LfdQuery) -> list[LfdFact]:
        # Only called when the store declares Capability.NATIVE_AGGREGATES.
        return self._client.lfd_facts(query)

    def sharing_trusts(self, query: SharingQuery) -> frozenset[OdsCode]:
        # Only called when the store declares Capability.NATIVE_AGGREGATES.
        return self._client.sharing_trusts(query)

    def close(self) -> None:
        # YOUR SYSTEM: release connections. Must be safe to call twice.
        self._client.close()

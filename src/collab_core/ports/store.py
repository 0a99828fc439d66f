"""The storage port: a store, its units of work, its optional capabilities, and how a plugin
hands one to the host."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

import attrs

from collab_core.domain.errors import CorruptRecordError
from collab_core.domain.facts import (
    CapabilityFact,
    CapabilityQuery,
    LfdFact,
    LfdQuery,
    SharingQuery,
)
from collab_core.domain.identifiers import OdsCode
from collab_core.ports.publications import OutboxEntry, OutboxStatus
from collab_core.ports.records import R, Record, Versioned
from collab_core.serialization import (
    register_type,
)


class Capability(enum.StrEnum):
    """Optional features a store may declare; the conformance kit skips what is not declared."""

    #: Committed data survives closing and re-opening the store at the same URL, in this
    #: process or another (a file or a server). Implies :attr:`REOPENABLE`.
    PERSISTENT = "persistent"
    #: Committed data survives closing and re-opening the store at the same URL within this
    #: process (a named in-memory store), though not the end of the process.
    REOPENABLE = "reopenable"
    #: Several processes may write at once (a server database).
    CONCURRENT_WRITERS = "concurrent_writers"
    #: ``lfd_facts`` and ``sharing_trusts`` are answered natively (e.g. in SQL).
    NATIVE_AGGREGATES = "native_aggregates"
    #: ``capability_facts`` is answered natively (the store is also a
    #: :class:`NativeCapabilityFacts`).
    NATIVE_CAPABILITY_FACTS = "native_capability_facts"
    #: The publication outbox is kept.
    OUTBOX = "outbox"
    #: Outbox entries are claimed before delivery (:meth:`Store.claim_outbox`), so that
    #: deliverers in several processes at once never hand one entry to a publisher twice.
    OUTBOX_CLAIMS = "outbox_claims"


#: What :meth:`Store.scan` calls with each record it skips because it cannot be read back.
OnCorrupt = Callable[[CorruptRecordError], object]


class UnitOfWork(Protocol):
    """One all-or-nothing batch of writes. Leaving the ``with`` block normally commits; an
    exception rolls everything back and propagates. Reads inside see the batch's own writes;
    nothing is visible to :meth:`Store.get` or :meth:`Store.scan` before the commit.

    A commit that finds a record changed by another unit since this unit first read or wrote
    it raises :class:`~collab_core.ConcurrencyError` and writes nothing; a record the unit only
    reads never makes it fail. Outbox marks apply, at commit, to
    the entry as it then stands, so that failures marked by two units at once both count.
    """

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        """The record of ``kind`` under ``key``, or ``None``."""
        ...

    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        """Upsert ``records`` by key; return each one's version after the write.

        Idempotent: putting a record equal to the stored one keeps its version. A changed
        record's version goes up by one. Records are applied in order, so a key given twice in
        one call ends at the later record. ``expected_versions``, when given, holds one entry
        per record: ``None`` means "any", ``0`` "must not exist yet", ``n`` "must be at version
        n" (as this unit sees it); a mismatch raises :class:`~collab_core.ConcurrencyError`
        naming the kind and key before anything of this call is written, and, left uncaught,
        rolls the whole unit back. ``expected_versions`` of another length than ``records``
        raises :class:`~collab_core.DomainValidationError`.
        """
        ...

    def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        """Add publications to the outbox (a store with the OUTBOX capability).

        Entries keep the order they were enqueued in. An entry whose id is already in the
        outbox is left as it is (enqueueing is idempotent). So is one whose
        :attr:`~OutboxEntry.key` is: equal content for a publisher is queued once.
        """
        ...

    def mark_delivered(self, entry_ids: Sequence[uuid.UUID], at: dt.datetime) -> None:
        """Mark outbox entries delivered at ``at`` and release their claims; ``attempts`` and
        ``last_error`` are kept. An unknown id raises :class:`~collab_core.RecordNotFoundError`
        (kind ``"outbox entry"``)."""
        ...

    def mark_failed(
        self,
        entry_id: uuid.UUID,
        error: str,
        at: dt.datetime,
        *,
        next_attempt_at: dt.datetime | None = None,
        dead: bool = False,
    ) -> None:
        """Record a failed attempt: the status becomes ``FAILED`` (``DEAD`` when ``dead``),
        ``attempts`` goes up by one, ``last_error`` holds ``error``, ``next_attempt_at`` says
        when to try again, and the claim is released. A ``FAILED`` entry stays to be retried,
        and a later :meth:`mark_delivered` still delivers it; a failure reported after a
        delivery (a bounce) is recorded as a failure too. Any text is stored as given, NUL
        included: it never makes this raise. An unknown id raises
        :class:`~collab_core.RecordNotFoundError`."""
        ...

    def requeue(self, entry_id: uuid.UUID, at: dt.datetime) -> None:
        """Put a ``DEAD`` or ``FAILED`` entry back to ``PENDING`` with no attempts, to be tried
        at once (its ``last_error`` is kept); an entry in another state is left as it is. An
        unknown id raises :class:`~collab_core.RecordNotFoundError`."""
        ...

    def rollback(self) -> None:
        """Discard every write made so far in this unit; the unit stays open and empty."""
        ...


@runtime_checkable
class Store(Protocol):
    """Where a collaborative's records live. Chosen by the scheme of its URL."""

    @property
    def url(self) -> str:
        """The URL the store was opened with (without any password)."""
        ...

    @property
    def capabilities(self) -> frozenset[Capability]:
        """The optional features this store provides."""
        ...

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """Begin an all-or-nothing unit of work."""
        ...

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        """The committed record of ``kind`` under ``key``, or ``None``.

        A stored record that cannot be read back raises :class:`~collab_core.CorruptRecordError`
        naming the table (containing the kind's name) and the key.
        """
        ...

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
        """Stream committed records of ``kind`` in key order, optionally only one trust's and
        only those whose :attr:`RecordSpec.day` lies in ``[start, end]`` (both inclusive). Key
        order is the order of the key text (a UUIDv7's text sorts by time). Never loads a whole
        table: it fetches ``batch_size`` (at least 1) records at a time.

        A stored record that cannot be read back is handled as ``on_corrupt`` says:

        - ``None`` (the default): the scan stops with the
          :class:`~collab_core.CorruptRecordError`, naming the table and the (masked) key;
        - a callable: the record is skipped, the callable is called with that
          :class:`~collab_core.CorruptRecordError`, and the scan goes on. To collect the
          problems, pass ``problems.append``; to stop after all, raise from the callable.
        """
        ...

    def count(
        self,
        kind: type[R],
        *,
        trust: OdsCode | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> int:
        """How many records :meth:`scan` would yield with the same filters."""
        ...

    def outbox(
        self, *, publisher: str | None = None, status: OutboxStatus | None = OutboxStatus.PENDING
    ) -> list[OutboxEntry]:
        """Outbox entries in the order they were enqueued, optionally for one publisher and one
        status (``status=None``: every status)."""
        ...

    def claim_outbox(
        self,
        entry_ids: Sequence[uuid.UUID],
        *,
        claimant: str,
        now: dt.datetime,
        until: dt.datetime,
    ) -> list[OutboxEntry]:
        """Claim those of ``entry_ids`` that are :meth:`due <OutboxEntry.due>` at ``now`` for
        ``claimant`` until ``until``, atomically, and return them as claimed (in enqueue
        order); the others are skipped (OUTBOX_CLAIMS). Two claimants at once never both get
        an entry: the second sees the first's live claim. :meth:`UnitOfWork.mark_delivered`
        and :meth:`UnitOfWork.mark_failed` release the claim; a claim left by a deliverer that
        died lapses at ``until``, and the entry is claimable again."""
        ...

    def lfd_facts(self, query: LfdQuery) -> list[LfdFact]:
        """Native answer to :func:`collab_core.domain.facts.lfd_facts` (NATIVE_AGGREGATES)."""
        ...

    def sharing_trusts(self, query: SharingQuery) -> frozenset[OdsCode]:
        """Native answer to :func:`collab_core.domain.facts.sharing_trusts` (NATIVE_AGGREGATES)."""
        ...

    def close(self) -> None:
        """Release connections and files. Safe to call twice; the store is unusable after (its
        reads and units of work raise :class:`~collab_core.StoreError`)."""
        ...


@runtime_checkable
class NativeCapabilityFacts(Protocol):
    """What a store that declares :attr:`Capability.NATIVE_CAPABILITY_FACTS` offers beside
    :class:`Store`: the capability census facts answered in its own engine. Stores that do not
    declare it need not have the method; the core computes the facts from the members and
    assessments it reads."""

    def capability_facts(self, query: CapabilityQuery) -> list[CapabilityFact]:
        """Native answer to :func:`collab_core.domain.facts.capability_facts`: equal to it over
        the store's members and assessments, errors included (an assessment naming a subject
        area or level its framework lacks raises :class:`~collab_core.DomainValidationError`)."""
        ...


@attrs.frozen
class StoreUpgrade:
    """What upgrading a store's schema did (``collab upgrade``).

    :param url: the store's URL, without any password.
    :param before: the schema revision before the upgrade (``None``: no schema yet).
    :param after: the revision after it.
    """

    url: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        """Whether any migration ran."""
        return self.before != self.after


@attrs.frozen
class StoreSpec:
    """A store implementation handed to the host by a plugin's ``collab_register_stores``.

    :param scheme: the URL scheme it serves, e.g. ``"sqlite"``, ``"postgresql"``, ``"memory"``.
    :param open: opens a store for a URL (``open("sqlite:///collab.db")``).
    :param description: one line for ``collab plugins`` and the docs.
    :param upgrade: applies the store's pending schema migrations to the store at a URL without
        opening it for use, and says what it did (``collab upgrade``); ``None`` for a store
        with no schema to migrate.
    """

    scheme: str
    open: Callable[[str], Store]
    description: str = ""
    upgrade: Callable[[str], StoreUpgrade] | None = None


register_type(StoreUpgrade, "store_upgrade")

"""The in-memory reference store: the semantics every other store is held to.

``memory://`` opens a private store that lives as long as the object. ``memory://name`` opens a
store shared by name within the process: re-opening ``memory://name`` sees what was committed
there, until :meth:`MemoryStore.drop` forgets it or the process ends. Nothing is written to
disk, so it is :attr:`~collab_core.ports.Capability.REOPENABLE` when named, never
:attr:`~collab_core.ports.Capability.PERSISTENT`.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import uuid
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any

import attrs

from collab_core.domain.capability import Assessment
from collab_core.domain.deaths import Death, Review
from collab_core.domain.errors import (
    ConcurrencyError,
    ConfigurationError,
    CorruptRecordError,
    DomainValidationError,
    RecordNotFoundError,
    StoreError,
)
from collab_core.domain.facts import (
    CapabilityFact,
    CapabilityQuery,
    LfdFact,
    LfdQuery,
    SharingQuery,
    capability_facts,
    lfd_facts,
    sharing_trusts,
)
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.learning import SharingEvent
from collab_core.domain.people import Member
from collab_core.ports import (
    Capability,
    OnCorrupt,
    OutboxEntry,
    OutboxStatus,
    R,
    Record,
    RecordSpec,
    Versioned,
    key_text,
    spec_for,
)

__all__ = ["MemoryStore"]

SCHEME = "memory"
_OUTBOX = "outbox entry"


class _Data:
    """The committed contents of one store, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tables: dict[str, dict[str, Versioned[Any]]] = {}
        self.outbox: dict[uuid.UUID, OutboxEntry] = {}  # insertion order is enqueue order

    def table(self, kind: str) -> dict[str, Versioned[Any]]:
        return self.tables.setdefault(kind, {})


_named: dict[str, _Data] = {}  # named in-process stores, like SQLite's shared-cache memory
_named_lock = threading.Lock()


def _check_batch_size(batch_size: object) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise DomainValidationError("batch_size", "must be an integer of at least 1", batch_size)


def _read(spec: RecordSpec[R], key: str, stored: object) -> Versioned[R]:
    if not isinstance(stored, Versioned) or not isinstance(stored.record, spec.type):
        raise CorruptRecordError(
            spec.kind, key, [f"the stored value is not a {spec.type.__name__}"]
        )
    return stored


def _matches(
    spec: RecordSpec[Any],
    record: Any,
    trust: OdsCode | None,
    start: dt.date | None,
    end: dt.date | None,
) -> bool:
    if trust is not None and spec.trust(record) != trust:
        return False
    if start is None and end is None:
        return True
    day = spec.day(record)
    if day is None:
        return False
    return (start is None or start <= day) and (end is None or day <= end)


class MemoryStore:
    """A :class:`~collab_core.ports.Store` held in this process's memory.

    :param name: ``None`` for a private store; a name to share the store within the process
        (``MemoryStore("demo")`` and ``MemoryStore.open("memory://demo")`` see the same data).

    Thread-safe: commits, reads and outbox changes take one lock, and records are deeply
    immutable, so readers share them without copying. Its ``lfd_facts``, ``sharing_trusts``
    and ``capability_facts`` run the reference computation over its own records, so it
    declares neither :attr:`~collab_core.ports.Capability.NATIVE_AGGREGATES` nor
    :attr:`~collab_core.ports.Capability.NATIVE_CAPABILITY_FACTS`.
    """

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            self._data = _Data()
        else:
            if not name or "/" in name:
                raise ConfigurationError(
                    f"memory store name: must be non-empty and without '/' (got {name!r})"
                )
            with _named_lock:
                self._data = _named.setdefault(name, _Data())
        self._name = name
        self._closed = False

    @classmethod
    def open(cls, url: str) -> MemoryStore:
        """Open ``memory://`` (a private store) or ``memory://name`` (shared by name)."""
        scheme, sep, rest = url.partition("://")
        if scheme != SCHEME or not sep:
            raise ConfigurationError(
                f"url: a memory store URL is memory:// or memory://name (got {url!r})"
            )
        return cls(rest or None)

    @classmethod
    def drop(cls, name: str) -> None:
        """Forget the named store ``name``; stores already open keep their data."""
        with _named_lock:
            _named.pop(name, None)

    @property
    def url(self) -> str:
        return f"{SCHEME}://{self._name or ''}"

    @property
    def capabilities(self) -> frozenset[Capability]:
        caps = {Capability.OUTBOX, Capability.OUTBOX_CLAIMS}
        if self._name is not None:
            caps.add(Capability.REOPENABLE)
        return frozenset(caps)

    def _live(self) -> _Data:
        if self._closed:
            raise StoreError(f"the store {self.url} is closed")
        return self._data

    def unit_of_work(self) -> _MemoryUnit:
        return _MemoryUnit(self._live())

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        spec = spec_for(kind)
        k = key_text(key)
        data = self._live()
        with data.lock:
            stored = data.table(spec.kind).get(k)
        return None if stored is None else _read(spec, k, stored)

    def _select(
        self,
        kind: type[R],
        trust: OdsCode | None,
        start: dt.date | None,
        end: dt.date | None,
        on_corrupt: OnCorrupt | None = None,
    ) -> list[Versioned[R]]:
        spec = spec_for(kind)
        data = self._live()
        with data.lock:
            # object, not Versioned: a damaged entry must reach _read, which reports it.
            rows: list[tuple[str, object]] = sorted(data.table(spec.kind).items())
        found: list[Versioned[R]] = []
        for key, stored in rows:
            if isinstance(stored, Versioned) and not _matches(
                spec, stored.record, trust, start, end
            ):
                continue
            try:
                found.append(_read(spec, key, stored))
            except CorruptRecordError as exc:
                if on_corrupt is None:
                    raise
                on_corrupt(exc)
        return found

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
        _check_batch_size(batch_size)
        # The snapshot is taken on the first next(), as a server-side cursor would be.
        yield from self._select(kind, trust, start, end, on_corrupt)

    def count(
        self,
        kind: type[R],
        *,
        trust: OdsCode | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> int:
        if trust is None and start is None and end is None:
            data = self._live()
            with data.lock:
                return len(data.table(spec_for(kind).kind))
        return len(self._select(kind, trust, start, end))

    def outbox(
        self, *, publisher: str | None = None, status: OutboxStatus | None = OutboxStatus.PENDING
    ) -> list[OutboxEntry]:
        data = self._live()
        with data.lock:
            entries = list(data.outbox.values())
        return [
            e
            for e in entries
            if (publisher is None or e.publisher == publisher)
            and (status is None or e.status is status)
        ]

    def claim_outbox(
        self,
        entry_ids: Sequence[uuid.UUID],
        *,
        claimant: str,
        now: dt.datetime,
        until: dt.datetime,
    ) -> list[OutboxEntry]:
        _check_claim(claimant, now, until)
        wanted = set(entry_ids)
        data = self._live()
        claimed: list[OutboxEntry] = []
        with data.lock:  # the one lock makes checking and claiming one step
            for entry_id, entry in data.outbox.items():
                if entry_id in wanted and entry.due(now):
                    held = attrs.evolve(entry, claimed_by=claimant, claimed_until=until)
                    data.outbox[entry_id] = held
                    claimed.append(held)
        return claimed

    def lfd_facts(self, query: LfdQuery) -> list[LfdFact]:
        return lfd_facts(
            (v.record for v in self.scan(Death)), (v.record for v in self.scan(Review)), query
        )

    def sharing_trusts(self, query: SharingQuery) -> frozenset[OdsCode]:
        return sharing_trusts((v.record for v in self.scan(SharingEvent)), query)

    def capability_facts(self, query: CapabilityQuery) -> list[CapabilityFact]:
        return capability_facts(
            (v.record for v in self.scan(Member)), (v.record for v in self.scan(Assessment)), query
        )

    def close(self) -> None:
        self._closed = True

    def __repr__(self) -> str:
        return f"MemoryStore({self.url!r})"


@attrs.frozen
class _Deliver:
    ids: tuple[uuid.UUID, ...]
    at: dt.datetime


@attrs.frozen
class _Fail:
    id: uuid.UUID
    error: str
    at: dt.datetime
    next_attempt_at: dt.datetime | None
    dead: bool


@attrs.frozen
class _Requeue:
    id: uuid.UUID
    at: dt.datetime


def _check_claim(claimant: object, now: object, until: object) -> None:
    if not isinstance(claimant, str) or not claimant:
        raise DomainValidationError("claimant", "must be a non-empty string", claimant)
    for name, value in (("now", now), ("until", until)):
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            raise DomainValidationError(name, "must be a timezone-aware datetime", value)


class _MemoryUnit:
    """A unit of work on a :class:`MemoryStore`: writes are staged here and applied on commit,
    after checking that no other unit changed the same records meanwhile."""

    def __init__(self, data: _Data) -> None:
        self._data = data
        self._open = False
        self._staged: dict[tuple[str, str], Versioned[Any]] = {}
        # The committed version of each record when the unit first read or wrote it.
        self._base: dict[tuple[str, str], int] = {}
        self._outbox_ops: list[OutboxEntry | _Deliver | _Fail | _Requeue] = []
        self._enqueued: set[uuid.UUID] = set()

    def __enter__(self) -> _MemoryUnit:
        if self._open:
            raise StoreError("a unit of work is entered once")
        self._open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            self.rollback()
            self._open = False

    def _check_open(self) -> None:
        if not self._open:
            raise StoreError("the unit of work is not open (use it inside its with block)")

    def _current(self, kind: str, key: str) -> Versioned[Any] | None:
        staged = self._staged.get((kind, key))
        if staged is not None:
            return staged
        with self._data.lock:
            return self._data.table(kind).get(key)

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        self._check_open()
        spec = spec_for(kind)
        k = key_text(key)
        slot = (spec.kind, k)
        staged = self._staged.get(slot)
        if staged is not None:
            return _read(spec, k, staged)
        with self._data.lock:
            stored = self._data.table(spec.kind).get(k)
        self._note_read(slot, stored)
        return None if stored is None else _read(spec, k, stored)

    def _note_read(self, slot: tuple[str, str], committed: object) -> None:
        """Remember the committed version of a record the unit reads for the first time, so
        that a commit writing it later checks that no other unit changed it meanwhile."""
        self._base.setdefault(slot, committed.version if isinstance(committed, Versioned) else 0)

    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        self._check_open()
        if expected_versions is not None and len(expected_versions) != len(records):
            raise DomainValidationError(
                "expected_versions",
                f"holds one entry per record ({len(records)})",
                len(expected_versions),
            )
        pending: dict[tuple[str, str], Versioned[Any]] = {}
        base: dict[tuple[str, str], int] = {}
        versions: list[int] = []
        for i, record in enumerate(records):
            spec = spec_for(type(record))
            slot = (spec.kind, spec.key(record))
            current = pending.get(slot) or self._current(*slot)
            if slot not in self._base and slot not in base:
                with self._data.lock:
                    committed = self._data.table(spec.kind).get(slot[1])
                base[slot] = 0 if committed is None else committed.version
            actual = 0 if current is None else current.version
            expected = None if expected_versions is None else expected_versions[i]
            if expected is not None and expected != actual:
                raise ConcurrencyError(spec.kind, slot[1], expected, actual or None)
            if current is None:
                version = 1
            elif current.record == record:
                version = current.version
            else:
                version = current.version + 1
            pending[slot] = Versioned(record, version)
            versions.append(version)
        self._staged.update(pending)
        self._base.update(base)
        return tuple(versions)

    def _known_entry(self, entry_id: uuid.UUID) -> None:
        if entry_id in self._enqueued:
            return
        with self._data.lock:
            if entry_id in self._data.outbox:
                return
        raise RecordNotFoundError(_OUTBOX, entry_id)

    def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        self._check_open()
        for entry in entries:
            if not isinstance(entry, OutboxEntry):
                raise DomainValidationError(
                    "entries", "must be OutboxEntry objects", type(entry).__name__
                )
        for entry in entries:
            # A publication's body is a plain mapping: keep a private copy, never the caller's.
            body = copy.deepcopy(dict(entry.publication.body))
            frozen = attrs.evolve(entry, publication=attrs.evolve(entry.publication, body=body))
            self._outbox_ops.append(frozen)
            self._enqueued.add(entry.id)

    def mark_delivered(self, entry_ids: Sequence[uuid.UUID], at: dt.datetime) -> None:
        self._check_open()
        for entry_id in entry_ids:
            self._known_entry(entry_id)
        self._outbox_ops.append(_Deliver(tuple(entry_ids), at))

    def mark_failed(
        self,
        entry_id: uuid.UUID,
        error: str,
        at: dt.datetime,
        *,
        next_attempt_at: dt.datetime | None = None,
        dead: bool = False,
    ) -> None:
        self._check_open()
        self._known_entry(entry_id)
        self._outbox_ops.append(_Fail(entry_id, str(error), at, next_attempt_at, bool(dead)))

    def requeue(self, entry_id: uuid.UUID, at: dt.datetime) -> None:
        self._check_open()
        self._known_entry(entry_id)
        self._outbox_ops.append(_Requeue(entry_id, at))

    def rollback(self) -> None:
        self._staged.clear()
        self._base.clear()
        self._outbox_ops.clear()
        self._enqueued.clear()

    def _commit(self) -> None:
        data = self._data
        with data.lock:
            for (kind, key), version in self._base.items():
                if (kind, key) not in self._staged:
                    continue  # a record the unit only read never conflicts
                committed = data.table(kind).get(key)
                actual = 0 if committed is None else committed.version
                if actual != version:
                    raise ConcurrencyError(kind, key, version or None, actual or None)
            for (kind, key), versioned in self._staged.items():
                data.table(kind)[key] = versioned
            outbox = data.outbox
            keys = {e.key for e in outbox.values()}
            for op in self._outbox_ops:
                if isinstance(op, OutboxEntry):
                    # One entry per id and one per key: the first enqueued stays.
                    if op.id not in outbox and op.key not in keys:
                        outbox[op.id] = op
                        keys.add(op.key)
                else:
                    _apply(outbox, op)


def _apply(outbox: dict[uuid.UUID, OutboxEntry], op: _Deliver | _Fail | _Requeue) -> None:
    if isinstance(op, _Deliver):
        for entry_id in op.ids:
            if entry_id in outbox:
                outbox[entry_id] = attrs.evolve(
                    outbox[entry_id],
                    status=OutboxStatus.DELIVERED,
                    updated_at=op.at,
                    claimed_by=None,
                    claimed_until=None,
                )
        return
    entry = outbox.get(op.id)
    if entry is None:
        return  # enqueued in this unit but a duplicate by key: nothing to change
    if isinstance(op, _Fail):
        outbox[op.id] = attrs.evolve(
            entry,
            status=OutboxStatus.DEAD if op.dead else OutboxStatus.FAILED,
            attempts=entry.attempts + 1,
            last_error=op.error,
            updated_at=op.at,
            next_attempt_at=op.next_attempt_at,
            claimed_by=None,
            claimed_until=None,
        )
    elif entry.status in (OutboxStatus.DEAD, OutboxStatus.FAILED):
        outbox[op.id] = attrs.evolve(
            entry,
            status=OutboxStatus.PENDING,
            attempts=0,
            updated_at=op.at,
            next_attempt_at=None,
            claimed_by=None,
            claimed_until=None,
        )

"""A store kept in one append-only JSON-lines file, with a commit marker closing every unit of
work so that a torn write (a crash half-way through) is ignored on the next open.

Each line is one JSON object:

- ``{"op": "put", "kind": ..., "key": ..., "version": ..., "payload": ...}`` a record;
- ``{"op": "outbox", "payload": ...}`` an outbox entry in its latest state;
- ``{"op": "commit"}`` the end of a unit of work.

An index of every key's latest line (its offset, version, trust and day) is kept in memory;
records themselves are read from the file when asked for, so scans stream.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs

from collab_core import (
    ConcurrencyError,
    CorruptRecordError,
    DomainValidationError,
    LfdFact,
    LfdQuery,
    OdsCode,
    PayloadError,
    RecordNotFoundError,
    SharingQuery,
    StoreError,
    from_payload,
    to_payload,
)
from collab_core.ports import (
    Capability,
    OnCorrupt,
    OutboxEntry,
    OutboxStatus,
    Record,
    RecordSpec,
    Versioned,
    key_text,
    record_key,
    spec_for,
)

__all__ = ["JsonLinesStore"]

R = TypeVar("R", bound=Record)
_COMMIT = b'{"op": "commit"}\n'


def _check_batch_size(batch_size: object) -> None:
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise DomainValidationError("batch_size", "must be a positive integer", batch_size)


@attrs.frozen
class _Entry:
    """Where a record's latest committed line is, and what queries filter on."""

    offset: int
    version: int
    trust: str | None
    day: dt.date | None


class JsonLinesStore:
    """A single-file store for one trust's data: ``jsonl:///path/to/collab.jsonl``.

    Several instances (or processes) may open the same file: each commit takes an exclusive
    lock on the file, catches up with what others committed, then appends.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(path).resolve()  # fixed at opening, whatever the directory later
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._path.touch(exist_ok=True)
        self._lock = threading.RLock()
        self._index: dict[tuple[str, str], _Entry] = {}
        self._outbox: dict[uuid.UUID, int] = {}
        self._outbox_keys: set[str] = set()
        self._indexed_to = 0
        self._closed = False
        self._catch_up()

    # -- the Store protocol ---------------------------------------------------------------

    @property
    def url(self) -> str:
        # The absolute path after ``jsonl:///``, so four slashes: three would mean a path
        # relative to the current directory, as for SQLite URLs.
        return f"jsonl:///{self._path}"

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(
            {
                Capability.PERSISTENT,
                Capability.REOPENABLE,
                Capability.OUTBOX,
                Capability.OUTBOX_CLAIMS,
            }
        )

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[_UnitOfWork]:
        self._check_open()
        uow = _UnitOfWork(self)
        yield uow
        uow._commit()

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        self._check_open()
        spec = spec_for(kind)
        with self._lock:
            self._catch_up()
            entry = self._index.get((spec.kind, key_text(key)))
        if entry is None:
            return None
        return Versioned(self._read_record(kind, key_text(key), entry.offset), entry.version)

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
        self._check_open()
        _check_batch_size(batch_size)
        keys = self._matching(kind, trust, start, end)
        for i in range(0, len(keys), max(1, batch_size)):
            for key, entry in keys[i : i + batch_size]:
                try:
                    record = self._read_record(kind, key, entry.offset)
                except CorruptRecordError as exc:
                    if on_corrupt is None:
                        raise
                    on_corrupt(exc)
                    continue
                yield Versioned(record, entry.version)

    def count(
        self,
        kind: type[R],
        *,
        trust: OdsCode | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> int:
        self._check_open()
        return len(self._matching(kind, trust, start, end))

    def outbox(
        self, *, publisher: str | None = None, status: OutboxStatus | None = OutboxStatus.PENDING
    ) -> list[OutboxEntry]:
        self._check_open()
        with self._lock:
            self._catch_up()
            offsets = list(self._outbox.values())  # the index keeps first-enqueued order
        entries = [self._read_outbox(offset) for offset in offsets]
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
        """Claim the due entries among ``entry_ids``: one unit appended under the file's
        exclusive lock, after catching up, so a claim by another process is always seen."""
        self._check_open()
        _check_claim(claimant, now, until)
        wanted = set(entry_ids)
        claimed: list[OutboxEntry] = []

        def lines() -> list[dict[str, Any]]:
            claimed.clear()
            for entry_id, offset in self._outbox.items():
                if entry_id in wanted:
                    entry = self._read_outbox(offset)
                    if entry.due(now):
                        claimed.append(
                            attrs.evolve(entry, claimed_by=claimant, claimed_until=until)
                        )
            return [_outbox_line(e) for e in claimed]

        self._append(lines)
        return list(claimed)

    def lfd_facts(self, query: LfdQuery) -> list[LfdFact]:
        raise StoreError("the jsonl store does not aggregate natively; it declares no capability")

    def sharing_trusts(self, query: SharingQuery) -> frozenset[OdsCode]:
        raise StoreError("the jsonl store does not aggregate natively; it declares no capability")

    def close(self) -> None:
        self._closed = True

    # -- reading --------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the store {self.url} is closed")

    def _matching(
        self,
        kind: type[Any],
        trust: OdsCode | None,
        start: dt.date | None,
        end: dt.date | None,
    ) -> list[tuple[str, _Entry]]:
        name = spec_for(kind).kind
        wanted = None if trust is None else trust.code
        with self._lock:
            self._catch_up()
            found = [(k[1], e) for k, e in self._index.items() if k[0] == name]
        out = []
        for key, entry in found:
            if wanted is not None and entry.trust != wanted:
                continue
            if (start is not None or end is not None) and entry.day is None:
                continue
            if start is not None and entry.day is not None and entry.day < start:
                continue
            if end is not None and entry.day is not None and entry.day > end:
                continue
            out.append((key, entry))
        out.sort(key=lambda pair: pair[0])
        return out

    def _line_at(self, offset: int) -> bytes:
        with self._path.open("rb") as f:
            f.seek(offset)
            return f.readline()

    def _read_record(self, kind: type[R], key: str, offset: int) -> R:
        table = f"{spec_for(kind).kind} in {self._path.name}"
        try:
            line = json.loads(self._line_at(offset))
            record = from_payload(kind, line["payload"])
        except PayloadError as exc:
            raise CorruptRecordError(table, key, exc.problems) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise CorruptRecordError(table, key, [f"unreadable line: {exc}"]) from None
        return record

    def _read_outbox(self, offset: int) -> OutboxEntry:
        table = f"outbox in {self._path.name}"
        try:
            line = json.loads(self._line_at(offset))
            entry = from_payload(OutboxEntry, line["payload"])
        except PayloadError as exc:
            raise CorruptRecordError(table, f"at byte {offset}", exc.problems) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise CorruptRecordError(
                table, f"at byte {offset}", [f"unreadable line: {exc}"]
            ) from None
        return entry

    def _has_outbox_entry(self, entry_id: uuid.UUID) -> bool:
        with self._lock:
            self._catch_up()
            return entry_id in self._outbox

    def _outbox_changes(
        self, ops: Sequence[OutboxEntry | _Deliver | _Fail | _Requeue]
    ) -> list[OutboxEntry]:
        """The outbox entries ``ops`` change, in their new state, computed from the entries as
        committed now (the caller holds the file lock and has caught up)."""
        changed: dict[uuid.UUID, OutboxEntry] = {}
        keys = set(self._outbox_keys)

        def current(entry_id: uuid.UUID) -> OutboxEntry | None:
            if entry_id in changed:
                return changed[entry_id]
            offset = self._outbox.get(entry_id)
            return None if offset is None else self._read_outbox(offset)

        for op in ops:
            if isinstance(op, OutboxEntry):
                # One entry per id and one per key: the first enqueued stays.
                if op.id not in changed and op.id not in self._outbox and op.key not in keys:
                    changed[op.id] = op
                    keys.add(op.key)
                continue
            for entry_id in op.ids if isinstance(op, _Deliver) else (op.id,):
                entry = current(entry_id)
                if entry is not None:
                    changed[entry_id] = _changed(entry, op)
        return list(changed.values())

    def _catch_up(self) -> None:
        """Index every unit committed since we last looked (by us or another writer)."""
        if self._path.stat().st_size == self._indexed_to:
            return
        with self._lock, self._path.open("rb") as f:
            f.seek(self._indexed_to)
            pending: list[tuple[int, dict[str, Any]]] = []
            offset = self._indexed_to
            for raw in f:
                if not raw.endswith(b"\n"):
                    break  # a torn last line: its unit never committed
                try:
                    line = json.loads(raw)
                except ValueError:
                    break  # garbage after the last commit is a torn write too
                if line.get("op") == "commit":
                    self._apply(pending)
                    pending = []
                    self._indexed_to = offset + len(raw)
                else:
                    pending.append((offset, line))
                offset += len(raw)

    def _apply(self, lines: list[tuple[int, dict[str, Any]]]) -> None:
        for offset, line in lines:
            if line.get("op") == "put":
                spec: RecordSpec[Any] = spec_for(str(line["kind"]))
                day = line.get("day")
                self._index[(spec.kind, str(line["key"]))] = _Entry(
                    offset,
                    int(line["version"]),
                    line.get("trust"),
                    None if day is None else dt.date.fromisoformat(day),
                )
            elif line.get("op") == "outbox":
                # Assigning to an existing key keeps its place: the order stays first-enqueued.
                self._outbox[uuid.UUID(str(line["id"]))] = offset
                key = line.get("key")
                if key is None:  # a line written before entries had keys
                    with contextlib.suppress(CorruptRecordError):
                        key = self._read_outbox(offset).key
                if key is not None:
                    self._outbox_keys.add(str(key))

    # -- writing --------------------------------------------------------------------------

    def _append(self, make_lines: Callable[[], list[dict[str, Any]]]) -> None:
        """Append one unit and its commit marker under an exclusive file lock.

        ``make_lines`` runs under the lock, after catching up with other writers, so that its
        version checks see every unit committed before ours.
        """
        with self._lock, self._path.open("r+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                self._catch_up()
                # Cut any torn tail left by a crash so our unit starts on a clean line.
                f.truncate(self._indexed_to)
                lines = make_lines()
                data = b"".join(json.dumps(line).encode() + b"\n" for line in lines) + _COMMIT
                f.seek(self._indexed_to)
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
            self._catch_up()


@attrs.frozen
class _Deliver:
    """A unit's mark of outbox entries as delivered, applied at commit."""

    ids: tuple[uuid.UUID, ...]
    at: dt.datetime


@attrs.frozen
class _Fail:
    """A unit's record of a failed delivery, applied at commit."""

    id: uuid.UUID
    error: str
    at: dt.datetime
    next_attempt_at: dt.datetime | None
    dead: bool


@attrs.frozen
class _Requeue:
    """A unit's re-queueing of a dead or failed entry, applied at commit."""

    id: uuid.UUID
    at: dt.datetime


def _check_claim(claimant: object, now: object, until: object) -> None:
    if not isinstance(claimant, str) or not claimant:
        raise DomainValidationError("claimant", "must be a non-empty string", claimant)
    for name, value in (("now", now), ("until", until)):
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            raise DomainValidationError(name, "must be a timezone-aware datetime", value)


def _outbox_line(entry: OutboxEntry) -> dict[str, Any]:
    return {"op": "outbox", "id": str(entry.id), "key": entry.key, "payload": to_payload(entry)}


def _changed(entry: OutboxEntry, op: _Deliver | _Fail | _Requeue) -> OutboxEntry:
    """``entry`` after ``op``, as :class:`collab_core.ports.UnitOfWork` specifies."""
    unclaimed: dict[str, Any] = {"claimed_by": None, "claimed_until": None}
    if isinstance(op, _Deliver):
        return attrs.evolve(entry, status=OutboxStatus.DELIVERED, updated_at=op.at, **unclaimed)
    if isinstance(op, _Fail):
        return attrs.evolve(
            entry,
            status=OutboxStatus.DEAD if op.dead else OutboxStatus.FAILED,
            attempts=entry.attempts + 1,
            last_error=op.error,
            updated_at=op.at,
            next_attempt_at=op.next_attempt_at,
            **unclaimed,
        )
    if entry.status not in (OutboxStatus.DEAD, OutboxStatus.FAILED):
        return entry
    return attrs.evolve(
        entry,
        status=OutboxStatus.PENDING,
        attempts=0,
        updated_at=op.at,
        next_attempt_at=None,
        **unclaimed,
    )


class _UnitOfWork:
    """Writes buffered in memory and appended as one unit on commit. Outbox changes are kept
    as operations and applied, at commit, to the entries as they then stand."""

    def __init__(self, store: JsonLinesStore) -> None:
        self._store = store
        self._puts: dict[tuple[str, str], tuple[Record, int, int | None]] = {}
        # Outbox changes are applied at commit, under the file lock, to the entries as they
        # then stand, so that a claim or change by another process is never overwritten.
        self._ops: list[OutboxEntry | _Deliver | _Fail | _Requeue] = []
        self._enqueued: set[uuid.UUID] = set()
        # The committed version of each record when the unit first read it: a later put of
        # that record conflicts with any change committed since.
        self._read: dict[tuple[str, str], int] = {}

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        found = self._seen(self._puts, kind, key_text(key))
        slot = (spec_for(kind).kind, key_text(key))
        if slot not in self._puts:
            self._read.setdefault(slot, 0 if found is None else found.version)
        return found

    def _seen(
        self,
        puts: dict[tuple[str, str], tuple[Record, int, int | None]],
        kind: type[R],
        key: str,
    ) -> Versioned[R] | None:
        pending = puts.get((spec_for(kind).kind, key))
        if pending is not None:
            return Versioned(pending[0], pending[1])  # type: ignore[arg-type]
        return self._store.get(kind, key)

    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        if expected_versions is not None and len(expected_versions) != len(records):
            raise DomainValidationError(
                "expected_versions", "needs one entry per record", len(expected_versions)
            )
        # Staged on a copy, so that a refused record leaves nothing of this call behind.
        puts = dict(self._puts)
        versions = []
        for i, record in enumerate(records):
            spec = spec_for(type(record))
            key = record_key(record)
            current = self._seen(puts, type(record), key)
            held = 0 if current is None else current.version
            expected = None if expected_versions is None else expected_versions[i]
            if expected is not None and expected != held:
                raise ConcurrencyError(spec.kind, key, expected, held or None)
            if current is not None and current.record == record:
                versions.append(held)
                continue
            base = puts.get((spec.kind, key))
            first = self._read.get((spec.kind, key), held)
            puts[(spec.kind, key)] = (record, held + 1, base[2] if base else first)
            versions.append(held + 1)
        self._puts = puts
        return tuple(versions)

    def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        for entry in entries:
            if not isinstance(entry, OutboxEntry):
                raise DomainValidationError(
                    "entries", "must be OutboxEntry objects", type(entry).__name__
                )
        for entry in entries:
            if entry.id not in self._enqueued:
                self._enqueued.add(entry.id)
                self._ops.append(entry)

    def mark_delivered(self, entry_ids: Sequence[uuid.UUID], at: dt.datetime) -> None:
        for entry_id in entry_ids:
            self._known(entry_id)
        self._ops.append(_Deliver(tuple(entry_ids), at))

    def mark_failed(
        self,
        entry_id: uuid.UUID,
        error: str,
        at: dt.datetime,
        *,
        next_attempt_at: dt.datetime | None = None,
        dead: bool = False,
    ) -> None:
        self._known(entry_id)
        self._ops.append(_Fail(entry_id, str(error), at, next_attempt_at, bool(dead)))

    def requeue(self, entry_id: uuid.UUID, at: dt.datetime) -> None:
        self._known(entry_id)
        self._ops.append(_Requeue(entry_id, at))

    def rollback(self) -> None:
        self._puts.clear()
        self._read.clear()
        self._ops.clear()
        self._enqueued.clear()

    def _known(self, entry_id: uuid.UUID) -> None:
        if entry_id in self._enqueued or self._store._has_outbox_entry(entry_id):
            return
        raise RecordNotFoundError("outbox entry", entry_id)

    def _commit(self) -> None:
        if self._puts or self._ops:
            self._store._append(self._lines)

    def _lines(self) -> list[dict[str, Any]]:
        """The unit's lines, after checking no one changed what it read (optimistic locking)."""
        index = self._store._index
        lines: list[dict[str, Any]] = []
        for (kind, key), (record, version, base) in self._puts.items():
            now = index.get((kind, key))
            if (0 if now is None else now.version) != base:
                raise ConcurrencyError(kind, key, base, None if now is None else now.version)
            spec: RecordSpec[Any] = spec_for(kind)
            trust = spec.trust(record)
            day = spec.day(record)
            lines.append(
                {
                    "op": "put",
                    "kind": kind,
                    "key": key,
                    "version": version,
                    "trust": None if trust is None else trust.code,
                    "day": None if day is None else day.isoformat(),
                    "payload": to_payload(record),
                }
            )
        lines.extend(_outbox_line(e) for e in self._store._outbox_changes(self._ops))
        return lines

"""The SQL store's unit of work: :class:`SqlUnitOfWork`, one transaction that writes all or
nothing, checks versions as the unit saw them, and keeps the outbox in the same transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RootTransaction
from sqlalchemy.exc import DBAPIError

from collab_core import (
    ConcurrencyError,
    OdsCode,
    Review,
    StoreError,
)
from collab_core.ports import (
    OutboxEntry,
    Record,
    RecordSpec,
    Versioned,
    key_text,
    spec_for,
)
from collab_sql import _outbox
from collab_sql._derived import DERIVED, review_scores
from collab_sql._engine import translate_errors
from collab_sql._payload import encode, relaxed_gc
from collab_sql._rows import (
    _LOOKUP_CHUNK,
    _bulk_insert,
    _check_expected,
    _chunks,
    _equal,
    _get,
    _key_in,
    _postgres_claim_keys,
    _postgres_insert,
    _postgres_insert_new,
    _raise_stale,
    _sqlite_update,
    _stored,
)
from collab_sql.schema import RECORD_TABLES, REVIEW_SCORE

__all__ = ["SqlUnitOfWork"]


if TYPE_CHECKING:
    from collab_sql.store import SqlStore

R = TypeVar("R", bound=Record)


@dataclass
class _Pending:
    """A record about to be written in a unit of work, and the stored version it replaces."""

    record: Record
    key: str
    payload: str
    version: int
    replaces: int | None  # the version in the database, or None for a new record


class SqlUnitOfWork:
    """One transaction of a :class:`SqlStore`; see :class:`collab_core.ports.UnitOfWork`.

    On SQLite the transaction takes the write lock when it begins, so what it reads cannot
    change before it writes. On PostgreSQL a version that changed under it is caught by the
    ``UPDATE ... WHERE key = ? AND version = ?`` and reported as a
    :class:`~collab_core.ConcurrencyError`; so is a record the unit read and then puts after
    another transaction committed a change to it (each read sees the latest commit).
    """

    def __init__(self, store: SqlStore, connection: Connection) -> None:
        self._store = store
        self._connection = connection
        self._transaction: RootTransaction | None = None
        self._open = False
        # The version of each record when the unit first read it, until the unit writes it.
        self._read: dict[tuple[str, str], int] = {}
        self._written: set[tuple[str, str]] = set()

    # -- lifecycle, driven by SqlStore.unit_of_work -------------------------------------------

    def _begin(self) -> None:
        with self._errors("beginning a unit of work"):
            self._transaction = self._connection.begin()
        self._open = True

    def _commit(self) -> None:
        self._open = False
        if self._transaction is not None:
            with self._errors("committing a unit of work"):
                self._transaction.commit()

    def _abandon(self) -> None:
        self._open = False
        if self._transaction is not None and self._transaction.is_active:
            # If the connection is gone, the server has rolled back already.
            with suppress(DBAPIError):
                self._transaction.rollback()

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        with translate_errors(what, self._store.url):
            yield

    def _conn(self) -> Connection:
        if not self._open:
            raise StoreError("the unit of work is over: begin another with store.unit_of_work()")
        return self._connection

    # -- reads --------------------------------------------------------------------------------

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        """The record of ``kind`` under ``key`` as this unit sees it, or ``None``."""
        conn = self._conn()
        spec, k = spec_for(kind), key_text(key)
        with self._errors("reading a record"):
            found = _get(conn, spec, k)
        if (spec.kind, k) not in self._written:
            self._read.setdefault((spec.kind, k), 0 if found is None else found.version)
        return found

    # -- writes -------------------------------------------------------------------------------

    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        """Upsert ``records`` by key; see :meth:`collab_core.ports.UnitOfWork.put`."""
        conn = self._conn()
        records = list(records)
        expected = _check_expected(expected_versions, len(records))
        by_kind: dict[str, list[int]] = {}
        specs: dict[str, RecordSpec[Any]] = {}
        keys: list[str] = []
        for i, record in enumerate(records):
            spec = spec_for(type(record))
            specs[spec.kind] = spec
            by_kind.setdefault(spec.kind, []).append(i)
            keys.append(spec.key(record))  # each key worked out once per call
        versions = [0] * len(records)
        # A savepoint, so that a refused record leaves nothing of this call behind (the
        # records of kinds written before it included) while the unit goes on.
        with self._errors("writing records"), relaxed_gc(), conn.begin_nested():
            for kind, positions in by_kind.items():
                written = self._put_kind(
                    conn,
                    specs[kind],
                    [records[i] for i in positions],
                    [keys[i] for i in positions],
                    [expected[i] for i in positions],
                )
                for i, version in zip(positions, written, strict=True):
                    versions[i] = version
        for kind, positions in by_kind.items():
            for i in positions:
                slot = (kind, keys[i])
                self._read.pop(slot, None)
                self._written.add(slot)
        return tuple(versions)

    def _put_kind(
        self,
        conn: Connection,
        spec: RecordSpec[Any],
        records: list[Record],
        keys: list[str],
        expected: list[int | None],
    ) -> list[int]:
        table = RECORD_TABLES[spec.kind]
        key_table = self._store._key_tables.get(spec.kind)
        stored = _stored(conn, table, sorted(set(keys)), key_table)
        pending: dict[str, _Pending] = {}
        versions: list[int] = []
        for key in keys:
            read = self._read.get((spec.kind, key))
            now = stored[key][0] if key in stored else 0
            if read is not None and read != now:
                # Changed by another transaction since this unit read it: a lost update.
                raise ConcurrencyError(spec.kind, key, read or None, now or None)
        for record, key, want in zip(records, keys, expected, strict=True):
            payload = encode(record)
            before = pending.get(key)
            if before is not None:
                current: int | None = before.version
                same = before.record == record
                replaces = before.replaces
            elif key in stored:
                current, stored_payload = stored[key]
                same = payload == stored_payload or _equal(spec, key, stored_payload, record)
                replaces = current
            else:
                current, same, replaces = None, False, None
            if want is not None and want != (current or 0):
                raise ConcurrencyError(spec.kind, key, want, current)
            if same and current is not None:
                versions.append(current)
                continue
            version = 1 if current is None else current + 1
            pending[key] = _Pending(record, key, payload, version, replaces)
            versions.append(version)
        if pending:
            # Written in key order, so that concurrent units lock rows in the same order.
            wanted = dict(zip(keys, expected, strict=True))
            self._write(conn, spec, table, [pending[k] for k in sorted(pending)], wanted)
        return versions

    def _write(
        self,
        conn: Connection,
        spec: RecordSpec[Any],
        table: sa.Table,
        pending: list[_Pending],
        expected: Mapping[str, int | None],
    ) -> None:
        derive = DERIVED.get(spec.kind)
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for p in pending:
            trust = spec.trust(p.record)
            row: dict[str, Any] = {
                "trust": None if trust is None else trust.code,
                "day": spec.day(p.record),
                "version": p.version,
                "payload": p.payload,
            }
            if derive is not None:
                row.update(derive(p.record))
            key = p.key
            if p.replaces is None:
                row["key"] = key
                inserts.append(row)
            else:
                row["b_key"] = key
                row["b_version"] = p.replaces
                updates.append(row)
        if inserts:
            self._insert(conn, spec, table, inserts, expected)
        if updates and _sqlite_update(conn, table, updates) != len(updates):
            _raise_stale(conn, spec, table, updates)
        if spec.kind == "review":
            scores = [row for p in pending for row in review_scores(cast("Review", p.record))]
            changed = [u["b_key"] for u in updates]
            for chunk in _chunks(changed, _LOOKUP_CHUNK):
                conn.execute(
                    sa.delete(REVIEW_SCORE).where(_key_in(conn, REVIEW_SCORE.c.review_key, chunk))
                )
            if scores:
                _bulk_insert(conn, REVIEW_SCORE, scores)

    def _insert(
        self,
        conn: Connection,
        spec: RecordSpec[Any],
        table: sa.Table,
        rows: list[dict[str, Any]],
        expected: Mapping[str, int | None],
    ) -> None:
        if conn.dialect.name != "postgresql":
            # SQLite: the unit holds the write lock, so no other writer can add these keys.
            _bulk_insert(conn, table, rows)
            return
        # PostgreSQL: another transaction may insert the same new key first; find out which.
        key_table = self._store._key_tables.get(spec.kind)
        if key_table is None:
            inserted = _postgres_insert_new(conn, table, rows)
        else:
            # Partitioned: the key table holds the one-row-per-key rule; the rows go in once
            # every key is claimed (a refused key rolls the claims back with the savepoint).
            inserted = _postgres_claim_keys(conn, key_table, [row["key"] for row in rows])
            if len(inserted) == len(rows):
                _postgres_insert(conn, table, list(rows[0]), rows, returning=False)
        for row in rows:
            if row["key"] not in inserted:
                actual = conn.scalar(sa.select(table.c.version).where(table.c.key == row["key"]))
                raise ConcurrencyError(spec.kind, row["key"], expected.get(row["key"]), actual)

    # -- the outbox ---------------------------------------------------------------------------

    def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        """Add publications to the outbox. An entry whose id or idempotency key is already
        queued is left as it is (the first one queued wins), so that queueing again after a
        crash, or publishing the same content again, is harmless."""
        conn = self._conn()
        with self._errors("queueing publications"):
            _outbox.enqueue(conn, entries)

    def mark_delivered(self, entry_ids: Sequence[uuid.UUID], at: dt.datetime) -> None:
        """Mark outbox entries delivered at ``at`` and release their claims."""
        conn = self._conn()
        with self._errors("marking publications delivered"):
            _outbox.mark_delivered(conn, entry_ids, at)

    def mark_failed(
        self,
        entry_id: uuid.UUID,
        error: str,
        at: dt.datetime,
        *,
        next_attempt_at: dt.datetime | None = None,
        dead: bool = False,
    ) -> None:
        """Record a failed delivery attempt (a NUL in ``error`` is stored as U+FFFD)."""
        conn = self._conn()
        with self._errors("recording a failed delivery"):
            _outbox.mark_failed(conn, entry_id, error, at, next_attempt_at, dead)

    def requeue(self, entry_id: uuid.UUID, at: dt.datetime) -> None:
        """Put a dead or failed entry back to pending, with no attempts."""
        conn = self._conn()
        with self._errors("re-queueing a publication"):
            _outbox.requeue(conn, entry_id, at)

    def rollback(self) -> None:
        """Discard every write made so far in this unit; the unit stays open and empty."""
        self._conn()
        with self._errors("rolling back a unit of work"):
            if self._transaction is not None:
                self._transaction.rollback()
            self._transaction = self._connection.begin()
        self._read.clear()
        self._written.clear()

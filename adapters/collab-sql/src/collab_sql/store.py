"""The SQL store: :class:`SqlStore` implements :class:`collab_core.ports.Store` on SQLite or
PostgreSQL with SQLAlchemy Core, and :class:`SqlUnitOfWork` its all-or-nothing unit of work.

Writes are batched (one ``executemany`` per kind and statement), versions are checked in the
``UPDATE``'s own ``WHERE`` (optimistic concurrency), reads stream in keyset-paginated batches,
and the dashboard facts are answered in SQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError

from collab_core import (
    ConcurrencyError,
    CorruptRecordError,
    DomainValidationError,
    OdsCode,
    Review,
    StoreBusyError,
    StoreError,
)
from collab_core.ports import (
    Capability,
    LfdFact,
    LfdQuery,
    OnCorrupt,
    OutboxEntry,
    OutboxStatus,
    Record,
    RecordSpec,
    SharingQuery,
    Versioned,
    key_text,
    spec_for,
)
from collab_sql import _aggregates, _outbox
from collab_sql._derived import DERIVED, review_scores
from collab_sql._engine import BEGIN_IMMEDIATE, create_engine, describe, is_busy, translate_errors
from collab_sql._payload import decode, encode, relaxed_gc
from collab_sql._types import KEY
from collab_sql._url import StoreUrl, parse_store_url
from collab_sql.migrate import check_revision, current_revision, head_revision, upgrade_engine
from collab_sql.schema import RECORD_TABLES, REVIEW_SCORE

__all__ = ["SqlStore", "SqlUnitOfWork", "open_store"]

R = TypeVar("R", bound=Record)

# Keys looked up per statement: well inside every engine's limit on bound parameters.
_LOOKUP_CHUNK = 500
_PG_LOOKUP_CHUNK = 10_000
# SQLite before 3.32 allows 999 bound parameters in a statement.
_SQLITE_LOOKUP_CHUNK = 999


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _trust_code(trust: OdsCode | str) -> str:
    return trust.code if isinstance(trust, OdsCode) else OdsCode(trust).code


def _filters(
    table: sa.Table, trust: OdsCode | None, start: dt.date | None, end: dt.date | None
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if trust is not None:
        where.append(table.c.trust == _trust_code(trust))
    if start is not None:
        where.append(table.c.day >= start)
    if end is not None:
        where.append(table.c.day <= end)
    return where


@dataclass
class _Pending:
    """A record about to be written in a unit of work, and the stored version it replaces."""

    record: Record
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
        for i, record in enumerate(records):
            spec = spec_for(type(record))
            specs[spec.kind] = spec
            by_kind.setdefault(spec.kind, []).append(i)
        versions = [0] * len(records)
        # A savepoint, so that a refused record leaves nothing of this call behind (the
        # records of kinds written before it included) while the unit goes on.
        with self._errors("writing records"), relaxed_gc(), conn.begin_nested():
            for kind, positions in by_kind.items():
                written = self._put_kind(
                    conn,
                    specs[kind],
                    [records[i] for i in positions],
                    [expected[i] for i in positions],
                )
                for i, version in zip(positions, written, strict=True):
                    versions[i] = version
        for kind, positions in by_kind.items():
            for i in positions:
                slot = (kind, specs[kind].key(records[i]))
                self._read.pop(slot, None)
                self._written.add(slot)
        return tuple(versions)

    def _put_kind(
        self,
        conn: Connection,
        spec: RecordSpec[Any],
        records: list[Record],
        expected: list[int | None],
    ) -> list[int]:
        table = RECORD_TABLES[spec.kind]
        keys = [spec.key(r) for r in records]
        stored = _stored(conn, table, sorted(set(keys)))
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
            pending[key] = _Pending(record, payload, version, replaces)
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
            key = spec.key(p.record)
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
        inserted = _postgres_insert_new(conn, table, rows)
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


def _sqlite_params(
    table: sa.Table, names: Sequence[str], rows: list[dict[str, Any]], *extra: str
) -> list[tuple[Any, ...]]:
    """Rows as driver parameters, stored as SQLAlchemy's SQLite types store them: dates as ISO
    text (booleans are already 0 and 1 to the driver)."""
    columns = [*names, *extra]
    dates = [
        i for i, n in enumerate(columns) if n in table.c and isinstance(table.c[n].type, sa.Date)
    ]
    out: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[n] for n in columns]
        for i in dates:
            if values[i] is not None:
                values[i] = values[i].isoformat()
        out.append(tuple(values))
    return out


def _bulk_insert(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """``INSERT`` every row with one driver-level ``executemany``.

    On SQLite the per-row work of SQLAlchemy's parameter processing costs more than the
    insert itself (ARCHITECTURE rule 10's bulk paths), so rows go to the driver as tuples.
    PostgreSQL takes psycopg's pipelined ``executemany`` (see :func:`_postgres_insert_new`).
    """
    names = list(rows[0])
    if conn.dialect.name == "postgresql":
        _postgres_insert(conn, table, names, rows, returning=False)
        return
    quote = conn.dialect.identifier_preparer.quote
    # Identifiers come from the schema and are quoted; every value is a bound parameter.
    columns = ", ".join(quote(n) for n in names)
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"  # noqa: S608
    conn.exec_driver_sql(sql, _sqlite_params(table, names, rows))


def _postgres_insert_new(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> set[str]:
    """``INSERT ... ON CONFLICT (key) DO NOTHING RETURNING key`` for every row; the keys that
    were inserted (see :func:`_postgres_insert`)."""
    return _postgres_insert(conn, table, list(rows[0]), rows, returning=True)


def _array_type(column: sa.Column[Any]) -> str:
    """The PostgreSQL array type that carries a column's values to ``unnest``."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return "boolean[]"
    if isinstance(kind, sa.Date):
        return "date[]"
    if isinstance(kind, sa.BigInteger):
        return "bigint[]"
    if isinstance(kind, sa.Integer):
        return "integer[]"
    return "text[]"


def _postgres_insert(
    conn: Connection,
    table: sa.Table,
    names: Sequence[str],
    rows: list[dict[str, Any]],
    *,
    returning: bool,
) -> set[str]:
    """Insert every row in one statement and one round trip:
    ``INSERT ... SELECT * FROM unnest(%s::type[], ...)``, one array parameter per column.

    A statement per row, even pipelined, pays the server a parse, a plan and a result per row
    (most of a bulk load's time on a busy server); a multi-row ``VALUES`` makes psycopg convert
    a statement of thousands of placeholders. Rows keep their order, so concurrent units still
    lock keys in the same order.
    """
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    arrays = ", ".join(f"%s::{_array_type(table.c[n])}" for n in names)
    key = quote("key")
    sql = f"INSERT INTO {quote(table.name)} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608
    if returning:
        sql += f" ON CONFLICT ({key}) DO NOTHING RETURNING {key}"
    driver: Any = conn.connection.driver_connection
    params = [[row[n] for row in rows] for n in names]
    with driver.cursor() as cursor:
        cursor.execute(sql, params)
        return {k for (k,) in cursor.fetchall()} if returning else set()


def _sqlite_update(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> int:
    """``UPDATE ... WHERE key = :b_key AND version = :b_version`` for every row in one
    ``executemany``; returns how many rows matched (fewer than given: someone was first)."""
    if conn.dialect.name != "sqlite":
        stmt = sa.update(table).where(
            table.c.key == sa.bindparam("b_key"), table.c.version == sa.bindparam("b_version")
        )
        return int(conn.execute(stmt, rows).rowcount)
    names = [n for n in rows[0] if n not in {"b_key", "b_version"}]
    quote = conn.dialect.identifier_preparer.quote
    assignments = ", ".join(f"{quote(n)} = ?" for n in names)
    where = f"{quote('key')} = ? AND {quote('version')} = ?"
    sql = f"UPDATE {quote(table.name)} SET {assignments} WHERE {where}"  # noqa: S608
    params = _sqlite_params(table, names, rows, "b_key", "b_version")
    return int(conn.exec_driver_sql(sql, params).rowcount)


def _aware(field: str, value: object) -> None:
    if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
        raise DomainValidationError(field, "must be a timezone-aware datetime", value)


def _is_count(value: object) -> bool:
    """A whole number of 0 or more (and not a bool, which Python counts as an int)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_expected(expected: Sequence[int | None] | None, count: int) -> list[int | None]:
    if expected is None:
        return [None] * count
    out = list(expected)
    if len(out) != count:
        raise DomainValidationError(
            "expected_versions", f"holds one entry per record ({count})", len(out)
        )
    for i, want in enumerate(out):
        if want is not None and not _is_count(want):
            raise DomainValidationError(
                f"expected_versions[{i}]", "is None or a version of 0 or more", want
            )
    return out


def _key_in(conn: Connection, column: sa.Column[str], keys: Sequence[str]) -> Any:
    """``column`` among ``keys``: one array parameter on PostgreSQL (``= ANY(:keys)``), which
    psycopg binds at once, rather than a placeholder per key."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam("keys", list(keys), type_=postgresql.ARRAY(KEY)))
    return column.in_(keys)


def _stored(conn: Connection, table: sa.Table, keys: Sequence[str]) -> dict[str, tuple[int, str]]:
    """The version and payload of each of ``keys`` that is stored (one query per chunk)."""
    found: dict[str, tuple[int, str]] = {}
    if conn.dialect.name == "sqlite":
        # A batch asks this of every key it writes, most of them new: straight to the driver,
        # a statement of plain placeholders per chunk, without SQLAlchemy's per-call compiling
        # of an expanding IN (which cost more than the index probes themselves).
        quote = conn.dialect.identifier_preparer.quote
        select = (
            f"SELECT {quote('key')}, {quote('version')}, {quote('payload')} "  # noqa: S608
            f"FROM {quote(table.name)} WHERE {quote('key')} IN "
        )
        for chunk in _chunks(keys, _SQLITE_LOOKUP_CHUNK):
            marks = ", ".join("?" * len(chunk))
            for key, version, payload in conn.exec_driver_sql(f"{select}({marks})", tuple(chunk)):
                found[key] = (version, payload)
        return found
    for chunk in _chunks(keys, _PG_LOOKUP_CHUNK):
        stmt = sa.select(table.c.key, table.c.version, table.c.payload).where(
            _key_in(conn, table.c.key, chunk)
        )
        for row in conn.execute(stmt):
            found[row.key] = (row.version, row.payload)
    return found


def _equal(spec: RecordSpec[Any], key: str, stored_payload: str, record: Record) -> bool:
    """Whether the stored payload holds a record equal to ``record`` (the texts may differ,
    e.g. in the order of a set's members). A stored payload that no longer decodes is simply
    replaced."""
    try:
        return bool(decode(spec, spec.kind, key, stored_payload) == record)
    except CorruptRecordError:
        return False


def _raise_stale(
    conn: Connection, spec: RecordSpec[Any], table: sa.Table, updates: list[dict[str, Any]]
) -> None:
    """Some ``UPDATE ... WHERE version = ?`` matched nothing: another unit changed the record
    since this one read it. Name the first such record."""
    keys = [u["b_key"] for u in updates]
    now = {k: v for k, (v, _) in _stored(conn, table, sorted(keys)).items()}
    stale = next((u for u in updates if now.get(u["b_key"]) != u["b_version"]), updates[0])
    raise ConcurrencyError(spec.kind, stale["b_key"], stale["b_version"], now.get(stale["b_key"]))


def _get(conn: Connection, spec: RecordSpec[Any], key: str) -> Versioned[Any] | None:
    table = RECORD_TABLES[spec.kind]
    row = conn.execute(
        sa.select(table.c.version, table.c.payload).where(table.c.key == key)
    ).first()
    if row is None:
        return None
    return Versioned(decode(spec, spec.kind, key, row.payload), row.version)


class SqlStore:
    """A :class:`collab_core.ports.Store` in an SQLite file or a PostgreSQL database.

    Open one with :meth:`open` (or :func:`open_store`); it applies pending migrations unless
    told not to. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, engine: Engine, url: StoreUrl) -> None:
        self._engine = engine
        self._parsed = url
        self._closed = False

    @classmethod
    def open(cls, url: str, *, migrate: bool | None = None) -> SqlStore:
        """Open the store at ``url``, upgrading its schema first unless ``migrate`` is false
        (or the URL says ``?migrate=false``).

        :raises ConfigurationError: the URL is not one collab-sql serves.
        :raises StoreError: the database cannot be reached, is at a schema revision newer
            than this collab-sql, or (with migrations off) is not at the current revision.
        """
        parsed = parse_store_url(url, migrate=migrate)
        engine = create_engine(parsed)
        try:
            cls._prepare(engine, parsed)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, parsed)

    @staticmethod
    def _prepare(engine: Engine, parsed: StoreUrl) -> None:
        try:
            with engine.connect() as connection:
                revision = current_revision(connection)
        except DBAPIError as exc:
            cls = StoreBusyError if is_busy(exc) else StoreError
            raise cls(f"cannot open {parsed.shown}: {describe(exc, parsed.shown)}") from None
        check_revision(revision, parsed.shown)
        head = head_revision()
        if revision == head:
            return
        if parsed.migrate:
            upgrade_engine(engine, parsed.shown)
            return
        state = "has no collab-sql schema" if revision is None else f"is at revision {revision!r}"
        raise StoreError(
            f"the database at {parsed.shown} {state}, and this collab-sql needs {head!r}: "
            f"run `python -m collab_sql upgrade URL`, or open it without migrate=false"
        )

    # -- the Store protocol -------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The URL the store was opened with, any password hidden."""
        return self._parsed.shown

    @property
    def capabilities(self) -> frozenset[Capability]:
        """PERSISTENT, NATIVE_AGGREGATES, OUTBOX, OUTBOX_CLAIMS, and CONCURRENT_WRITERS on
        PostgreSQL."""
        caps = {
            Capability.PERSISTENT,
            Capability.NATIVE_AGGREGATES,
            Capability.OUTBOX,
            Capability.OUTBOX_CLAIMS,
        }
        if self._parsed.backend == "postgresql":
            caps.add(Capability.CONCURRENT_WRITERS)
        return frozenset(caps)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._parsed.backend

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for reports and tools that read the tables directly."""
        return self._engine

    @contextmanager
    def unit_of_work(self) -> Iterator[SqlUnitOfWork]:
        """Begin an all-or-nothing unit of work: one database transaction."""
        self._check_open()
        with translate_errors("opening a unit of work", self.url):
            connection = self._engine.connect()
        try:
            if self._parsed.backend == "sqlite":
                connection.execution_options(**BEGIN_IMMEDIATE)
            unit = SqlUnitOfWork(self, connection)
            unit._begin()
            try:
                yield unit
            except BaseException:
                unit._abandon()
                raise
            unit._commit()
        finally:
            connection.close()

    @contextmanager
    def _read(self, what: str) -> Iterator[Connection]:
        self._check_open()
        with translate_errors(what, self.url), self._engine.connect() as connection:
            yield connection

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        """The committed record of ``kind`` under ``key``, or ``None``."""
        spec = spec_for(kind)
        with self._read("reading a record") as conn:
            return _get(conn, spec, key_text(key))

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
        """Stream committed records in key order, ``batch_size`` rows per query (keyset
        pagination on the key, so a batch never re-reads earlier rows). A row that does not
        read back stops the scan, or is skipped and handed to ``on_corrupt`` when given."""
        spec = spec_for(kind)
        if not _is_count(batch_size) or batch_size < 1:
            raise DomainValidationError(
                "batch_size", "must be a whole number of 1 or more", batch_size
            )
        table = RECORD_TABLES[spec.kind]
        where = _filters(table, trust, start, end)
        return self._scan(spec, table, where, batch_size, on_corrupt)

    def _scan(
        self,
        spec: RecordSpec[Any],
        table: sa.Table,
        where: list[sa.ColumnElement[bool]],
        batch_size: int,
        on_corrupt: OnCorrupt | None = None,
    ) -> Iterator[Versioned[Any]]:
        last: str | None = None
        while True:
            stmt = sa.select(table.c.key, table.c.version, table.c.payload).where(*where)
            if last is not None:
                stmt = stmt.where(table.c.key > last)
            stmt = stmt.order_by(table.c.key).limit(batch_size)
            # A connection per batch: no transaction stays open while the caller works.
            with self._read("scanning records") as conn:
                rows = conn.execute(stmt).all()
            if not rows:
                return
            with relaxed_gc():
                batch: list[Versioned[Any]] = []
                for row in rows:
                    try:
                        batch.append(
                            Versioned(decode(spec, spec.kind, row.key, row.payload), row.version)
                        )
                    except CorruptRecordError as exc:
                        if on_corrupt is None:
                            raise
                        on_corrupt(exc)
            yield from batch
            if len(rows) < batch_size:
                return
            last = rows[-1].key

    def count(
        self,
        kind: type[R],
        *,
        trust: OdsCode | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> int:
        """How many records :meth:`scan` would yield with the same filters."""
        table = RECORD_TABLES[spec_for(kind).kind]
        stmt = (
            sa.select(sa.func.count()).select_from(table).where(*_filters(table, trust, start, end))
        )
        with self._read("counting records") as conn:
            return int(conn.scalar(stmt) or 0)

    def outbox(
        self, *, publisher: str | None = None, status: OutboxStatus | None = OutboxStatus.PENDING
    ) -> list[OutboxEntry]:
        """Outbox entries, oldest first, optionally for one publisher and status."""
        with self._read("reading the outbox") as conn:
            return _outbox.entries(conn, publisher, status)

    def claim_outbox(
        self,
        entry_ids: Sequence[uuid.UUID],
        *,
        claimant: str,
        now: dt.datetime,
        until: dt.datetime,
    ) -> list[OutboxEntry]:
        """Claim the due entries among ``entry_ids`` in one transaction: ``SELECT ... FOR
        UPDATE SKIP LOCKED`` then ``UPDATE`` on PostgreSQL; under SQLite's write lock
        (``BEGIN IMMEDIATE``), an ``UPDATE ... WHERE`` the entry is still due."""
        with self.unit_of_work() as unit, unit._errors("claiming outbox entries"):
            return _outbox.claim(unit._conn(), entry_ids, claimant, now, until)

    def lfd_facts(self, query: LfdQuery) -> list[LfdFact]:
        """The dashboard facts, computed in SQL; equal to
        :func:`collab_core.domain.facts.lfd_facts` over the stored deaths and reviews."""
        with self._read("computing the dashboard facts") as conn:
            return _aggregates.lfd_facts(conn, query)

    def sharing_trusts(self, query: SharingQuery) -> frozenset[OdsCode]:
        """The trusts that shared with the audience in their window, computed in SQL."""
        with self._read("finding the trusts that shared learning") as conn:
            return _aggregates.sharing_trusts(conn, query)

    def close(self) -> None:
        """Release the store's connections. Safe to call twice."""
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the store at {self.url} is closed")

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlStore({self.url!r})"


def open_store(url: str, *, migrate: bool | None = None) -> SqlStore:
    """Open the SQL store at ``url``; see :meth:`SqlStore.open`."""
    return SqlStore.open(url, migrate=migrate)

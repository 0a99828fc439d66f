"""Rows of a record kind's table: inserting new ones in bulk, updating changed ones, reading
back stored versions and payloads, and the version checks that guard them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from collab_core import (
    ConcurrencyError,
    CorruptRecordError,
    DomainValidationError,
    OdsCode,
)
from collab_core.ports import (
    Record,
    RecordSpec,
    Versioned,
)
from collab_sql._payload import decode
from collab_sql._types import KEY
from collab_sql.schema import RECORD_TABLES

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


def _postgres_claim_keys(conn: Connection, key_table: sa.Table, keys: Sequence[str]) -> set[str]:
    """Claim new keys in a partitioned kind's key table: ``INSERT ... ON CONFLICT (key) DO
    NOTHING RETURNING key``; the keys claimed. A key another transaction claimed first, still
    uncommitted, makes this wait for it, then comes back unclaimed."""
    return _postgres_insert(conn, key_table, ["key"], [{"key": k} for k in keys], returning=True)


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


def _stored(
    conn: Connection, table: sa.Table, keys: Sequence[str], key_table: sa.Table | None = None
) -> dict[str, tuple[int, str]]:
    """The version and payload of each of ``keys`` that is stored (one query per chunk).

    With a partitioned kind's ``key_table``, the keys are first looked up there (one index),
    and only those found are looked up in the table, whose every partition a key may be in.
    """
    found: dict[str, tuple[int, str]] = {}
    if key_table is not None and keys:
        known: list[str] = []
        # A key table is one narrow column, so PostgreSQL's planner, with statistics that lag
        # behind a bulk load, judges a whole scan of it cheaper than thousands of probes of its
        # index; scanned per batch, a load grows with the square of its size. The probes are
        # asked for, for this statement only.
        previous = conn.exec_driver_sql("SHOW enable_seqscan").scalar()
        conn.exec_driver_sql("SELECT set_config('enable_seqscan', 'off', true)").close()
        try:
            for chunk in _chunks(keys, _PG_LOOKUP_CHUNK):
                stmt = sa.select(key_table.c.key).where(_key_in(conn, key_table.c.key, chunk))
                known.extend(conn.scalars(stmt))
        finally:
            conn.exec_driver_sql("SELECT set_config('enable_seqscan', %s, true)", (previous,))
        keys = sorted(known)
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

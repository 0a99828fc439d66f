"""Creating SQLAlchemy engines for store URLs: SQLite with WAL, foreign keys and a busy timeout,
and transactions that begin when and how collab-sql says; PostgreSQL through psycopg 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from collab_core import ConfigurationError, StoreBusyError, StoreError
from collab_sql._url import StoreUrl, redact

__all__ = [
    "BEGIN_IMMEDIATE",
    "CONNECT_TIMEOUT_S",
    "create_engine",
    "describe",
    "is_busy",
    "store_error",
    "translate_errors",
]

#: Execution options for a connection whose transactions must take SQLite's write lock at once,
#: so that what a unit of work reads cannot change before it writes.
BEGIN_IMMEDIATE = {"collab_sqlite_begin": "IMMEDIATE"}

# SQLite waits this long for another writer before reporting the database as locked.
_BUSY_TIMEOUT_S = 30.0
#: Seconds PostgreSQL connections wait for the server before giving up, unless the URL says
#: otherwise (``?connect_timeout=5``): a server that accepts and never answers cannot hang
#: the opening of a store.
CONNECT_TIMEOUT_S = 10


def create_engine(url: StoreUrl) -> Engine:
    """An engine for ``url``; nothing is connected yet."""
    if url.backend == "sqlite":
        return _sqlite_engine(url)
    options: dict[str, Any] = {"pool_pre_ping": True}
    if "connect_timeout" not in url.engine_url.query:
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
    try:
        return sa.create_engine(url.engine_url, **options)
    except ModuleNotFoundError:
        raise ConfigurationError(
            "url: PostgreSQL needs psycopg 3: pip install 'collab-sql[postgresql]'"
        ) from None


def _sqlite_engine(url: StoreUrl) -> Engine:
    options: dict[str, Any] = {}
    if "timeout" not in url.engine_url.query:
        options = {"connect_args": {"timeout": _BUSY_TIMEOUT_S}}
    engine = sa.create_engine(url.engine_url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN, instead of the driver's own guesswork.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            if not url.read_only:  # a read-only connection cannot change the journal mode
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("collab_sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def describe(exc: DBAPIError, shown_url: str) -> str:
    """The driver's own message for ``exc``, first line only, with any password hidden."""
    original = exc.orig if exc.orig is not None else exc
    text = str(original).strip().splitlines()
    return redact(text[0] if text else type(original).__name__).replace(shown_url, "the store")


# SQLSTATEs of a PostgreSQL transaction that lost to another one and may simply be retried:
# serialization_failure, deadlock_detected, lock_not_available (lock_timeout).
_BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
# What SQLite says when its busy timeout ran out.
_BUSY_SQLITE = ("database is locked", "database table is locked", "database is busy")


def is_busy(exc: DBAPIError) -> bool:
    """Whether ``exc`` says the database was busy: a retry may succeed."""
    original = exc.orig if exc.orig is not None else exc
    if getattr(original, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    text = str(original).lower()
    return any(phrase in text for phrase in _BUSY_SQLITE)


def store_error(what: str, exc: DBAPIError, shown_url: str) -> StoreError:
    """The :class:`~collab_core.StoreError` for a driver error: a
    :class:`~collab_core.StoreBusyError` when the database was busy."""
    cls = StoreBusyError if is_busy(exc) else StoreError
    detail = describe(exc, shown_url)
    if "readonly database" in detail:
        detail += " (the store was opened read-only, with mode=ro)"
    return cls(f"{what} failed on {shown_url}: {detail}")


@contextmanager
def translate_errors(what: str, shown_url: str) -> Iterator[None]:
    """Turn a driver error inside the block into a :class:`~collab_core.StoreError`
    (:class:`~collab_core.StoreBusyError` when the database was busy)."""
    try:
        yield
    except DBAPIError as exc:
        # Chained to the driver's error, not SQLAlchemy's, whose text lists the parameters.
        raise store_error(what, exc, shown_url) from exc.orig

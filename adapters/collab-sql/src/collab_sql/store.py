"""The SQL store: :class:`SqlStore` implements :class:`collab_core.ports.Store` on SQLite or
PostgreSQL with SQLAlchemy Core; its all-or-nothing unit of work is
:class:`~collab_sql.unit.SqlUnitOfWork`, and the rows it reads and writes are handled in
``_rows``.

Writes are batched (one ``executemany`` per kind and statement), versions are checked in the
``UPDATE``'s own ``WHERE`` (optimistic concurrency), reads stream in keyset-paginated batches,
and the dashboard facts are answered in SQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from collab_core import (
    ConfigurationError,
    CorruptRecordError,
    DomainValidationError,
    OdsCode,
    StoreBusyError,
    StoreError,
)
from collab_core.ports import (
    Capability,
    CapabilityFact,
    CapabilityQuery,
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
from collab_sql import _aggregates, _census, _outbox
from collab_sql._engine import BEGIN_IMMEDIATE, create_engine, describe, is_busy, translate_errors
from collab_sql._payload import decode, relaxed_gc
from collab_sql._rows import _filters, _get, _is_count
from collab_sql._url import StoreUrl, parse_store_url
from collab_sql.migrate import (
    check_revision,
    current_revision,
    head_revision,
    known_revisions,
    served_revisions,
    upgrade_engine,
)
from collab_sql.schema import KEY_TABLES, RECORD_TABLES

__all__ = ["SqlStore", "SqlUnitOfWork", "open_store"]
from collab_sql.unit import SqlUnitOfWork

#: The revision that partitions PostgreSQL's record tables by financial year.
_PARTITIONED_FROM = "0005"

R = TypeVar("R", bound=Record)


class SqlStore:
    """A :class:`collab_core.ports.Store` in an SQLite file or a PostgreSQL database.

    Open one with :meth:`open` (or :func:`open_store`); it applies pending migrations unless
    told not to. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, engine: Engine, url: StoreUrl, revision: str | None = None) -> None:
        self._engine = engine
        self._parsed = url
        self._closed = False
        known = known_revisions()
        at = known.index(revision or head_revision())
        partitioned = url.backend == "postgresql" and at >= known.index(_PARTITIONED_FROM)
        #: The key table of each partitioned kind: empty but on PostgreSQL from revision 0005.
        self._key_tables: dict[str, sa.Table] = dict(KEY_TABLES) if partitioned else {}

    @classmethod
    def open(cls, url: str, *, migrate: bool | None = None) -> SqlStore:
        """Open the store at ``url``, upgrading its schema first unless ``migrate`` is false
        (or the URL says ``?migrate=false``). With ``?revision=0004`` the schema is upgraded
        to that revision at most, and a database at it is served as it is (on PostgreSQL: the
        record tables unpartitioned, for comparison).

        :raises ConfigurationError: the URL is not one collab-sql serves, or asks for a
            revision the store cannot be opened at.
        :raises StoreError: the database cannot be reached, is at a schema revision newer
            than this collab-sql, or (with migrations off) is not at the current revision.
        """
        parsed = parse_store_url(url, migrate=migrate)
        engine = create_engine(parsed)
        try:
            revision = cls._prepare(engine, parsed)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, parsed, revision)

    @staticmethod
    def _prepare(engine: Engine, parsed: StoreUrl) -> str:
        """Bring the schema to the revision wanted (or refuse); the revision it is at."""
        head = parsed.revision or head_revision()
        if head not in served_revisions():
            raise ConfigurationError(
                f"url: the option revision is one of {', '.join(served_revisions())} "
                f"(got {head!r} in {parsed.shown})"
            )
        try:
            with engine.connect() as connection:
                revision = current_revision(connection)
        except DBAPIError as exc:
            cls = StoreBusyError if is_busy(exc) else StoreError
            raise cls(f"cannot open {parsed.shown}: {describe(exc, parsed.shown)}") from None
        check_revision(revision, parsed.shown)
        if revision == head:
            return head
        known = known_revisions()
        if revision is not None and known.index(revision) > known.index(head):
            raise StoreError(
                f"the database at {parsed.shown} is at revision {revision!r}, newer than the "
                f"{head!r} asked for: open it without the revision option, or run "
                f"`python -m collab_sql downgrade URL --to {head}`"
            )
        if parsed.migrate:
            upgrade_engine(engine, parsed.shown, head)
            return head
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
        """PERSISTENT, NATIVE_AGGREGATES, NATIVE_CAPABILITY_FACTS, OUTBOX, OUTBOX_CLAIMS, and
        CONCURRENT_WRITERS on PostgreSQL."""
        caps = {
            Capability.PERSISTENT,
            Capability.NATIVE_AGGREGATES,
            Capability.NATIVE_CAPABILITY_FACTS,
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
    def partitioned(self) -> bool:
        """Whether the death, review and sharing tables are partitioned by financial year
        (PostgreSQL at revision 0005 or later), as found when the store was opened."""
        return bool(self._key_tables)

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

    def capability_facts(self, query: CapabilityQuery) -> list[CapabilityFact]:
        """The capability census facts, computed in SQL; equal to
        :func:`collab_core.domain.facts.capability_facts` over the stored members and
        assessments."""
        with self._read("computing the capability census") as conn:
            return _census.capability_facts(conn, query)

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

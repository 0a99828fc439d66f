"""The schema migrations of the SQL store, run through Alembic with the scripts shipped inside
the package: applied when a store opens (unless ``?migrate=false``) and by
``python -m collab_sql upgrade URL``.

Every upgrade runs in one transaction under a lock (PostgreSQL's advisory lock, SQLite's write
lock), so processes opening the same new database at once migrate it once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from collab_core import StoreError
from collab_sql._engine import BEGIN_IMMEDIATE, create_engine, translate_errors
from collab_sql._url import parse_store_url
from collab_sql.schema import VERSION_TABLE

__all__ = [
    "MigrationResult",
    "check_revision",
    "current",
    "current_revision",
    "downgrade",
    "head_revision",
    "known_revisions",
    "served_revisions",
    "upgrade",
    "upgrade_engine",
]

#: The oldest schema revision the store reads and writes when asked to (``?revision=``):
#: PostgreSQL's unpartitioned schema, for comparing with the partitioned one.
OLDEST_SERVED = "0004"

# An arbitrary constant that names collab-sql's migration lock among PostgreSQL advisory locks.
_PG_LOCK_KEY = 0x636F6C6C61625F73


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "collab_sql:migrations")
    config.attributes["connection"] = connection
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The newest schema revision this version of collab-sql knows."""
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the package ships its revisions
        raise StoreError("collab-sql ships no schema revisions")
    return head


def known_revisions() -> list[str]:
    """Every revision this collab-sql knows, oldest first."""
    return [s.revision for s in reversed(list(_scripts().walk_revisions()))]


def served_revisions() -> list[str]:
    """The revisions a store can be opened at with ``?revision=``, oldest first."""
    known = known_revisions()
    return known[known.index(OLDEST_SERVED) :]


def current_revision(connection: Connection) -> str | None:
    """The revision of the database behind ``connection`` (``None``: no collab-sql schema)."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def check_revision(revision: str | None, shown_url: str) -> None:
    """Refuse a database whose revision this collab-sql does not know (written by a newer one)."""
    if revision is not None and revision not in known_revisions():
        raise StoreError(
            f"the database at {shown_url} has schema revision {revision!r}, which this "
            f"collab-sql does not know (its newest is {head_revision()!r}): it was written by a "
            f"newer collab-sql; upgrade collab-sql to use it"
        )


@dataclass(frozen=True)
class MigrationResult:
    """What an upgrade did: the revision before and after (``None``: no schema)."""

    url: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade_engine(engine: Engine, shown_url: str, target: str = "head") -> MigrationResult:
    """Upgrade the database behind ``engine`` to ``target`` (a revision id or ``"head"``)."""
    wanted = head_revision() if target == "head" else target
    if wanted not in known_revisions():
        raise StoreError(f"{wanted!r} is not a schema revision of collab-sql")
    with translate_errors("migrating the schema", shown_url):
        with engine.connect() as probe:
            before = current_revision(probe)
        check_revision(before, shown_url)
        if before == wanted:
            return MigrationResult(shown_url, before, before)
        with (
            engine.connect().execution_options(**BEGIN_IMMEDIATE) as connection,
            connection.begin(),
        ):
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
                )
            # Another process may have migrated while this one waited for the lock.
            before = current_revision(connection)
            check_revision(before, shown_url)
            if before != wanted:
                _run_upgrade(connection, wanted, shown_url)
            after = current_revision(connection)
    return MigrationResult(shown_url, before, after)


def _run_upgrade(connection: Connection, target: str, shown_url: str) -> None:
    try:
        command.upgrade(_config(connection), target)
    except CommandError as exc:
        raise StoreError(f"migrating {shown_url} to {target!r} failed: {exc}") from exc


def downgrade(url: str, target: str) -> MigrationResult:
    """Downgrade the database at ``url`` to the older revision ``target``, in one transaction
    under the migration lock; its rows are kept (e.g. ``"0004"``: PostgreSQL's record tables
    unpartitioned)."""
    if target not in known_revisions():
        raise StoreError(f"{target!r} is not a schema revision of collab-sql")
    parsed = parse_store_url(url)
    engine = create_engine(parsed)
    try:
        with (
            translate_errors("migrating the schema", parsed.shown),
            engine.connect().execution_options(**BEGIN_IMMEDIATE) as connection,
            connection.begin(),
        ):
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
                )
            before = current_revision(connection)
            check_revision(before, parsed.shown)
            known = known_revisions()
            if before is None or known.index(before) < known.index(target):
                raise StoreError(
                    f"the database at {parsed.shown} is at revision {before!r}, older than "
                    f"{target!r}: upgrade it instead"
                )
            if before != target:
                try:
                    command.downgrade(_config(connection), target)
                except CommandError as exc:
                    raise StoreError(
                        f"migrating {parsed.shown} to {target!r} failed: {exc}"
                    ) from exc
            after = current_revision(connection)
    finally:
        engine.dispose()
    return MigrationResult(parsed.shown, before, after)


def upgrade(url: str, target: str = "head") -> MigrationResult:
    """Upgrade the database at ``url`` to ``target`` (a revision id or ``"head"``)."""
    parsed = parse_store_url(url)
    engine = create_engine(parsed)
    try:
        return upgrade_engine(engine, parsed.shown, target)
    finally:
        engine.dispose()


def current(url: str) -> str | None:
    """The schema revision of the database at ``url`` (``None``: no collab-sql schema yet)."""
    parsed = parse_store_url(url)
    engine = create_engine(parsed)
    try:
        with (
            translate_errors("reading the schema revision", parsed.shown),
            engine.connect() as connection,
        ):
            return current_revision(connection)
    finally:
        engine.dispose()

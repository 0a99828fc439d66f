"""The plugin that makes the SQL store available to collab_core: the ``sqlite`` and
``postgresql`` schemes (and ``postgres``, the form hosting services hand out), found through
the ``collab_core`` entry point, each offering its schema migrations to ``collab upgrade``."""

from __future__ import annotations

import collab_core
from collab_core.ports import StoreSpec, StoreUpgrade
from collab_sql.migrate import upgrade
from collab_sql.store import SqlStore

__all__ = ["collab_register_stores"]


def _open(url: str) -> SqlStore:
    return SqlStore.open(url)


def _upgrade(url: str) -> StoreUpgrade:
    result = upgrade(url)
    return StoreUpgrade(result.url, result.before, result.after)


@collab_core.hookimpl
def collab_register_stores() -> list[StoreSpec]:
    """The SQL stores: an SQLite file, or a PostgreSQL database shared by many writers."""
    return [
        StoreSpec(
            "sqlite",
            _open,
            "SQLite file (WAL): sqlite:///collab.db (collab-sql)",
            upgrade=_upgrade,
        ),
        StoreSpec(
            "postgresql",
            _open,
            "PostgreSQL through psycopg 3: postgresql://user@host/db (collab-sql)",
            upgrade=_upgrade,
        ),
        StoreSpec(
            "postgres",
            _open,
            "PostgreSQL, as postgres://user@host/db (collab-sql)",
            upgrade=_upgrade,
        ),
    ]

"""collab-sql: the SQL store of collab_core, on SQLite (the embedded default) or PostgreSQL (a
shared hub), with Alembic migrations and the dashboard facts computed in SQL.

>>> from collab_sql import open_store
>>> store = open_store("sqlite:///collab.db")  # doctest: +SKIP
"""

from collab_sql.migrate import MigrationResult, current, downgrade, head_revision, upgrade
from collab_sql.store import SqlStore, SqlUnitOfWork, open_store

__all__ = [
    "MigrationResult",
    "SqlStore",
    "SqlUnitOfWork",
    "current",
    "downgrade",
    "head_revision",
    "open_store",
    "upgrade",
]

__version__ = "0.1.0"

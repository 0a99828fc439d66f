"""Alembic's environment for collab-sql: migrations always run on a connection that
:mod:`collab_sql.migrate` opened, inside its transaction and under its lock."""

from __future__ import annotations

from alembic import context

from collab_sql.schema import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by running the alembic CLI by hand
    raise RuntimeError("run collab-sql migrations through `python -m collab_sql upgrade URL`")

context.configure(
    connection=connection,
    target_metadata=None,
    version_table=VERSION_TABLE,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()

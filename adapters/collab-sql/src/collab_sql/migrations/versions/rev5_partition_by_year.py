"""PostgreSQL only: the death, review and sharing tables partitioned by financial year.

Each becomes a table ``PARTITION BY RANGE (day)`` with one partition per NHS financial year
(1 April to 31 March), ``<kind>_fy2010`` (2010/11) to ``<kind>_fy2039`` (2039/40), and a
``<kind>_default`` partition that takes every other day, NULL included. A partitioned table's
unique indexes must include its partition key, so the one-row-per-key rule moves to a key table
per kind (``death_key(key PRIMARY KEY)``...) that an insert claims first; the partitioned table's
own unique index is ``(key, day)``, and ``row_id`` keeps its sequence but is no longer a primary
key. The review scores' foreign key (``ON DELETE CASCADE``) points at ``review_key``.

Existing rows are copied (the old table renamed, the new one created, ``INSERT ... SELECT``, the
old one dropped) with their row ids and versions, and the other indexes are rebuilt as they
were. The downgrade reverses it into ordinary tables. SQLite has no partitioning: there this
revision changes nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

# Frozen with this revision.
KINDS = ("death", "review", "sharing")
FIRST_YEAR = 2010
LAST_YEAR = 2039
_FK = "fk_review_score_review"


def _indexdefs(bind: sa.Connection, table: str, skip: set[str]) -> list[str]:
    """The ``CREATE INDEX`` statements of ``table``'s indexes (as ``pg_get_indexdef`` writes
    them), its primary key's and those named in ``skip`` left out."""
    rows = bind.execute(
        sa.text(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = CAST(:table AS regclass) AND NOT i.indisprimary ORDER BY c.relname"
        ),
        {"table": table},
    ).all()
    return [str(sql) for name, sql in rows if name not in skip]


def _sequence(bind: sa.Connection, table: str) -> str:
    name = bind.scalar(sa.text("SELECT pg_get_serial_sequence(:table, 'row_id')"), {"table": table})
    if name is None:  # pragma: no cover - every record table has had its sequence since 0001
        raise RuntimeError(f"{table}.row_id has no sequence")
    return str(name)


def _columns(bind: sa.Connection, table: str) -> str:
    names = bind.scalars(
        sa.text(
            "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        ),
        {"t": table},
    ).all()
    return ", ".join(names)


def _partition(kind: str) -> None:
    bind = op.get_bind()
    old = f"{kind}_unpartitioned"
    indexes = _indexdefs(bind, kind, {f"uq_{kind}_key"})
    sequence = _sequence(bind, kind)
    op.execute(f"ALTER TABLE {kind} RENAME TO {old}")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    op.execute(f"CREATE TABLE {kind} (LIKE {old} INCLUDING DEFAULTS) PARTITION BY RANGE (day)")
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        op.execute(
            f"CREATE TABLE {kind}_fy{year} PARTITION OF {kind} "
            f"FOR VALUES FROM ('{year}-04-01') TO ('{year + 1}-04-01')"
        )
    op.execute(f"CREATE TABLE {kind}_default PARTITION OF {kind} DEFAULT")
    columns = _columns(bind, old)
    op.execute(f"INSERT INTO {kind} ({columns}) SELECT {columns} FROM {old}")  # noqa: S608
    op.execute(f'CREATE TABLE {kind}_key (key varchar(64) COLLATE "C" PRIMARY KEY)')
    op.execute(f"INSERT INTO {kind}_key (key) SELECT key FROM {old}")  # noqa: S608
    op.execute(f"DROP TABLE {old}")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY {kind}.row_id")
    op.execute(f"CREATE UNIQUE INDEX uq_{kind}_key_day ON {kind} (key, day)")
    for sql in indexes:
        op.execute(sql)


def _unpartition(kind: str) -> None:
    bind = op.get_bind()
    old = f"{kind}_partitioned"
    indexes = [
        sql.replace(" ON ONLY ", " ON ", 1)
        for sql in _indexdefs(bind, kind, {f"uq_{kind}_key_day"})
    ]
    sequence = _sequence(bind, kind)
    op.execute(f"ALTER TABLE {kind} RENAME TO {old}")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    op.execute(f"CREATE TABLE {kind} (LIKE {old} INCLUDING DEFAULTS)")
    columns = _columns(bind, old)
    op.execute(f"INSERT INTO {kind} ({columns}) SELECT {columns} FROM {old}")  # noqa: S608
    op.execute(f"DROP TABLE {old}")  # its partitions with it
    op.execute(f"DROP TABLE {kind}_key")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY {kind}.row_id")
    op.execute(f"ALTER TABLE {kind} ADD PRIMARY KEY (row_id)")
    op.execute(f"CREATE UNIQUE INDEX uq_{kind}_key ON {kind} (key)")
    for sql in indexes:
        op.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint(_FK, "review_score", type_="foreignkey")
    for kind in KINDS:
        _partition(kind)
    op.create_foreign_key(
        _FK, "review_score", "review_key", ["review_key"], ["key"], ondelete="CASCADE"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint(_FK, "review_score", type_="foreignkey")
    for kind in KINDS:
        _unpartition(kind)
    op.create_foreign_key(
        _FK, "review_score", "review", ["review_key"], ["key"], ondelete="CASCADE"
    )

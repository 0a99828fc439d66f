"""Derived, indexed columns for computing the capability census in SQL: a member's kind and the
day they left; an assessment's member, framework, subject area and case-folded level. Rows
written before this revision are backfilled from their payloads.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from collab_sql._backfill import backfill_derived_columns

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _columns() -> dict[str, list[sa.Column[Any]]]:
    # Fresh Column objects each time: alembic attaches them to the table it alters.
    return {
        "member": [sa.Column("kind", sa.String(32)), sa.Column("left_on", sa.Date)],
        "assessment": [
            sa.Column(
                "member_key",
                sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql"),
            ),
            sa.Column("framework", sa.String(100)),
            sa.Column("subject", sa.String(200)),
            sa.Column("level_fold", sa.String(200)),
        ],
    }


_INDEXES: list[tuple[str, str, list[str]]] = [
    ("ix_member_census", "member", ["key", "day", "left_on", "kind", "trust"]),
    (
        "ix_assessment_census",
        "assessment",
        ["framework", "member_key", "subject", "day", "key", "level_fold"],
    ),
]

# Partial indexes, empty but for rows whose payload did not decode when they were backfilled.
_UNFILLED = [("member", "kind"), ("assessment", "framework")]


def upgrade() -> None:
    for table, columns in _columns().items():
        for column in columns:
            op.add_column(table, column)
    # Fill the new columns before indexing them: one index build instead of many updates.
    added = {table: [c.name for c in columns] for table, columns in _columns().items()}
    backfill_derived_columns(op.get_bind(), added, scores=False)
    for name, table, indexed in _INDEXES:
        op.create_index(name, table, indexed)
    for table, flag in _UNFILLED:
        where = sa.text(f"{flag} IS NULL")
        op.create_index(
            f"ix_{table}_unfilled", table, ["key"], sqlite_where=where, postgresql_where=where
        )


def downgrade() -> None:
    for table, _ in reversed(_UNFILLED):
        op.drop_index(f"ix_{table}_unfilled", table_name=table)
    for name, table, _ in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    for table, dropped in _columns().items():
        with op.batch_alter_table(table) as batch:
            for column in dropped:
                batch.drop_column(column.name)

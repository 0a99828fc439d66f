"""Derived, indexed columns for computing the dashboard figures in SQL: a death's quarter, the
inputs of its scope, its age band and LD/autism flag; a review's death, response type and
completion day, with its scores in a child table; a sharing event's audience. Rows written
before this revision are backfilled from their payloads.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-09
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from collab_sql._backfill import backfill_derived_columns

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _key(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql"))


def _columns() -> dict[str, list[sa.Column[Any]]]:
    # Fresh Column objects each time: alembic attaches them to the table it alters.
    return {
        "death": [
            sa.Column("quarter", sa.Integer),
            sa.Column("setting", sa.String(32)),
            sa.Column("contact_months", sa.Integer),
            sa.Column("discharge_days", sa.Integer),
            sa.Column("ld_autism", sa.Boolean),
            sa.Column("age_band", sa.String(16)),
        ],
        "review": [
            _key("death_key"),
            sa.Column("response_type", sa.String(40)),
            sa.Column("completed_on", sa.Date),
        ],
        "sharing": [sa.Column("audience", sa.String(32))],
    }


_INDEXES: list[tuple[str, str, list[str]]] = [
    (
        "ix_death_dashboard",
        "death",
        [
            "trust",
            "day",
            "quarter",
            "age_band",
            "ld_autism",
            "setting",
            "contact_months",
            "discharge_days",
            "key",
        ],
    ),
    ("ix_review_death_key", "review", ["death_key"]),
    ("ix_review_done", "review", ["completed_on", "response_type", "death_key", "key"]),
    ("ix_sharing_audience", "sharing", ["trust", "audience", "day"]),
]


# Partial indexes, empty but for rows whose payload did not decode when they were backfilled.
_UNFILLED = [("death", "quarter"), ("review", "response_type")]


def upgrade() -> None:
    for table, columns in _columns().items():
        for column in columns:
            op.add_column(table, column)
    op.create_table(
        "review_score",
        sa.Column(
            "review_key",
            sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql"),
            sa.ForeignKey("review.key", name="fk_review_score_review", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("scale_id", sa.String(100), nullable=False),
        sa.Column("scale_version", sa.Integer, nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
    )
    # Fill the new columns before indexing them: one index build instead of many updates.
    added = {table: [c.name for c in columns] for table, columns in _columns().items()}
    backfill_derived_columns(op.get_bind(), added, scores=True)
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
    op.drop_table("review_score")
    for table, dropped in _columns().items():
        with op.batch_alter_table(table) as batch:
            for column in dropped:
                batch.drop_column(column.name)

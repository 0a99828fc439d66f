"""The core tables: one per kind of record (key, trust, day, version, JSON payload) and the
publication outbox.

Revision ID: 0001
Revises:
Create Date: 2026-05-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from collab_sql._types import UtcDateTime

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# Frozen with this revision: a kind added later gets its table in a revision of its own.
KINDS = (
    "trust",
    "member",
    "death",
    "review",
    "learning_item",
    "sharing",
    "assessment",
    "learning_journey",
    "family_involvement",
    "candour_case",
    "concern",
)


def _row_id() -> sa.Column[int]:
    return sa.Column(
        "row_id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def _key(name: str) -> sa.Column[str]:
    return sa.Column(
        name, sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql"), nullable=False
    )


def upgrade() -> None:
    for kind in KINDS:
        op.create_table(
            kind,
            _row_id(),
            _key("key"),
            sa.Column("trust", sa.String(3)),
            sa.Column("day", sa.Date),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("payload", sa.Text, nullable=False),
        )
        op.create_index(f"uq_{kind}_key", kind, ["key"], unique=True)
        op.create_index(f"ix_{kind}_trust_day", kind, ["trust", "day"])
        op.create_index(f"ix_{kind}_day", kind, ["day"])
    op.create_table(
        "outbox",
        _row_id(),
        _key("id"),
        sa.Column("publisher", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("updated_at", UtcDateTime),
        _key("publication_id"),
        sa.Column("publication_kind", sa.String(100), nullable=False),
        sa.Column("audience", sa.String(32), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("uq_outbox_id", "outbox", ["id"], unique=True)
    op.create_index("ix_outbox_status", "outbox", ["status", "publisher", "row_id"])


def downgrade() -> None:
    op.drop_table("outbox")
    for kind in reversed(KINDS):
        op.drop_table(kind)

"""The outbox's idempotency keys, retry times and claims: each entry's key (a hash of its
publication's content, audience and publisher), unique, so that the same content is queued once
for a publisher; when a failed entry is next tried; and which deliverer holds it until when.

Rows queued before this revision get their key computed from their publication. Where two such
rows hold the same content for the same publisher, the first keeps the key and the later ones
keep none (they stay in the outbox as they were); a row whose publication no longer reads back
keeps none either.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from collab_core import CollabError
from collab_core.ports import outbox_key
from collab_sql._types import UtcDateTime

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_BATCH = 1000


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("key", sa.String(200)),
        sa.Column("next_attempt_at", UtcDateTime),
        sa.Column("claimed_by", sa.String(200)),
        sa.Column("claimed_until", UtcDateTime),
    ]


def _backfill_keys(bind: sa.Connection) -> None:
    # Imported on use, as the migration environment loads revisions before the store.
    from collab_sql._outbox import entry_from_row  # noqa: PLC0415

    outbox = sa.table(
        "outbox",
        sa.column("row_id"),
        sa.column("id"),
        sa.column("key"),
        sa.column("publisher"),
        sa.column("status"),
        sa.column("attempts"),
        sa.column("last_error"),
        sa.column("updated_at", UtcDateTime),
        sa.column("next_attempt_at", UtcDateTime),
        sa.column("claimed_by"),
        sa.column("claimed_until", UtcDateTime),
        sa.column("publication_id"),
        sa.column("publication_kind"),
        sa.column("audience"),
        sa.column("title"),
        sa.column("body"),
        sa.column("created_at", UtcDateTime),
    )
    seen: set[str] = set()
    last = -1
    while True:
        rows = bind.execute(
            sa.select(outbox).where(outbox.c.row_id > last).order_by(outbox.c.row_id).limit(_BATCH)
        ).all()
        if not rows:
            return
        keys: list[dict[str, Any]] = []
        for row in rows:
            try:
                entry = entry_from_row(row)
            except CollabError:
                continue  # an unreadable row keeps no key; reading it still reports it
            key = outbox_key(entry.publication, entry.publisher)
            if key not in seen:
                seen.add(key)
                keys.append({"b_row": row.row_id, "key": key})
        if keys:
            bind.execute(
                sa.update(outbox)
                .where(outbox.c.row_id == sa.bindparam("b_row"))
                .values(key=sa.bindparam("key")),
                keys,
            )
        last = rows[-1].row_id


def upgrade() -> None:
    for column in _columns():
        op.add_column("outbox", column)
    _backfill_keys(op.get_bind())
    op.create_index("uq_outbox_key", "outbox", ["key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_outbox_key", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)

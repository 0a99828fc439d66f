"""The tables of the SQL store, in SQLAlchemy Core: one per kind of record, a child table of
review scores, and the publication outbox. The migrations in :mod:`collab_sql.migrations`
build exactly this schema; a test holds the two together.

Every record table has an integer primary key that keeps its B-tree appending (ARCHITECTURE
rule 9), the record's key as a unique column, the ``trust`` and ``day`` that queries filter on,
the ``version``, and the ``payload`` as JSON text from the core's serialiser. Deaths, reviews
and sharing events also carry derived columns for the dashboard figures; members and
assessments for the capability census.

On PostgreSQL, revision 0005 partitions the death, review and sharing tables by financial year
(:data:`PARTITIONED_KINDS`): their one-row-per-key rule moves to :data:`KEY_TABLES`, their own
unique index becomes ``(key, day)``, their ``row_id`` is no longer a primary key, and the review
scores' foreign key points at ``review_key``. These tables describe the schema as SQLite and an
unpartitioned PostgreSQL database hold it; the test that holds migrations and schema together
names the partitioned differences.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from collab_core.ports import RECORD_SPECS
from collab_sql._types import KEY, ROW_ID, UtcDateTime

__all__ = [
    "KEY_TABLES",
    "OUTBOX",
    "PARTITIONED_KINDS",
    "RECORD_TABLES",
    "REVIEW_SCORE",
    "VERSION_TABLE",
    "key_metadata",
    "metadata",
]

#: Alembic's record of the schema revision; named so it cannot clash with a host's own.
VERSION_TABLE = "collab_sql_version"

metadata = MetaData()


def _derived_columns(kind: str) -> list[Column[object] | Index]:
    if kind == "death":
        return [
            Column("quarter", Integer),
            Column("setting", String(32)),
            Column("contact_months", Integer),
            Column("discharge_days", Integer),
            Column("ld_autism", Boolean),
            Column("age_band", String(16)),
            # Covers the dashboard query: trust and day filter it, the rest is grouped or tested.
            Index(
                "ix_death_dashboard",
                "trust",
                "day",
                "quarter",
                "age_band",
                "ld_autism",
                "setting",
                "contact_months",
                "discharge_days",
                "key",
            ),
            # Empty but for rows whose payload did not decode when the columns were filled.
            Index(
                "ix_death_unfilled",
                "key",
                sqlite_where=text("quarter IS NULL"),
                postgresql_where=text("quarter IS NULL"),
            ),
        ]
    if kind == "review":
        return [
            Column("death_key", KEY),
            Column("response_type", String(40)),
            Column("completed_on", Date),
            Index("ix_review_death_key", "death_key"),
            Index("ix_review_done", "completed_on", "response_type", "death_key", "key"),
            Index(
                "ix_review_unfilled",
                "key",
                sqlite_where=text("response_type IS NULL"),
                postgresql_where=text("response_type IS NULL"),
            ),
        ]
    if kind == "sharing":
        return [
            Column("audience", String(32)),
            Index("ix_sharing_audience", "trust", "audience", "day"),
        ]
    if kind == "member":
        return [
            Column("kind", String(32)),
            Column("left_on", Date),
            # Covers the capability census's look-up of each counted member.
            Index("ix_member_census", "key", "day", "left_on", "kind", "trust"),
            Index(
                "ix_member_unfilled",
                "key",
                sqlite_where=text("kind IS NULL"),
                postgresql_where=text("kind IS NULL"),
            ),
        ]
    if kind == "assessment":
        return [
            Column("member_key", KEY),
            Column("framework", String(100)),
            Column("subject", String(200)),
            Column("level_fold", String(200)),
            # Covers the census: each member's latest assessment per subject on a day.
            Index(
                "ix_assessment_census",
                "framework",
                "member_key",
                "subject",
                "day",
                "key",
                "level_fold",
            ),
            Index(
                "ix_assessment_unfilled",
                "key",
                sqlite_where=text("framework IS NULL"),
                postgresql_where=text("framework IS NULL"),
            ),
        ]
    return []


def _record_table(kind: str) -> Table:
    return Table(
        kind,
        metadata,
        Column("row_id", ROW_ID, primary_key=True, autoincrement=True),
        Column("key", KEY, nullable=False),
        Column("trust", String(3)),
        Column("day", Date),
        Column("version", Integer, nullable=False),
        Column("payload", Text, nullable=False),
        Index(f"uq_{kind}_key", "key", unique=True),
        Index(f"ix_{kind}_trust_day", "trust", "day"),
        Index(f"ix_{kind}_day", "day"),
        *_derived_columns(kind),
    )


#: The table of each kind of record, by kind name (``"death"``...).
RECORD_TABLES: dict[str, Table] = {spec.kind: _record_table(spec.kind) for spec in RECORD_SPECS}

#: The scores of each review, in the review's order, for judging problems in care in SQL.
REVIEW_SCORE = Table(
    "review_score",
    metadata,
    Column(
        "review_key",
        KEY,
        ForeignKey("review.key", name="fk_review_score_review", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("scale_id", String(100), nullable=False),
    Column("scale_version", Integer, nullable=False),
    Column("value", Integer, nullable=False),
)

#: The kinds whose tables revision 0005 partitions by financial year on PostgreSQL.
PARTITIONED_KINDS = ("death", "review", "sharing")

#: The tables of PostgreSQL's partitioned schema alone (revision 0005; SQLite has none): one
#: row per stored key of each partitioned kind, claimed before the record's row is inserted,
#: since a partitioned table's own unique indexes must include its partition key (``day``).
key_metadata = MetaData()

#: The key table of each partitioned kind (``death_key``...), by kind name.
KEY_TABLES: dict[str, Table] = {
    kind: Table(f"{kind}_key", key_metadata, Column("key", KEY, primary_key=True))
    for kind in PARTITIONED_KINDS
}

#: Publications waiting for each publisher to confirm delivery (ARCHITECTURE rule 4).
OUTBOX = Table(
    "outbox",
    metadata,
    Column("row_id", ROW_ID, primary_key=True, autoincrement=True),
    Column("id", KEY, nullable=False),
    Column("publisher", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("updated_at", UtcDateTime),
    Column("publication_id", KEY, nullable=False),
    Column("publication_kind", String(100), nullable=False),
    Column("audience", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Added in revision 0003: the idempotency key (NULL only on a row queued before, whose
    # content was already queued), the time of the next attempt, and the deliverer's claim.
    Column("key", String(200)),
    Column("next_attempt_at", UtcDateTime),
    Column("claimed_by", String(200)),
    Column("claimed_until", UtcDateTime),
    Index("uq_outbox_id", "id", unique=True),
    Index("ix_outbox_status", "status", "publisher", "row_id"),
    Index("uq_outbox_key", "key", unique=True),
)

"""The publication outbox in SQL: queueing entries once per id and per idempotency key,
recording deliveries, failures and re-queues, and claiming due entries for one deliverer.

Claims are atomic on both engines. PostgreSQL locks the due rows with ``SELECT ... FOR UPDATE
SKIP LOCKED`` (a row another deliverer is claiming is skipped, not waited for) and writes the
claim in the same transaction. SQLite's transaction takes the write lock when it begins
(``BEGIN IMMEDIATE``), and each claim is an ``UPDATE ... WHERE`` the entry is still due, so a
second deliverer sees the first's claim.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from collab_core import (
    Audience,
    CollabError,
    CorruptRecordError,
    DomainValidationError,
    RecordNotFoundError,
)
from collab_core.ports import OutboxEntry, OutboxStatus, Publication
from collab_sql.schema import OUTBOX

__all__ = [
    "claim",
    "enqueue",
    "entries",
    "mark_delivered",
    "mark_failed",
    "requeue",
    "storable_text",
]

_LOOKUP_CHUNK = 500
_WAITING = (OutboxStatus.PENDING.value, OutboxStatus.FAILED.value)
_UNCLAIMED: dict[str, Any] = {"claimed_by": None, "claimed_until": None}


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _aware(field: str, value: object) -> None:
    if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
        raise DomainValidationError(field, "must be a timezone-aware datetime", value)


def storable_text(text: str) -> str:
    """``text`` as every engine stores it: PostgreSQL's ``text`` cannot hold NUL, and no UTF-8
    text holds a lone surrogate, so each becomes U+FFFD (a failure report must never fail to be
    recorded)."""
    return "".join(
        "\ufffd" if char == "\x00" or "\ud800" <= char <= "\udfff" else char for char in str(text)
    )


def _row(entry: OutboxEntry) -> dict[str, Any]:
    publication = entry.publication
    for field in ("updated_at", "next_attempt_at", "claimed_until"):
        _aware(field, getattr(entry, field))
    _aware("publication.created_at", publication.created_at)
    try:
        body = json.dumps(
            dict(publication.body), sort_keys=True, separators=(",", ":"), allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise DomainValidationError(
            "publication.body", "must be plain JSON data", str(exc)
        ) from None
    return {
        "id": str(entry.id),
        "key": entry.key,
        "publisher": entry.publisher,
        "status": OutboxStatus(entry.status).value,
        "attempts": entry.attempts,
        "last_error": None if entry.last_error is None else storable_text(entry.last_error),
        "updated_at": entry.updated_at,
        "next_attempt_at": entry.next_attempt_at,
        "claimed_by": entry.claimed_by,
        "claimed_until": entry.claimed_until,
        "publication_id": str(publication.id),
        "publication_kind": publication.kind,
        "audience": Audience(publication.audience).value,
        "title": publication.title,
        "body": body,
        "created_at": publication.created_at,
    }


def entry_from_row(row: Any) -> OutboxEntry:
    """The outbox entry of a row; a row that does not read back raises CorruptRecordError."""
    try:
        publication = Publication(
            id=uuid.UUID(row.publication_id),
            kind=row.publication_kind,
            audience=Audience(row.audience),
            title=row.title,
            body=json.loads(row.body),
            created_at=row.created_at,
        )
        # A row queued before entries had keys gets its key computed from its publication.
        keyed: dict[str, Any] = {} if row.key is None else {"key": row.key}
        return OutboxEntry(
            id=uuid.UUID(row.id),
            publisher=row.publisher,
            publication=publication,
            status=OutboxStatus(row.status),
            attempts=row.attempts,
            last_error=row.last_error,
            updated_at=row.updated_at,
            next_attempt_at=row.next_attempt_at,
            claimed_by=row.claimed_by,
            claimed_until=row.claimed_until,
            **keyed,
        )
    except (CollabError, ValueError, TypeError) as exc:
        raise CorruptRecordError("outbox", row.id, [f"{type(exc).__name__}: {exc}"]) from None


def enqueue(conn: Connection, new: Sequence[OutboxEntry]) -> None:
    """Insert entries; one whose id or key is already queued is skipped (the first stays)."""
    rows: dict[str, dict[str, Any]] = {}
    keys: set[str] = set()
    for entry in new:
        if not isinstance(entry, OutboxEntry):
            raise DomainValidationError(
                "entries", "must be OutboxEntry objects", type(entry).__name__
            )
        if str(entry.id) not in rows and entry.key not in keys:
            rows[str(entry.id)] = _row(entry)
            keys.add(entry.key)
    if not rows:
        return
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    # No conflict target: a clash on the id or on the key is skipped alike.
    conn.execute(insert(OUTBOX).on_conflict_do_nothing(), list(rows.values()))


def _raise_missing(conn: Connection, ids: list[str]) -> None:
    found = {
        i
        for chunk in _chunks(ids, _LOOKUP_CHUNK)
        for i in conn.scalars(sa.select(OUTBOX.c.id).where(OUTBOX.c.id.in_(chunk)))
    }
    missing = sorted(set(ids) - found)
    raise RecordNotFoundError("outbox entry", missing[0] if missing else ids[0])


def mark_delivered(conn: Connection, entry_ids: Sequence[uuid.UUID], at: dt.datetime) -> None:
    """Mark entries delivered and release their claims."""
    _aware("at", at)
    ids = [str(i) for i in entry_ids]
    if not ids:
        return
    stmt = (
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == sa.bindparam("b_id"))
        .values(status=OutboxStatus.DELIVERED.value, updated_at=at, **_UNCLAIMED)
    )
    result = conn.execute(stmt, [{"b_id": i} for i in ids])
    if result.rowcount != len(ids):
        _raise_missing(conn, ids)


def _exists(conn: Connection, entry_id: str) -> None:
    if conn.scalar(sa.select(OUTBOX.c.row_id).where(OUTBOX.c.id == entry_id)) is None:
        raise RecordNotFoundError("outbox entry", entry_id)


def mark_failed(
    conn: Connection,
    entry_id: uuid.UUID,
    error: str,
    at: dt.datetime,
    next_attempt_at: dt.datetime | None,
    dead: bool,
) -> None:
    """Record a failed attempt (after a delivery too: a bounce)."""
    _aware("at", at)
    _aware("next_attempt_at", next_attempt_at)
    status = OutboxStatus.DEAD if dead else OutboxStatus.FAILED
    result = conn.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == str(entry_id))
        .values(
            status=status.value,
            attempts=OUTBOX.c.attempts + 1,
            last_error=storable_text(error),
            updated_at=at,
            next_attempt_at=next_attempt_at,
            **_UNCLAIMED,
        )
    )
    if result.rowcount != 1:
        _exists(conn, str(entry_id))


def requeue(conn: Connection, entry_id: uuid.UUID, at: dt.datetime) -> None:
    """Put a dead or failed entry back to pending with no attempts."""
    _aware("at", at)
    result = conn.execute(
        sa.update(OUTBOX)
        .where(
            OUTBOX.c.id == str(entry_id),
            OUTBOX.c.status.in_([OutboxStatus.DEAD.value, OutboxStatus.FAILED.value]),
        )
        .values(
            status=OutboxStatus.PENDING.value,
            attempts=0,
            updated_at=at,
            next_attempt_at=None,
            **_UNCLAIMED,
        )
    )
    if result.rowcount != 1:
        _exists(conn, str(entry_id))


def entries(
    conn: Connection, publisher: str | None, status: OutboxStatus | None
) -> list[OutboxEntry]:
    """Entries in enqueue order, optionally for one publisher and status."""
    stmt = sa.select(OUTBOX).order_by(OUTBOX.c.row_id)
    if publisher is not None:
        stmt = stmt.where(OUTBOX.c.publisher == publisher)
    if status is not None:
        stmt = stmt.where(OUTBOX.c.status == OutboxStatus(status).value)
    return [entry_from_row(row) for row in conn.execute(stmt).all()]


def _check_claim(claimant: object, now: object, until: object) -> None:
    if not isinstance(claimant, str) or not claimant:
        raise DomainValidationError("claimant", "must be a non-empty string", claimant)
    for field, value in (("now", now), ("until", until)):
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            raise DomainValidationError(field, "must be a timezone-aware datetime", value)


def _due(now: dt.datetime) -> list[sa.ColumnElement[bool]]:
    return [
        OUTBOX.c.status.in_(_WAITING),
        sa.or_(OUTBOX.c.next_attempt_at.is_(None), OUTBOX.c.next_attempt_at <= now),
        sa.or_(OUTBOX.c.claimed_until.is_(None), OUTBOX.c.claimed_until <= now),
    ]


def claim(
    conn: Connection,
    entry_ids: Sequence[uuid.UUID],
    claimant: str,
    now: dt.datetime,
    until: dt.datetime,
) -> list[OutboxEntry]:
    """Claim the due entries among ``entry_ids`` inside the caller's transaction (which on
    SQLite holds the write lock from its start)."""
    _check_claim(claimant, now, until)
    ids = [str(i) for i in entry_ids]
    claimed: list[str] = []
    for chunk in _chunks(ids, _LOOKUP_CHUNK):
        candidates = list(chunk)
        if conn.dialect.name == "postgresql":
            locked = (
                sa.select(OUTBOX.c.id)
                .where(OUTBOX.c.id.in_(candidates), *_due(now))
                .order_by(OUTBOX.c.row_id)
                .with_for_update(skip_locked=True)
            )
            candidates = list(conn.scalars(locked))
        # On SQLite the WHERE re-checks that each entry is still due under the write lock.
        stmt = (
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == sa.bindparam("b_id"), *_due(now))
            .values(claimed_by=claimant, claimed_until=until)
        )
        for entry_id in candidates:
            if conn.execute(stmt, {"b_id": entry_id}).rowcount == 1:
                claimed.append(entry_id)
    if not claimed:
        return []
    rows = conn.execute(
        sa.select(OUTBOX).where(OUTBOX.c.id.in_(claimed)).order_by(OUTBOX.c.row_id)
    ).all()
    return [entry_from_row(row) for row in rows]

"""Filling derived columns from the payloads of rows written before those columns existed.

Rows are read in keyset batches and updated with ``executemany``. A row whose payload does not
decode keeps empty derived columns; reading it reports it as corrupt, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from collab_core import CorruptRecordError
from collab_core.ports import RecordSpec, spec_for
from collab_sql._derived import DERIVED, review_scores
from collab_sql._payload import decode, relaxed_gc
from collab_sql.schema import RECORD_TABLES, REVIEW_SCORE

__all__ = ["backfill_derived_columns"]

_log = logging.getLogger(__name__)
_BATCH = 2000


def backfill_derived_columns(
    conn: Connection, columns: Mapping[str, Sequence[str]], *, scores: bool
) -> int:
    """Recompute the named derived ``columns`` of every row of each kind, and the review scores
    when ``scores`` is true. A revision names the columns it added, so that it keeps working
    when later revisions add more.

    Returns how many rows were filled. Runs inside the caller's transaction.
    """
    filled = 0
    for kind, names in columns.items():
        table = RECORD_TABLES[kind]
        spec: RecordSpec[Any] = spec_for(kind)
        derive = DERIVED[kind]
        stmt = (
            sa.update(table)
            .where(table.c.row_id == sa.bindparam("b_row_id"))
            .values({name: sa.bindparam(name, type_=table.c[name].type) for name in names})
        )
        last = 0
        while True:
            rows = conn.execute(
                sa.select(table.c.row_id, table.c.key, table.c.payload)
                .where(table.c.row_id > last)
                .order_by(table.c.row_id)
                .limit(_BATCH)
            ).all()
            if not rows:
                break
            updates: list[dict[str, Any]] = []
            score_rows: list[dict[str, Any]] = []
            skipped = 0
            with relaxed_gc():
                for row in rows:
                    try:
                        record = decode(spec, kind, row.key, row.payload)
                    except CorruptRecordError:
                        skipped += 1
                        continue
                    derived = derive(record)
                    updates.append({"b_row_id": row.row_id, **{n: derived[n] for n in names}})
                    if scores and kind == "review":
                        score_rows.extend(review_scores(record))
            if updates:
                conn.execute(stmt, updates)
            if score_rows:
                keys = sorted({s["review_key"] for s in score_rows})
                conn.execute(sa.delete(REVIEW_SCORE).where(REVIEW_SCORE.c.review_key.in_(keys)))
                conn.execute(sa.insert(REVIEW_SCORE), score_rows)
            if skipped:
                _log.warning(
                    "%d %s row(s) did not decode; their derived columns stay empty", skipped, kind
                )
            filled += len(updates)
            last = rows[-1].row_id
    return filled

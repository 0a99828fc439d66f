"""Ingest: the synthetic collaborative's payload dicts through ``from_payload`` and
``Collaborative.record`` into SQLite or PostgreSQL, against the raw floor that writes the same
dicts as rows of the same tables (orjson for the payload text, derived columns by dict look-ups).

Only the work from payload dicts to committed rows is timed; reading the cached payloads is not.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from bench._common import Stopwatch, payload_batches, pg_url, sqlite_path
from collab_core import Collaborative, from_payload
from collab_sql import SqlStore
from collab_sql.schema import PARTITIONED_KINDS

# Each kind's key, trust and day fields in its payload's data (collab_core.ports.RECORD_SPECS).
_FIELDS: dict[str, tuple[str, str | None, str | None]] = {
    "trust": ("ods_code", "ods_code", "joined"),
    "member": ("id", "trust", "joined"),
    "death": ("id", "trust", "died_on"),
    "review": ("id", "trust", "started_on"),
    "learning_item": ("id", "trust", "recorded_on"),
    "sharing": ("id", "trust", "shared_on"),
    "assessment": ("id", None, "assessed_on"),
    "learning_journey": ("id", None, "planned_on"),
    "family_involvement": ("death_id", "trust", "offered_on"),
    "candour_case": ("id", "trust", "reported_on"),
    "concern": ("id", "trust", "raised_on"),
}
_BASE = ("key", "trust", "day", "version", "payload")
_EXTRA: dict[str, tuple[str, ...]] = {
    "death": ("quarter", "setting", "contact_months", "discharge_days", "ld_autism", "age_band"),
    "review": ("death_key", "response_type", "completed_on"),
    "sharing": ("audience",),
    "member": ("kind", "left_on"),
    "assessment": ("member_key", "framework", "subject", "level_fold"),
}
_SCORE_COLUMNS = ("review_key", "position", "scale_id", "scale_version", "value")
_AGE_BAND = {
    age: "under_18" if age < 18 else "18_64" if age <= 64 else "65_plus" for age in range(131)
}


def _quarter(day: str) -> int:
    year, month = int(day[:4]), int(day[5:7])
    if month < 4:
        return (year - 1) * 10 + 4
    return year * 10 + (month - 1) // 3


def _months(died: str, last: str) -> int:
    gap = (int(died[:4]) * 12 + int(died[5:7])) - (int(last[:4]) * 12 + int(last[5:7]))
    return max(1, gap + (1 if died[8:] > last[8:] else 0))


def _extra(kind: str, d: dict[str, Any]) -> tuple[Any, ...]:
    if kind == "death":
        died, last, discharged, age = (
            d["died_on"],
            d["last_contact_on"],
            d["discharged_on"],
            d["age"],
        )
        return (
            _quarter(died),
            d["setting"],
            None if last is None else _months(died, last),
            None
            if discharged is None
            else (dt.date.fromisoformat(died) - dt.date.fromisoformat(discharged)).days,
            d["learning_disability"] or d["autistic"],
            None if age is None else _AGE_BAND[age],
        )
    if kind == "review":
        return (d["death_id"], d["response_type"], d["completed_on"])
    if kind == "sharing":
        return (d["audience"],)
    if kind == "member":
        return (d["kind"], d["left"])
    if kind == "assessment":
        return (d["member_id"], d["framework"], d["subject"], d["level"].casefold())
    return ()


def rows_of(batch: Iterable[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of each table for a batch of payload dicts: the floor's whole transformation."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    scores: list[tuple[Any, ...]] = []
    dumps = orjson.dumps
    for p in batch:
        kind = p["type"]
        d = p["data"]
        key_f, trust_f, day_f = _FIELDS[kind]
        row = (
            d[key_f],
            None if trust_f is None else d[trust_f],
            None if day_f is None else d[day_f],
            1,
            dumps(p).decode(),
            *_extra(kind, d),
        )
        tables.setdefault(kind, []).append(row)
        if kind == "review":
            scores.extend(
                (d["id"], i, s["scale_id"], s["scale_version"], s["value"])
                for i, s in enumerate(d["scores"])
            )
    if scores:
        tables["review_score"] = scores
    return tables


def with_keys(
    tables: dict[str, list[tuple[Any, ...]]], kinds: Iterable[str]
) -> dict[str, list[tuple[Any, ...]]]:
    """``tables`` with, first (the review scores' foreign key points at them), the keys of
    each of ``kinds`` for its key table."""
    keys = {f"{k}_key": [(row[0],) for row in tables[k]] for k in kinds if k in tables}
    return {**keys, **tables}


def _columns(table: str) -> tuple[str, ...]:
    return _SCORE_COLUMNS if table == "review_score" else (*_BASE, *_EXTRA.get(table, ()))


def _timed_batches(
    workdir: Path, size: int, work: Callable[[list[dict[str, Any]]], None]
) -> Stopwatch:
    watch = Stopwatch()
    for batch in payload_batches(workdir, size):
        with watch.timing():
            work(batch)
    return watch


def _record_all(url: str, workdir: Path, size: int) -> Stopwatch:
    with Collaborative.open(url) as collab:

        def work(batch: list[dict[str, Any]]) -> None:
            collab.record([from_payload(None, p) for p in batch])

        return _timed_batches(workdir, size, work)


# -- SQLite -----------------------------------------------------------------------------------


def sqlite_scenario(size: int, workdir: Path) -> Stopwatch:
    """``from_payload`` and ``Collaborative.record`` of every batch into a new SQLite store,
    which the figures' scenarios then read."""
    path = sqlite_path(workdir, size)
    for stale in workdir.glob(f"{path.name}*"):
        stale.unlink()
    return _record_all(f"sqlite:///{path}", workdir, size)


def sqlite_floor(size: int, workdir: Path) -> Stopwatch:
    """The standard library's ``sqlite3``: the same dicts as rows, ``executemany`` into the same
    schema (made by the store's migrations, untimed), one transaction per batch, same pragmas."""
    path = workdir / f"floor-{size}.db"
    for stale in workdir.glob(f"{path.name}*"):
        stale.unlink()
    SqlStore.open(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    statements = {
        table: f"INSERT INTO {table} ({', '.join(_columns(table))}) "
        f"VALUES ({', '.join('?' for _ in _columns(table))})"
        for table in [*_FIELDS, "review_score"]
    }

    def work(batch: list[dict[str, Any]]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        for table, rows in rows_of(batch).items():
            conn.executemany(statements[table], rows)
        conn.execute("COMMIT")

    try:
        return _timed_batches(workdir, size, work)
    finally:
        conn.close()
        for done in workdir.glob(f"{path.name}*"):
            done.unlink()


# -- PostgreSQL -------------------------------------------------------------------------------


def fresh_pg_database() -> str:
    """An empty ``collab_bench`` database (created once, emptied each run); its URL."""
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = 'collab_bench'").fetchone()
        if found is None:
            admin.execute("CREATE DATABASE collab_bench")
    with psycopg.connect(pg_url(), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return pg_url()


def postgresql_scenario(size: int, workdir: Path) -> Stopwatch:
    """``from_payload`` and ``Collaborative.record`` of every batch into PostgreSQL."""
    return _record_all(fresh_pg_database(), workdir, size)


def postgresql_floor(size: int, workdir: Path) -> Stopwatch:
    """psycopg 3 ``COPY`` of the same rows into the same schema, one transaction per batch
    (and of the partitioned kinds' keys into their key tables)."""
    import psycopg

    url = fresh_pg_database()
    with SqlStore.open(url) as store:
        # Partitioned by year, the store also claims each new key in its kind's key table.
        keyed = PARTITIONED_KINDS if store.partitioned else ()
    copies = {
        table: f"COPY {table} ({', '.join(_columns(table))}) FROM STDIN"
        for table in [*_FIELDS, "review_score"]
    }
    copies.update({f"{kind}_key": f"COPY {kind}_key (key) FROM STDIN" for kind in keyed})
    with psycopg.connect(url) as conn:

        def work(batch: list[dict[str, Any]]) -> None:
            tables = with_keys(rows_of(batch), keyed)
            with conn.transaction(), conn.cursor() as cur:
                for table, rows in tables.items():
                    with cur.copy(copies[table]) as copy:
                        for row in rows:
                            copy.write_row(row)

        return _timed_batches(workdir, size, work)

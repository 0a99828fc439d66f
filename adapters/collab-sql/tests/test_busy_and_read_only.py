"""A busy database is a retryable StoreBusyError; a read-only SQLite store opens for reading
and refuses writes clearly; a scan may skip corrupt rows and report them."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from collab_core import (
    CorruptRecordError,
    OdsCode,
    StoreBusyError,
    StoreError,
    Trust,
)
from collab_sql import SqlStore
from collab_sql._engine import is_busy
from collab_sql.schema import RECORD_TABLES


def _trust(code: str, name: str = "A trust") -> Trust:
    return Trust(OdsCode(code), name, dt.date(2017, 4, 1))


def test_a_lock_held_past_the_timeout_is_a_retryable_store_busy_error(tmp_path: Path) -> None:
    path = tmp_path / "collab.db"
    with SqlStore.open(f"sqlite:///{path}") as store, store.unit_of_work() as unit:
        unit.put([_trust("RX1")])
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        with SqlStore.open(f"sqlite:///{path}?timeout=0.05") as store:
            with (
                pytest.raises(StoreBusyError, match="database is locked") as caught,
                store.unit_of_work() as unit,
            ):
                unit.put([_trust("RX2")])
            assert isinstance(caught.value, StoreError)
            holder.execute("ROLLBACK")
            with store.unit_of_work() as unit:  # the same call, retried, succeeds
                unit.put([_trust("RX2")])
            assert store.count(Trust) == 2
    finally:
        holder.close()


@pytest.mark.parametrize("sqlstate", ["40001", "40P01", "55P03"])
def test_postgresql_lock_timeouts_serialization_failures_and_deadlocks_are_busy(
    sqlstate: str,
) -> None:
    class _DriverError(Exception):
        pass

    driver = _DriverError("could not obtain lock")
    driver.sqlstate = sqlstate  # type: ignore[attr-defined]
    assert is_busy(OperationalError("SELECT 1", {}, driver))
    other = _DriverError("relation does not exist")
    other.sqlstate = "42P01"  # type: ignore[attr-defined]
    assert not is_busy(OperationalError("SELECT 1", {}, other))


@pytest.mark.postgres
def test_a_postgresql_lock_timeout_is_a_store_busy_error(postgres_url: str) -> None:
    with SqlStore.open(postgres_url) as store, store.unit_of_work() as unit:
        unit.put([_trust("RX1")])
    with SqlStore.open(postgres_url) as store, store.engine.connect() as holder:
        table = RECORD_TABLES["trust"]
        holder.execute(sa.text(f"LOCK TABLE {table.name} IN ACCESS EXCLUSIVE MODE"))
        with store.engine.connect() as probe:
            probe.execute(sa.text("SET lock_timeout = '50ms'"))
            with pytest.raises(sa.exc.OperationalError) as raw:
                probe.execute(sa.select(table.c.key))
            assert isinstance(raw.value.orig, psycopg.errors.LockNotAvailable)
            assert is_busy(raw.value)
        holder.rollback()


def test_a_read_only_sqlite_store_opens_for_reading_and_refuses_writes(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'collab.db'}"
    with SqlStore.open(url) as store, store.unit_of_work() as unit:
        unit.put([_trust("RX1")])
    # A WAL database in a folder made read-only (root ignores the mode; mode=ro does not).
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with SqlStore.open(f"{url}?mode=ro") as store:
            assert store.url.endswith("?mode=ro")
            assert store.get(Trust, "RX1") is not None
            assert [v.record.ods_code for v in store.scan(Trust)] == [OdsCode("RX1")]
            with (
                pytest.raises(StoreError, match="read-only") as caught,
                store.unit_of_work() as unit,
            ):
                unit.put([_trust("RX2")])
            assert not isinstance(caught.value, StoreBusyError)
            assert store.count(Trust) == 1
    finally:
        folder.chmod(stat.S_IRWXU)
    with SqlStore.open(url) as store:
        assert store.count(Trust) == 1


def test_a_read_only_store_is_never_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()  # a database with no collab-sql schema
    with pytest.raises(StoreError, match="no collab-sql schema"):
        SqlStore.open(f"sqlite:///{path}?mode=ro")
    assert os.path.getsize(path) == 0


def test_mode_other_than_ro_is_a_configuration_error(tmp_path: Path) -> None:
    from collab_core import ConfigurationError

    with pytest.raises(ConfigurationError, match="mode is ro"):
        SqlStore.open(f"sqlite:///{tmp_path / 'x.db'}?mode=rw")


def test_a_scan_reports_a_corrupt_row_and_goes_on_when_asked(tmp_path: Path) -> None:
    with SqlStore.open(f"sqlite:///{tmp_path / 'c.db'}") as store:
        with store.unit_of_work() as unit:
            unit.put([_trust("RX1"), _trust("RX2"), _trust("RX3")])
        table = RECORD_TABLES["trust"]
        with store.engine.begin() as conn:
            conn.execute(table.update().where(table.c.key == "RX2").values(payload="{not json"))
        problems: list[CorruptRecordError] = []
        read = [v.record.ods_code.code for v in store.scan(Trust, on_corrupt=problems.append)]
        assert read == ["RX1", "RX3"]
        assert [(p.table, p.record_id) for p in problems] == [("trust", "RX2")]
        with pytest.raises(CorruptRecordError, match="RX2"):
            list(store.scan(Trust))

"""Several processes writing at once, and a writer killed mid-transaction: nothing is lost,
nothing is doubled, and nothing of an unfinished unit of work is ever visible."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from collab_sql_worker import BATCH, SHARED, planned_id

from collab_core import Death, OdsCode, Trust
from collab_sql import SqlStore
from collab_sql.schema import RECORD_TABLES

WORKER = Path(__file__).with_name("collab_sql_worker.py")
WRITERS = ("RA1", "RA2", "RA3", "RA4", "RA5")
SECONDS = 4.0


def _child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.postgres
@pytest.mark.slow
def test_concurrent_writers_lose_nothing_and_double_nothing(
    postgres_url: str, record_property: Callable[[str, object], None]
) -> None:
    with SqlStore.open(postgres_url) as store, store.unit_of_work() as unit:
        unit.put([Trust(SHARED, "Shared counter 0", dt.date(2017, 4, 1))])

    children = [_child("write", postgres_url, trust, str(SECONDS)) for trust in WRITERS]
    reports = []
    for child in children:
        out, err = child.communicate(timeout=SECONDS + 120)
        assert child.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))

    with SqlStore.open(postgres_url) as store, store.engine.connect() as conn:
        death = RECORD_TABLES["death"]
        doubled = conn.scalar(
            sa.select(sa.func.count()).select_from(
                sa.select(death.c.key).group_by(death.c.key).having(sa.func.count() > 1).subquery()
            )
        )
        lost = 0
        for report in reports:
            trust = report["trust"]
            stored = set(conn.scalars(sa.select(death.c.key).where(death.c.trust == trust)))
            reported = set(report["keys"])
            assert len(reported) == report["committed"]
            lost += len(reported - stored)
            doubled += len(stored - reported)
            # Every change of a death raised its version by exactly one: no lost update.
            changes = conn.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(death.c.version - 1), 0)).where(
                    death.c.trust == trust
                )
            )
            assert changes == report["updated"], trust
        shared = store.get(Trust, SHARED)

    records = sum(r["committed"] for r in reports)
    bumps = sum(r["bumps"] for r in reports)
    conflicts = sum(r["conflicts"] for r in reports)
    figures = {
        "writers": len(WRITERS),
        "seconds": SECONDS,
        "records": records,
        "lost": lost,
        "doubled": doubled,
        "units_committed": bumps,
        "units_refused_as_stale": conflicts,
    }
    for name, value in figures.items():
        record_property(name, value)
    print(f"\nconcurrent writers on PostgreSQL: {figures}")  # noqa: T201 - the figures, under -s

    assert records > 0
    assert (lost, doubled) == (0, 0)
    # Every committed unit bumped the shared counter once, from version 1.
    assert shared is not None
    assert shared.version == 1 + bumps
    assert shared.record.name == f"Shared counter {bumps}"


@pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_a_writer_killed_mid_transaction_leaves_no_partial_rows(
    engine: str, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue("sqlite_url" if engine == "sqlite" else "postgres_url"))
    if engine == "postgresql":
        url += "&application_name=collab_sql_killed"
    trust, batches = "RK9", 20
    SqlStore.open(url).close()  # migrate before the child starts

    with _child("half", url, trust, str(batches)) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        line = child.stdout.readline()
        if line.strip() == "half":
            os.kill(child.pid, signal.SIGKILL)
        else:
            child.kill()
        child.wait(timeout=60)
        errors = child.stderr.read()
    assert line.strip() == "half", errors
    assert child.returncode == -signal.SIGKILL

    planned = [planned_id(trust, n) for n in range(batches * BATCH)]
    with SqlStore.open(url) as store:
        if engine == "postgresql":
            _wait_for_backend_to_end(store)
        assert store.count(Death, trust=OdsCode(trust)) == 0
        assert all(store.get(Death, key) is None for key in planned[:: BATCH // 5])
        # No lock is left behind: the same keys can be written now.
        from collab_sql_testkit import a_death

        with store.unit_of_work() as unit:
            unit.put([a_death(trust, id=key) for key in planned[:BATCH]])
        assert store.count(Death, trust=OdsCode(trust)) == BATCH


def _wait_for_backend_to_end(store: SqlStore) -> None:
    """PostgreSQL notices a dead client at its next read of the socket; wait for that."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE application_name = 'collab_sql_killed' AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + 30
    with store.engine.connect() as conn:
        while conn.scalar(query) and time.monotonic() < deadline:
            conn.rollback()  # a fresh snapshot of pg_stat_activity each time
            time.sleep(0.1)
        assert conn.scalar(query) == 0, "the killed writer's backend is still there"


@pytest.mark.postgres
@pytest.mark.parametrize("revision", ["", "revision=0004"], ids=["partitioned", "unpartitioned"])
def test_two_units_adding_the_same_new_key_at_once_cannot_both_succeed(
    postgres_url: str, revision: str
) -> None:
    import threading

    from collab_sql_testkit import a_death

    from collab_core import ConcurrencyError

    death = a_death()
    url = f"{postgres_url}&{revision}" if revision else postgres_url
    with SqlStore.open(url) as store:
        assert store.partitioned is not bool(revision)
        first_wrote = threading.Event()
        outcome: list[BaseException | tuple[int, ...]] = []

        def second() -> None:
            first_wrote.wait(timeout=30)
            try:
                with store.unit_of_work() as unit:
                    # Blocks on the unique key until the first unit commits.
                    outcome.append(unit.put([death]))
            except ConcurrencyError as exc:
                outcome.append(exc)

        other = threading.Thread(target=second)
        other.start()
        with store.unit_of_work() as unit:
            unit.put([death])
            first_wrote.set()
            _wait_for_a_lock_wait(store)  # the second unit is blocked on the key: now commit
        other.join(timeout=60)
        (result,) = outcome
        assert isinstance(result, ConcurrencyError)
        assert (result.kind, result.record_id, result.actual) == ("death", str(death.id), 1)
        stored = store.get(Death, death.id)
        assert stored is not None
        assert stored.version == 1


def _wait_for_a_lock_wait(store: SqlStore) -> None:
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    deadline = time.monotonic() + 30
    with store.engine.connect() as conn:
        while not conn.scalar(query) and time.monotonic() < deadline:
            conn.rollback()
            time.sleep(0.05)
        assert conn.scalar(query), "the second unit never waited on the first"

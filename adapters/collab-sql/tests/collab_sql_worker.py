"""A child process for the concurrency and fault tests: run as
``python collab_sql_worker.py MODE URL TRUST ...``; reports on stdout as JSON lines.

- ``write URL TRUST SECONDS``: for SECONDS, commit units of new deaths of TRUST, change some of
  its own earlier deaths, and bump a counter record shared with every other writer (with an
  expected version, retrying on conflict). Prints what it committed.
- ``half URL TRUST BATCHES``: in one unit of work, put BATCHES batches of deaths with ids that
  the parent can work out; after half of them, print ``half`` and wait to be killed.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import uuid
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).parent))

from collab_sql_testkit import a_death

from collab_core import ConcurrencyError, Death, OdsCode, Trust
from collab_core.ports import UnitOfWork
from collab_sql import open_store

#: The record every writer bumps: a trust whose name carries a counter.
SHARED = OdsCode("Z99")
BATCH = 25


def planned_id(trust: str, n: int) -> uuid.UUID:
    """The id of the ``n``-th death a ``half`` child writes for ``trust``."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"collab-sql-test/{trust}/{n}")


def _bump_shared(unit: UnitOfWork) -> None:
    got = unit.get(Trust, SHARED)
    if got is None:
        raise SystemExit("the parent creates the shared record first")
    count = int(got.record.name.rsplit(" ", 1)[1]) + 1
    changed = attrs.evolve(got.record, name=f"Shared counter {count}")
    unit.put([changed], expected_versions=[got.version])


def write(url: str, trust: str, seconds: float) -> None:
    store = open_store(url, migrate=False)
    committed: list[str] = []
    mine: dict[uuid.UUID, Death] = {}
    updated = bumps = conflicts = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        first = dt.date(2019, 4, 1)
        fresh = [a_death(trust, first + dt.timedelta(days=i * 7)) for i in range(BATCH)]
        # Change a few of this writer's own deaths: each change must raise the version by one.
        changed = [attrs.evolve(d, age=(d.age or 0) + 1) for d in list(mine.values())[-5:]]
        try:
            with store.unit_of_work() as unit:
                unit.put([*fresh, *changed])
                _bump_shared(unit)
        except ConcurrencyError:
            conflicts += 1  # the whole unit rolled back: nothing of it counts
            continue
        bumps += 1
        updated += len(changed)
        committed.extend(str(d.id) for d in fresh)
        mine.update((d.id, d) for d in [*fresh, *changed])
    store.close()
    report = {
        "trust": trust,
        "committed": len(committed),
        "keys": committed,
        "updated": updated,
        "bumps": bumps,
        "conflicts": conflicts,
    }
    sys.stdout.write(json.dumps(report) + "\n")


def half(url: str, trust: str, batches: int) -> None:
    store = open_store(url, migrate=False)
    n = 0
    with store.unit_of_work() as unit:
        for b in range(batches):
            records = [a_death(trust, id=planned_id(trust, n + i)) for i in range(BATCH)]
            n += BATCH
            unit.put(records)
            if b + 1 == batches // 2:
                sys.stdout.write("half\n")
                sys.stdout.flush()
                time.sleep(120)  # the parent kills us here, mid-transaction
    sys.stdout.write("finished\n")  # never reached in the test


if __name__ == "__main__":
    mode, url, trust, arg = sys.argv[1:5]
    if mode == "write":
        write(url, trust, float(arg))
    elif mode == "half":
        half(url, trust, int(arg))
    else:
        raise SystemExit(f"unknown mode {mode}")

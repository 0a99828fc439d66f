"""The outbox under real faults, on SQLite and PostgreSQL: a deliverer killed with SIGKILL in
the middle of a delivery, many times over, and two deliverers running at once.

Each child process (``collab_sql_outbox_worker.py``) delivers to an idempotent publisher, which
writes one file per idempotency key, and to one that is not, which appends to a log as an
e-mail is sent. After every kill the next deliverer resumes. At the end nothing is lost (every
entry delivered, a file for every key), the idempotent publisher holds one copy of each, and
the other received each entry at most once more for each kill that stopped a delivery of it.

The number of kills per engine is ``COLLAB_OUTBOX_KILLS`` (default 30; 200 in the slow
Hypothesis profile, ``COLLAB_HYPOTHESIS_PROFILE=slow``). The counts are reported as test
properties (``--junitxml``) and printed (``-s``).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from collab_sql_outbox_worker import open_collaborative

from collab_core import Audience
from collab_core.ports import OutboxStatus, Publication
from collab_sql import upgrade

WORKER = Path(__file__).with_name("collab_sql_outbox_worker.py")
_MADE = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def _kills() -> int:
    default = 200 if os.environ.get("COLLAB_HYPOTHESIS_PROFILE") == "slow" else 30
    return int(os.environ.get("COLLAB_OUTBOX_KILLS", default))


def _publication(n: int) -> Publication:
    return Publication(
        uuid.uuid4(), "bulletin", Audience.STAFF, f"Learning bulletin {n}", {"n": n}, _MADE
    )


def _child(
    url: str, folder: Path, offset: int, kill_at: int, phase: str, go: Path | None = None
) -> subprocess.Popen[str]:
    env = dict(os.environ)
    if go is not None:
        env["COLLAB_WORKER_GO"] = str(go)
        env["COLLAB_WORKER_PACE"] = "0.01"
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, str(folder), str(offset), str(kill_at), phase],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _queue(url: str, folder: Path, first: int, count: int) -> None:
    with open_collaborative(url, folder) as collab:
        for n in range(first, first + count):
            collab.publish(_publication(n))


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split() if path.exists() else []


@pytest.mark.slow
def test_a_deliverer_killed_mid_delivery_loses_nothing_and_doubles_nothing_at_idempotent_publishers(
    store_url: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    upgrade(store_url)
    rng = random.Random(20261203)
    # Each round queues new entries (half the time) and stops its deliverer at one of its
    # first three hand-overs, before or after the side effect; the last round runs to the end.
    kills = _kills()
    stopped: list[tuple[str, str]] = []  # (publisher, key) in flight at each kill
    queued = killed = 0
    for round_ in range(kills):
        if rng.random() < 0.5 or round_ == 0:
            _queue(store_url, tmp_path, queued, 2)  # two publications: four entries
            queued += 2
        phase = rng.choice(["before", "after"])
        child = _child(store_url, tmp_path, round_, rng.randint(1, 3), phase)
        assert child.stdout is not None
        line = child.stdout.readline().split()
        if line and line[0] == "stopped":
            os.kill(child.pid, signal.SIGKILL)
            child.communicate(timeout=60)  # reaps it and closes its pipes
            assert child.returncode == -signal.SIGKILL
            killed += 1
            if phase == "after":
                stopped.append((line[1], line[2]))
        else:  # fewer entries were due than the hand-over it was to stop at
            _, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
    last = _child(store_url, tmp_path, kills, 0, "after")
    _, err = last.communicate(timeout=300)
    assert last.returncode == 0, err

    with open_collaborative(store_url, tmp_path) as collab:
        entries = collab.store.outbox(status=None)
    keys = {p: {e.key for e in entries if e.publisher == p} for p in ("files", "mail")}
    assert len(entries) == 2 * queued
    lost = [e for e in entries if e.status is not OutboxStatus.DELIVERED]
    files = {p.stem for p in (tmp_path / "files").glob("*.json")}
    leftovers = list((tmp_path / "files").glob("*.partial"))
    mail = Counter(_lines(tmp_path / "mail.log"))
    handed = Counter(tuple(line.split()[:2]) for line in _read(tmp_path / "handed.log"))
    again_at_mail = Counter(key for publisher, key in stopped if publisher == "mail")
    figures = {
        "rounds": kills,
        "kills": killed,
        "entries": len(entries),
        "lost": len(lost),
        "files": len(files),
        "file copies beyond one": len(files) - len(keys["files"]),
        "files handed over again": sum(n - 1 for (p, _), n in handed.items() if p == "files"),
        "mails": sum(mail.values()),
        "mails sent again": sum(n - 1 for n in mail.values()),
        "kills after a mail was sent": sum(again_at_mail.values()),
    }
    for name, value in figures.items():
        record_property(name, value)
    print(f"\noutbox kill test on {store_url.split(':', maxsplit=1)[0]}: {figures}")  # noqa: T201 - the report of a child, or of a fault test
    assert lost == []
    assert files == keys["files"]  # a file for every key, one copy each
    assert leftovers == []  # a kill never leaves half a file under a key
    assert set(mail) == keys["mail"]  # every mail sent at least once
    for key, sent in mail.items():
        # At most once more for each kill that stopped after sending it.
        assert sent <= 1 + again_at_mail[key], key


def _read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.mark.slow
def test_two_deliverers_at_once_never_hand_an_entry_over_twice(
    store_url: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    upgrade(store_url)
    publications = 30
    _queue(store_url, tmp_path, 0, publications)
    go = tmp_path / "go"
    children = [_child(store_url, tmp_path, 1, 0, "after", go) for _ in range(2)]
    for child in children:  # both have opened the store and wait: start them together
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    go.touch()
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
    with open_collaborative(store_url, tmp_path) as collab:
        entries = collab.store.outbox(status=None)
    handed = [line.split() for line in _read(tmp_path / "handed.log")]
    per_entry = Counter((publisher, key) for publisher, key, _pid in handed)
    by_process = Counter(pid for _p, _k, pid in handed)
    files = {p.stem for p in (tmp_path / "files").glob("*.json")}
    figures = {
        "entries": len(entries),
        "hand-overs": len(handed),
        "entries handed over twice": sum(1 for n in per_entry.values() if n > 1),
        "files": len(files),
        "processes that delivered": len(by_process),
    }
    for name, value in figures.items():
        record_property(name, value)
    print(f"\ntwo deliverers on {store_url.split(':', maxsplit=1)[0]}: {figures}")  # noqa: T201 - the report of a child, or of a fault test
    assert len(entries) == 2 * publications
    assert all(e.status is OutboxStatus.DELIVERED for e in entries)
    assert set(per_entry.values()) == {1}
    assert len(per_entry) == len(entries)
    assert files == {e.key for e in entries if e.publisher == "files"}

"""A child process for the outbox's crash and concurrency tests: run as
``python collab_sql_outbox_worker.py URL FOLDER OFFSET_HOURS KILL_AT PHASE``.

It opens the store with two publishers and runs one round of ``deliver_pending``:

- ``files`` is idempotent: it writes ``FOLDER/files/<key>.json`` by atomic replace;
- ``mail`` is not: it appends the key to ``FOLDER/mail.log``, as an e-mail is sent.

Both append ``<publisher> <key> <pid>`` to ``FOLDER/handed.log`` for every hand-over. With
``KILL_AT`` n > 0, the n-th hand-over stops (``PHASE`` ``before``: before its side effect;
``after``: after it, before the outbox records it), prints ``stopped <publisher> <key>`` and
waits to be killed. With ``COLLAB_WORKER_GO`` set to a path, it opens its store, prints
``ready`` and waits for that file before delivering, so that several start at once. The clock
runs ``OFFSET_HOURS`` ahead, so that claims left by an earlier, killed child have lapsed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import collab_core
import collab_sql.plugin
from collab_core import Collaborative
from collab_core.ports import DeliveryReceipt, Publication, PublisherSpec

PUBLISHERS = {"files": {}, "mail": {}}


class _Stop:
    """Counts hand-overs in this process and stops at the chosen one."""

    def __init__(self, kill_at: int, phase: str) -> None:
        self.kill_at = kill_at
        self.phase = phase
        self.count = 0

    def handing(self, publisher: str, key: str) -> None:
        self.count += 1
        # Paces deliveries, so that deliverers started together take turns at the store's
        # lock (SQLite's busy handler would otherwise let one run through them all).
        time.sleep(float(os.environ.get("COLLAB_WORKER_PACE", "0")))
        if self.count == self.kill_at and self.phase == "before":
            self._wait(publisher, key)

    def handed(self, publisher: str, key: str, folder: Path) -> None:
        with (folder / "handed.log").open("a", encoding="utf-8") as log:
            log.write(f"{publisher} {key} {os.getpid()}\n")
        if self.count == self.kill_at and self.phase == "after":
            self._wait(publisher, key)

    @staticmethod
    def _wait(publisher: str, key: str) -> None:
        print(f"stopped {publisher} {key}", flush=True)  # noqa: T201 - the report of a child, or of a fault test
        while True:  # the parent kills this process here, mid-delivery
            time.sleep(60)


class _Files:
    idempotent = True
    name = "files"

    def __init__(self, folder: Path, stop: _Stop) -> None:
        self._folder = folder
        self._stop = stop

    def deliver(self, publication: Publication, *, key: str) -> DeliveryReceipt:
        self._stop.handing(self.name, key)
        target = self._folder / "files" / f"{key}.json"
        partial = target.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(collab_core.to_json(publication), encoding="utf-8")
        partial.replace(target)
        self._stop.handed(self.name, key, self._folder)
        return DeliveryReceipt(self.name, publication.id, dt.datetime.now(dt.UTC), str(target))


class _Mail:
    idempotent = False
    name = "mail"

    def __init__(self, folder: Path, stop: _Stop) -> None:
        self._folder = folder
        self._stop = stop

    def deliver(self, publication: Publication, *, key: str) -> DeliveryReceipt:
        self._stop.handing(self.name, key)
        with (self._folder / "mail.log").open("a", encoding="utf-8") as mail:
            mail.write(f"{key}\n")
        self._stop.handed(self.name, key, self._folder)
        return DeliveryReceipt(self.name, publication.id, dt.datetime.now(dt.UTC), "mail")


class WorkerPublishers:
    """Registers the two publishers, writing under ``folder``."""

    def __init__(self, folder: Path, kill_at: int = 0, phase: str = "after") -> None:
        self.folder = folder
        (folder / "files").mkdir(parents=True, exist_ok=True)
        self.stop = _Stop(kill_at, phase)

    @collab_core.hookimpl
    def collab_register_publishers(self) -> list[PublisherSpec]:
        def files(_settings: Mapping[str, Any]) -> _Files:
            return _Files(self.folder, self.stop)

        def mail(_settings: Mapping[str, Any]) -> _Mail:
            return _Mail(self.folder, self.stop)

        return [PublisherSpec("files", files), PublisherSpec("mail", mail)]


def open_collaborative(url: str, folder: Path, kill_at: int = 0, phase: str = "after") -> Any:
    """The collaborative of a worker (or of the test, to queue publications)."""
    return Collaborative.open(
        url,
        plugins=[collab_sql.plugin, WorkerPublishers(folder, kill_at, phase)],
        load_entry_points=False,
        environ={},
        publishers=PUBLISHERS,
    )


def main(url: str, folder: str, offset_hours: str, kill_at: str, phase: str) -> None:
    offset = dt.timedelta(hours=int(offset_hours))
    with open_collaborative(url, Path(folder), int(kill_at), phase) as collab:
        go = os.environ.get("COLLAB_WORKER_GO")
        if go:  # start together with the other deliverers: wait for the parent's signal
            print("ready", flush=True)  # noqa: T201 - the parent waits for it
            while not Path(go).exists():
                time.sleep(0.01)
        report = collab.deliver_pending(now=lambda: dt.datetime.now(dt.UTC) + offset)
    print(f"done {len(report.delivered)} {len(report.failed)}", flush=True)  # noqa: T201 - the report of a child, or of a fault test


if __name__ == "__main__":
    main(*sys.argv[1:6])

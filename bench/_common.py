"""What every scenario shares: the sizes, the synthetic collaborative of a size, its payloads
cached once per run as JSON lines (one batch a line), and the peak memory of this process."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from collab_core import to_payload
from collab_core.synthetic import SyntheticCollaborative

SIZES: dict[str, int] = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}

#: The hub's PostgreSQL server; the benchmark uses a database of its own on it.
PG_SERVER = os.environ.get("COLLAB_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
PG_DATABASE = "collab_bench"

TRUSTS = 60
YEARS = 3
# Records per death (the death, its reviews, learning, sharing, family involvement, candour)
# and per member (the member and their assessments), measured on the synthetic collaborative.
_PER_DEATH = 2.35
_PER_MEMBER = 3.2


def synthetic(size: int) -> SyntheticCollaborative:
    """A synthetic collaborative of 60 trusts over 3 years with about ``size`` records:
    three quarters from deaths and what follows them, a quarter members and assessments."""
    deaths = max(1, round(0.75 * size / (TRUSTS * YEARS * _PER_DEATH)))
    members = max(2, round(0.25 * size / (TRUSTS * _PER_MEMBER)))
    return SyntheticCollaborative(
        trusts=TRUSTS, years=YEARS, deaths_per_trust_year=deaths, members_per_trust=members
    )


def payload_file(workdir: Path, size: int) -> Path:
    """The synthetic collaborative's payloads, one batch (a JSON array) a line; made once."""
    path = workdir / f"payloads-{size}.jsonl"
    if path.exists():
        return path
    part = path.with_suffix(".part")
    with part.open("wb") as out:
        for batch in synthetic(size).batches():
            out.write(orjson.dumps([to_payload(r) for r in batch.records]))
            out.write(b"\n")
    part.rename(path)
    return path


def payload_batches(workdir: Path, size: int) -> Iterator[list[dict[str, Any]]]:
    """The payload dicts of each batch, streamed from :func:`payload_file`."""
    with payload_file(workdir, size).open("rb") as lines:
        for line in lines:
            yield orjson.loads(line)


class Stopwatch:
    """Wall-clock and CPU time of this process, summed over the blocks it times.

    CPU time counts only this process (not a database server's), but moves far less than
    wall-clock time when other work shares the machine.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    @contextmanager
    def timing(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - wall
            self.cpu_seconds += time.process_time() - cpu


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def sqlite_path(workdir: Path, size: int) -> Path:
    """The SQLite store that ``ingest_sqlite`` writes and the figures read."""
    return workdir / f"store-{size}.db"


def pg_url(database: str = PG_DATABASE) -> str:
    return f"{PG_SERVER}/{database}"

"""Benchmarks (``nox -s bench``): writing a synthetic collaborative to SQLite, and the Learning
from Deaths facts counted in SQL against the same facts computed in Python from streamed records.

Scale with ``COLLAB_BENCH_TRUSTS`` and ``COLLAB_BENCH_DEATHS`` (deaths per trust per year).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collab_core import Collaborative, Death, Review, lfd_dashboard_query, lfd_facts, to_json
from collab_core.synthetic import SyntheticCollaborative

TRUSTS = int(os.environ.get("COLLAB_BENCH_TRUSTS", "16"))
DEATHS = int(os.environ.get("COLLAB_BENCH_DEATHS", "250"))
SYNTHETIC = SyntheticCollaborative(trusts=TRUSTS, deaths_per_trust_year=DEATHS)


@pytest.fixture(scope="module")
def collab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collaborative]:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'collab.db'}"
    with Collaborative.open(url) as opened:
        for batch in SYNTHETIC.batches():
            opened.record(batch.records)  # type: ignore[arg-type]
        yield opened


def test_bench_write_a_collaborative_to_sqlite(benchmark: Any, tmp_path: Path) -> None:
    counter = iter(range(1_000_000))

    def write() -> None:
        url = f"sqlite:///{tmp_path / f'w{next(counter)}.db'}"
        with Collaborative.open(url) as opened:
            for batch in SYNTHETIC.batches():
                opened.record(batch.records)  # type: ignore[arg-type]

    benchmark.pedantic(write, rounds=1, iterations=1)


def test_bench_raw_sqlite3_insert_of_the_same_payloads(benchmark: Any, tmp_path: Path) -> None:
    """The floor: the same JSON payloads inserted with the standard library's sqlite3."""
    rows = [
        (str(i), to_json(r))
        for i, r in enumerate(r for b in SYNTHETIC.batches() for r in b.records)
    ]
    counter = iter(range(1_000_000))

    def write() -> None:
        with sqlite3.connect(tmp_path / f"raw{next(counter)}.db") as conn:
            conn.execute("create table record (id integer primary key, key text unique, body text)")
            conn.executemany("insert into record (key, body) values (?, ?)", rows)

    benchmark.pedantic(write, rounds=1, iterations=1)


def test_bench_lfd_facts_counted_in_sql(benchmark: Any, collab: Collaborative) -> None:
    query = _query(collab)
    facts = benchmark(collab.store.lfd_facts, query)
    assert sum(f.in_scope for f in facts) > 0


def test_bench_lfd_facts_computed_in_python(benchmark: Any, collab: Collaborative) -> None:
    query = _query(collab)

    def compute() -> Any:
        return lfd_facts(
            (v.record for v in collab.store.scan(Death)),
            (v.record for v in collab.store.scan(Review)),
            query,
        )

    facts = benchmark.pedantic(compute, rounds=3, iterations=1)
    assert facts == collab.store.lfd_facts(query)


def _query(collab: Collaborative) -> Any:
    return lfd_dashboard_query(list(collab.trusts()), SYNTHETIC.financial_years, SYNTHETIC.end)

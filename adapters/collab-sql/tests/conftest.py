"""Fixtures for the SQL store's tests: a fresh SQLite file per test, and on PostgreSQL a database
per test session (dropped after) with a fresh schema per test.

PostgreSQL is found at ``postgresql://postgres@127.0.0.1:5432/test`` unless
``COLLAB_TEST_POSTGRES_URL`` says otherwise; without a server its tests are skipped, unless
``COLLAB_REQUIRE_POSTGRES=1``, when they fail.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from collab_sql import SqlStore

# The helpers shared by this adapter's tests (record builders, strategies) live beside them.
sys.path.insert(0, str(Path(__file__).parent))

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _postgres_base_url() -> str:
    return os.environ.get("COLLAB_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _connect_admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname=parsed.database or "postgres",
        autocommit=True,
        connect_timeout=5,
    )


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A uniquely named PostgreSQL database for this test session, dropped afterwards."""
    base = _postgres_base_url()
    try:
        admin = _connect_admin(base)
    except Exception as exc:
        reason = f"no PostgreSQL server at {make_url(base).render_as_string()}: {exc}"
        if os.environ.get("COLLAB_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"COLLAB_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    name = f"collab_sql_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with _connect_admin(base) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """A URL to a fresh, empty schema in the session's database."""
    schema = f"s_{uuid.uuid4().hex[:12]}"
    with _connect_admin(postgres_database) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{postgres_database}?options=-csearch_path%3D{schema}"
    with _connect_admin(postgres_database) as admin:
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'collab.db'}"


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def store_url(request: pytest.FixtureRequest) -> str:
    """A URL to a fresh, empty database on each engine."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def open_sql_store(store_url: str) -> Iterator[Callable[[], SqlStore]]:
    """Opens (or re-opens) the same store; every store opened is closed after the test."""
    opened: list[SqlStore] = []

    def _open() -> SqlStore:
        store = SqlStore.open(store_url)
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.close()


@pytest.fixture
def store(open_sql_store: Callable[[], SqlStore]) -> SqlStore:
    return open_sql_store()

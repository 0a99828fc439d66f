"""The store conformance kit of collab_core, on SQLite and on PostgreSQL: every test of
:class:`~collab_core.testing.conformance.StoreTests`, including the state machine that holds the
SQL store against the in-memory reference store."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from collab_core.ports import Store
from collab_core.testing.conformance import StoreTests
from collab_sql import SqlStore
from collab_sql.schema import RECORD_TABLES


class _SqlStoreTests(StoreTests):
    """What both engines share: opening by URL, and damaging a row's payload on purpose."""

    url: str

    def corrupt_record(self, store: Store, kind: str, key: str) -> None:
        assert isinstance(store, SqlStore)
        table = RECORD_TABLES[kind]
        with store.engine.begin() as conn:
            changed = conn.execute(
                sa.update(table).where(table.c.key == key).values(payload='{"type": "death", "x')
            ).rowcount
        assert changed == 1

    def _opener(self, url: str) -> Iterator[Callable[[], Store]]:
        opened: list[SqlStore] = []

        def open_store() -> Store:
            store = SqlStore.open(url)
            opened.append(store)
            return store

        yield open_store
        for store in opened:
            store.close()


class TestSqliteStore(_SqlStoreTests):
    @pytest.fixture
    def open_store(self, sqlite_url: str) -> Iterator[Callable[[], Store]]:
        yield from self._opener(sqlite_url)


@pytest.mark.postgres
class TestPostgresStore(_SqlStoreTests):
    @pytest.fixture
    def open_store(self, postgres_url: str) -> Iterator[Callable[[], Store]]:
        yield from self._opener(postgres_url)

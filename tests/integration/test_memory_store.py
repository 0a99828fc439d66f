"""The in-memory reference store passes the whole conformance kit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from collab_core.plugins.memory import MemoryStore
from collab_core.ports import Capability, Store
from collab_core.testing.conformance import StoreOpener, StoreStateMachine, StoreTests


class TestMemoryStore(StoreTests):
    @pytest.fixture
    def open_store(self) -> Iterator[StoreOpener]:
        name = f"kit-{uuid.uuid4()}"
        yield lambda: MemoryStore(name)
        MemoryStore.drop(name)

    def corrupt_record(self, store: Store, kind: str, key: str) -> None:
        _corrupt(store, kind, key)


def _corrupt(store: Store, kind: str, key: str) -> None:
    assert isinstance(store, MemoryStore)
    store._data.tables[kind][key] = "not a record"  # what a damaged payload would read as


class _AggregatingMemoryStore(MemoryStore):
    """The memory store, declaring its reference answers native, to run the kit's aggregate
    tests against the reference itself."""

    @property
    def capabilities(self) -> frozenset[Capability]:
        return super().capabilities | {Capability.NATIVE_AGGREGATES}


class TestAggregatingMemoryStore(StoreTests):
    @pytest.fixture
    def open_store(self) -> Iterator[StoreOpener]:
        name = f"kit-{uuid.uuid4()}"
        yield lambda: _AggregatingMemoryStore(name)
        MemoryStore.drop(name)

    def corrupt_record(self, store: Store, kind: str, key: str) -> None:
        _corrupt(store, kind, key)


TestMemoryStoreStateful = StoreStateMachine.for_store(
    lambda: MemoryStore("stateful"), settings=StoreStateMachine.default_settings(10, 10)
)

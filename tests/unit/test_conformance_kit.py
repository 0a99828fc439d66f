"""The conformance kit has teeth: its state machine catches stores that break the port's rules,
and its capability checks skip with a reason naming the capability."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from collab_core import MemoryStore
from collab_core.plugins.memory import _MemoryUnit
from collab_core.ports import Capability, Store, Versioned, spec_for
from collab_core.testing.conformance import StoreStateMachine, requires

_QUICK = settings(
    max_examples=60,
    stateful_step_count=12,
    deadline=None,
    database=None,
    derandomize=True,  # the same runs every time: a broken store is caught, never by luck
    phases=[Phase.generate],  # finding the fault is enough; shrinking it is not under test
    suppress_health_check=list(HealthCheck),
)


class _CommitsWhatever(_MemoryUnit):
    """Commits even when the block raised: abandoned units leak."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(None, None, None)


class _LeakyStore(MemoryStore):
    def unit_of_work(self) -> _MemoryUnit:
        return _CommitsWhatever(self._live())


class _BumpingUnit(_MemoryUnit):
    def put(self, records: Any, *, expected_versions: Any = None) -> tuple[int, ...]:
        before = [self.get(type(r), spec_for(type(r)).key(r)) for r in records]
        versions = list(super().put(records, expected_versions=expected_versions))
        for i, (record, old) in enumerate(zip(records, before, strict=True)):
            if old is not None and old.version == versions[i]:
                versions[i] += 1
                spec = spec_for(type(record))
                self._staged[(spec.kind, spec.key(record))] = Versioned(record, versions[i])
        return tuple(versions)


class _BumpsEqualRecords(MemoryStore):
    """Raises the version even when an equal record is put again."""

    def unit_of_work(self) -> _MemoryUnit:
        return _BumpingUnit(self._live())


class _ReversedScan(MemoryStore):
    """Streams in reverse key order."""

    def scan(self, kind: Any, **filters: Any) -> Iterator[Any]:
        return iter(list(super().scan(kind, **filters))[::-1])


class _ForgetsOnReopen(MemoryStore):
    """Declares itself re-openable, but every opening starts empty."""

    @property
    def capabilities(self) -> frozenset[Capability]:
        return super().capabilities | {Capability.REOPENABLE}


def _opener(kind: type[MemoryStore]) -> Callable[[], Store]:
    name = f"kit-{uuid.uuid4()}"
    return lambda: kind(name)


@pytest.mark.parametrize(
    ("broken", "opener"),
    [
        ("abandoned units leak", lambda: _opener(_LeakyStore)),
        ("equal records bump versions", lambda: _opener(_BumpsEqualRecords)),
        ("scans run backwards", lambda: _opener(_ReversedScan)),
        ("re-opening forgets", lambda: _ForgetsOnReopen),
    ],
)
def test_the_state_machine_catches_a_broken_store(
    broken: str, opener: Callable[[], Callable[[], Store]]
) -> None:
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        run_state_machine_as_test(StoreStateMachine.bound_to(opener()), settings=_QUICK)


def test_the_state_machine_passes_the_reference_store() -> None:
    run_state_machine_as_test(StoreStateMachine.bound_to(_opener(MemoryStore)), settings=_QUICK)


def test_an_undeclared_capability_skips_naming_it() -> None:
    with pytest.raises(pytest.skip.Exception, match=r"Capability\.NATIVE_AGGREGATES"):
        requires(MemoryStore(), Capability.NATIVE_AGGREGATES)


def test_persistent_counts_as_reopenable() -> None:
    class Persistent(MemoryStore):
        @property
        def capabilities(self) -> frozenset[Capability]:
            return frozenset({Capability.PERSISTENT})

    requires(Persistent(), Capability.REOPENABLE)

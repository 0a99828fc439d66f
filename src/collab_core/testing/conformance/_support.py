"""Helpers the conformance tests share: the fixtures an adapter provides, the kit's
Hypothesis settings for property tests, and small builders of records and units of work.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings

from collab_core.domain.deaths import Death, DeathSetting
from collab_core.domain.identifiers import CaseReference, OdsCode
from collab_core.domain.learning import Audience
from collab_core.domain.organisations import Trust
from collab_core.ports import (
    RECORD_SPECS,
    Capability,
    OutboxEntry,
    Publication,
    Record,
    Store,
    UnitOfWork,
    Versioned,
)

#: A zero-argument callable that opens (or re-opens) the same underlying store on each call.
StoreOpener = Callable[[], Store]

_KINDS = [s.kind for s in RECORD_SPECS]
_AT = dt.datetime(2025, 4, 1, 9, 30, tzinfo=dt.UTC)


class _AbandonError(Exception):
    """Raised inside a unit of work to abandon it."""


def _in_unit(store: Store, *steps: Callable[[UnitOfWork], object]) -> None:
    """Run ``steps`` in one unit of work, which commits if none raises."""
    with store.unit_of_work() as uow:
        for step in steps:
            step(uow)


def _abandoned(store: Store, *steps: Callable[[UnitOfWork], object]) -> None:
    """Run ``steps`` in one unit of work, then abandon it by raising inside."""
    with store.unit_of_work() as uow:
        for step in steps:
            step(uow)
        raise _AbandonError


def requires(store: Store, capability: Capability) -> None:
    """Skip the running test unless ``store`` declares ``capability``.

    :data:`~collab_core.ports.Capability.PERSISTENT` implies
    :data:`~collab_core.ports.Capability.REOPENABLE`.
    """
    declared = set(store.capabilities)
    if Capability.PERSISTENT in declared:
        declared.add(Capability.REOPENABLE)
    if capability not in declared:
        pytest.skip(
            f"the store does not declare Capability.{capability.name} ({capability.value!r})"
        )


def _reopenable(store: Store) -> bool:
    caps = store.capabilities
    return Capability.PERSISTENT in caps or Capability.REOPENABLE in caps


def _everything(store: Store) -> dict[str, list[Versioned[Any]]]:
    return {s.kind: list(store.scan(s.type)) for s in RECORD_SPECS}


def _put(store: Store, records: Sequence[Record]) -> tuple[int, ...]:
    with store.unit_of_work() as uow:
        return uow.put(records)


def _entry(publication: Publication, publisher: str = "site") -> OutboxEntry:
    return OutboxEntry(id=uuid.uuid4(), publisher=publisher, publication=publication)


def _trust(code: str, joined: dt.date = dt.date(2018, 4, 1)) -> Trust:
    return Trust(OdsCode(code), f"Trust {code}", joined)


class KitBase:
    """What every group of conformance tests shares: the fixtures an adapter provides and the
    kit's Hypothesis settings. :class:`~collab_core.testing.conformance.StoreTests` gathers
    the groups."""

    property_examples: ClassVar[int] = 25

    # -- what an adapter provides ----------------------------------------------------------

    @pytest.fixture
    def open_store(self) -> StoreOpener:
        """Return a zero-argument callable that opens the store under test.

        Every call must open the *same* underlying data (the same file, schema or name), so
        that the re-opening tests see what an earlier opening committed. It starts empty.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must define an open_store fixture (see StoreTests)"
        )

    def corrupt_record(self, store: Store, kind: str, key: str) -> None:
        """Damage the stored record of ``kind`` under ``key`` so that it cannot be read back
        (garbage in its payload column, say). Optional: the corruption tests skip without it.
        """
        raise NotImplementedError

    # -- shared fixtures and helpers -------------------------------------------------------

    @pytest.fixture
    def store(self, open_store: StoreOpener) -> Iterator[Store]:
        """The store under test, opened once for the test and closed after it."""
        opened = open_store()
        yield opened
        opened.close()

    def _settings(self) -> settings:
        return settings(
            max_examples=self.property_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )

    # -- corruption ----------------------------------------------------------------------------

    def _corrupt(self, store: Store, kind: str, key: str) -> None:
        try:
            self.corrupt_record(store, kind, key)
        except NotImplementedError:
            pytest.skip(f"{type(self).__name__} does not implement corrupt_record()")


def _death_key(death: Death) -> str:
    return str(death.id)


def _fixed_death(trust: str = "RH8", day: dt.date = dt.date(2024, 5, 1)) -> Death:
    code = OdsCode(trust)
    return Death(
        id=uuid.uuid4(),
        trust=code,
        case_ref=CaseReference(code, "DATIX-1"),
        died_on=day,
        setting=DeathSetting.INPATIENT,
        age=42,
    )


def _fixed_publication() -> Publication:
    return Publication(
        id=uuid.uuid4(),
        kind="learning",
        audience=Audience.COLLABORATIVE,
        title="Learning from deaths, quarter 1",
        body={"items": 3, "themes": ["observation", "discharge"]},
        created_at=_AT,
    )

"""Helpers the conformance tests share: the fixtures an adapter provides, the kit's
Hypothesis settings for property tests, and small builders of records and units of work.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, settings

from collab_core.domain.deaths import Death, DeathSetting
from collab_core.domain.errors import ConcurrencyError
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
    # A key of its own: these tests queue equal content more than once on purpose.
    entry_id = uuid.uuid4()
    return OutboxEntry(entry_id, publisher, publication, key=f"entry-{entry_id}")


def _trust(code: str, joined: dt.date = dt.date(2018, 4, 1)) -> Trust:
    return Trust(OdsCode(code), f"Trust {code}", joined)


class KitBase:
    """What every group of conformance tests shares: the fixtures an adapter provides and the
    kit's Hypothesis settings. :class:`~collab_core.testing.conformance.StoreTests` gathers
    the groups."""

    property_examples: ClassVar[int] = 25
    #: Seconds the first of two interleaved units waits for the second to finish before it
    #: commits. A store that makes the second unit wait on the first's locks (SQLite, row locks)
    #: is then tested in the other order; the verdict never depends on this wait, only which
    #: interleaving is tried.
    interleave_seconds: ClassVar[float] = 2.0

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


#: How long the kit waits for the second of two interleaved units to end at all.
_SECOND_UNIT_BOUND = 120.0


@attrs.frozen
class Interleaving:
    """How two interleaved units of work ended: each one's :class:`ConcurrencyError`, or
    ``None`` when it committed; and whether the second had ended before the first committed."""

    first: ConcurrencyError | None
    second: ConcurrencyError | None
    second_ended_first: bool

    @property
    def committed(self) -> tuple[bool, bool]:
        """Whether the first and the second unit committed."""
        return (self.first is None, self.second is None)


def _interleave(
    first: Store,
    second: Store,
    first_steps: Callable[[UnitOfWork], object],
    second_steps: Callable[[UnitOfWork], object],
    wait: float,
    *,
    first_then: Callable[[UnitOfWork], object] | None = None,
) -> Interleaving:
    """Run two units of work interleaved: the first does ``first_steps``; then, while it is
    still open, the second (in a thread of its own, on ``second``) does ``second_steps`` and
    commits; then the first does ``first_then``, if given, and commits. A store whose locks
    make the second unit wait for the first is given ``wait`` seconds, after which the first
    goes on and the second waits until it has committed.

    Only :class:`ConcurrencyError` is an accepted way for a unit to fail; any other error
    propagates.
    """
    ended = threading.Event()
    second_outcome: list[BaseException | None] = []

    def run_second() -> None:
        try:
            with second.unit_of_work() as uow:
                second_steps(uow)
        except BaseException as exc:  # handed to the main thread, which judges it
            second_outcome.append(exc)
        else:
            second_outcome.append(None)
        finally:
            ended.set()

    thread = threading.Thread(target=run_second, name="second unit of work", daemon=True)
    first_error: ConcurrencyError | None = None
    second_ended_first = False
    try:
        with first.unit_of_work() as uow:
            first_steps(uow)
            thread.start()
            ended.wait(wait)
            second_ended_first = ended.is_set()
            if first_then is not None:
                first_then(uow)
    except ConcurrencyError as exc:
        first_error = exc
    finally:
        if thread.is_alive():
            thread.join(_SECOND_UNIT_BOUND)
    if thread.ident is None:
        raise AssertionError(
            "the first unit of work failed before the second one began"
        ) from first_error
    if not ended.is_set():
        raise AssertionError(
            f"the second unit of work did not end within {_SECOND_UNIT_BOUND:.0f} seconds "
            "of the first one's commit"
        )
    (second_error,) = second_outcome
    if second_error is not None and not isinstance(second_error, ConcurrencyError):
        raise second_error
    return Interleaving(first_error, second_error, second_ended_first)

"""The port itself and its records: versions, idempotent writes, units of work that commit
all or nothing, round trips of every kind, re-opening and corrupt records.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given

from collab_core.domain.deaths import Death
from collab_core.domain.errors import CorruptRecordError, StoreError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.organisations import Trust
from collab_core.ports import (
    RECORD_SPECS,
    Capability,
    OutboxEntry,
    RecordSpec,
    Store,
    UnitOfWork,
    Versioned,
    redact_url,
    spec_for,
)
from collab_core.testing import _records as recs
from collab_core.testing.conformance._support import (
    _AT,
    _KINDS,
    KitBase,
    StoreOpener,
    _abandoned,
    _AbandonError,
    _entry,
    _everything,
    _fixed_death,
    _fixed_publication,
    _in_unit,
    _put,
    _trust,
    requires,
)

_OUTBOX_WRITES = ("enqueue", "mark_delivered", "mark_failed")
_WRITES = ("new record", "changed record", *_OUTBOX_WRITES)


class RecordTests(KitBase):
    """The port itself and its records: versions, idempotent writes, units of work that commit
    all or nothing, round trips of every kind, re-opening and corrupt records.
    """

    # -- the port itself ---------------------------------------------------------------------

    def test_store_implements_the_store_protocol(self, store: Store) -> None:
        assert isinstance(store, Store)
        assert isinstance(store.capabilities, frozenset)
        assert all(isinstance(c, Capability) for c in store.capabilities)

    def test_url_never_shows_a_password(self, store: Store) -> None:
        assert isinstance(store.url, str)
        assert store.url == redact_url(store.url)

    def test_a_new_store_is_empty(self, store: Store) -> None:
        for spec in RECORD_SPECS:
            assert list(store.scan(spec.type)) == []
            assert store.count(spec.type) == 0

    def test_closing_twice_is_safe(self, open_store: StoreOpener) -> None:
        opened = open_store()
        opened.close()
        opened.close()

    def test_a_closed_store_refuses_to_be_used(self, open_store: StoreOpener) -> None:
        closed = open_store()
        closed.close()
        with pytest.raises(StoreError):
            closed.get(Trust, "RH8")
        with pytest.raises(StoreError):
            list(closed.scan(Trust))
        with pytest.raises(StoreError):
            closed.count(Trust)
        with pytest.raises(StoreError):
            _in_unit(closed, lambda uow: uow.put([_trust("RH8")]))

    # -- writing: versions, idempotence, all or nothing -------------------------------------

    def test_get_of_a_missing_key_is_none(self, store: Store) -> None:
        assert store.get(Death, uuid.uuid4()) is None
        assert store.get(Trust, OdsCode("ZZZ")) is None

    def test_a_new_record_is_stored_at_version_one(self, store: Store) -> None:
        trust = _trust("RH8")
        assert _put(store, [trust]) == (1,)
        assert store.get(Trust, "RH8") == Versioned(trust, 1)
        assert store.get(Trust, OdsCode("RH8")) == Versioned(trust, 1)

    def test_putting_an_equal_record_keeps_its_version(self, store: Store) -> None:
        trust = _trust("RH8")
        _put(store, [trust])
        assert _put(store, [trust]) == (1,)
        assert _put(store, [attrs.evolve(trust)]) == (1,)
        assert store.get(Trust, "RH8") == Versioned(trust, 1)

    def test_putting_a_changed_record_raises_its_version_by_one(self, store: Store) -> None:
        trust = _trust("RH8")
        _put(store, [trust])
        renamed = attrs.evolve(trust, name="Renamed trust")
        assert _put(store, [renamed]) == (2,)
        assert _put(store, [trust]) == (3,)
        assert store.get(Trust, "RH8") == Versioned(trust, 3)

    def test_put_returns_each_records_version_in_order(self, store: Store) -> None:
        a, b = _trust("RH8"), _trust("RV5")
        _put(store, [a])
        assert _put(store, [_trust("RX2"), attrs.evolve(a, name="A2"), b]) == (1, 2, 1)

    def test_a_key_given_twice_in_one_put_ends_at_the_later_record(self, store: Store) -> None:
        first, second = _trust("RH8"), _trust("RH8", dt.date(2019, 1, 1))
        assert _put(store, [first, second]) == (1, 2)
        assert store.get(Trust, "RH8") == Versioned(second, 2)

    def test_a_unit_of_work_reads_its_own_writes(self, store: Store) -> None:
        trust = _trust("RH8")
        with store.unit_of_work() as uow:
            uow.put([trust])
            assert uow.get(Trust, "RH8") == Versioned(trust, 1)
            assert uow.put([attrs.evolve(trust, name="Again")]) == (2,)
            assert uow.get(Trust, "RH8") == Versioned(attrs.evolve(trust, name="Again"), 2)
        assert store.get(Trust, "RH8") == Versioned(attrs.evolve(trust, name="Again"), 2)

    def test_writes_are_invisible_to_the_store_until_commit(self, store: Store) -> None:
        trust = _trust("RH8")
        with store.unit_of_work() as uow:
            uow.put([trust])
            assert store.get(Trust, "RH8") is None
            assert store.count(Trust) == 0
        assert store.get(Trust, "RH8") == Versioned(trust, 1)

    def test_an_exception_inside_a_unit_of_work_writes_nothing(self, store: Store) -> None:
        kept = _trust("RH8")
        _put(store, [kept])
        with pytest.raises(_AbandonError):
            _abandoned(
                store,
                lambda uow: uow.put([_trust("RV5"), attrs.evolve(kept, name="Changed")]),
                lambda uow: uow.put([_trust("RX2")]),
            )
        assert _everything(store)["trust"] == [Versioned(kept, 1)]

    def test_rollback_discards_the_writes_so_far_and_the_unit_goes_on(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.put([_trust("RH8")])
            uow.rollback()
            assert uow.get(Trust, "RH8") is None
            uow.put([_trust("RV5")])
        assert [v.record.ods_code.code for v in store.scan(Trust)] == ["RV5"]

    @pytest.mark.parametrize("how", ["exception", "rollback"])
    @pytest.mark.parametrize("write", _WRITES)
    def test_an_abandoned_unit_leaves_no_trace_of_any_kind_of_write(
        self, store: Store, write: str, how: str
    ) -> None:
        if write in _OUTBOX_WRITES:
            requires(store, Capability.OUTBOX)
        death, entry = _fixed_death(), _entry(_fixed_publication())
        _put(store, [death])
        if write in _OUTBOX_WRITES:
            with store.unit_of_work() as uow:
                uow.enqueue([entry])
        before = _everything(store)
        outbox_before = _outbox(store)
        step = _write_step(write, death, entry)
        if how == "exception":
            with pytest.raises(_AbandonError):
                _abandoned(store, step)
        else:
            with store.unit_of_work() as uow:
                step(uow)
                uow.rollback()
        assert _everything(store) == before, f"an abandoned {write} changed the records"
        assert _outbox(store) == outbox_before, f"an abandoned {write} changed the outbox"

    # -- every kind round-trips --------------------------------------------------------------

    @pytest.mark.parametrize("kind", _KINDS)
    def test_every_kind_of_record_round_trips(self, store: Store, kind: str) -> None:
        spec: RecordSpec[Any] = spec_for(kind)

        @self._settings()
        @given(record=recs.record_of(kind))
        def round_trip(record: Any) -> None:
            key = spec.key(record)
            before = store.get(spec.type, key)
            (version,) = _put(store, [record])
            assert store.get(spec.type, key) == Versioned(record, version)
            expected = 1 if before is None else before.version + (before.record != record)
            assert version == expected
            assert Versioned(record, version) in list(store.scan(spec.type))

        round_trip()

    # -- re-opening ----------------------------------------------------------------------------

    def test_reopening_sees_exactly_the_committed_data(self, open_store: StoreOpener) -> None:
        first = open_store()
        requires(first, Capability.REOPENABLE)
        death = _fixed_death()
        _put(first, [_trust("RH8"), death])
        with pytest.raises(_AbandonError):
            _abandoned(first, lambda uow: uow.put([_trust("RV5"), attrs.evolve(death, age=77)]))
        before = _everything(first)
        first.close()
        second = open_store()
        try:
            assert _everything(second) == before
            assert second.get(Death, death.id) == Versioned(death, 1)
            assert second.get(Trust, "RV5") is None
        finally:
            second.close()

    def test_versions_carry_on_after_reopening(self, open_store: StoreOpener) -> None:
        first = open_store()
        requires(first, Capability.REOPENABLE)
        _put(first, [_trust("RH8")])
        first.close()
        second = open_store()
        try:
            assert _put(second, [_trust("RH8")]) == (1,)
            assert _put(second, [attrs.evolve(_trust("RH8"), name="B")]) == (2,)
        finally:
            second.close()

    def test_a_corrupt_record_is_reported_naming_its_kind_and_key(self, store: Store) -> None:
        death, other = _fixed_death(), _fixed_death()
        _put(store, [death, other])
        self._corrupt(store, "death", str(death.id))
        for read in (
            lambda: store.get(Death, death.id),
            lambda: list(store.scan(Death)),
        ):
            with pytest.raises(CorruptRecordError) as caught:
                read()
            assert str(caught.value.record_id) == str(death.id)
            assert "death" in caught.value.table.lower()
            assert str(death.id) in str(caught.value)
        assert store.get(Death, other.id) == Versioned(other, 1)

    def test_a_scan_can_skip_corrupt_records_and_report_each_one(self, store: Store) -> None:
        death, other = _fixed_death(), _fixed_death()
        _put(store, [death, other])
        self._corrupt(store, "death", str(death.id))
        problems: list[CorruptRecordError] = []
        assert list(store.scan(Death, on_corrupt=problems.append)) == [Versioned(other, 1)]
        assert [str(p.record_id) for p in problems] == [str(death.id)]
        assert "death" in problems[0].table.lower()
        with pytest.raises(CorruptRecordError):  # without on_corrupt, the scan still stops
            list(store.scan(Death))


def _outbox(store: Store) -> list[OutboxEntry]:
    return store.outbox(status=None) if Capability.OUTBOX in store.capabilities else []


def _write_step(write: str, death: Death, entry: OutboxEntry) -> Callable[[UnitOfWork], object]:
    """One write of the kind named, inside a unit of work."""
    steps: dict[str, Callable[[UnitOfWork], object]] = {
        "new record": lambda uow: uow.put([_trust("RH8")]),
        "changed record": lambda uow: uow.put([attrs.evolve(death, age=77)]),
        "enqueue": lambda uow: uow.enqueue([_entry(_fixed_publication())]),
        "mark_delivered": lambda uow: uow.mark_delivered([entry.id], _AT),
        "mark_failed": lambda uow: uow.mark_failed(entry.id, "SMTP 451: try again later", _AT),
    }
    return steps[write]

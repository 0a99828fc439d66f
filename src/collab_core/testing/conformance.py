"""The store conformance kit: the tests every :class:`~collab_core.ports.Store` passes, and a
Hypothesis state machine that holds a store against the in-memory reference store.

An adapter opts in with a subclass and one fixture::

    from collab_core.testing.conformance import StoreTests


    class TestMyStore(StoreTests):
        @pytest.fixture
        def open_store(self, tmp_path):
            return lambda: MyStore(tmp_path / "data")  # each call (re-)opens the same data

Tests of optional features skip, naming the capability, when the store does not declare it
(:class:`~collab_core.ports.Capability`). A store whose records can be damaged on purpose
implements :meth:`StoreTests.corrupt_record` to run the corruption tests.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from collab_core.domain.deaths import (
    DEFAULT_SCALES,
    Death,
    DeathSetting,
    ResponseType,
    Review,
    Score,
)
from collab_core.domain.errors import (
    ConcurrencyError,
    CorruptRecordError,
    DomainValidationError,
    RecordNotFoundError,
)
from collab_core.domain.facts import LfdQuery, SharingQuery, lfd_facts, sharing_trusts
from collab_core.domain.identifiers import CaseReference, OdsCode
from collab_core.domain.learning import Audience, FamilyInvolvement, SharingEvent
from collab_core.domain.organisations import ScopePolicy, Trust
from collab_core.domain.people import Member, MemberKind
from collab_core.plugins.memory import MemoryStore
from collab_core.ports import (
    RECORD_SPECS,
    Capability,
    OutboxEntry,
    OutboxStatus,
    Publication,
    Record,
    RecordSpec,
    Store,
    UnitOfWork,
    Versioned,
    redact_url,
    spec_for,
)
from collab_core.testing import _records as recs

__all__ = [
    "STATE_MACHINE_EXAMPLES",
    "STATE_MACHINE_STEPS",
    "StoreOpener",
    "StoreStateMachine",
    "StoreTests",
    "requires",
]

#: A zero-argument callable that opens (or re-opens) the same underlying store on each call.
StoreOpener = Callable[[], Store]

#: Default runs of the state machine (each run is a fresh sequence of operations).
STATE_MACHINE_EXAMPLES = 30
#: Default operations per run of the state machine.
STATE_MACHINE_STEPS = 25

_KINDS = [s.kind for s in RECORD_SPECS]
_ODS_CHARACTERS = string.ascii_uppercase + string.digits
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


class StoreTests:
    """The conformance tests of the :class:`~collab_core.ports.Store` port.

    Subclass it in a test module (the class name must start with ``Test``) and provide the
    :meth:`open_store` fixture. Every test opens its store through that fixture, writes and
    reads only through the port, and closes what it opened.

    Class attributes tune the Hypothesis tests:

    - :attr:`property_examples`: examples per property test (round trips, aggregates).
    - :attr:`state_machine_examples`, :attr:`state_machine_steps`: runs of
      :class:`StoreStateMachine` and operations per run.
    """

    property_examples: ClassVar[int] = 25
    state_machine_examples: ClassVar[int] = STATE_MACHINE_EXAMPLES
    state_machine_steps: ClassVar[int] = STATE_MACHINE_STEPS

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

    # -- optimistic concurrency --------------------------------------------------------------

    def test_expected_versions_none_means_any_version(self, store: Store) -> None:
        _put(store, [_trust("RH8")])
        with store.unit_of_work() as uow:
            versions = uow.put(
                [attrs.evolve(_trust("RH8"), name="B"), _trust("RV5")],
                expected_versions=[None, None],
            )
        assert versions == (2, 1)

    def test_expected_version_zero_means_the_record_is_new(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            assert uow.put([_trust("RH8")], expected_versions=[0]) == (1,)
        with pytest.raises(ConcurrencyError) as caught, store.unit_of_work() as uow:
            uow.put([_trust("RH8")], expected_versions=[0])
        assert caught.value.kind == "trust"
        assert str(caught.value.record_id) == "RH8"

    def test_the_current_expected_version_is_accepted(self, store: Store) -> None:
        _put(store, [_trust("RH8")])
        with store.unit_of_work() as uow:
            assert uow.put([attrs.evolve(_trust("RH8"), name="B")], expected_versions=[1]) == (2,)

    def test_a_stale_write_is_refused_naming_kind_and_key(self, store: Store) -> None:
        death = _fixed_death()
        _put(store, [death])
        with store.unit_of_work() as uow:
            uow.put([attrs.evolve(death, age=50)])
        other = _trust("RV5")
        with pytest.raises(ConcurrencyError) as caught:
            _in_unit(
                store,
                lambda uow: uow.put([other]),
                lambda uow: uow.put([attrs.evolve(death, age=51)], expected_versions=[1]),
            )
        assert caught.value.kind == "death"
        assert str(caught.value.record_id) == str(death.id)
        assert "death" in str(caught.value)
        assert str(death.id) in str(caught.value)
        assert store.get(Death, death.id) == Versioned(attrs.evolve(death, age=50), 2)
        assert store.get(Trust, "RV5") is None, "a refused unit writes nothing"

    def test_expected_versions_must_match_the_records_one_for_one(self, store: Store) -> None:
        with pytest.raises(DomainValidationError), store.unit_of_work() as uow:
            uow.put([_trust("RH8"), _trust("RV5")], expected_versions=[0])
        assert store.count(Trust) == 0

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

    # -- reading: order, filters, batches, count ---------------------------------------------

    @pytest.mark.parametrize("kind", _KINDS)
    def test_scan_yields_records_in_key_order(self, store: Store, kind: str) -> None:
        spec: RecordSpec[Any] = spec_for(kind)

        @self._settings()
        @given(batch=st.lists(recs.record_of(kind), max_size=6))
        def ordered(batch: list[Any]) -> None:
            if batch:
                _put(store, batch)
            keys = [spec.key(v.record) for v in store.scan(spec.type)]
            assert keys == sorted(keys)
            assert len(keys) == len(set(keys))

        ordered()

    def test_scan_by_trust_yields_only_that_trusts_records(self, store: Store) -> None:
        deaths = [
            _fixed_death(trust=code, day=dt.date(2024, 5, i + 1))
            for i, code in enumerate(["RH8", "RV5", "RH8", "RX2"])
        ]
        _put(store, deaths)
        found = [v.record for v in store.scan(Death, trust=OdsCode("RH8"))]
        assert found == sorted((d for d in deaths if d.trust.code == "RH8"), key=_death_key)
        assert store.count(Death, trust=OdsCode("RH8")) == 2
        assert list(store.scan(Death, trust=OdsCode("ZZZ"))) == []

    def test_a_record_without_a_trust_never_matches_a_trust_filter(self, store: Store) -> None:
        unaffiliated = Member(
            uuid.uuid4(), "m1", MemberKind.CARER_FAMILY, None, dt.date(2024, 1, 1)
        )
        affiliated = attrs.evolve(unaffiliated, id=uuid.uuid4(), trust=OdsCode("RH8"))
        _put(store, [unaffiliated, affiliated])
        assert [v.record for v in store.scan(Member, trust=OdsCode("RH8"))] == [affiliated]
        assert store.count(Member) == 2

    def test_a_period_includes_both_edge_days(self, store: Store) -> None:
        start, end = dt.date(2024, 4, 1), dt.date(2024, 6, 30)
        on_days = [
            start - dt.timedelta(days=1),
            start,
            dt.date(2024, 5, 15),
            end,
            end + dt.timedelta(days=1),
        ]
        deaths = [_fixed_death(day=d) for d in on_days]
        _put(store, deaths)
        inside = sorted(deaths[1:4], key=_death_key)
        assert [v.record for v in store.scan(Death, start=start, end=end)] == inside
        assert store.count(Death, start=start, end=end) == 3
        assert store.count(Death, start=start) == 4
        assert store.count(Death, end=end) == 4
        assert store.count(Death, start=end, end=end) == 1

    def test_a_record_without_a_day_never_matches_a_period(self, store: Store) -> None:
        never = FamilyInvolvement(uuid.uuid4(), OdsCode("RH8"))
        offered = FamilyInvolvement(uuid.uuid4(), OdsCode("RH8"), offered_on=dt.date(2024, 5, 1))
        _put(store, [never, offered])
        start, end = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
        assert [v.record for v in store.scan(FamilyInvolvement, start=start, end=end)] == [offered]
        assert store.count(FamilyInvolvement, start=dt.date(2000, 1, 1)) == 1
        assert store.count(FamilyInvolvement) == 2

    @pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
    def test_scan_in_small_batches_yields_the_same_records(
        self, store: Store, batch_size: int
    ) -> None:
        deaths = [_fixed_death(day=dt.date(2024, 1, 1) + dt.timedelta(days=i)) for i in range(7)]
        _put(store, deaths)
        whole = list(store.scan(Death))
        assert len(whole) == 7
        assert list(store.scan(Death, batch_size=batch_size)) == whole
        start, end = dt.date(2024, 1, 2), dt.date(2024, 1, 6)
        assert list(store.scan(Death, batch_size=batch_size, start=start, end=end)) == list(
            store.scan(Death, start=start, end=end)
        )

    def test_scan_refuses_a_batch_size_below_one(self, store: Store) -> None:
        with pytest.raises(DomainValidationError):
            list(store.scan(Death, batch_size=0))

    @pytest.mark.parametrize("kind", _KINDS)
    def test_count_agrees_with_scan(self, store: Store, kind: str) -> None:
        spec: RecordSpec[Any] = spec_for(kind)

        @self._settings()
        @given(
            batch=st.lists(recs.record_of(kind), max_size=6),
            trust=st.none() | st.sampled_from(recs.TRUST_CODES),
            start=st.none() | recs.days(),
            length=st.integers(0, 2000),
        )
        def agree(
            batch: list[Any], trust: OdsCode | None, start: dt.date | None, length: int
        ) -> None:
            if batch:
                _put(store, batch)
            end = None if start is None else start + dt.timedelta(days=length)
            found = list(store.scan(spec.type, trust=trust, start=start, end=end))
            assert store.count(spec.type, trust=trust, start=start, end=end) == len(found)
            for v in found:
                assert trust is None or spec.trust(v.record) == trust
                day = spec.day(v.record)
                assert start is None or (day is not None and start <= day)
                assert end is None or (day is not None and day <= end)

        agree()

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

    # -- corruption ----------------------------------------------------------------------------

    def _corrupt(self, store: Store, kind: str, key: str) -> None:
        try:
            self.corrupt_record(store, kind, key)
        except NotImplementedError:
            pytest.skip(f"{type(self).__name__} does not implement corrupt_record()")

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

    # -- the outbox ----------------------------------------------------------------------------

    def test_enqueued_entries_wait_in_order(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)

        @self._settings()
        @given(st.lists(recs.outbox_publications(), min_size=1, max_size=4))
        def waiting(publications: list[Publication]) -> None:
            before = store.outbox(status=None)
            entries = [_entry(p, publisher=f"p{i % 2}") for i, p in enumerate(publications)]
            with store.unit_of_work() as uow:
                uow.enqueue(entries)
            assert store.outbox(status=None) == before + entries
            assert [e for e in store.outbox(publisher="p0") if e in entries] == entries[::2]

        waiting()

    def test_enqueueing_an_entry_twice_keeps_the_first(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        entry = _entry(_fixed_publication())
        with store.unit_of_work() as uow:
            uow.enqueue([entry])
        with store.unit_of_work() as uow:
            uow.enqueue([attrs.evolve(entry, publisher="other")])
        assert store.outbox() == [entry]

    def test_delivered_entries_leave_the_pending_list(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        a, b = _entry(_fixed_publication()), _entry(_fixed_publication(), "board")
        with store.unit_of_work() as uow:
            uow.enqueue([a, b])
        with store.unit_of_work() as uow:
            uow.mark_delivered([a.id], _AT)
        assert store.outbox() == [b]
        delivered = store.outbox(status=OutboxStatus.DELIVERED)
        assert delivered == [attrs.evolve(a, status=OutboxStatus.DELIVERED, updated_at=_AT)]

    def test_a_failed_attempt_is_counted_and_kept_for_retry(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        entry = _entry(_fixed_publication())
        with store.unit_of_work() as uow:
            uow.enqueue([entry])
        later = _AT + dt.timedelta(minutes=5)
        with store.unit_of_work() as uow:
            uow.mark_failed(entry.id, "SMTP 451: try again later", _AT)
        with store.unit_of_work() as uow:
            uow.mark_failed(entry.id, "SMTP 451 again", later)
        (failed,) = store.outbox(status=OutboxStatus.FAILED)
        assert (failed.attempts, failed.last_error, failed.updated_at) == (
            2,
            "SMTP 451 again",
            later,
        )
        assert store.outbox() == []
        with store.unit_of_work() as uow:
            uow.mark_delivered([entry.id], later)
        (done,) = store.outbox(status=None)
        assert (done.status, done.attempts) == (OutboxStatus.DELIVERED, 2)

    def test_marking_an_unknown_entry_is_refused(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        with pytest.raises(RecordNotFoundError), store.unit_of_work() as uow:
            uow.mark_delivered([uuid.uuid4()], _AT)
        with pytest.raises(RecordNotFoundError), store.unit_of_work() as uow:
            uow.mark_failed(uuid.uuid4(), "no such entry", _AT)

    def test_outbox_writes_roll_back_with_their_unit(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        kept = _entry(_fixed_publication())
        with store.unit_of_work() as uow:
            uow.enqueue([kept])
        with pytest.raises(_AbandonError):
            _abandoned(
                store,
                lambda uow: uow.enqueue([_entry(_fixed_publication())]),
                lambda uow: uow.mark_delivered([kept.id], _AT),
                lambda uow: uow.put([_trust("RH8")]),
            )
        assert store.outbox(status=None) == [kept]
        assert store.count(Trust) == 0

    # -- native aggregates ---------------------------------------------------------------------

    def test_native_lfd_facts_agree_with_the_reference(self, store: Store) -> None:
        requires(store, Capability.NATIVE_AGGREGATES)

        @self._settings()
        @given(scenario=_lfd_scenarios())
        def agree(scenario: tuple[list[Death], list[Review], LfdQuery]) -> None:
            deaths, reviews, query = scenario
            _put(store, [*deaths, *reviews])
            everything = _everything(store)
            expected = lfd_facts(
                (v.record for v in everything["death"]),
                (v.record for v in everything["review"]),
                query,
            )
            assert store.lfd_facts(query) == expected

        agree()

    def test_native_sharing_trusts_agree_with_the_reference(self, store: Store) -> None:
        requires(store, Capability.NATIVE_AGGREGATES)

        @self._settings()
        @given(scenario=_sharing_scenarios())
        def agree(scenario: tuple[list[SharingEvent], SharingQuery]) -> None:
            events, query = scenario
            if events:
                _put(store, events)
            expected = sharing_trusts((v.record for v in store.scan(SharingEvent)), query)
            assert store.sharing_trusts(query) == expected

        agree()

    # -- the state machine ---------------------------------------------------------------------

    def test_random_operations_agree_with_the_reference_store(
        self, open_store: StoreOpener
    ) -> None:
        run_state_machine_as_test(
            StoreStateMachine.bound_to(open_store),
            settings=StoreStateMachine.default_settings(
                self.state_machine_examples, self.state_machine_steps
            ),
        )


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


@st.composite
def _lfd_scenarios(draw: st.DrawFn) -> tuple[list[Death], list[Review], LfdQuery]:
    deaths = draw(st.lists(recs.deaths(), max_size=8, unique_by=lambda d: d.id))
    reviews: list[Review] = []
    for death in deaths:
        for review in draw(st.lists(recs.reviews(death), max_size=2)):
            reviews.append(review)
    # A few judged reviews for sure, on scales that judge problems in care.
    judging = [s for s in DEFAULT_SCALES if s.judges_problems_in_care]
    for death in draw(st.lists(st.sampled_from(deaths), max_size=3)) if deaths else []:
        scale = draw(st.sampled_from(judging))
        reviews.append(
            Review(
                id=uuid.uuid4(),
                death_id=death.id,
                trust=death.trust,
                response_type=ResponseType.STRUCTURED_JUDGEMENT_REVIEW,
                started_on=death.died_on,
                completed_on=death.died_on + dt.timedelta(days=draw(st.integers(0, 90))),
                scores=[
                    Score.on(scale, draw(st.sampled_from(sorted(scale.problem_in_care_values))))
                ],
            )
        )
    first = draw(recs.days())
    policies = draw(
        st.dictionaries(
            st.sampled_from(recs.TRUST_CODES),
            st.builds(
                ScopePolicy,
                inpatient=st.booleans(),
                community_contact_months=st.none() | st.integers(1, 12),
                discharge_days=st.none() | st.integers(1, 60),
                route_ld_autism_to_leder=st.booleans(),
            ),
        )
    )
    query = LfdQuery(
        as_of=draw(recs.days()),
        deaths_from=first,
        deaths_to=first + dt.timedelta(days=draw(st.integers(0, 1500))),
        policies=policies,
    )
    return deaths, reviews, query


@st.composite
def _sharing_scenarios(draw: st.DrawFn) -> tuple[list[SharingEvent], SharingQuery]:
    events = draw(st.lists(recs.sharing_events(), max_size=8))
    windows = {}
    for code in draw(st.sets(st.sampled_from(recs.TRUST_CODES))):
        start = draw(recs.days())
        windows[code] = (start, start + dt.timedelta(days=draw(st.integers(0, 800))))
    return events, SharingQuery(audience=draw(st.sampled_from(Audience)), windows=windows)


class StoreStateMachine(RuleBasedStateMachine):
    """Drives a store with random operations and compares it with :class:`MemoryStore`: after
    every step, ``get`` of every key the run touched, the ``count`` of every kind, and the
    outbox; and, as steps of their own, ``scan`` of every kind and filtered scans and counts
    with small batches.

    Operations: commits of new records of every kind, of changed records and of unchanged
    ones; units abandoned by an exception; explicit rollbacks; stale writes (refused with
    :class:`~collab_core.ConcurrencyError`); re-opening (when the store is re-openable); and
    outbox enqueues, deliveries and failures (with the OUTBOX capability).

    The store need not start empty, so one ``open_store`` serves every run: each record a run
    writes gets a key of its own (a UUID salted per run, an ODS code the store does not hold),
    so that runs, and Hypothesis's replays of a failing run, never meet each other's records.
    Scans are compared on the records the run touched; counts on what the run added.

    :param open_store: opens (or re-opens) the store under test; see
        :attr:`StoreTests.open_store`.

    :class:`StoreTests` runs it; to run it on its own, with no pytest fixture::

        TestMyStoreStateful = StoreStateMachine.for_store(lambda: MyStore("data"))
    """

    def __init__(self, open_store: StoreOpener) -> None:
        super().__init__()
        self._open_store = open_store
        self.store = open_store()
        self.model = MemoryStore()
        # What the store held before this run: counts are compared on what the run adds.
        self._base_counts = {s.kind: self.store.count(s.type) for s in RECORD_SPECS}
        self._base_outbox = (
            len(self.store.outbox(status=None)) if self._has(Capability.OUTBOX) else 0
        )
        # Records written in this run, one per key: draws come only from these (never from
        # what the store held before), so that a run replays exactly.
        self.written: list[tuple[str, Any]] = []
        self._slots: set[tuple[str, str]] = set()
        # Every key this run tried to write, committed or not: where a leak would show.
        self._touched: set[tuple[str, str]] = set()
        self.entries: list[uuid.UUID] = []
        # Not drawn by Hypothesis on purpose: a replay gets keys no earlier run has used.
        self._salt = uuid.uuid4().int
        self._codes: dict[str, OdsCode] = {}
        self._codes_taken = {t.record.ods_code.code for t in self.store.scan(Trust)}

    @classmethod
    def default_settings(
        cls, max_examples: int = STATE_MACHINE_EXAMPLES, steps: int = STATE_MACHINE_STEPS
    ) -> settings:
        """The settings the kit runs the machine with: ``max_examples`` runs of ``steps``."""
        return settings(
            max_examples=max_examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
                HealthCheck.function_scoped_fixture,
            ],
        )

    @classmethod
    def for_store(cls, open_store: StoreOpener, *, settings: settings | None = None) -> type[Any]:
        """A ``unittest.TestCase`` class that runs the machine against ``open_store``'s store;
        assign it to a ``Test...`` name in a test module to collect it."""

        case: type[Any] = getattr(cls.bound_to(open_store), "TestCase")  # noqa: B009
        case.settings = settings if settings is not None else cls.default_settings()
        return case

    @classmethod
    def bound_to(cls, open_store: StoreOpener) -> type[StoreStateMachine]:
        """This machine with ``open_store`` built in, as Hypothesis runs machines made by a
        class with no arguments."""

        def init(self: StoreStateMachine) -> None:
            cls.__init__(self, open_store)

        return type(f"{cls.__name__}Run", (cls,), {"__init__": init})

    # -- helpers -------------------------------------------------------------------------------

    def _has(self, capability: Capability) -> bool:
        caps = self.store.capabilities
        if capability is Capability.REOPENABLE:
            return _reopenable(self.store)
        return capability in caps

    def _both(self, action: Callable[[Store], Any]) -> Any:
        """Do ``action`` on the store and the reference; both must return or raise alike."""
        expected: Any = None
        failure: BaseException | None = None
        try:
            expected = action(self.model)
        except Exception as exc:  # compared with the store's own behaviour just below
            failure = exc
        if failure is None:
            actual = action(self.store)
            assert actual == expected, f"store returned {actual!r}, reference {expected!r}"
            return actual
        with pytest.raises(type(failure)):
            action(self.store)
        return failure

    def _own(self, records: Sequence[Any]) -> list[Any]:
        """``records`` under keys of this run's own, noted as touched."""
        owned = []
        for r in records:
            if isinstance(r, Trust):
                code = self._codes.get(r.ods_code.code)
                if code is None:
                    code = self._fresh_code()
                    self._codes[r.ods_code.code] = code
                owned.append(attrs.evolve(r, ods_code=code))
            else:
                field = recs.KEY_FIELDS.get(spec_for(type(r)).kind, "id")
                salted = uuid.UUID(int=getattr(r, field).int ^ self._salt)
                owned.append(attrs.evolve(r, **{field: salted}))
        for r in owned:
            spec = spec_for(type(r))
            self._touched.add((spec.kind, spec.key(r)))
        return owned

    def _fresh_code(self) -> OdsCode:
        if len(self._codes_taken) > len(_ODS_CHARACTERS) ** 3 // 2:
            raise AssertionError(
                f"the store holds {len(self._codes_taken)} trusts, too many for the state "
                f"machine to find fresh ODS codes: give it a store with fewer"
            )
        while True:
            code = "".join(secrets.choice(_ODS_CHARACTERS) for _ in range(3))
            if code not in self._codes_taken:
                self._codes_taken.add(code)
                return OdsCode(code)

    def _remember(self, records: Sequence[Any]) -> None:
        for r in records:
            spec = spec_for(type(r))
            slot = (spec.kind, spec.key(r))
            if slot not in self._slots:
                self._slots.add(slot)
                self.written.append((spec.kind, r))

    def _mine(self, kind: str, found: Iterator[Versioned[Any]]) -> list[Versioned[Any]]:
        spec: RecordSpec[Any] = spec_for(kind)
        return [v for v in found if (kind, spec.key(v.record)) in self._touched]

    # -- writes ----------------------------------------------------------------------------------

    @rule(drawn=st.lists(recs.records(), min_size=1, max_size=4))
    def commit_new_records(self, drawn: list[Any]) -> None:
        batch = self._own(drawn)
        note(f"commit {len(batch)} new record(s)")
        self._both(lambda s: _put(s, batch))
        self._remember(batch)

    @rule(data=st.data(), kind=st.sampled_from(_KINDS))
    def commit_records_of_one_kind(self, data: st.DataObject, kind: str) -> None:
        batch = self._own(data.draw(st.lists(recs.record_of(kind), min_size=2, max_size=5)))
        self._both(lambda s: _put(s, batch))
        self._remember(batch)

    @precondition(lambda self: bool(self.written))
    @rule(data=st.data())
    def commit_changed_records(self, data: st.DataObject) -> None:
        picked = data.draw(st.lists(st.sampled_from(self.written), min_size=1, max_size=3))
        changed = [recs.with_key(data.draw(recs.record_of(kind)), old) for kind, old in picked]
        self._both(lambda s: _put(s, changed))

    @precondition(lambda self: bool(self.written))
    @rule(data=st.data())
    def commit_unchanged_records(self, data: st.DataObject) -> None:
        kind, old = data.draw(st.sampled_from(self.written))
        spec: RecordSpec[Any] = spec_for(kind)
        current = self.model.get(spec.type, spec.key(old))
        assert current is not None
        versions = self._both(lambda s: _put(s, [current.record]))
        assert versions == (current.version,)

    @rule(drawn=st.lists(recs.records(), min_size=1, max_size=3))
    def abandon_a_unit_by_exception(self, drawn: list[Any]) -> None:
        batch = self._own(drawn)

        def abandon(s: Store) -> None:
            with pytest.raises(_AbandonError):
                _abandoned(s, lambda uow: uow.put(batch))

        self._both(abandon)

    @rule(
        dropped=st.lists(recs.records(), min_size=1, max_size=3),
        kept=st.lists(recs.records(), max_size=3),
    )
    def roll_back_then_commit(self, dropped: list[Any], kept: list[Any]) -> None:
        dropped, kept = self._own(dropped), self._own(kept)

        def work(s: Store) -> tuple[int, ...]:
            with s.unit_of_work() as uow:
                uow.put(dropped)
                uow.rollback()
                return uow.put(kept)

        self._both(work)
        self._remember(kept)

    @precondition(lambda self: bool(self.written))
    @rule(data=st.data(), off_by=st.sampled_from([-1, 1, "new"]))
    def refuse_a_stale_write(self, data: st.DataObject, off_by: int | str) -> None:
        kind, old = data.draw(st.sampled_from(self.written))
        spec: RecordSpec[Any] = spec_for(kind)
        current = self.model.get(spec.type, spec.key(old))
        assert current is not None
        stale = 0 if off_by == "new" else max(0, current.version + int(off_by))
        if stale == current.version:
            stale = current.version + 1
        changed = recs.with_key(data.draw(recs.record_of(kind)), old)
        bystander = self._own([data.draw(recs.records())])[0]
        bystander_spec: RecordSpec[Any] = spec_for(type(bystander))
        if (bystander_spec.kind, bystander_spec.key(bystander)) == (kind, spec.key(old)):
            return  # a bystander under the same key would move the version this unit sees

        def write(s: Store) -> None:
            with s.unit_of_work() as uow:
                uow.put([bystander])
                uow.put([changed], expected_versions=[stale])

        outcome = self._both(write)
        assert isinstance(outcome, ConcurrencyError)

    @precondition(lambda self: bool(self.written))
    @rule(data=st.data())
    def write_at_the_expected_version(self, data: st.DataObject) -> None:
        kind, old = data.draw(st.sampled_from(self.written))
        spec: RecordSpec[Any] = spec_for(kind)
        current = self.model.get(spec.type, spec.key(old))
        assert current is not None
        changed = recs.with_key(data.draw(recs.record_of(kind)), old)

        def write(s: Store) -> tuple[int, ...]:
            with s.unit_of_work() as uow:
                return uow.put([changed], expected_versions=[current.version])

        self._both(write)

    @precondition(lambda self: self._has(Capability.REOPENABLE))
    @rule()
    def reopen(self) -> None:
        note("close and re-open the store")
        self.store.close()
        self.store = self._open_store()

    # -- the outbox ------------------------------------------------------------------------------

    @precondition(lambda self: self._has(Capability.OUTBOX))
    @rule(publications=st.lists(recs.outbox_publications(), min_size=1, max_size=3))
    def enqueue(self, publications: list[Publication]) -> None:
        entries = [_entry(p, publisher=f"p{i % 2}") for i, p in enumerate(publications)]

        def work(s: Store) -> None:
            with s.unit_of_work() as uow:
                uow.enqueue(entries)

        self._both(work)
        self.entries.extend(e.id for e in entries)

    @precondition(lambda self: self._has(Capability.OUTBOX) and bool(self.entries))
    @rule(data=st.data(), at=recs.timestamps)
    def deliver(self, data: st.DataObject, at: dt.datetime) -> None:
        ids = data.draw(st.lists(st.sampled_from(self.entries), min_size=1, max_size=2))

        def work(s: Store) -> None:
            with s.unit_of_work() as uow:
                uow.mark_delivered(ids, at)

        self._both(work)

    @precondition(lambda self: self._has(Capability.OUTBOX) and bool(self.entries))
    @rule(data=st.data(), at=recs.timestamps, error=recs.short_text)
    def fail(self, data: st.DataObject, at: dt.datetime, error: str) -> None:
        entry_id = data.draw(st.sampled_from(self.entries))

        def work(s: Store) -> None:
            with s.unit_of_work() as uow:
                uow.mark_failed(entry_id, error, at)

        self._both(work)

    # -- reads and checks ------------------------------------------------------------------------

    @rule(
        kind=st.sampled_from(_KINDS),
        trust=st.none() | st.sampled_from(recs.TRUST_CODES),
        start=st.none() | recs.days(),
        length=st.none() | st.integers(0, 1500),
        batch_size=st.integers(1, 4),
    )
    def filtered_scans_agree(
        self,
        kind: str,
        trust: OdsCode | None,
        start: dt.date | None,
        length: int | None,
        batch_size: int,
    ) -> None:
        spec: RecordSpec[Any] = spec_for(kind)
        end = None if start is None or length is None else start + dt.timedelta(days=length)
        self._both(
            lambda s: self._mine(
                kind, s.scan(spec.type, trust=trust, start=start, end=end, batch_size=batch_size)
            )
        )
        counted = self.store.count(spec.type, trust=trust, start=start, end=end)
        assert counted == len(list(self.store.scan(spec.type, trust=trust, start=start, end=end)))

    @rule()
    def scans_agree(self) -> None:
        for spec in RECORD_SPECS:
            mine = self._mine(spec.kind, self.store.scan(spec.type))
            assert mine == self._mine(spec.kind, self.model.scan(spec.type)), spec.kind

    @invariant()
    def store_agrees_with_reference(self) -> None:
        for spec in RECORD_SPECS:
            added = self.store.count(spec.type) - self._base_counts[spec.kind]
            assert added == self.model.count(spec.type), f"records added to {spec.kind}"
        for kind, key in sorted(self._touched):
            of_kind: RecordSpec[Any] = spec_for(kind)
            assert self.store.get(of_kind.type, key) == self.model.get(of_kind.type, key), key
        if self._has(Capability.OUTBOX):
            ours = set(self.entries)
            store_outbox = self.store.outbox(status=None)
            model_outbox = self.model.outbox(status=None)
            assert len(store_outbox) - self._base_outbox == len(model_outbox)
            assert [e for e in store_outbox if e.id in ours] == model_outbox

    def teardown(self) -> None:
        self.store.close()
        self.model.close()

"""The Hypothesis state machine that holds a store against the in-memory reference store."""

from __future__ import annotations

import datetime as dt
import secrets
import string
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from hypothesis.vendor import pretty

from collab_core.domain.errors import ConcurrencyError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.organisations import Trust
from collab_core.plugins.memory import MemoryStore
from collab_core.ports import (
    RECORD_SPECS,
    Capability,
    Publication,
    RecordSpec,
    Store,
    Versioned,
    record_key,
    spec_for,
)
from collab_core.testing import _records as recs
from collab_core.testing.conformance._support import (
    _KINDS,
    KitBase,
    StoreOpener,
    _abandoned,
    _AbandonError,
    _entry,
    _put,
    _reopenable,
)

_ODS_CHARACTERS = string.ascii_uppercase + string.digits


# A failing run prints its steps as code: members of collab_core's string enums print as
# ``Audience.FAMILY`` (as Hypothesis prints other enums), not as ``<Audience.FAMILY: 'family'>``.
pretty.for_type_by_name("enum", "StrEnum", pretty._repr_enum)

#: Default runs of the state machine (each run is a fresh sequence of operations).
STATE_MACHINE_EXAMPLES = 30
#: Default operations per run of the state machine.
STATE_MACHINE_STEPS = 25


@attrs.frozen
class Slot:
    """A record the state machine committed, and a variant of it under the same key."""

    record: Any
    variant: Any


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

    #: Records this run committed, each with a variant under the same key: the rules that change
    #: or re-write a record draw from here, never from what the store held before, so that a
    #: run replays exactly.
    written: Bundle[Slot] = Bundle("written")
    #: The ids of the outbox entries this run enqueued.
    entries: Bundle[uuid.UUID] = Bundle("entries")

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
        # Every key this run tried to write, committed or not: where a leak would show.
        self._touched: set[tuple[str, str]] = set()
        # The outbox entries this run enqueued (the bundle holds the same).
        self._entries: list[uuid.UUID] = []
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

    def _slots(self, pairs: Sequence[tuple[Any, Any]]) -> list[Slot]:
        """Each drawn record and its variant, under a key of this run's own."""
        records = self._own([record for record, _ in pairs])
        return [
            Slot(record, recs.with_key(variant, record))
            for record, (_, variant) in zip(records, pairs, strict=True)
        ]

    def _mine(self, kind: str, found: Iterator[Versioned[Any]]) -> list[Versioned[Any]]:
        spec: RecordSpec[Any] = spec_for(kind)
        return [v for v in found if (kind, spec.key(v.record)) in self._touched]

    def _current(self, slot: Slot) -> Versioned[Any]:
        spec: RecordSpec[Any] = spec_for(type(slot.record))
        current = self.model.get(spec.type, spec.key(slot.record))
        assert current is not None, "a slot in the bundle was committed"
        return current

    def _changed(self, slot: Slot) -> Any:
        """The slot's record as it is not now: its variant, or the record back again."""
        current = self._current(slot).record
        return slot.variant if current == slot.record else slot.record

    # -- writes ----------------------------------------------------------------------------------

    @rule(target=written, drawn=st.lists(recs.record_pairs(), min_size=1, max_size=4))
    def commit_new_records(self, drawn: list[tuple[Any, Any]]) -> Any:
        slots = self._slots(drawn)
        batch = [s.record for s in slots]
        self._both(lambda s: _put(s, batch))
        return multiple(*slots)

    @rule(
        target=written,
        drawn=st.sampled_from(_KINDS).flatmap(
            lambda kind: st.lists(recs.record_pairs(kind), min_size=2, max_size=5)
        ),
    )
    def commit_records_of_one_kind(self, drawn: list[tuple[Any, Any]]) -> Any:
        slots = self._slots(drawn)
        batch = [s.record for s in slots]
        self._both(lambda s: _put(s, batch))
        return multiple(*slots)

    @rule(picked=st.lists(written, min_size=1, max_size=3))
    def commit_changed_records(self, picked: list[Slot]) -> None:
        changed = [self._changed(slot) for slot in picked]
        self._both(lambda s: _put(s, changed))

    @rule(slot=written)
    def commit_unchanged_records(self, slot: Slot) -> None:
        current = self._current(slot)
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
        target=written,
        dropped=st.lists(recs.records(), min_size=1, max_size=3),
        kept=st.lists(recs.record_pairs(), max_size=3),
    )
    def roll_back_then_commit(self, dropped: list[Any], kept: list[tuple[Any, Any]]) -> Any:
        dropped_records = self._own(dropped)
        slots = self._slots(kept)

        def work(s: Store) -> tuple[int, ...]:
            with s.unit_of_work() as uow:
                uow.put(dropped_records)
                uow.rollback()
                return uow.put([slot.record for slot in slots])

        self._both(work)
        return multiple(*slots)

    @rule(slot=written, off_by=st.sampled_from([-1, 1, "new"]), bystander=recs.records())
    def refuse_a_stale_write(self, slot: Slot, off_by: int | str, bystander: Any) -> None:
        current = self._current(slot)
        stale = 0 if off_by == "new" else max(0, current.version + int(off_by))
        if stale == current.version:
            stale = current.version + 1
        changed = self._changed(slot)
        (other,) = self._own([bystander])
        if record_key(other) == record_key(changed) and type(other) is type(changed):
            return  # a bystander under the same key would move the version this unit sees

        def write(s: Store) -> None:
            with s.unit_of_work() as uow:
                uow.put([other])
                uow.put([changed], expected_versions=[stale])

        outcome = self._both(write)
        assert isinstance(outcome, ConcurrencyError)

    @rule(slot=written)
    def write_at_the_expected_version(self, slot: Slot) -> None:
        current = self._current(slot)
        changed = self._changed(slot)

        def write(s: Store) -> tuple[int, ...]:
            with s.unit_of_work() as uow:
                return uow.put([changed], expected_versions=[current.version])

        self._both(write)

    @precondition(lambda self: self._has(Capability.REOPENABLE))
    @rule()
    def reopen(self) -> None:
        self.store.close()
        self.store = self._open_store()

    # -- the outbox ------------------------------------------------------------------------------

    @precondition(lambda self: self._has(Capability.OUTBOX))
    @rule(target=entries, publications=st.lists(recs.outbox_publications(), min_size=1, max_size=3))
    def enqueue(self, publications: list[Publication]) -> Any:
        queued = [_entry(p, publisher=f"p{i % 2}") for i, p in enumerate(publications)]

        def work(s: Store) -> None:
            with s.unit_of_work() as uow:
                uow.enqueue(queued)

        self._both(work)
        self._entries.extend(e.id for e in queued)
        return multiple(*(e.id for e in queued))

    @precondition(lambda self: self._has(Capability.OUTBOX))
    @rule(ids=st.lists(entries, min_size=1, max_size=2), at=recs.timestamps)
    def deliver(self, ids: list[uuid.UUID], at: dt.datetime) -> None:
        def work(s: Store) -> None:
            with s.unit_of_work() as uow:
                uow.mark_delivered(ids, at)

        self._both(work)

    @precondition(lambda self: self._has(Capability.OUTBOX))
    @rule(entry=entries, at=recs.timestamps, error=recs.short_text)
    def fail(self, entry: uuid.UUID, at: dt.datetime, error: str) -> None:
        def work(s: Store) -> None:
            with s.unit_of_work() as uow:
                uow.mark_failed(entry, error, at)

        self._both(work)

    @precondition(lambda self: self._has(Capability.OUTBOX))
    @rule(entry=entries, at=recs.timestamps, error=recs.short_text)
    def retry_after_a_failure(self, entry: uuid.UUID, at: dt.datetime, error: str) -> None:
        """A failed delivery, then a successful one: the failure's record is kept."""

        def work(s: Store) -> None:
            with s.unit_of_work() as uow:
                uow.mark_failed(entry, error, at)
            with s.unit_of_work() as uow:
                uow.mark_delivered([entry], at)

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
            ours = set(self._entries)
            store_outbox = self.store.outbox(status=None)
            model_outbox = self.model.outbox(status=None)
            assert len(store_outbox) - self._base_outbox == len(model_outbox)
            assert [e for e in store_outbox if e.id in ours] == model_outbox

    def teardown(self) -> None:
        self.store.close()
        self.model.close()


class StateMachineTests(KitBase):
    """Runs :class:`StoreStateMachine` against the store under test."""

    state_machine_examples: ClassVar[int] = STATE_MACHINE_EXAMPLES
    state_machine_steps: ClassVar[int] = STATE_MACHINE_STEPS

    def test_random_operations_agree_with_the_reference_store(
        self, open_store: StoreOpener
    ) -> None:
        run_state_machine_as_test(
            StoreStateMachine.bound_to(open_store),
            settings=StoreStateMachine.default_settings(
                self.state_machine_examples, self.state_machine_steps
            ),
        )

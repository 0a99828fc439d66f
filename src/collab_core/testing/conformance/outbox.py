"""The publication outbox (Capability.OUTBOX): enqueues, deliveries and failures."""

from __future__ import annotations

import datetime as dt
import uuid

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain.errors import RecordNotFoundError
from collab_core.domain.organisations import Trust
from collab_core.ports import (
    Capability,
    OutboxStatus,
    Publication,
    Store,
)
from collab_core.testing import _records as recs
from collab_core.testing.conformance._support import (
    _AT,
    KitBase,
    _abandoned,
    _AbandonError,
    _entry,
    _fixed_publication,
    _interleave,
    _trust,
    requires,
)


class OutboxTests(KitBase):
    """The publication outbox (Capability.OUTBOX): enqueues, deliveries and failures."""

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

    def test_delivering_after_failures_keeps_the_attempts_and_the_last_error(
        self, store: Store
    ) -> None:
        requires(store, Capability.OUTBOX)
        entry = _entry(_fixed_publication())
        later = _AT + dt.timedelta(hours=1)
        with store.unit_of_work() as uow:
            uow.enqueue([entry])
        with store.unit_of_work() as uow:
            uow.mark_failed(entry.id, "SMTP 451: try again later", _AT)
        with store.unit_of_work() as uow:
            uow.mark_delivered([entry.id], later)
        (done,) = store.outbox(status=None)
        assert done == attrs.evolve(
            entry,
            status=OutboxStatus.DELIVERED,
            attempts=1,
            last_error="SMTP 451: try again later",
            updated_at=later,
        )

    def test_a_failure_after_delivery_is_recorded_as_a_failure(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        entry = _entry(_fixed_publication())
        later = _AT + dt.timedelta(hours=1)
        with store.unit_of_work() as uow:
            uow.enqueue([entry])
        with store.unit_of_work() as uow:
            uow.mark_delivered([entry.id], _AT)
        with store.unit_of_work() as uow:
            uow.mark_failed(entry.id, "bounced", later)
        (failed,) = store.outbox(status=None)
        assert failed == attrs.evolve(
            entry, status=OutboxStatus.FAILED, attempts=1, last_error="bounced", updated_at=later
        )

    def test_marks_within_one_unit_build_on_each_other(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        entry = _entry(_fixed_publication())
        later = _AT + dt.timedelta(hours=1)
        with store.unit_of_work() as uow:
            uow.enqueue([entry])
            uow.mark_failed(entry.id, "first", _AT)
            uow.mark_failed(entry.id, "second", _AT)
            uow.mark_delivered([entry.id], later)
        (done,) = store.outbox(status=None)
        assert (done.status, done.attempts, done.last_error, done.updated_at) == (
            OutboxStatus.DELIVERED,
            2,
            "second",
            later,
        )

    def test_the_outbox_filters_by_publisher_and_status_together(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        entries = [_entry(_fixed_publication(), p) for p in ("site", "board", "site", "board")]
        with store.unit_of_work() as uow:
            uow.enqueue(entries)
            uow.mark_delivered([entries[0].id], _AT)
            uow.mark_failed(entries[1].id, "offline", _AT)
        assert store.outbox() == entries[2:]
        assert store.outbox(publisher="site") == [entries[2]]
        assert [e.id for e in store.outbox(status=OutboxStatus.DELIVERED)] == [entries[0].id]
        assert [e.id for e in store.outbox(publisher="board", status=OutboxStatus.FAILED)] == [
            entries[1].id
        ]
        assert store.outbox(publisher="site", status=OutboxStatus.FAILED) == []
        assert [e.id for e in store.outbox(status=None)] == [e.id for e in entries]

    # -- two units at once -----------------------------------------------------------------------

    def test_failures_marked_by_two_units_at_once_both_count(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        entry = _entry(_fixed_publication())
        with store.unit_of_work() as uow:
            uow.enqueue([entry])
        outcome = _interleave(
            store,
            store,
            lambda uow: uow.mark_failed(entry.id, "first", _AT),
            lambda uow: uow.mark_failed(entry.id, "second", _AT),
            self.interleave_seconds,
        )
        (failed,) = store.outbox(status=None)
        committed = sum(outcome.committed)
        assert failed.attempts == committed, (
            f"{committed} units each recorded a failed attempt, but the entry counts "
            f"{failed.attempts}: a mark applies to the entry as committed, not as first read"
        )
        if outcome.committed == (True, True) and outcome.second_ended_first:
            assert failed.last_error == "first"

    def test_an_entry_enqueued_by_two_units_at_once_is_kept_once(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        ours = _entry(_fixed_publication(), "site")
        theirs = attrs.evolve(ours, publisher="board")
        outcome = _interleave(
            store,
            store,
            lambda uow: uow.enqueue([ours]),
            lambda uow: uow.enqueue([theirs]),
            self.interleave_seconds,
        )
        kept = [e for e in store.outbox(status=None) if e.id == ours.id]
        assert len(kept) == 1, f"the entry is in the outbox {len(kept)} times"
        if outcome.committed == (True, True) and outcome.second_ended_first:
            assert kept == [theirs], "the entry first committed stays as it is"

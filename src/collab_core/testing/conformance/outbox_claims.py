"""The outbox's idempotency keys, retry times, dead entries and re-queueing (Capability.OUTBOX),
and claims with leases (Capability.OUTBOX_CLAIMS): two claimants at once never share an entry.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import attrs
import pytest

from collab_core.domain.errors import RecordNotFoundError
from collab_core.ports import Capability, OutboxEntry, OutboxStatus, Store, outbox_key
from collab_core.testing.conformance._support import (
    _AT,
    KitBase,
    StoreOpener,
    _entry,
    _fixed_publication,
    requires,
)

_LEASE = dt.timedelta(minutes=10)


def _keyed(publisher: str = "site") -> OutboxEntry:
    """An entry keyed by its content, as the outbox keys it."""
    return OutboxEntry(uuid.uuid4(), publisher, _fixed_publication())


def _queued(store: Store, *entries: OutboxEntry) -> None:
    with store.unit_of_work() as uow:
        uow.enqueue(entries)


class OutboxClaimTests(KitBase):
    """Keys, retry times, dead entries and re-queueing; claims and their leases."""

    # -- idempotency keys --------------------------------------------------------------------

    def test_equal_content_for_one_publisher_is_queued_once(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        first = _keyed()
        same = OutboxEntry(uuid.uuid4(), "site", attrs.evolve(first.publication, id=uuid.uuid4()))
        other = OutboxEntry(uuid.uuid4(), "board", first.publication)
        assert same.key == first.key == outbox_key(first.publication, "site")
        _queued(store, first)
        _queued(store, same, other)
        with store.unit_of_work() as uow:  # twice in one unit, too
            uow.enqueue([attrs.evolve(same, id=uuid.uuid4())] * 2)
        assert store.outbox(status=None) == [first, other]

    def test_retry_times_and_claims_of_an_entry_round_trip(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        entry = attrs.evolve(
            _entry(_fixed_publication()),
            status=OutboxStatus.FAILED,
            attempts=3,
            last_error="SMTP 451",
            updated_at=_AT,
            next_attempt_at=_AT + dt.timedelta(minutes=4),
            claimed_by="deliverer-1",
            claimed_until=_AT + _LEASE,
        )
        _queued(store, entry)
        assert store.outbox(status=None) == [entry]

    # -- failures, dead entries and re-queueing -----------------------------------------------

    def test_a_failure_records_its_next_attempt_and_a_last_one_makes_the_entry_dead(
        self, store: Store
    ) -> None:
        requires(store, Capability.OUTBOX)
        entry = _entry(_fixed_publication())
        _queued(store, entry)
        retry_at = _AT + dt.timedelta(seconds=30)
        with store.unit_of_work() as uow:
            uow.mark_failed(entry.id, "offline", _AT, next_attempt_at=retry_at)
        (failed,) = store.outbox(status=OutboxStatus.FAILED)
        assert (failed.attempts, failed.next_attempt_at) == (1, retry_at)
        assert not failed.due(_AT)
        assert failed.due(retry_at)
        with store.unit_of_work() as uow:
            uow.mark_failed(entry.id, "offline again", retry_at, dead=True)
        (dead,) = store.outbox(status=OutboxStatus.DEAD)
        assert (dead.attempts, dead.last_error, dead.next_attempt_at) == (2, "offline again", None)
        assert store.outbox() == []
        assert store.outbox(status=OutboxStatus.FAILED) == []
        assert not dead.due(retry_at + dt.timedelta(days=365))

    def test_a_requeued_entry_is_pending_again_with_no_attempts(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        dead, pending = _entry(_fixed_publication()), _entry(_fixed_publication())
        _queued(store, dead, pending)
        with store.unit_of_work() as uow:
            uow.mark_failed(dead.id, "gone", _AT, dead=True)
        later = _AT + dt.timedelta(hours=1)
        with store.unit_of_work() as uow:
            uow.requeue(dead.id, later)
            uow.requeue(pending.id, later)  # not dead or failed: left as it is
        again, untouched = store.outbox(status=None)
        assert (again.status, again.attempts, again.last_error, again.updated_at) == (
            OutboxStatus.PENDING,
            0,
            "gone",
            later,
        )
        assert untouched == pending
        with pytest.raises(RecordNotFoundError), store.unit_of_work() as uow:
            uow.requeue(uuid.uuid4(), later)

    def test_any_error_text_is_stored_without_raising(self, store: Store) -> None:
        requires(store, Capability.OUTBOX)
        entry = _entry(_fixed_publication())
        _queued(store, entry)
        text = "bad\x00byte \ud7ff \u2028 end"
        with store.unit_of_work() as uow:
            uow.mark_failed(entry.id, text, _AT)
        (failed,) = store.outbox(status=OutboxStatus.FAILED)
        # A store may replace a NUL it cannot hold (PostgreSQL's text), and nothing else.
        assert failed.last_error is not None
        assert failed.last_error.replace("\ufffd", "\x00") == text
        with store.unit_of_work() as uow:  # nor a lone surrogate, which no UTF-8 text holds
            uow.mark_failed(entry.id, "half \udc80 a pair", _AT)
        (failed,) = store.outbox(status=OutboxStatus.FAILED)
        assert failed.last_error in ("half \udc80 a pair", "half \ufffd a pair")

    # -- claims -----------------------------------------------------------------------------------

    def test_a_claim_holds_an_entry_until_its_lease_lapses(self, store: Store) -> None:
        requires(store, Capability.OUTBOX_CLAIMS)
        entry = _entry(_fixed_publication())
        _queued(store, entry)
        (held,) = store.claim_outbox([entry.id], claimant="a", now=_AT, until=_AT + _LEASE)
        assert held == attrs.evolve(entry, claimed_by="a", claimed_until=_AT + _LEASE)
        assert store.outbox() == [held]
        almost = _AT + _LEASE - dt.timedelta(microseconds=1)
        assert store.claim_outbox([entry.id], claimant="b", now=almost, until=almost + _LEASE) == []
        lapsed = _AT + _LEASE
        (taken,) = store.claim_outbox([entry.id], claimant="b", now=lapsed, until=lapsed + _LEASE)
        assert taken.claimed_by == "b"

    def test_delivery_and_failure_release_the_claim(self, store: Store) -> None:
        requires(store, Capability.OUTBOX_CLAIMS)
        done, failed = _entry(_fixed_publication()), _entry(_fixed_publication())
        _queued(store, done, failed)
        store.claim_outbox([done.id, failed.id], claimant="a", now=_AT, until=_AT + _LEASE)
        with store.unit_of_work() as uow:
            uow.mark_delivered([done.id], _AT)
            uow.mark_failed(failed.id, "offline", _AT)
        for entry in store.outbox(status=None):
            assert (entry.claimed_by, entry.claimed_until) == (None, None)
        # Delivered: never claimed again. Failed, due at once: claimable again.
        claimed = store.claim_outbox([done.id, failed.id], claimant="b", now=_AT, until=_AT)
        assert [e.id for e in claimed] == [failed.id]

    def test_only_due_entries_are_claimed_in_enqueue_order(self, store: Store) -> None:
        requires(store, Capability.OUTBOX_CLAIMS)
        entries = [_entry(_fixed_publication()) for _ in range(4)]
        _queued(store, *entries)
        with store.unit_of_work() as uow:
            uow.mark_failed(entries[0].id, "wait", _AT, next_attempt_at=_AT + _LEASE)
            uow.mark_failed(entries[1].id, "gone", _AT, dead=True)
            uow.mark_delivered([entries[2].id], _AT)
        ids = [e.id for e in reversed(entries)] + [uuid.uuid4()]
        claimed = store.claim_outbox(ids, claimant="a", now=_AT, until=_AT + _LEASE)
        assert [e.id for e in claimed] == [entries[3].id]
        later = _AT + _LEASE
        # Later the first is due, and the last's claim has lapsed: both, in enqueue order.
        claimed = store.claim_outbox(ids, claimant="b", now=later, until=later + _LEASE)
        assert [e.id for e in claimed] == [entries[0].id, entries[3].id]

    def test_claimants_at_once_never_share_an_entry(self, open_store: StoreOpener) -> None:
        first = open_store()
        try:
            requires(first, Capability.OUTBOX_CLAIMS)
            entries = [_entry(_fixed_publication()) for _ in range(30)]
            _queued(first, *entries)
            stores = [first]
            if Capability.CONCURRENT_WRITERS in first.capabilities or _shares(first):
                stores.append(open_store())
            got: dict[str, list[uuid.UUID]] = {}
            start = threading.Barrier(4)

            def claim(name: str, store: Store) -> None:
                start.wait()
                mine = got.setdefault(name, [])
                for entry in entries:
                    held = store.claim_outbox(
                        [entry.id], claimant=name, now=_AT, until=_AT + _LEASE
                    )
                    mine.extend(e.id for e in held)

            threads = [
                threading.Thread(target=claim, args=(f"c{i}", stores[i % len(stores)]))
                for i in range(4)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            claimed = [entry_id for ids in got.values() for entry_id in ids]
            assert sorted(claimed) == sorted(e.id for e in entries), "each entry claimed once"
            for stored in first.outbox():
                assert stored.id in got[str(stored.claimed_by)]
            for extra in stores[1:]:
                extra.close()
        finally:
            first.close()


def _shares(store: Store) -> bool:
    """Whether a second opening sees the same data (a file or a named store)."""
    caps = store.capabilities
    return Capability.PERSISTENT in caps or Capability.REOPENABLE in caps

"""Deliberately broken variants of the reference memory store, one per rule the Store port
states: each breaks that rule and nothing else, so that the kit test named beside it must fail.

The table in ``docs/testing_adapters.md`` lists the same rules, kit tests and mutants; a test
checks that the two agree.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any

import attrs

from collab_core.domain.errors import ConcurrencyError, StoreError
from collab_core.domain.facts import (
    CapabilityFact,
    CapabilityQuery,
    LfdFact,
    LfdQuery,
    SharingQuery,
)
from collab_core.domain.identifiers import OdsCode
from collab_core.plugins import memory
from collab_core.plugins.memory import MemoryStore, _Deliver, _Fail, _MemoryUnit
from collab_core.ports import (
    Capability,
    OutboxEntry,
    OutboxStatus,
    R,
    Record,
    Store,
    Versioned,
    key_text,
    spec_for,
)


@attrs.frozen
class Mutant:
    """A broken store: the rule it breaks (words of the port's docstring ``where``), and the
    kit test that must fail on it."""

    name: str
    where: str
    rule: str
    kit_test: str
    store: type[MemoryStore]


MUTANTS: list[Mutant] = []


def mutant(name: str, where: str, rule: str, kit_test: str) -> Any:
    """Register the decorated store class as the mutant ``name``."""

    def register(cls: type[MemoryStore]) -> type[MemoryStore]:
        MUTANTS.append(Mutant(name, where, rule, kit_test, cls))
        return cls

    return register


def by_name(name: str) -> Mutant:
    (found,) = [m for m in MUTANTS if m.name == name]
    return found


def corrupt(store: Store, kind: str, key: str) -> None:
    """Damage a stored record as a broken payload would read."""
    assert isinstance(store, MemoryStore)
    store._data.tables[kind][key] = "not a record"  # type: ignore[assignment]


class _UnitStore(MemoryStore):
    """A memory store whose units of work are of the class ``unit``."""

    unit: type[_MemoryUnit] = _MemoryUnit

    def unit_of_work(self) -> _MemoryUnit:
        return self.unit(self._live())


# -- units of work: commit, rollback, visibility ------------------------------------------------


class _NeverCommits(_MemoryUnit):
    def _commit(self) -> None:
        pass


@mutant(
    "never-commits",
    "UnitOfWork",
    "Leaving the ``with`` block normally commits",
    "test_a_new_record_is_stored_at_version_one",
)
class NeverCommits(_UnitStore):
    unit = _NeverCommits


class _CommitsOnError(_MemoryUnit):
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(None, None, None)


@mutant(
    "rollback-leak",
    "UnitOfWork",
    "an exception rolls everything back and propagates",
    "test_an_exception_inside_a_unit_of_work_writes_nothing",
)
class CommitsOnError(_UnitStore):
    unit = _CommitsOnError


class _SwallowsErrors(_MemoryUnit):
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        super().__exit__(exc_type, exc, tb)
        return True


@mutant(
    "swallows-errors",
    "UnitOfWork",
    "an exception rolls everything back and propagates",
    "test_a_stale_write_is_refused_naming_kind_and_key",
)
class SwallowsErrors(_UnitStore):
    unit = _SwallowsErrors


class _BlindReads(_MemoryUnit):
    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        with self._data.lock:
            return self._data.table(spec_for(kind).kind).get(key_text(key))


@mutant(
    "blind-reads",
    "UnitOfWork",
    "Reads inside see the batch's own writes",
    "test_a_unit_of_work_reads_its_own_writes",
)
class BlindReads(_UnitStore):
    unit = _BlindReads


class _UnitMissingRaises(_MemoryUnit):
    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        found = super().get(kind, key)
        if found is None:
            raise KeyError(key_text(key))
        return found


@mutant(
    "unit-get-of-missing-raises",
    "UnitOfWork.get",
    "The record of ``kind`` under ``key``, or ``None``",
    "test_rollback_discards_the_writes_so_far_and_the_unit_goes_on",
)
class UnitMissingRaises(_UnitStore):
    unit = _UnitMissingRaises


class _WritesThrough(_MemoryUnit):
    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        versions = super().put(records, expected_versions=expected_versions)
        with self._data.lock:
            for record, version in zip(records, versions, strict=True):
                spec = spec_for(type(record))
                self._data.table(spec.kind)[spec.key(record)] = Versioned(record, version)
        self._base.clear()
        return versions


@mutant(
    "unit-not-all-or-nothing",
    "Store.unit_of_work",
    "Begin an all-or-nothing unit of work",
    "test_an_exception_inside_a_unit_of_work_writes_nothing",
)
@mutant(
    "visible-before-commit",
    "UnitOfWork",
    "nothing is visible to :meth:`Store.get` or :meth:`Store.scan` before the commit",
    "test_writes_are_invisible_to_the_store_until_commit",
)
class WritesThrough(_UnitStore):
    unit = _WritesThrough


class _LostUpdate(_MemoryUnit):
    def _commit(self) -> None:
        self._base.clear()  # nothing to check: the last commit wins
        super()._commit()


@mutant(
    "lost-update",
    "UnitOfWork",
    "A commit that finds a record changed by another unit since this unit first read or wrote",
    "test_a_commit_refuses_a_record_another_unit_committed_meanwhile",
)
class LostUpdate(_UnitStore):
    unit = _LostUpdate


class _ForgetsReads(_MemoryUnit):
    def _note_read(self, slot: tuple[str, str], committed: object) -> None:
        pass  # the base version is taken only when the unit first writes a record


@mutant(
    "forgets-reads",
    "UnitOfWork",
    "since this unit first read or wrote it raises",
    "test_a_commit_refuses_a_record_another_unit_changed_since_this_one_read_it",
)
class ForgetsReads(_UnitStore):
    unit = _ForgetsReads


class _ReadsConflict(_MemoryUnit):
    def _commit(self) -> None:
        with self._data.lock:
            for (kind, key), version in self._base.items():  # read records checked too
                committed = self._data.table(kind).get(key)
                actual = 0 if committed is None else committed.version
                if actual != version:
                    raise ConcurrencyError(kind, key, version or None, actual or None)
        super()._commit()


@mutant(
    "read-only-conflicts",
    "UnitOfWork",
    "a record the unit only reads never makes it fail",
    "test_a_record_the_unit_only_read_never_makes_its_commit_fail",
)
class ReadsConflict(_UnitStore):
    unit = _ReadsConflict


@mutant(
    "lost-update-between-openings",
    "Capability.CONCURRENT_WRITERS",
    "Several processes may write at once",
    "test_two_openings_of_one_url_refuse_each_others_stale_commits",
)
class LostUpdateBetweenOpenings(_UnitStore):
    unit = _LostUpdate

    @property
    def capabilities(self) -> frozenset[Capability]:
        return super().capabilities | {Capability.CONCURRENT_WRITERS}


class _HalfCommits(_MemoryUnit):
    def _commit(self) -> None:
        data = self._data
        with data.lock:
            for (kind, key), versioned in self._staged.items():
                committed = data.table(kind).get(key)
                actual = 0 if committed is None else committed.version
                base = self._base.get((kind, key), actual)
                if actual != base:
                    raise ConcurrencyError(kind, key, base or None, actual or None)
                data.table(kind)[key] = versioned  # written before the next one is checked
        self._staged.clear()
        self._base.clear()
        super()._commit()


@mutant(
    "conflict-writes-some",
    "UnitOfWork",
    "raises :class:`~collab_core.ConcurrencyError` and writes nothing",
    "test_a_commit_refuses_a_record_another_unit_committed_meanwhile",
)
class HalfCommits(_UnitStore):
    unit = _HalfCommits


class _KeepsOutboxOnRollback(_MemoryUnit):
    def rollback(self) -> None:
        kept, enqueued = list(self._outbox_ops), set(self._enqueued)
        super().rollback()
        if self._open:  # an explicit rollback, not the end of the unit
            self._outbox_ops.extend(kept)
            self._enqueued.update(enqueued)


@mutant(
    "rollback-keeps-outbox",
    "UnitOfWork.rollback",
    "Discard every write made so far in this unit",
    "test_an_abandoned_unit_leaves_no_trace_of_any_kind_of_write",
)
class KeepsOutboxOnRollback(_UnitStore):
    unit = _KeepsOutboxOnRollback


class _RollbackEndsUnit(_MemoryUnit):
    def rollback(self) -> None:
        super().rollback()
        self._ended = True

    def _commit(self) -> None:
        if not getattr(self, "_ended", False):
            super()._commit()


@mutant(
    "rollback-ends-unit",
    "UnitOfWork.rollback",
    "the unit stays open and empty",
    "test_rollback_discards_the_writes_so_far_and_the_unit_goes_on",
)
class RollbackEndsUnit(_UnitStore):
    unit = _RollbackEndsUnit


# -- put: versions, order, expected versions ----------------------------------------------------


class _Versioned(_MemoryUnit):
    """A unit whose put re-stages each record at a version of :meth:`version`'s choosing."""

    def version(self, before: Versioned[Any] | None, record: Record, version: int) -> int:
        return version

    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        before = [self._current(*_slot(r)) for r in records]
        versions = list(super().put(records, expected_versions=expected_versions))
        for i, record in enumerate(records):
            versions[i] = self.version(before[i], record, versions[i])
            self._staged[_slot(record)] = Versioned(record, versions[i])
        return tuple(versions)


def _slot(record: Record) -> tuple[str, str]:
    spec = spec_for(type(record))
    return (spec.kind, spec.key(record))


class _StartsAtZero(_Versioned):
    def version(self, before: Versioned[Any] | None, record: Record, version: int) -> int:
        return version - 1


@mutant(
    "new-record-at-zero",
    "Versioned",
    "1 for a new record",
    "test_a_new_record_is_stored_at_version_one",
)
class StartsAtZero(_UnitStore):
    unit = _StartsAtZero


class _BumpsEqual(_Versioned):
    def version(self, before: Versioned[Any] | None, record: Record, version: int) -> int:
        return version + 1 if before is not None and before.version == version else version


@mutant(
    "idempotent-put-bumps-version",
    "UnitOfWork.put",
    "putting a record equal to the stored one keeps its version",
    "test_putting_an_equal_record_keeps_its_version",
)
class BumpsEqual(_UnitStore):
    unit = _BumpsEqual


class _KeepsVersionOnChange(_Versioned):
    def version(self, before: Versioned[Any] | None, record: Record, version: int) -> int:
        return before.version if before is not None else version


@mutant(
    "version-not-bumped-on-change",
    "UnitOfWork.put",
    "A changed record's version goes up by one",
    "test_putting_a_changed_record_raises_its_version_by_one",
)
class KeepsVersionOnChange(_UnitStore):
    unit = _KeepsVersionOnChange


class _FirstWins(_MemoryUnit):
    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        seen: set[tuple[str, str]] = set()
        firsts = []
        for r in records:
            if _slot(r) not in seen:
                seen.add(_slot(r))
                firsts.append(r)
        versions = dict(zip(map(_slot, firsts), super().put(firsts), strict=True))
        return tuple(versions[_slot(r)] for r in records)


@mutant(
    "first-of-a-key-wins",
    "UnitOfWork.put",
    "a key given twice in one call ends at the later record",
    "test_a_key_given_twice_in_one_put_ends_at_the_later_record",
)
class FirstWins(_UnitStore):
    unit = _FirstWins


class _SortedVersions(_MemoryUnit):
    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        return tuple(sorted(super().put(records, expected_versions=expected_versions)))


@mutant(
    "versions-out-of-order",
    "UnitOfWork.put",
    "return each one's version after the write",
    "test_put_returns_each_records_version_in_order",
)
class SortedVersions(_UnitStore):
    unit = _SortedVersions


class _Expecting(_MemoryUnit):
    """A unit that rewrites the expected versions it is given with :meth:`expect`."""

    def expect(self, record: Record, expected: int | None) -> int | None:
        return expected

    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        if expected_versions is not None and len(expected_versions) == len(records):
            expected_versions = [
                self.expect(r, e) for r, e in zip(records, expected_versions, strict=True)
            ]
        return super().put(records, expected_versions=expected_versions)


class _NoneMeansNew(_Expecting):
    def expect(self, record: Record, expected: int | None) -> int | None:
        return 0 if expected is None else expected


@mutant(
    "none-means-new",
    "UnitOfWork.put",
    '``None`` means "any"',
    "test_expected_versions_none_means_any_version",
)
class NoneMeansNew(_UnitStore):
    unit = _NoneMeansNew


class _ZeroMeansAny(_Expecting):
    def expect(self, record: Record, expected: int | None) -> int | None:
        return None if expected == 0 else expected


@mutant(
    "zero-means-any",
    "UnitOfWork.put",
    '``0`` "must not exist yet"',
    "test_expected_version_zero_means_the_record_is_new",
)
class ZeroMeansAny(_UnitStore):
    unit = _ZeroMeansAny


class _ExpectsCommitted(_MemoryUnit):
    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        if expected_versions is not None:
            for record, expected in zip(records, expected_versions, strict=False):
                with self._data.lock:
                    committed = self._data.table(_slot(record)[0]).get(_slot(record)[1])
                actual = 0 if committed is None else committed.version
                if expected is not None and expected != actual:
                    raise ConcurrencyError(*_slot(record), expected, actual or None)
        return super().put(records)


@mutant(
    "wrong-expected-version",
    "UnitOfWork.put",
    '``n`` "must be at version n" (as this unit sees it)',
    "test_expected_versions_see_the_units_own_earlier_writes",
)
class ExpectsCommitted(_UnitStore):
    unit = _ExpectsCommitted


class _StagesAsItGoes(_MemoryUnit):
    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        versions: list[int] = []
        for i, record in enumerate(records):
            expected = None if expected_versions is None else [expected_versions[i]]
            versions.extend(super().put([record], expected_versions=expected))
        return tuple(versions)


@mutant(
    "refused-put-writes-some",
    "UnitOfWork.put",
    "before anything of this call is written",
    "test_a_refused_put_writes_nothing_of_its_call",
)
class StagesAsItGoes(_UnitStore):
    unit = _StagesAsItGoes


class _VagueConflicts(_MemoryUnit):
    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        try:
            return super().put(records, expected_versions=expected_versions)
        except ConcurrencyError as exc:
            raise ConcurrencyError("record", "?", exc.expected, exc.actual) from None


@mutant(
    "conflict-names-nothing",
    "UnitOfWork.put",
    "raises :class:`~collab_core.ConcurrencyError` naming the kind and key",
    "test_a_stale_write_is_refused_naming_kind_and_key",
)
class VagueConflicts(_UnitStore):
    unit = _VagueConflicts


class _CommitsAfterConflict(_MemoryUnit):
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None and issubclass(exc_type, ConcurrencyError):
            super().__exit__(None, None, None)  # commits what came before the refused write
            return
        super().__exit__(exc_type, exc, tb)


@mutant(
    "conflict-commits-the-rest",
    "UnitOfWork.put",
    "left uncaught, rolls the whole unit back",
    "test_a_stale_write_is_refused_naming_kind_and_key",
)
class CommitsAfterConflict(_UnitStore):
    unit = _CommitsAfterConflict


class _ZipsExpected(_MemoryUnit):
    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        if expected_versions is not None and len(expected_versions) != len(records):
            expected_versions = [*expected_versions, *[None] * len(records)][: len(records)]
        return super().put(records, expected_versions=expected_versions)


@mutant(
    "expected-versions-any-length",
    "UnitOfWork.put",
    "``expected_versions`` of another length than ``records`` raises",
    "test_expected_versions_must_match_the_records_one_for_one",
)
class ZipsExpected(_UnitStore):
    unit = _ZipsExpected


# -- the outbox -----------------------------------------------------------------------------------


class _Outboxing(_MemoryUnit):
    """A unit whose outbox operations are applied at commit by :meth:`apply`."""

    def apply(self, outbox: dict[uuid.UUID, OutboxEntry], op: Any) -> None:
        if isinstance(op, OutboxEntry):
            outbox.setdefault(op.id, op)
        elif isinstance(op, _Deliver):
            for entry_id in op.ids:
                outbox[entry_id] = attrs.evolve(
                    outbox[entry_id], status=OutboxStatus.DELIVERED, updated_at=op.at
                )
        else:
            entry = outbox[op.id]
            outbox[op.id] = attrs.evolve(
                entry,
                status=OutboxStatus.FAILED,
                attempts=entry.attempts + 1,
                last_error=op.error,
                updated_at=op.at,
            )

    def _commit(self) -> None:
        ops = list(self._outbox_ops)
        self._outbox_ops.clear()
        super()._commit()
        with self._data.lock:
            for op in ops:
                self.apply(self._data.outbox, op)


class _EnqueueOverwrites(_Outboxing):
    def apply(self, outbox: dict[uuid.UUID, OutboxEntry], op: Any) -> None:
        if isinstance(op, OutboxEntry):
            outbox[op.id] = op
        else:
            super().apply(outbox, op)


@mutant(
    "enqueue-not-idempotent",
    "UnitOfWork.enqueue",
    "An entry whose id is already in the outbox is left as it is",
    "test_enqueueing_an_entry_twice_keeps_the_first",
)
class EnqueueOverwrites(_UnitStore):
    unit = _EnqueueOverwrites


class _DeliveryUntimed(_Outboxing):
    def apply(self, outbox: dict[uuid.UUID, OutboxEntry], op: Any) -> None:
        if isinstance(op, _Deliver):
            for entry_id in op.ids:
                outbox[entry_id] = attrs.evolve(outbox[entry_id], status=OutboxStatus.DELIVERED)
        else:
            super().apply(outbox, op)


@mutant(
    "delivery-not-timed",
    "UnitOfWork.mark_delivered",
    "Mark outbox entries delivered at ``at``",
    "test_delivered_entries_leave_the_pending_list",
)
class DeliveryUntimed(_UnitStore):
    unit = _DeliveryUntimed


class _DeliveryClearsErrors(_Outboxing):
    def apply(self, outbox: dict[uuid.UUID, OutboxEntry], op: Any) -> None:
        super().apply(outbox, op)
        if isinstance(op, _Deliver):
            for entry_id in op.ids:
                outbox[entry_id] = attrs.evolve(outbox[entry_id], last_error=None)


@mutant(
    "delivery-clears-errors",
    "UnitOfWork.mark_delivered",
    "``attempts`` and ``last_error`` are kept",
    "test_delivering_after_failures_keeps_the_attempts_and_the_last_error",
)
class DeliveryClearsErrors(_UnitStore):
    unit = _DeliveryClearsErrors


class _DeliveryIgnoresFailed(_Outboxing):
    def apply(self, outbox: dict[uuid.UUID, OutboxEntry], op: Any) -> None:
        if isinstance(op, _Deliver):
            op = _Deliver(
                tuple(i for i in op.ids if outbox[i].status is not OutboxStatus.FAILED), op.at
            )
        super().apply(outbox, op)


@mutant(
    "failed-never-delivered",
    "UnitOfWork.mark_failed",
    "a later :meth:`mark_delivered` still delivers it",
    "test_a_failed_attempt_is_counted_and_kept_for_retry",
)
class DeliveryIgnoresFailed(_UnitStore):
    unit = _DeliveryIgnoresFailed


class _FailureUncounted(_Outboxing):
    def apply(self, outbox: dict[uuid.UUID, OutboxEntry], op: Any) -> None:
        if isinstance(op, _Fail):
            outbox[op.id] = attrs.evolve(
                outbox[op.id], status=OutboxStatus.FAILED, last_error=op.error, updated_at=op.at
            )
        else:
            super().apply(outbox, op)


@mutant(
    "failure-not-counted",
    "UnitOfWork.mark_failed",
    "``attempts`` goes up by one",
    "test_a_failed_attempt_is_counted_and_kept_for_retry",
)
class FailureUncounted(_UnitStore):
    unit = _FailureUncounted


class _FirstErrorKept(_Outboxing):
    def apply(self, outbox: dict[uuid.UUID, OutboxEntry], op: Any) -> None:
        previous = outbox[op.id].last_error if isinstance(op, _Fail) else None
        super().apply(outbox, op)
        if previous is not None:
            outbox[op.id] = attrs.evolve(outbox[op.id], last_error=previous)


@mutant(
    "first-error-kept",
    "UnitOfWork.mark_failed",
    "``last_error`` holds ``error``",
    "test_a_failed_attempt_is_counted_and_kept_for_retry",
)
class FirstErrorKept(_UnitStore):
    unit = _FirstErrorKept


class _MarksAsFirstRead(_MemoryUnit):
    """Records a failure on the entry as it was when the unit marked it, not as it stands at
    commit (a read-modify-write without a lock)."""

    def mark_failed(self, entry_id: uuid.UUID, error: str, at: dt.datetime) -> None:
        with self._data.lock:
            entry = self._data.outbox.get(entry_id)
        if entry is None:
            super().mark_failed(entry_id, error, at)
            return
        self._check_open()
        self.__dict__.setdefault("_snapshots", []).append(
            attrs.evolve(
                entry,
                status=OutboxStatus.FAILED,
                attempts=entry.attempts + 1,
                last_error=error,
                updated_at=at,
            )
        )

    def _commit(self) -> None:
        snapshots = self.__dict__.pop("_snapshots", [])
        super()._commit()
        with self._data.lock:
            for entry in snapshots:
                self._data.outbox[entry.id] = entry


@mutant(
    "marks-lost-between-units",
    "UnitOfWork",
    "Outbox marks apply, at commit, to the entry as it then stands",
    "test_failures_marked_by_two_units_at_once_both_count",
)
class MarksAsFirstRead(_UnitStore):
    unit = _MarksAsFirstRead


class _IgnoresUnknownEntries(_MemoryUnit):
    def _known_entry(self, entry_id: uuid.UUID) -> None:
        pass

    def _commit(self) -> None:
        with self._data.lock:
            known = set(self._data.outbox) | self._enqueued
        self._outbox_ops = [
            _Deliver(tuple(i for i in op.ids if i in known), op.at)
            if isinstance(op, _Deliver)
            else op
            for op in self._outbox_ops
            if not isinstance(op, _Fail) or op.id in known
        ]
        super()._commit()


@mutant(
    "unknown-entry-ignored",
    "UnitOfWork.mark_delivered",
    "An unknown id raises :class:`~collab_core.RecordNotFoundError`",
    "test_marking_an_unknown_entry_is_refused",
)
class IgnoresUnknownEntries(_UnitStore):
    unit = _IgnoresUnknownEntries


class _UnknownFailureIgnored(_MemoryUnit):
    def mark_failed(self, entry_id: uuid.UUID, error: str, at: dt.datetime) -> None:
        with self._data.lock:
            known = entry_id in self._data.outbox or entry_id in self._enqueued
        if known:
            super().mark_failed(entry_id, error, at)


@mutant(
    "unknown-failure-ignored",
    "UnitOfWork.mark_failed",
    "An unknown id raises :class:`~collab_core.RecordNotFoundError`",
    "test_marking_an_unknown_entry_is_refused",
)
class UnknownFailureIgnored(_UnitStore):
    unit = _UnknownFailureIgnored


@mutant(
    "claims-ignored",
    "Store.claim_outbox",
    "Two claimants at once never both get an entry",
    "test_a_claim_holds_an_entry_until_its_lease_lapses",
)
class ClaimsIgnored(MemoryStore):
    """Claims whatever is due, as if no claim were ever live."""

    def claim_outbox(
        self,
        entry_ids: Sequence[uuid.UUID],
        *,
        claimant: str,
        now: dt.datetime,
        until: dt.datetime,
    ) -> list[OutboxEntry]:
        data = self._live()
        with data.lock:
            for entry_id, entry in list(data.outbox.items()):
                data.outbox[entry_id] = attrs.evolve(entry, claimed_until=None)
        return super().claim_outbox(entry_ids, claimant=claimant, now=now, until=until)


class _RequeueKeepsAttempts(_MemoryUnit):
    def requeue(self, entry_id: uuid.UUID, at: dt.datetime) -> None:
        super().requeue(entry_id, at)
        self.__dict__.setdefault("_kept", []).append(entry_id)

    def _commit(self) -> None:
        kept = self.__dict__.pop("_kept", [])
        with self._data.lock:
            before = {i: self._data.outbox[i].attempts for i in kept if i in self._data.outbox}
        super()._commit()
        with self._data.lock:
            for entry_id, attempts in before.items():
                self._data.outbox[entry_id] = attrs.evolve(
                    self._data.outbox[entry_id], attempts=attempts
                )


@mutant(
    "requeue-keeps-attempts",
    "UnitOfWork.requeue",
    "back to ``PENDING`` with no attempts",
    "test_a_requeued_entry_is_pending_again_with_no_attempts",
)
class RequeueKeepsAttempts(_UnitStore):
    unit = _RequeueKeepsAttempts


@mutant(
    "outbox-out-of-order",
    "UnitOfWork.enqueue",
    "Entries keep the order they were enqueued in",
    "test_enqueued_entries_wait_in_order",
)
class OutboxOutOfOrder(MemoryStore):
    def outbox(
        self, *, publisher: str | None = None, status: OutboxStatus | None = OutboxStatus.PENDING
    ) -> list[OutboxEntry]:
        return sorted(super().outbox(publisher=publisher, status=status), key=lambda e: str(e.id))


@mutant(
    "outbox-status-filter",
    "Store.outbox",
    "optionally for one publisher and one status",
    "test_delivered_entries_leave_the_pending_list",
)
class OutboxIgnoresStatus(MemoryStore):
    def outbox(
        self, *, publisher: str | None = None, status: OutboxStatus | None = OutboxStatus.PENDING
    ) -> list[OutboxEntry]:
        return super().outbox(publisher=publisher, status=None)


@mutant(
    "outbox-publisher-filter",
    "Store.outbox",
    "optionally for one publisher and one status",
    "test_the_outbox_filters_by_publisher_and_status_together",
)
class OutboxIgnoresPublisher(MemoryStore):
    def outbox(
        self, *, publisher: str | None = None, status: OutboxStatus | None = OutboxStatus.PENDING
    ) -> list[OutboxEntry]:
        return super().outbox(status=status)


@mutant(
    "outbox-every-status-means-pending",
    "Store.outbox",
    "``status=None``: every status",
    "test_the_outbox_filters_by_publisher_and_status_together",
)
class OutboxNoneMeansPending(MemoryStore):
    def outbox(
        self, *, publisher: str | None = None, status: OutboxStatus | None = OutboxStatus.PENDING
    ) -> list[OutboxEntry]:
        return super().outbox(publisher=publisher, status=status or OutboxStatus.PENDING)


# -- the store: reads ----------------------------------------------------------------------------


@mutant(
    "url-shows-password",
    "Store.url",
    "without any password",
    "test_url_never_shows_a_password",
)
class ShowsPassword(MemoryStore):
    @property
    def url(self) -> str:
        return f"memory://kit:s3cret@{self._name or ''}"


@mutant(
    "capabilities-not-frozen",
    "Store.capabilities",
    "The optional features this store provides",
    "test_store_implements_the_store_protocol",
)
class MutableCapabilities(MemoryStore):
    @property
    def capabilities(self) -> frozenset[Capability]:
        return set(super().capabilities)  # type: ignore[return-value]


@mutant(
    "get-of-missing-raises",
    "Store.get",
    "The committed record of ``kind`` under ``key``, or ``None``",
    "test_get_of_a_missing_key_is_none",
)
class MissingRaises(MemoryStore):
    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        found = super().get(kind, key)
        if found is None:
            raise KeyError(str(key))
        return found


@mutant(
    "corrupt-record-skipped",
    "Store.get",
    "A stored record that cannot be read back raises :class:`~collab_core.CorruptRecordError`",
    "test_a_corrupt_record_is_reported_naming_its_kind_and_key",
)
class SkipsCorrupt(MemoryStore):
    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        with self._data.lock:
            stored = self._data.table(spec_for(kind).kind).get(key_text(key))
        return super().get(kind, key) if isinstance(stored, Versioned) else None

    def _select(
        self, kind: type[R], trust: OdsCode | None, start: dt.date | None, end: dt.date | None
    ) -> list[Versioned[R]]:
        with self._data.lock:
            table = self._data.table(spec_for(kind).kind)
            for key in [k for k, v in table.items() if not isinstance(v, Versioned)]:
                del table[key]
        return super()._select(kind, trust, start, end)


@mutant(
    "scan-out-of-key-order",
    "Store.scan",
    "Stream committed records of ``kind`` in key order",
    "test_scan_yields_records_in_key_order",
)
class ReversedScan(MemoryStore):
    def scan(self, kind: type[R], **filters: Any) -> Iterator[Versioned[R]]:
        return iter(list(super().scan(kind, **filters))[::-1])


class _Matching(MemoryStore):
    """A memory store whose scans and counts filter with :meth:`matches`."""

    def matches(self, record: Any, trust: Any, start: Any, end: Any) -> bool:
        return memory._matches(spec_for(type(record)), record, trust, start, end)

    def _select(
        self, kind: type[R], trust: OdsCode | None, start: dt.date | None, end: dt.date | None
    ) -> list[Versioned[R]]:
        every = super()._select(kind, None, None, None)
        return [v for v in every if self.matches(v.record, trust, start, end)]

    def count(self, kind: type[R], **filters: Any) -> int:
        return len(list(self.scan(kind, **filters)))


@mutant(
    "trust-filter-ignored",
    "Store.scan",
    "optionally only one trust's",
    "test_scan_by_trust_yields_only_that_trusts_records",
)
class IgnoresTrust(_Matching):
    def matches(self, record: Any, trust: Any, start: Any, end: Any) -> bool:
        return super().matches(record, None, start, end)


@mutant(
    "no-trust-matches-every-trust",
    "RecordSpec",
    "A record whose ``trust`` is ``None`` never matches a query by trust",
    "test_a_record_without_a_trust_never_matches_a_trust_filter",
)
class NoTrustMatches(_Matching):
    def matches(self, record: Any, trust: Any, start: Any, end: Any) -> bool:
        if spec_for(type(record)).trust(record) is None:
            trust = None
        return super().matches(record, trust, start, end)


@mutant(
    "no-day-matches-every-period",
    "RecordSpec",
    "one whose ``day`` is ``None`` never matches a query by period",
    "test_a_record_without_a_day_never_matches_a_period",
)
class NoDayMatches(_Matching):
    def matches(self, record: Any, trust: Any, start: Any, end: Any) -> bool:
        if spec_for(type(record)).day(record) is None:
            start = end = None
        return super().matches(record, trust, start, end)


@mutant(
    "end-day-excluded",
    "Store.scan",
    "``[start, end]`` (both inclusive)",
    "test_a_period_includes_both_edge_days",
)
class EndExcluded(_Matching):
    def matches(self, record: Any, trust: Any, start: Any, end: Any) -> bool:
        day = spec_for(type(record)).day(record)
        if end is not None and day == end:
            return False
        return super().matches(record, trust, start, end)


@mutant(
    "start-day-excluded",
    "Store.scan",
    "``[start, end]`` (both inclusive)",
    "test_a_period_includes_both_edge_days",
)
class StartExcluded(_Matching):
    def matches(self, record: Any, trust: Any, start: Any, end: Any) -> bool:
        day = spec_for(type(record)).day(record)
        if start is not None and day == start:
            return False
        return super().matches(record, trust, start, end)


@mutant(
    "batch-size-zero-accepted",
    "Store.scan",
    "``batch_size`` (at least 1)",
    "test_scan_refuses_a_batch_size_below_one",
)
class AcceptsBatchZero(MemoryStore):
    def scan(self, kind: type[R], *, batch_size: int = 1000, **filters: Any) -> Iterator[Any]:
        return super().scan(kind, batch_size=max(batch_size, 1), **filters)


@mutant(
    "scan-stops-after-one-batch",
    "Store.scan",
    "it fetches ``batch_size`` (at least 1) records at a time",
    "test_scan_in_small_batches_yields_the_same_records",
)
class OneBatch(MemoryStore):
    def scan(self, kind: type[R], *, batch_size: int = 1000, **filters: Any) -> Iterator[Any]:
        return iter(list(super().scan(kind, batch_size=batch_size, **filters))[:batch_size])


@mutant(
    "count-ignores-period",
    "Store.count",
    "How many records :meth:`scan` would yield with the same filters",
    "test_count_agrees_with_scan",
)
class CountIgnoresPeriod(MemoryStore):
    def count(
        self,
        kind: type[R],
        *,
        trust: OdsCode | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> int:
        return super().count(kind, trust=trust)


class _Aggregating(MemoryStore):
    @property
    def capabilities(self) -> frozenset[Capability]:
        return super().capabilities | {Capability.NATIVE_AGGREGATES}


@mutant(
    "native-lfd-facts-drop-one",
    "Store.lfd_facts",
    "Native answer to :func:`collab_core.domain.facts.lfd_facts`",
    "test_native_lfd_facts_agree_with_the_reference",
)
class DropsAFact(_Aggregating):
    def lfd_facts(self, query: LfdQuery) -> list[LfdFact]:
        return super().lfd_facts(query)[1:]


@mutant(
    "native-sharing-trusts-drop-one",
    "Store.sharing_trusts",
    "Native answer to :func:`collab_core.domain.facts.sharing_trusts`",
    "test_native_sharing_trusts_agree_with_the_reference",
)
class DropsATrust(_Aggregating):
    def sharing_trusts(self, query: SharingQuery) -> frozenset[OdsCode]:
        found = sorted(super().sharing_trusts(query), key=lambda c: c.code)
        return frozenset(found[1:])


@mutant(
    "native-capability-facts-drop-one",
    "NativeCapabilityFacts.capability_facts",
    "Native answer to :func:`collab_core.domain.facts.capability_facts`",
    "test_native_capability_facts_agree_with_the_reference",
)
class DropsACapabilityFact(MemoryStore):
    @property
    def capabilities(self) -> frozenset[Capability]:
        return super().capabilities | {Capability.NATIVE_CAPABILITY_FACTS}

    def capability_facts(self, query: CapabilityQuery) -> list[CapabilityFact]:
        return super().capability_facts(query)[1:]


@mutant(
    "second-close-raises",
    "Store.close",
    "Safe to call twice",
    "test_closing_twice_is_safe",
)
class CloseOnce(MemoryStore):
    def close(self) -> None:
        if self._closed:
            raise StoreError("already closed")
        super().close()


@mutant(
    "usable-after-close",
    "Store.close",
    "the store is unusable after",
    "test_a_closed_store_refuses_to_be_used",
)
class UsableAfterClose(MemoryStore):
    def close(self) -> None:
        pass


@mutant(
    "forgets-on-reopen",
    "Capability.REOPENABLE",
    "Committed data survives closing and re-opening the store at the same URL",
    "test_reopening_sees_exactly_the_committed_data",
)
class ForgetsOnReopen(MemoryStore):
    def __init__(self, name: str | None = None) -> None:
        super().__init__(None)
        self._name = name

    @property
    def capabilities(self) -> frozenset[Capability]:
        return super().capabilities | {Capability.REOPENABLE}

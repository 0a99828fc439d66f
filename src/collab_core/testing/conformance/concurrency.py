"""Optimistic concurrency: expected versions and stale writes refused with
:class:`~collab_core.ConcurrencyError`.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import ClassVar

import attrs
import pytest

from collab_core.domain.deaths import Death
from collab_core.domain.errors import ConcurrencyError, DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.organisations import Trust
from collab_core.ports import Capability, Store, Versioned
from collab_core.testing.conformance._support import (
    KitBase,
    StoreOpener,
    _fixed_death,
    _in_unit,
    _interleave,
    _put,
    _trust,
    requires,
)


class ConcurrencyTests(KitBase):
    """Optimistic concurrency: expected versions and stale writes refused with
    :class:`~collab_core.ConcurrencyError`.
    """

    #: Threads that write at once in the concurrency test of a CONCURRENT_WRITERS store, each
    #: on an opening of its own, and the units of work each of them attempts.
    concurrent_writers: ClassVar[int] = 4
    concurrent_units: ClassVar[int] = 15

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

    # -- two units at once -----------------------------------------------------------------------

    @pytest.mark.parametrize("existing", [True, False], ids=["changed", "new"])
    def test_a_commit_refuses_a_record_another_unit_committed_meanwhile(
        self, store: Store, existing: bool
    ) -> None:
        self._two_units_write_one_record(store, store, existing)

    @pytest.mark.parametrize("existing", [True, False], ids=["changed", "new"])
    def test_two_openings_of_one_url_refuse_each_others_stale_commits(
        self, open_store: StoreOpener, existing: bool
    ) -> None:
        first = open_store()
        try:
            requires(first, Capability.CONCURRENT_WRITERS)
            second = open_store()
            try:
                self._two_units_write_one_record(first, second, existing)
            finally:
                second.close()
        finally:
            first.close()

    def _two_units_write_one_record(self, first: Store, second: Store, existing: bool) -> None:
        """Two units change one death at once; the first also adds a trust. Whatever order the
        store lets them commit in, no update is lost: either one is refused, or both commit
        one after the other and the version went up twice."""
        death = _fixed_death()
        base = 0
        if existing:
            _put(first, [death])
            base = 1
        ours, theirs = attrs.evolve(death, age=60), attrs.evolve(death, age=61)
        bystander = _trust("RH8")
        outcome = _interleave(
            first,
            second,
            lambda uow: uow.put([bystander, ours]),
            lambda uow: uow.put([theirs]),
            self.interleave_seconds,
        )
        stored = first.get(Death, death.id)
        assert stored is not None
        committed = [r for r, ok in zip((ours, theirs), outcome.committed, strict=True) if ok]
        assert committed, "at least one of the two units commits"
        assert stored.version == base + len(committed), (
            f"both units committed a change to death {death.id} at version {base}, "
            f"but it is at version {stored.version}: an update was lost (a commit must refuse "
            f"a record that another unit changed since this unit first read or wrote it)"
        )
        if len(committed) == 1:
            assert stored.record == committed[0]
        elif outcome.second_ended_first:
            assert stored.record == ours, "the unit that committed last wins"
        assert (first.get(Trust, "RH8") is not None) == (outcome.first is None), (
            "a refused unit writes nothing, a committed one everything"
        )
        for refused in (outcome.first, outcome.second):
            if refused is not None:
                assert (refused.kind, str(refused.record_id)) == ("death", str(death.id))

    @pytest.mark.parametrize("existing", [True, False], ids=["changed", "new"])
    def test_a_commit_refuses_a_record_another_unit_changed_since_this_one_read_it(
        self, store: Store, existing: bool
    ) -> None:
        self._write_after_read(store, store, existing)

    @pytest.mark.parametrize("existing", [True, False], ids=["changed", "new"])
    def test_two_openings_of_one_url_refuse_a_write_over_a_stale_read(
        self, open_store: StoreOpener, existing: bool
    ) -> None:
        first = open_store()
        try:
            requires(first, Capability.CONCURRENT_WRITERS)
            second = open_store()
            try:
                self._write_after_read(first, second, existing)
            finally:
                second.close()
        finally:
            first.close()

    def _write_after_read(self, first: Store, second: Store, existing: bool) -> None:
        """The first unit reads a death; another unit changes it and commits; then the first
        puts its own change of the death it read (and adds a trust). Whatever order the store
        lets them commit in, no update is lost."""
        death = _fixed_death()
        base = 0
        if existing:
            _put(first, [death])
            base = 1
        ours, theirs = attrs.evolve(death, age=60), attrs.evolve(death, age=61)
        bystander = _trust("RH8")
        outcome = _interleave(
            first,
            second,
            lambda uow: uow.get(Death, death.id),
            lambda uow: uow.put([theirs]),
            self.interleave_seconds,
            first_then=lambda uow: uow.put([bystander, ours]),
        )
        stored = first.get(Death, death.id)
        assert stored is not None
        committed = [r for r, ok in zip((ours, theirs), outcome.committed, strict=True) if ok]
        assert committed, "at least one of the two units commits"
        assert stored.version == base + len(committed), (
            f"both units committed a change to death {death.id} at version {base}, "
            f"but it is at version {stored.version}: an update was lost (a commit must refuse "
            f"a record that another unit changed since this unit first read it)"
        )
        assert not (len(committed) == 2 and outcome.second_ended_first), (
            f"the first unit read death {death.id}, another unit changed it and committed, "
            f"and the first unit then wrote it and committed too: the other unit's update was "
            f"lost (a commit must refuse a record changed since this unit first read it)"
        )
        if len(committed) == 1:
            assert stored.record == committed[0]
        else:
            assert stored.record == theirs, "the unit that committed last wins"
        assert (first.get(Trust, "RH8") is not None) == (outcome.first is None), (
            "a refused unit writes nothing, a committed one everything"
        )
        for refused in (outcome.first, outcome.second):
            if refused is not None:
                assert (refused.kind, str(refused.record_id)) == ("death", str(death.id))

    def test_a_record_the_unit_only_read_never_makes_its_commit_fail(self, store: Store) -> None:
        """The first unit reads a death and writes only a trust; another unit changes the
        death and commits meanwhile. Both commit."""
        death = _fixed_death()
        _put(store, [death])
        theirs = attrs.evolve(death, age=61)
        bystander = _trust("RH8")
        outcome = _interleave(
            store,
            store,
            lambda uow: uow.get(Death, death.id),
            lambda uow: uow.put([theirs]),
            self.interleave_seconds,
            first_then=lambda uow: uow.put([bystander]),
        )
        assert (outcome.first, outcome.second) == (None, None), (
            "a unit that only read a record was refused because another unit changed it"
        )
        assert store.get(Death, death.id) == Versioned(theirs, 2)
        assert store.get(Trust, "RH8") == Versioned(bystander, 1)

    # -- expected versions as the unit sees them -------------------------------------------------

    def test_expected_versions_see_the_units_own_earlier_writes(self, store: Store) -> None:
        death = _fixed_death()
        _put(store, [death])
        with store.unit_of_work() as uow:
            assert uow.put([attrs.evolve(death, age=50)]) == (2,)
            assert uow.put([attrs.evolve(death, age=51)], expected_versions=[2]) == (3,)
        assert store.get(Death, death.id) == Versioned(attrs.evolve(death, age=51), 3)

    def test_expected_versions_see_earlier_records_of_the_same_call(self, store: Store) -> None:
        death = _fixed_death()
        _put(store, [death])
        changed, again = attrs.evolve(death, age=50), attrs.evolve(death, age=51)
        with store.unit_of_work() as uow:
            assert uow.put([changed, again], expected_versions=[1, 2]) == (2, 3)
        assert store.get(Death, death.id) == Versioned(again, 3)

    def test_the_committed_version_is_stale_after_the_units_own_write(self, store: Store) -> None:
        death = _fixed_death()
        _put(store, [death])
        with pytest.raises(ConcurrencyError) as caught:
            _in_unit(
                store,
                lambda uow: uow.put([attrs.evolve(death, age=50)]),
                lambda uow: uow.put([attrs.evolve(death, age=51)], expected_versions=[1]),
            )
        assert (caught.value.expected, caught.value.actual) == (1, 2)
        assert store.get(Death, death.id) == Versioned(death, 1)

    def test_a_record_the_unit_added_is_no_longer_new_to_it(self, store: Store) -> None:
        death = _fixed_death()
        with pytest.raises(ConcurrencyError):
            _in_unit(
                store,
                lambda uow: uow.put([death]),
                lambda uow: uow.put([attrs.evolve(death, age=50)], expected_versions=[0]),
            )
        assert store.get(Death, death.id) is None
        with store.unit_of_work() as uow:
            uow.put([death])
            assert uow.put([attrs.evolve(death, age=50)], expected_versions=[1]) == (2,)

    def test_a_refused_put_writes_nothing_of_its_call(self, store: Store) -> None:
        death = _fixed_death()
        _put(store, [death])
        added, later = _trust("RH8"), _trust("RV5")
        with store.unit_of_work() as uow:
            with pytest.raises(ConcurrencyError):
                uow.put([added, attrs.evolve(death, age=50)], expected_versions=[None, 7])
            assert uow.get(Trust, "RH8") is None, "the refused call wrote its first record"
            uow.put([later])
        assert store.get(Trust, "RH8") is None, "the refused call's first record was committed"
        assert store.get(Trust, "RV5") == Versioned(later, 1)
        assert store.get(Death, death.id) == Versioned(death, 1)

    # -- many writers at once (CONCURRENT_WRITERS) -------------------------------------------

    def test_concurrent_writers_lose_nothing_and_double_nothing(
        self, open_store: StoreOpener
    ) -> None:
        """:attr:`concurrent_writers` threads, each on an opening of its own, each commit
        :attr:`concurrent_units` units: new deaths of the writer's own trust, a change to one of
        its earlier deaths, and a bump of a counter every writer shares (at the version the unit
        read, so a unit refused as stale is simply counted). Afterwards every committed death is
        there once, no refused one is, and the counter went up once per committed unit."""
        first = open_store()
        try:
            requires(first, Capability.CONCURRENT_WRITERS)
            _put(first, [_counter(0)])
            openings = [open_store() for _ in range(self.concurrent_writers)]
        finally:
            first.close()
        codes = [f"W{i:02d}" for i in range(self.concurrent_writers)]
        reports: list[_WriterReport] = []
        errors: list[BaseException] = []

        def writer(store: Store, code: str) -> None:
            try:
                reports.append(_write_for_a_while(store, code, self.concurrent_units))
            except BaseException as exc:  # handed to the main thread, which fails the test
                errors.append(exc)

        threads = [
            threading.Thread(target=writer, args=(store, code), name=f"writer {code}")
            for store, code in zip(openings, codes, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(_WRITERS_BOUND)
        try:
            assert not any(t.is_alive() for t in threads), "a writer never finished"
            if errors:
                raise errors[0]
            check = openings[0]
            committed_units = sum(r.committed for r in reports)
            assert committed_units > 0, "no unit committed at all"
            for report in reports:
                stored = {
                    str(v.record.id): v for v in check.scan(Death, trust=OdsCode(report.code))
                }
                lost = set(report.deaths) - set(stored)
                doubled = set(stored) - set(report.deaths)
                assert (lost, doubled) == (set(), set()), f"writer {report.code}"
                changes = sum(v.version - 1 for v in stored.values())
                assert changes == report.changes, f"writer {report.code}: lost changes"
            counter = check.get(Trust, _COUNTER)
            assert counter is not None
            assert counter.version == 1 + committed_units, (
                f"{committed_units} units each bumped the shared counter once, but it is at "
                f"version {counter.version}: an update was lost"
            )
            assert counter.record == _counter(committed_units)
        finally:
            for store in openings:
                store.close()


#: The record every concurrent writer bumps: a trust whose name carries a counter.
_COUNTER = "Z99"
#: How long the kit waits for the concurrent writers to end at all.
_WRITERS_BOUND = 300.0


def _counter(count: int) -> Trust:
    return Trust(OdsCode(_COUNTER), f"Shared counter {count}", dt.date(2017, 4, 1))


@attrs.define
class _WriterReport:
    code: str
    committed: int = 0
    refused: int = 0
    changes: int = 0
    deaths: list[str] = attrs.field(factory=list)


def _write_for_a_while(store: Store, code: str, units: int) -> _WriterReport:
    """Attempt ``units`` units of work on ``store`` as the writer of trust ``code``."""
    report = _WriterReport(code)
    mine: list[Death] = []
    for n in range(units):
        fresh = [
            _fixed_death(code, dt.date(2024, 4, 1) + dt.timedelta(days=n * 3 + i)) for i in range(3)
        ]
        changed = [attrs.evolve(mine[-1], age=(mine[-1].age or 0) + 1)] if mine else []
        try:
            with store.unit_of_work() as uow:
                uow.put([*fresh, *changed])
                got = uow.get(Trust, _COUNTER)
                assert got is not None
                count = int(got.record.name.rsplit(" ", 1)[1])
                uow.put([_counter(count + 1)], expected_versions=[got.version])
        except ConcurrencyError:
            report.refused += 1
            continue
        report.committed += 1
        report.changes += len(changed)
        report.deaths.extend(str(d.id) for d in fresh)
        mine = [*mine[:-1], *changed, *fresh] if changed else [*mine, *fresh]
    return report

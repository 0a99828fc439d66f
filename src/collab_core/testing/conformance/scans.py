"""Reading: scans in key order, filters by trust and period, batches, and counts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain.deaths import Death
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.learning import FamilyInvolvement
from collab_core.domain.people import Member, MemberKind
from collab_core.ports import (
    RecordSpec,
    Store,
    spec_for,
)
from collab_core.testing import _records as recs
from collab_core.testing.conformance._support import (
    _KINDS,
    KitBase,
    _death_key,
    _fixed_death,
    _put,
)


class ScanTests(KitBase):
    """Reading: scans in key order, filters by trust and period, batches, and counts."""

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

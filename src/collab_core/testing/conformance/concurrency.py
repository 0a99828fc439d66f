"""Optimistic concurrency: expected versions and stale writes refused with
:class:`~collab_core.ConcurrencyError`.
"""

from __future__ import annotations

import attrs
import pytest

from collab_core.domain.deaths import Death
from collab_core.domain.errors import ConcurrencyError, DomainValidationError
from collab_core.domain.organisations import Trust
from collab_core.ports import Store, Versioned
from collab_core.testing.conformance._support import (
    KitBase,
    _fixed_death,
    _in_unit,
    _put,
    _trust,
)


class ConcurrencyTests(KitBase):
    """Optimistic concurrency: expected versions and stale writes refused with
    :class:`~collab_core.ConcurrencyError`.
    """

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

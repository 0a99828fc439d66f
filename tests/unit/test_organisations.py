"""Trusts join the collaborative and may leave; each states its own scope policy for deaths
(there is no national definition of a death in scope for a mental health trust, RDaSH policy)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain import (
    DomainValidationError,
    FinancialYear,
    OdsCode,
    Quarter,
    ScopePolicy,
    Trust,
)

JOINED = dt.date(2017, 4, 1)
days = st.dates(dt.date(2010, 1, 1), dt.date(2030, 12, 31))


def trust(**changes: Any) -> Trust:
    return attrs.evolve(Trust(OdsCode("RH8"), "A mental health trust", JOINED), **changes)


def test_a_trust_is_identified_by_its_ods_code_and_holds_a_default_scope_policy() -> None:
    t = trust()
    assert t.ods_code == OdsCode("RH8")
    assert t.scope_policy == ScopePolicy()
    assert t.left is None


@given(days)
def test_a_trust_that_has_not_left_is_a_member_from_the_day_it_joined(day: dt.date) -> None:
    assert trust().is_member_on(day) == (day >= JOINED)


@given(days, days)
def test_a_trust_that_left_is_a_member_up_to_and_including_the_day_it_left(
    left: dt.date, day: dt.date
) -> None:
    if left < JOINED:
        with pytest.raises(DomainValidationError) as err:
            trust().leave(left)
        assert err.value.field == "left"
        return
    t = trust().leave(left)
    assert t.left == left
    assert t.is_member_on(day) == (JOINED <= day <= left)


def test_a_trust_leaves_only_once() -> None:
    t = trust().leave(dt.date(2019, 3, 31))
    with pytest.raises(DomainValidationError, match="already left"):
        t.leave(dt.date(2020, 3, 31))


@given(days, st.sampled_from(["quarter", "year"]))
def test_a_trust_was_a_member_during_a_period_when_it_was_a_member_on_any_day_of_it(
    day: dt.date, kind: str
) -> None:
    t = trust(left=dt.date(2019, 8, 14))
    period = Quarter.of(day) if kind == "quarter" else FinancialYear.of(day)
    any_day = any(
        t.is_member_on(period.start + dt.timedelta(days=i))
        for i in range((period.end - period.start).days + 1)
    )
    assert t.was_member_during(period) == any_day


@pytest.mark.parametrize(
    "changes",
    [
        {"name": " "},
        {"ods_code": "RH8"},
        {"joined": dt.datetime(2017, 4, 1, 9, 0)},
        {"scope_policy": {"inpatient": True}},
        {"local_themes": {""}},
        {"local_themes": 3},
    ],
)
def test_a_trust_with_a_broken_field_is_refused_naming_the_field(
    changes: dict[str, Any],
) -> None:
    with pytest.raises(DomainValidationError) as err:
        trust(**changes)
    assert err.value.field.split("[")[0] in changes


def test_local_themes_given_as_one_string_are_one_theme_not_its_letters() -> None:
    assert trust(local_themes="Sexual safety").local_themes == frozenset({"Sexual safety"})


# ---------------------------------------------------------------- the scope policy


def test_the_default_scope_policy_follows_common_practice() -> None:
    policy = ScopePolicy()
    assert policy.inpatient  # inpatient deaths
    assert policy.community_contact_months == 6  # CWP and NSFT: care in the last 6 months
    assert policy.discharge_days == 30  # HSSIB: within 30 days of discharge
    assert policy.route_ld_autism_to_leder  # KMPT: LD deaths notified to LeDeR


@pytest.mark.parametrize(
    "changes",
    [
        {"community_contact_months": 0},
        {"community_contact_months": -6},
        {"community_contact_months": True},
        {"discharge_days": 0},
        {"discharge_days": 30.0},
        {"inpatient": 1},
        {"route_ld_autism_to_leder": None},
    ],
)
def test_a_scope_policy_window_is_a_positive_whole_number_or_switched_off(
    changes: dict[str, Any],
) -> None:
    with pytest.raises(DomainValidationError) as err:
        ScopePolicy(**changes)
    assert err.value.field in changes


def test_either_window_of_a_scope_policy_may_be_switched_off() -> None:
    policy = ScopePolicy(community_contact_months=None, discharge_days=None)
    assert policy.community_contact_months is None
    assert policy.discharge_days is None

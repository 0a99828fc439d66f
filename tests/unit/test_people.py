"""Members of the collaborative: staff, people with lived experience, carers and family; each
affiliated to a trust or to none, with joined and left dates, held by a pseudonymous handle."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain import DomainValidationError, Member, MemberKind, OdsCode

JOINED = dt.date(2018, 6, 1)
days = st.dates(dt.date(2015, 1, 1), dt.date(2025, 12, 31))


def member(**changes: Any) -> Member:
    base = Member(uuid.UUID(int=1), "m.1042", MemberKind.STAFF, OdsCode("RH8"), JOINED)
    return attrs.evolve(base, **changes)


def test_members_are_staff_people_with_lived_experience_or_carers_and_family() -> None:
    assert {k.value for k in MemberKind} == {"staff", "lived_experience", "carer_family"}


@pytest.mark.parametrize("kind", list(MemberKind))
@pytest.mark.parametrize("affiliation", [OdsCode("RH8"), None])
def test_a_member_of_any_kind_may_be_affiliated_to_a_trust_or_to_none(
    kind: MemberKind, affiliation: OdsCode | None
) -> None:
    m = member(kind=kind, trust=affiliation)
    assert (m.kind, m.trust) == (kind, affiliation)


@given(days, days)
def test_a_member_counts_from_the_day_they_join_to_the_day_they_leave(
    left: dt.date, day: dt.date
) -> None:
    assert member().is_member_on(day) == (day >= JOINED)
    if left < JOINED:
        with pytest.raises(DomainValidationError):
            member().leave(left)
    else:
        assert member().leave(left).is_member_on(day) == (JOINED <= day <= left)


def test_a_member_leaves_only_once() -> None:
    with pytest.raises(DomainValidationError, match="already left"):
        member().leave(dt.date(2019, 1, 1)).leave(dt.date(2019, 2, 1))


@pytest.mark.parametrize(
    "changes",
    [
        {"handle": ""},
        {"kind": "staff"},
        {"trust": "RH8"},
        {"joined": None},
        {"left": dt.date(2018, 5, 31)},
        {"id": "1"},
    ],
)
def test_a_member_with_a_broken_field_is_refused_naming_the_field(
    changes: dict[str, Any],
) -> None:
    with pytest.raises(DomainValidationError) as err:
        member(**changes)
    assert err.value.field in changes


def test_a_handle_is_never_an_nhs_number_and_the_error_never_shows_it() -> None:
    with pytest.raises(DomainValidationError) as err:
        member(handle="999 000 0026")
    assert "999 000 0026" not in str(err.value)
    assert "9990000026" not in str(err.value)

"""The statutory Duty of Candour (Regulation 20, HSCA 2008 (Regulated Activities) Regulations 2014)
as a state machine: decide, notify in person with an apology, follow up in writing; or record the
attempts when the person cannot be contacted or declines. The deadline is configurable."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain import (
    CandourCase,
    CandourPolicy,
    CandourState,
    CandourStepError,
    CollabError,
    ContactAttempt,
    DomainValidationError,
    OdsCode,
    UnreachableReason,
    add_working_days,
    working_days_between,
)

REPORTED = dt.date(2019, 4, 15)  # a Monday; Good Friday and Easter Monday fall on 19 and 22 April
DAY = dt.timedelta(days=1)
days = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))


def new_case(reported_on: dt.date = REPORTED) -> CandourCase:
    return CandourCase(uuid.UUID(int=50), OdsCode("RH8"), reported_on)


def notifiable() -> CandourCase:
    return new_case().decide(True, REPORTED + DAY)


# One builder per state, each reached through the steps only.
IN_STATE: dict[CandourState, Callable[[], CandourCase]] = {
    CandourState.REPORTED: new_case,
    CandourState.NOT_NOTIFIABLE: lambda: new_case().decide(False, REPORTED + DAY),
    CandourState.NOTIFIABLE: notifiable,
    CandourState.NOTIFIED: lambda: notifiable().notify_in_person(REPORTED + 2 * DAY, apology=True),
    CandourState.FOLLOWED_UP: lambda: (
        notifiable()
        .notify_in_person(REPORTED + 2 * DAY, apology=True)
        .follow_up_in_writing(REPORTED + 20 * DAY)
    ),
    CandourState.ATTEMPTS_RECORDED: lambda: (
        notifiable()
        .record_attempt(REPORTED + 2 * DAY, "telephone")
        .close_unreachable(UnreachableReason.CANNOT_BE_CONTACTED, REPORTED + 3 * DAY)
    ),
}
LATER = REPORTED + 30 * DAY
STEPS: dict[str, Callable[[CandourCase], CandourCase]] = {
    "decide": lambda c: c.decide(True, LATER),
    "notify_in_person": lambda c: c.notify_in_person(LATER, apology=True),
    "follow_up_in_writing": lambda c: c.follow_up_in_writing(LATER),
    "record_attempt": lambda c: c.record_attempt(LATER, "letter"),
    "close_unreachable": lambda c: c.record_attempt(LATER, "letter").close_unreachable(
        UnreachableReason.DECLINED, LATER
    ),
}
ALLOWED_FROM = {
    "decide": {CandourState.REPORTED},
    "notify_in_person": {CandourState.NOTIFIABLE},
    "follow_up_in_writing": {CandourState.NOTIFIED},
    "record_attempt": {CandourState.NOTIFIABLE},
    "close_unreachable": {CandourState.NOTIFIABLE},
}


def test_each_builder_reaches_its_state() -> None:
    assert {state: build().state for state, build in IN_STATE.items()} == {s: s for s in IN_STATE}
    assert set(IN_STATE) == set(CandourState)


@pytest.mark.parametrize("state", list(CandourState))
@pytest.mark.parametrize("step", list(STEPS))
def test_a_step_is_taken_only_from_the_states_that_allow_it(state: CandourState, step: str) -> None:
    case = IN_STATE[state]()
    if state in ALLOWED_FROM[step]:
        assert STEPS[step](case).state is not None
    else:
        with pytest.raises(CandourStepError) as err:
            STEPS[step](case)
        assert err.value.field == "state"
        assert state.value in str(err.value)
        assert "allowed only when" in err.value.rule


def test_the_closed_states_are_not_notifiable_followed_up_and_attempts_recorded() -> None:
    assert {s for s in CandourState if s.is_closed} == {
        CandourState.NOT_NOTIFIABLE,
        CandourState.FOLLOWED_UP,
        CandourState.ATTEMPTS_RECORDED,
    }


def test_notification_in_person_must_carry_an_apology() -> None:
    with pytest.raises(CandourStepError) as err:
        notifiable().notify_in_person(REPORTED + DAY, apology=False)
    assert err.value.field == "apology"
    notified = notifiable().notify_in_person(REPORTED + DAY, apology=True)
    assert notified.apology_given


@pytest.mark.parametrize("reason", list(UnreachableReason))
def test_closing_as_unreachable_needs_the_recorded_attempts(reason: UnreachableReason) -> None:
    with pytest.raises(CandourStepError) as err:
        notifiable().close_unreachable(reason, REPORTED + 5 * DAY)
    assert err.value.field == "attempts"
    closed = notifiable().record_attempt(REPORTED + 2 * DAY, "telephone")
    closed = closed.close_unreachable(reason, REPORTED + 5 * DAY)
    assert closed.state is CandourState.ATTEMPTS_RECORDED
    assert closed.attempts == (ContactAttempt(REPORTED + 2 * DAY, "telephone"),)


def test_a_person_notified_after_failed_attempts_keeps_the_record_of_attempts() -> None:
    case = (
        notifiable()
        .record_attempt(REPORTED + 2 * DAY, "telephone")
        .notify_in_person(REPORTED + 3 * DAY, apology=True)
    )
    assert case.state is CandourState.NOTIFIED
    assert len(case.attempts) == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"notifiable": True},  # decided without a date
        {"decided_on": REPORTED},  # a date without a decision
        {"decided_on": REPORTED - DAY, "notifiable": True},  # decided before it was reported
        {"notifiable": False, "decided_on": REPORTED, "notified_on": REPORTED},
        {"notifiable": True, "decided_on": REPORTED, "notified_on": REPORTED},  # no apology
        {"notifiable": True, "decided_on": REPORTED, "apology_given": True},  # apology, no notice
        {"notifiable": True, "decided_on": REPORTED, "followed_up_on": REPORTED},
        {
            "notifiable": True,
            "decided_on": REPORTED,
            "notified_on": REPORTED + 2 * DAY,
            "apology_given": True,
            "followed_up_on": REPORTED + DAY,  # written follow-up before the notification
        },
        {"notifiable": True, "decided_on": REPORTED, "unreachable": UnreachableReason.DECLINED},
        {
            "notifiable": True,
            "decided_on": REPORTED,
            "closed_on": REPORTED,  # closed without a reason
            "attempts": [ContactAttempt(REPORTED, "letter")],
        },
        {
            "notifiable": True,
            "decided_on": REPORTED,
            "unreachable": UnreachableReason.CANNOT_BE_CONTACTED,
            "closed_on": REPORTED + DAY,  # no attempts recorded
        },
        {
            "notifiable": True,
            "decided_on": REPORTED,
            "notified_on": REPORTED,
            "apology_given": True,
            "attempts": [ContactAttempt(REPORTED, "letter")],
            "unreachable": UnreachableReason.DECLINED,  # notified, yet unreachable
            "closed_on": REPORTED,
        },
        {
            "notifiable": True,
            "decided_on": REPORTED,
            "attempts": [ContactAttempt(REPORTED - DAY, "letter")],  # before the decision
        },
        {
            "notifiable": True,
            "decided_on": REPORTED,
            "notified_on": REPORTED + DAY,
            "apology_given": True,
            "attempts": [ContactAttempt(REPORTED + 2 * DAY, "letter")],  # after the notice
        },
        {
            "notifiable": True,
            "decided_on": REPORTED,
            "attempts": [ContactAttempt(REPORTED + 3 * DAY, "letter")],
            "unreachable": UnreachableReason.DECLINED,
            "closed_on": REPORTED + 2 * DAY,  # closed before the last attempt
        },
        {"notifiable": None, "decided_on": None, "attempts": [ContactAttempt(REPORTED, "x")]},
    ],
)
def test_a_case_built_directly_in_a_state_the_steps_cannot_reach_is_refused(
    fields: dict[str, Any],
) -> None:
    with pytest.raises(DomainValidationError) as err:
        attrs.evolve(new_case(), **fields)
    assert err.value.field
    assert err.value.rule


_step_names = st.sampled_from(
    ["decide_yes", "decide_no", "notify", "follow_up", "attempt", "close"]
)


def _take(case: CandourCase, name: str, on: dt.date) -> CandourCase:
    if name == "decide_yes":
        return case.decide(True, on)
    if name == "decide_no":
        return case.decide(False, on)
    if name == "notify":
        return case.notify_in_person(on, apology=True)
    if name == "follow_up":
        return case.follow_up_in_writing(on)
    if name == "attempt":
        return case.record_attempt(on, "telephone")
    return case.close_unreachable(UnreachableReason.CANNOT_BE_CONTACTED, on)


@given(st.lists(st.tuples(_step_names, st.integers(0, 5)), max_size=12))
def test_any_sequence_of_steps_leaves_a_case_the_constructor_accepts(
    steps: list[tuple[str, int]],
) -> None:
    case = new_case()
    day = REPORTED
    for name, gap in steps:
        day += dt.timedelta(days=gap)
        before = case
        try:
            case = _take(case, name, day)
        except CollabError:
            assert case is before
            continue
        # Rebuilding from the fields re-runs every rule: what the steps reach is valid.
        assert attrs.evolve(case) == case
        if before.state.is_closed:
            raise AssertionError(f"{name} moved a closed case on")


# ---------------------------------------------------------------- the deadline


def test_the_default_deadline_is_10_working_days_after_the_incident_is_reported() -> None:
    policy = CandourPolicy()
    assert (policy.deadline_days, policy.working_days) == (10, True)
    deadline = new_case().deadline(policy)
    assert deadline == add_working_days(REPORTED, 10)
    assert working_days_between(REPORTED, deadline) == 10
    # Good Friday and Easter Monday 2019 push it two days past a plain fortnight.
    assert deadline == REPORTED + 16 * DAY


@given(days, st.integers(1, 60))
def test_the_deadline_is_configurable_in_working_or_calendar_days(
    reported: dt.date, n: int
) -> None:
    assert CandourPolicy(n).deadline(reported) == add_working_days(reported, n)
    assert CandourPolicy(n, working_days=False).deadline(reported) == reported + n * DAY
    assert CandourPolicy(n).deadline(reported) >= CandourPolicy(n, working_days=False).deadline(
        reported
    )


@pytest.mark.parametrize(
    "changes", [{"deadline_days": 0}, {"deadline_days": 366}, {"working_days": 1}]
)
def test_a_deadline_policy_outside_sense_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(DomainValidationError):
        CandourPolicy(**changes)


@given(st.sampled_from(list(CandourState)), st.integers(0, 40))
def test_only_a_notifiable_case_not_yet_notified_is_overdue_and_only_after_the_deadline(
    state: CandourState, days_after: int
) -> None:
    policy = CandourPolicy()
    case = IN_STATE[state]()
    as_of = REPORTED + days_after * DAY
    expected = state is CandourState.NOTIFIABLE and as_of > case.deadline(policy)
    assert case.is_overdue(policy, as_of) == expected


@given(st.integers(1, 40))
def test_notification_is_within_the_deadline_when_on_or_before_it(days_after: int) -> None:
    policy = CandourPolicy()
    on = REPORTED + days_after * DAY
    notified = new_case().decide(True, REPORTED).notify_in_person(on, apology=True)
    assert notified.notified_within_deadline(policy) == (on <= notified.deadline(policy))
    closed = (
        new_case()
        .decide(True, REPORTED)
        .record_attempt(on, "letter")
        .close_unreachable(UnreachableReason.DECLINED, on)
    )
    assert closed.notified_within_deadline(policy) == (on <= closed.deadline(policy))
    assert not new_case().decide(True, REPORTED).notified_within_deadline(policy)

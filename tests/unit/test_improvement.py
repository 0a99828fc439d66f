"""Continuous learning: "a systematic way of capturing everyday concerns and acting on them,
followed by a cycle of learning and improvement" - a concern, the action taken, the PDSA cycles."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain import Concern, DomainValidationError, OdsCode, PdsaCycle

RAISED = dt.date(2019, 5, 1)


def concern(**changes: Any) -> Concern:
    base = Concern(uuid.UUID(int=40), OdsCode("RH8"), RAISED, "Handover misses family calls")
    return attrs.evolve(base, **changes)


def finish(cycle: PdsaCycle, ended_on: dt.date) -> PdsaCycle:
    return attrs.evolve(
        cycle, do="Ran it for a week", study="Calls logged 9/10", act="Adopt", ended_on=ended_on
    )


def test_a_concern_records_the_action_taken_and_the_cycles_that_followed() -> None:
    c = concern(action_taken="Added family calls to the handover sheet").next_cycle(
        "Try the sheet on one ward", RAISED
    )
    assert c.action_taken == "Added family calls to the handover sheet"
    assert [cy.number for cy in c.cycles] == [1]
    assert not c.cycles[0].complete


def test_a_cycle_is_complete_once_done_studied_acted_on_and_ended() -> None:
    cycle = PdsaCycle(1, "Plan", RAISED)
    assert not cycle.complete
    assert finish(cycle, RAISED).complete
    assert not attrs.evolve(finish(cycle, RAISED), act=None).complete


@given(st.lists(st.integers(0, 30), min_size=1, max_size=6))
def test_cycles_follow_one_another_numbered_from_one(gaps: list[int]) -> None:
    c = concern()
    day = RAISED
    for gap in gaps:
        day += dt.timedelta(days=gap)
        c = c.next_cycle("Next test of change", day)
        day += dt.timedelta(days=gap)
        c = attrs.evolve(c, cycles=(*c.cycles[:-1], finish(c.cycles[-1], day)))
    assert [cy.number for cy in c.cycles] == list(range(1, len(gaps) + 1))
    assert all(
        a.ended_on is not None and a.ended_on <= b.started_on
        for a, b in zip(c.cycles, c.cycles[1:], strict=False)
    )


def test_the_next_cycle_waits_for_the_current_one_to_finish() -> None:
    c = concern().next_cycle("First", RAISED)
    with pytest.raises(DomainValidationError) as err:
        c.next_cycle("Second", RAISED)
    assert err.value.field == "cycles"


def test_cycles_built_directly_keep_the_same_order_rules() -> None:
    first = finish(PdsaCycle(1, "First", RAISED), RAISED + dt.timedelta(days=10))
    second = PdsaCycle(2, "Second", RAISED + dt.timedelta(days=10))
    assert len(concern(cycles=[first, second]).cycles) == 2
    with pytest.raises(DomainValidationError) as err:
        concern(cycles=[second])
    assert err.value.field == "cycles"
    with pytest.raises(DomainValidationError) as err:
        concern(cycles=[PdsaCycle(1, "First", RAISED), second])
    assert err.value.field == "cycles[0]"
    with pytest.raises(DomainValidationError) as err:
        concern(cycles=[first, attrs.evolve(second, started_on=RAISED + dt.timedelta(days=9))])
    assert err.value.field == "cycles[1].started_on"
    with pytest.raises(DomainValidationError) as err:
        concern(cycles=[attrs.evolve(first, started_on=RAISED - dt.timedelta(days=1))])
    assert err.value.field == "cycles[0].started_on"


@pytest.mark.parametrize(
    "changes",
    [
        {"number": 0},
        {"plan": " "},
        {"do": ""},
        {"study": "ref 9990000018"},
        {"ended_on": RAISED - dt.timedelta(days=1)},
    ],
)
def test_a_malformed_cycle_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(DomainValidationError) as err:
        attrs.evolve(PdsaCycle(1, "Plan", RAISED), **changes)
    assert err.value.field in changes
    assert "9990000018" not in str(err.value)


def test_the_action_taken_is_free_text_without_identifiers() -> None:
    with pytest.raises(DomainValidationError) as err:
        concern(action_taken="Called 999 000 0018's family")
    assert err.value.field == "action_taken"
    assert "999 000 0018" not in str(err.value)

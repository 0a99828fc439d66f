"""Every target and figure result travels as JSON and comes back equal, with its Fractions exact."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from fractions import Fraction

import pytest

from collab_core import (
    RCP_AVOIDABILITY,
    Action,
    Assessment,
    Audience,
    CandourCase,
    CaseReference,
    Death,
    DeathSetting,
    FinancialYear,
    LearningItem,
    Member,
    MemberKind,
    OdsCode,
    Quarter,
    ResponseType,
    Review,
    Score,
    SharingEvent,
    Target,
    Trust,
    candour_compliance,
    capability_census,
    capability_growth,
    lfd_dashboard,
    lfd_dashboard_query,
    lfd_look_back,
    lfd_look_back_queries,
    overdue_actions,
    sharing_coverage,
)
from collab_core.domain.facts import lfd_facts
from collab_core.serialization import from_json, to_json

D = dt.date
RW1, RX2 = OdsCode("RW1"), OdsCode("RX2")
TRUSTS = [Trust(RW1, "Trust A", D(2016, 1, 1)), Trust(RX2, "Trust B", D(2018, 5, 1))]
YEAR = FinancialYear(2018)


def _dashboard_inputs() -> tuple[list[Death], list[Review]]:
    deaths = [
        Death(
            uuid.uuid4(), RW1, CaseReference(RW1, "D-1"), D(2018, 4, 9), DeathSetting.INPATIENT, 45
        ),
        Death(uuid.uuid4(), RX2, CaseReference(RX2, "D-2"), D(2018, 2, 9), DeathSetting.INPATIENT),
    ]
    reviews = [
        Review(
            uuid.uuid4(),
            deaths[0].id,
            RW1,
            ResponseType.STRUCTURED_JUDGEMENT_REVIEW,
            D(2018, 4, 10),
            D(2018, 6, 1),
            (Score.on(RCP_AVOIDABILITY, 2),),
        )
    ]
    return deaths, reviews


def _results() -> list[object]:
    deaths, reviews = _dashboard_inputs()
    query = lfd_dashboard_query(TRUSTS, [YEAR], YEAR.end)
    earlier, later = lfd_look_back_queries(TRUSTS, YEAR)
    person = Member(uuid.uuid4(), "m1", MemberKind.CARER_FAMILY, RW1, D(2017, 1, 1))
    assessment = Assessment(uuid.uuid4(), person.id, "3ls", "pdsa", "Live", D(2017, 2, 1))
    baseline = capability_census([person], [assessment], D(2017, 4, 1))
    current = capability_census([person], [assessment], D(2018, 4, 1))
    item = LearningItem(
        uuid.uuid4(),
        RW1,
        "Handover",
        "Risk information was lost",
        D(2018, 4, 1),
        actions=(Action(uuid.uuid4(), "Audit", "Matron", D(2018, 5, 1)),),
    )
    case = CandourCase(uuid.uuid4(), RW1, D(2018, 4, 3)).decide(True, D(2018, 4, 4))
    event = SharingEvent(uuid.uuid4(), item.id, RW1, Audience.FAMILY, D(2018, 5, 2), "meeting")
    return [
        sharing_coverage(TRUSTS, [event], Quarter.of(D(2018, 5, 2)), Audience.FAMILY),
        sharing_coverage([], [], YEAR, Audience.COLLABORATIVE),
        Target("t", "m", Fraction(1, 3), D(2018, 1, 1), 1, D(2019, 1, 1)),
        capability_growth(baseline, current),
        lfd_dashboard(lfd_facts(deaths, reviews, query), TRUSTS, [YEAR], YEAR.end),
        lfd_look_back(
            lfd_facts(deaths, reviews, earlier), lfd_facts(deaths, reviews, later), TRUSTS, YEAR
        ),
        candour_compliance(TRUSTS, [case], Quarter.of(case.reported_on), D(2018, 6, 30)),
        overdue_actions(TRUSTS, [item], D(2018, 6, 30)),
    ]


@pytest.mark.parametrize("result", _results(), ids=lambda r: type(r).__name__)
def test_a_result_travels_as_json_and_comes_back_equal(result: object) -> None:
    text = to_json(result)
    assert from_json(type(result), text) == result
    json.loads(text)  # plain JSON, readable by any client


def test_proportions_travel_as_exact_fractions_not_floats() -> None:
    coverage = sharing_coverage(TRUSTS, [], YEAR, Audience.FAMILY)
    data = json.loads(to_json(coverage))["data"]
    assert isinstance(data["proportion"], str)
    assert Fraction(data["proportion"]) == coverage.proportion == 0
    assert data["denominator"] == 2
    growth = _results()[3]
    progress = json.loads(to_json(growth))["data"]["progress"]
    assert Fraction(progress["expected"]) == growth.progress.expected  # type: ignore[attr-defined]

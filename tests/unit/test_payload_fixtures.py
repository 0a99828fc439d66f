"""Version-1 payloads of every type stay readable for good: each fixture in
``tests/fixtures/payloads/v1`` is read (through any upcasters). A record or value must equal
its example below; a result of a calculation (whose figures were computed once from fixed
inputs) must read back without losing anything.

The fixtures are never regenerated: a change that breaks one needs an upcaster, not a new file.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import collab_core.cli  # registers the result types of the collab command
import collab_core.importing  # noqa: F401 - registers the import summary's types
from collab_core import (
    DEFAULT_SCALES,
    HOGAN_PREVENTABILITY,
    RCP_AVOIDABILITY,
    THREE_LS,
    Action,
    ActionStatus,
    Assessment,
    AssessorKind,
    Audience,
    CandourCase,
    CandourPolicy,
    CapabilityFact,
    CapabilityQuery,
    CaseReference,
    Concern,
    ContactAttempt,
    Count,
    Death,
    DeathSetting,
    Disclosure,
    FamilyInvolvement,
    FamilyQuestion,
    Figure,
    FinancialYear,
    ImpactAssessment,
    ImpactRating,
    JourneyStep,
    LearningItem,
    LearningJourney,
    Member,
    MemberKind,
    Month,
    OdsCode,
    PdsaCycle,
    PercentBasis,
    PrivacyFinding,
    Quarter,
    RedFlag,
    ResponseType,
    Review,
    ScaleRegistry,
    ScopePolicy,
    Score,
    Share,
    SharingEvent,
    Site,
    SiteCode,
    SmallNumbers,
    SubjectArea,
    Theme,
    Trust,
    UnreachableReason,
    default_taxonomy,
    from_json,
    from_payload,
    payload_type,
    registered_types,
    to_payload,
)
from collab_core.domain.facts import LfdFact, LfdQuery, SharingQuery
from collab_core.ports import DeliveryReceipt, OutboxEntry, OutboxStatus, Publication, Versioned

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "v1"

RH8 = OdsCode("RH8")
DEATH_ID = uuid.UUID("0190a1b2-0000-7000-8000-000000000001")
REVIEW_ID = uuid.UUID("0190a1b2-0000-7000-8000-000000000002")
ITEM_ID = uuid.UUID("0190a1b2-0000-7000-8000-000000000003")
MEMBER_ID = uuid.UUID("0190a1b2-0000-7000-8000-000000000004")
OTHER_ID = uuid.UUID("0190a1b2-0000-7000-8000-000000000005")
UTC = dt.UTC

_death = Death(
    id=DEATH_ID,
    trust=RH8,
    case_ref=CaseReference(RH8, "DX-2018-0042"),
    died_on=dt.date(2018, 10, 3),
    setting=DeathSetting.POST_DISCHARGE,
    age=47,
    last_contact_on=dt.date(2018, 9, 20),
    discharged_on=dt.date(2018, 9, 20),
)
_review = Review(
    id=REVIEW_ID,
    death_id=DEATH_ID,
    trust=RH8,
    response_type=ResponseType.CARE_REVIEW_TOOL,
    started_on=dt.date(2018, 10, 10),
    completed_on=dt.date(2018, 11, 30),
    scores=(Score.on(RCP_AVOIDABILITY, 4), Score.on(HOGAN_PREVENTABILITY, 2, "overall")),
    red_flags={RedFlag.INPATIENT_OR_RECENT_DISCHARGE, RedFlag.CONCERNS_RAISED},
    signed_off_on=dt.date(2018, 12, 12),
)
_action = Action(
    id=OTHER_ID,
    description="Discharge checklist includes a 72-hour follow-up call",
    owner_role="Ward manager, Elm ward",
    due_on=dt.date(2019, 3, 31),
    status=ActionStatus.COMPLETED,
    completed_on=dt.date(2019, 2, 28),
    impact=ImpactAssessment(
        dt.date(2019, 6, 30),
        ImpactRating.SOME_IMPACT,
        "Follow-up calls made within 72 hours for most discharges",
        "Share of discharges with a follow-up call",
    ),
    themes={"continuous-learning-safety/reliable-processes"},
)
_item = LearningItem(
    id=ITEM_ID,
    trust=RH8,
    title="Follow-up after discharge",
    what_was_learnt="The first days after discharge carry the highest risk.",
    recorded_on=dt.date(2018, 12, 1),
    review_ids={REVIEW_ID},
    themes={"continuous-learning-safety/continuous-learning", "person-family-centred"},
    actions=(_action,),
    signed_off_on=dt.date(2018, 12, 12),
)
_publication = Publication(
    id=OTHER_ID,
    kind="learning_bulletin",
    audience=Audience.COLLABORATIVE,
    title="Learning bulletin, 2018/19 Q3",
    body={"items": [{"title": "Follow-up after discharge", "trusts": 1}], "quarter": "2018/19 Q3"},
    created_at=dt.datetime(2019, 1, 15, 9, 30, tzinfo=UTC),
)

# One example of every payload type, by name. A new type needs an example and a fixture.
EXAMPLES: dict[str, Any] = {
    "trust": Trust(
        RH8,
        "Example Partnership NHS Foundation Trust",
        dt.date(2017, 4, 1),
        dt.date(2021, 3, 31),
        ScopePolicy(community_contact_months=6, discharge_days=30),
        {"Inpatient falls"},
    ),
    "member": Member(
        MEMBER_ID, "qi-lead-07", MemberKind.LIVED_EXPERIENCE, RH8, dt.date(2018, 5, 1), None
    ),
    "death": _death,
    "review": _review,
    "learning_item": _item,
    "sharing": SharingEvent(
        OTHER_ID, ITEM_ID, RH8, Audience.COLLABORATIVE, dt.date(2019, 1, 20), "learning event"
    ),
    "assessment": Assessment(
        OTHER_ID, MEMBER_ID, "3ls", "measurement", "Live", dt.date(2018, 9, 1), AssessorKind.PEER
    ),
    "learning_journey": LearningJourney(
        OTHER_ID,
        MEMBER_ID,
        "3ls",
        dt.date(2018, 6, 1),
        (JourneyStep("measurement", "Live", dt.date(2019, 3, 31)),),
    ),
    "family_involvement": FamilyInvolvement(DEATH_ID, RH8)
    .offer(dt.date(2018, 10, 12))
    .accept(dt.date(2018, 10, 19))
    .contribute(dt.date(2018, 11, 2))
    .ask(dt.date(2018, 11, 2))
    .answer(0, dt.date(2018, 12, 14)),
    "candour_case": CandourCase(OTHER_ID, RH8, dt.date(2018, 10, 4), death_id=DEATH_ID)
    .decide(True, dt.date(2018, 10, 5))
    .record_attempt(dt.date(2018, 10, 8), "telephone")
    .close_unreachable(UnreachableReason.CANNOT_BE_CONTACTED, dt.date(2018, 10, 18)),
    "concern": Concern(
        OTHER_ID,
        RH8,
        dt.date(2019, 1, 7),
        "Handover notes are missed at weekends",
        "Weekend handover huddle",
        (
            PdsaCycle(
                1,
                "Try a huddle on one ward",
                dt.date(2019, 1, 12),
                "Held for four weekends",
                "Fewer missed notes",
                "Adopt",
                dt.date(2019, 2, 9),
            ),
        ),
        {"continuous-learning-safety/communication-and-team-work"},
        ITEM_ID,
    ),
    "action": _action,
    "impact_assessment": _action.impact,
    "family_question": FamilyQuestion(dt.date(2018, 11, 2), dt.date(2018, 12, 14)),
    "candour_policy": CandourPolicy(deadline_days=10, working_days=True),
    "contact_attempt": ContactAttempt(dt.date(2018, 10, 8), "letter"),
    "framework": THREE_LS,
    "level": THREE_LS.level("Lead"),
    "subject_area": SubjectArea("measurement", "Measurement for improvement"),
    "journey_step": JourneyStep("pdsa", "Learn", dt.date(2019, 3, 31)),
    "pdsa_cycle": PdsaCycle(2, "Extend the huddle to all wards", dt.date(2019, 2, 11)),
    "review_scale": HOGAN_PREVENTABILITY,
    "scale_registry": ScaleRegistry.of(DEFAULT_SCALES),
    "score": Score.on(RCP_AVOIDABILITY, 3, "admission"),
    "scope_policy": ScopePolicy(inpatient=True, community_contact_months=None, discharge_days=28),
    "site": Site(SiteCode("RH802"), RH8, "Example Hospital"),
    "theme": Theme("local/rh8/falls", "Falls", None, RH8),
    "theme_taxonomy": default_taxonomy().with_local(RH8, "Falls"),
    "ods_code": RH8,
    "site_code": SiteCode("RH802"),
    "case_reference": CaseReference(RH8, "DX-2018-0042"),
    "financial_year": FinancialYear(2018),
    "quarter": Quarter(FinancialYear(2018), 3),
    "month": Month(2018, 10),
    "lfd_query": LfdQuery(
        dt.date(2019, 6, 30),
        dt.date(2018, 4, 1),
        dt.date(2019, 3, 31),
        {RH8: ScopePolicy()},
        ScaleRegistry.of(DEFAULT_SCALES),
    ),
    "lfd_fact": LfdFact(RH8, Quarter(FinancialYear(2018), 3), None, False, 12, 5, 1),
    "capability_query": CapabilityQuery(dt.date(2019, 3, 31), THREE_LS, "Live"),
    "capability_fact": CapabilityFact(2, "Live", MemberKind.LIVED_EXPERIENCE, RH8, 14),
    "sharing_query": SharingQuery(
        Audience.PUBLIC, {RH8: (dt.date(2018, 4, 1), dt.date(2019, 3, 31))}
    ),
    "versioned": Versioned(_death, 3),
    "publication": _publication,
    "outbox_entry": OutboxEntry(
        MEMBER_ID,
        "site",
        _publication,
        OutboxStatus.FAILED,
        2,
        "connection refused",
        dt.datetime(2019, 1, 15, 10, 0, tzinfo=UTC),
    ),
    "delivery_receipt": DeliveryReceipt(
        "site", OTHER_ID, dt.datetime(2019, 1, 15, 10, 5, tzinfo=UTC), "/learning/2018-19-q3"
    ),
    "count": Count(45, Disclosure.ROUNDED),
    "share": Share(Count.suppressed(), Count(120, Disclosure.ROUNDED), None),
    "figure": Figure(Fraction(1535, 2), (Count(640),)),
    "small_numbers": SmallNumbers(threshold=10, rounding=5, percentages=PercentBasis.ROUNDED),
    "privacy_finding": PrivacyFinding(
        "$.items[3].actions[0].description", "nhs_number", 14, 26, None
    ),
}


def _fixture(name: str) -> Path:
    return FIXTURES / f"{name}.json"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_version_1_fixture_reads_as_the_expected_object(name: str) -> None:
    path = _fixture(name)
    assert path.is_file(), f"missing fixture {path.name}: write json.dumps(to_payload(example))"
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert payload["type"] == name
    assert payload["schema_version"] == 1
    expected = EXAMPLES[name]
    assert from_payload(type(expected), payload) == expected
    assert from_payload(None, payload) == expected
    assert from_json(None, path.read_text(encoding="utf-8")) == expected


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_is_filed_under_its_own_type_name(name: str) -> None:
    example = EXAMPLES[name]
    assert payload_type(type(example)).name == name
    assert to_payload(example)["type"] == name


RESULT_FIXTURES = sorted(p.stem for p in FIXTURES.glob("*.json") if p.stem not in EXAMPLES)


@pytest.mark.parametrize("name", RESULT_FIXTURES)
def test_version_1_result_fixture_reads_back_without_loss(name: str) -> None:
    payload = json.loads(_fixture(name).read_text(encoding="utf-8"))
    assert payload["type"] == name
    assert payload["schema_version"] == 1
    result = from_payload(None, payload)
    entry = payload_type(type(result))
    assert entry.name == name
    # a type at a later version writes its version-1 data brought up to date by its upcasters
    data = entry.upcast(payload["data"], 1)
    assert to_payload(result) == {"type": name, "schema_version": entry.version, "data": data}


def test_every_payload_type_of_collab_core_has_a_version_1_fixture() -> None:
    names = {
        e.name
        for e in registered_types()
        if e.cls.__module__.startswith("collab_core.")
        and not e.cls.__module__.startswith("collab_core.testing")
    }
    on_disk = {p.stem for p in FIXTURES.glob("*.json")}
    assert names - on_disk == set(), "write a fixture for each new payload type"
    assert on_disk - names == set(), "every fixture names a payload type"

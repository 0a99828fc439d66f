"""Record builders and Hypothesis strategies shared by the SQL store's tests."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from hypothesis import strategies as st

from collab_core import (
    DEFAULT_SCALES,
    EXPLICIT_JUDGEMENT,
    HOGAN_PREVENTABILITY,
    RCP_AVOIDABILITY,
    RCP_PHASE_OF_CARE,
    Assessment,
    Audience,
    CandourCase,
    CaseReference,
    Concern,
    Death,
    DeathSetting,
    FamilyInvolvement,
    JourneyStep,
    LearningItem,
    LearningJourney,
    Member,
    MemberKind,
    OdsCode,
    ResponseType,
    Review,
    ReviewScale,
    ScopePolicy,
    Score,
    SharingEvent,
    Trust,
    new_id,
)

# -- builders ---------------------------------------------------------------------------------

TRUST_CODES = ("RH8", "RX2", "RW1", "R1L")
_case = itertools.count(1)


def a_trust(code: str = "RH8", joined: dt.date = dt.date(2017, 4, 1)) -> Trust:
    return Trust(OdsCode(code), f"Trust {code}", joined)


def a_death(
    trust: str = "RH8",
    died_on: dt.date = dt.date(2019, 5, 10),
    *,
    setting: DeathSetting = DeathSetting.INPATIENT,
    age: int | None = 40,
    last_contact_on: dt.date | None = None,
    discharged_on: dt.date | None = None,
    learning_disability: bool = False,
    autistic: bool = False,
    id: uuid.UUID | None = None,
) -> Death:
    code = OdsCode(trust)
    return Death(
        id=id or new_id(),
        trust=code,
        case_ref=CaseReference(code, f"C{next(_case)}"),
        died_on=died_on,
        setting=setting,
        age=age,
        last_contact_on=last_contact_on,
        discharged_on=discharged_on,
        learning_disability=learning_disability,
        autistic=autistic,
    )


def a_review(
    death: Death,
    *,
    response_type: ResponseType = ResponseType.STRUCTURED_JUDGEMENT_REVIEW,
    started_on: dt.date | None = None,
    completed_on: dt.date | None = None,
    scores: tuple[Score, ...] = (),
) -> Review:
    return Review(
        id=new_id(),
        death_id=death.id,
        trust=death.trust,
        response_type=response_type,
        started_on=started_on or death.died_on,
        completed_on=completed_on,
        scores=scores,
    )


def a_learning_item(trust: str = "RH8", recorded_on: dt.date = dt.date(2019, 6, 1)) -> LearningItem:
    return LearningItem(
        id=new_id(),
        trust=OdsCode(trust),
        title="Observation levels at night",
        what_was_learnt="Hourly checks were missed when the ward was short-staffed.",
        recorded_on=recorded_on,
        themes=frozenset({"reliable-processes", "teamwork"}),
    )


def a_sharing(
    trust: str = "RH8",
    audience: Audience = Audience.TRUST_BOARD,
    shared_on: dt.date = dt.date(2019, 7, 1),
) -> SharingEvent:
    return SharingEvent(new_id(), new_id(), OdsCode(trust), audience, shared_on, "board paper")


def one_of_each_kind() -> list[Any]:
    """A record of every kind a store holds, linked as they would be in life."""
    death = a_death()
    review = a_review(
        death, completed_on=dt.date(2019, 6, 20), scores=(Score.on(RCP_AVOIDABILITY, 4),)
    )
    item = a_learning_item()
    member = Member(new_id(), "qi-lead-17", MemberKind.STAFF, OdsCode("RH8"), dt.date(2018, 1, 8))
    return [
        a_trust(),
        member,
        death,
        review,
        item,
        SharingEvent(new_id(), item.id, item.trust, Audience.STAFF, dt.date(2019, 7, 2), "huddle"),
        Assessment(new_id(), member.id, "3ls", "measurement", "learn", dt.date(2018, 3, 1)),
        LearningJourney(
            new_id(),
            member.id,
            "3ls",
            dt.date(2018, 3, 1),
            (JourneyStep("measurement", "live", dt.date(2018, 9, 1)),),
        ),
        FamilyInvolvement(death.id, death.trust, offered_on=dt.date(2019, 5, 20)),
        CandourCase(new_id(), death.trust, dt.date(2019, 5, 11), death_id=death.id),
        Concern(new_id(), death.trust, dt.date(2019, 8, 1), "Night checks were missed."),
    ]


# -- strategies for the dashboard facts -------------------------------------------------------

_EPOCH = dt.date(2018, 1, 1)
days = st.integers(0, 3 * 365).map(lambda n: _EPOCH + dt.timedelta(days=n))
trust_codes = st.sampled_from(TRUST_CODES)
#: A scale the queries know but the domain's defaults do not; never range-checked on a review.
LOCAL_SCALE = ReviewScale(
    id="local-harm-rating",
    version=2,
    name="A trust's own harm rating",
    minimum=0,
    maximum=3,
    labels=("None", "Low", "Moderate", "Severe"),
    worse_end="high",
    problem_in_care_values={2, 3},
)
_SCORED = (RCP_AVOIDABILITY, HOGAN_PREVENTABILITY, RCP_PHASE_OF_CARE, EXPLICIT_JUDGEMENT)


@st.composite
def deaths(draw: st.DrawFn) -> Death:
    died_on = draw(days)
    setting = draw(st.sampled_from(DeathSetting))
    before = st.integers(0, 500).map(lambda n: died_on - dt.timedelta(days=n))
    discharged_on = draw(before if setting is DeathSetting.POST_DISCHARGE else st.none() | before)
    return a_death(
        draw(trust_codes),
        died_on,
        setting=setting,
        age=draw(st.none() | st.integers(0, 110)),
        last_contact_on=draw(st.none() | before),
        discharged_on=discharged_on,
        learning_disability=draw(st.booleans()),
        autistic=draw(st.booleans()),
    )


@st.composite
def scores(draw: st.DrawFn, *, stray: bool) -> Score:
    """A score on a default or local scale; with ``stray``, sometimes on a scale no query knows
    or outside the local scale's range (the reference refuses both when it reaches them)."""
    choice = draw(st.sampled_from([*_SCORED, LOCAL_SCALE, "stray"] if stray else [*_SCORED]))
    if choice == "stray":
        if draw(st.booleans()):
            return Score("unknown-scale", 1, draw(st.integers(0, 9)))
        return Score(LOCAL_SCALE.id, LOCAL_SCALE.version, draw(st.sampled_from([-1, 4, 7])))
    scale = choice if isinstance(choice, ReviewScale) else LOCAL_SCALE
    return Score(scale.id, scale.version, draw(st.integers(scale.minimum, scale.maximum)))


@st.composite
def reviews_of(draw: st.DrawFn, death: Death, *, stray: bool = False) -> Review:
    started = death.died_on + dt.timedelta(days=draw(st.integers(0, 60)))
    completed = draw(st.none() | st.integers(0, 200).map(lambda n: started + dt.timedelta(days=n)))
    return a_review(
        death,
        response_type=draw(st.sampled_from(ResponseType)),
        started_on=started,
        completed_on=completed,
        scores=tuple(draw(st.lists(scores(stray=stray), max_size=3))),
    )


policies = st.builds(
    ScopePolicy,
    inpatient=st.booleans(),
    community_contact_months=st.none() | st.integers(1, 18),
    discharge_days=st.none() | st.integers(1, 120),
    route_ld_autism_to_leder=st.booleans(),
)


def policy_maps() -> st.SearchStrategy[dict[OdsCode, ScopePolicy]]:
    return st.dictionaries(trust_codes.map(OdsCode), policies, max_size=len(TRUST_CODES))


sharings = st.builds(a_sharing, trust_codes, st.sampled_from(Audience), days)

ALL_SCALES = (*DEFAULT_SCALES, LOCAL_SCALE)

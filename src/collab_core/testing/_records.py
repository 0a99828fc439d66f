"""Small Hypothesis strategies for one valid record of every kind a store holds, used by the
conformance kit. They aim at storage edge cases (text, optional fields, edge dates), not at the
whole domain: :mod:`collab_core.testing.strategies` covers every domain type in depth.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import attrs
from hypothesis import strategies as st

from collab_core.domain.candour import CandourCase, UnreachableReason
from collab_core.domain.capability import Assessment, AssessorKind, JourneyStep, LearningJourney
from collab_core.domain.deaths import (
    DEFAULT_SCALES,
    Death,
    DeathSetting,
    RedFlag,
    ResponseType,
    Review,
    Score,
)
from collab_core.domain.identifiers import CaseReference, OdsCode, find_nhs_numbers
from collab_core.domain.improvement import Concern, PdsaCycle
from collab_core.domain.learning import (
    Action,
    ActionStatus,
    Audience,
    FamilyInvolvement,
    FamilyQuestion,
    FamilyResponse,
    ImpactAssessment,
    ImpactRating,
    LearningItem,
    SharingEvent,
)
from collab_core.domain.organisations import ScopePolicy, Trust
from collab_core.domain.people import Member, MemberKind
from collab_core.ports import RECORD_SPECS, Publication

__all__ = [
    "KEY_FIELDS",
    "TRUST_CODES",
    "days",
    "outbox_publications",
    "record_of",
    "records",
    "timestamps",
    "with_key",
]

#: A few trust codes, so that queries by trust find several records per trust.
TRUST_CODES = tuple(OdsCode(c) for c in ("RH8", "RV5", "RX2", "TAF", "R1L"))
#: The attribute each kind is keyed by (see :data:`collab_core.ports.RECORD_SPECS`).
KEY_FIELDS = {
    "trust": "ods_code",
    "family_involvement": "death_id",
}

_FIRST = dt.date(2017, 4, 1)  # the national Learning from Deaths framework, March 2017
_LAST = dt.date(2031, 3, 31)

trusts_codes = st.sampled_from(TRUST_CODES)


def days(first: dt.date = _FIRST, last: dt.date = _LAST) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=first, max_value=last)


@st.composite
def _on_or_after(draw: st.DrawFn, day: dt.date, within: int = 400) -> dt.date:
    return day + dt.timedelta(days=draw(st.integers(0, within)))


def _no_nhs_number(text: str) -> bool:
    return bool(text.strip()) and not find_nhs_numbers(text)


# Any text a person may type, quotes, accents, emoji and newlines included; NUL is left out
# because PostgreSQL text cannot hold it.
text: st.SearchStrategy[str] = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=40
).filter(_no_nhs_number)
short_text: st.SearchStrategy[str] = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12
).filter(_no_nhs_number)
ids = st.uuids()
#: Theme codes: lower-case words joined by ``-``, nested with ``/`` (the taxonomy's rule).
theme_codes: st.SearchStrategy[str] = st.from_regex(
    r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}(/[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,1}){0,2}", fullmatch=True
).filter(lambda code: not find_nhs_numbers(code))


@st.composite
def trust_records(draw: st.DrawFn) -> Trust:
    joined = draw(days())
    themes: frozenset[str] = draw(st.frozensets(short_text, max_size=3))
    return Trust(
        ods_code=draw(trusts_codes),
        name=draw(text),
        joined=joined,
        left=draw(st.none() | _on_or_after(joined)),
        scope_policy=draw(
            st.builds(
                ScopePolicy,
                inpatient=st.booleans(),
                community_contact_months=st.none() | st.integers(1, 24),
                discharge_days=st.none() | st.integers(1, 90),
                route_ld_autism_to_leder=st.booleans(),
            )
        ),
        # Trust's converter is the bare frozenset type, which mypy cannot match generically.
        local_themes=cast("Any", themes),
    )


@st.composite
def members(draw: st.DrawFn) -> Member:
    joined = draw(days())
    return Member(
        id=draw(ids),
        handle=draw(short_text),
        kind=draw(st.sampled_from(MemberKind)),
        trust=draw(st.none() | trusts_codes),
        joined=joined,
        left=draw(st.none() | _on_or_after(joined)),
    )


@st.composite
def deaths(draw: st.DrawFn, trust: OdsCode | None = None) -> Death:
    code = trust if trust is not None else draw(trusts_codes)
    died_on = draw(days())
    setting = draw(st.sampled_from(DeathSetting))
    before = st.integers(0, 400).map(lambda n: died_on - dt.timedelta(days=n))
    discharged = draw(before if setting is DeathSetting.POST_DISCHARGE else st.none() | before)
    return Death(
        id=draw(ids),
        trust=code,
        case_ref=CaseReference(code, draw(case_refs)),
        died_on=died_on,
        setting=setting,
        age=draw(st.none() | st.integers(0, 110)),
        last_contact_on=draw(st.none() | before),
        discharged_on=discharged,
        learning_disability=draw(st.booleans()),
        autistic=draw(st.booleans()),
    )


case_refs = st.from_regex(r"[A-Z0-9][A-Z0-9._/-]{0,11}", fullmatch=True).filter(
    lambda ref: not find_nhs_numbers(ref)
)


@st.composite
def scores(draw: st.DrawFn) -> Score:
    scale = draw(st.sampled_from(DEFAULT_SCALES))
    value = draw(st.integers(scale.minimum, scale.maximum))
    return Score.on(scale, value, draw(st.none() | st.sampled_from(["admission", "discharge"])))


@st.composite
def reviews(draw: st.DrawFn, death: Death | None = None) -> Review:
    response = draw(st.sampled_from(ResponseType))
    flaggable = response in {ResponseType.SCREENING, ResponseType.CARE_REVIEW_TOOL}
    started = draw(days() if death is None else _on_or_after(death.died_on, 200))
    completed = draw(st.none() | _on_or_after(started, 200))
    return Review(
        id=draw(ids),
        death_id=draw(ids) if death is None else death.id,
        trust=draw(trusts_codes) if death is None else death.trust,
        response_type=response,
        started_on=started,
        completed_on=completed,
        scores=draw(st.lists(scores(), max_size=3)),
        red_flags=draw(st.frozensets(st.sampled_from(RedFlag))) if flaggable else frozenset(),
        signed_off_on=None if completed is None else draw(st.none() | _on_or_after(completed)),
    )


@st.composite
def actions(draw: st.DrawFn) -> Action:
    status = draw(st.sampled_from(ActionStatus))
    due = draw(days())
    completed = draw(_on_or_after(due)) if status is ActionStatus.COMPLETED else None
    impact = None
    if completed is not None and draw(st.booleans()):
        impact = ImpactAssessment(
            assessed_on=draw(_on_or_after(completed)),
            rating=draw(st.sampled_from(ImpactRating)),
            summary=draw(text),
            measure=draw(st.none() | short_text),
        )
    return Action(
        id=draw(ids),
        description=draw(text),
        owner_role=draw(short_text),
        due_on=due,
        status=status,
        completed_on=completed,
        impact=impact,
        themes=draw(st.frozensets(theme_codes, max_size=2)),
    )


@st.composite
def learning_items(draw: st.DrawFn) -> LearningItem:
    recorded = draw(days())
    return LearningItem(
        id=draw(ids),
        trust=draw(trusts_codes),
        title=draw(text),
        what_was_learnt=draw(text),
        recorded_on=recorded,
        review_ids=draw(st.frozensets(ids, max_size=2)),
        themes=draw(st.frozensets(theme_codes, max_size=3)),
        actions=draw(st.lists(actions(), max_size=2, unique_by=lambda a: a.id)),
        signed_off_on=draw(st.none() | _on_or_after(recorded)),
    )


@st.composite
def sharing_events(draw: st.DrawFn, trust: OdsCode | None = None) -> SharingEvent:
    return SharingEvent(
        id=draw(ids),
        learning_item_id=draw(ids),
        trust=trust if trust is not None else draw(trusts_codes),
        audience=draw(st.sampled_from(Audience)),
        shared_on=draw(days()),
        channel=draw(short_text),
    )


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    return Assessment(
        id=draw(ids),
        member_id=draw(ids),
        framework=draw(st.sampled_from(["3ls", "qsir"])),
        subject=draw(short_text),
        level=draw(st.sampled_from(["Learn", "Live", "Lead"])),
        assessed_on=draw(days()),
        assessor=draw(st.sampled_from(AssessorKind)),
    )


@st.composite
def learning_journeys(draw: st.DrawFn) -> LearningJourney:
    planned = draw(days())
    steps = draw(
        st.lists(
            st.builds(
                JourneyStep,
                subject=short_text,
                level=st.sampled_from(["Learn", "Live", "Lead"]),
                by=_on_or_after(planned),
            ),
            max_size=3,
            unique_by=lambda step: step.subject,
        )
    )
    return LearningJourney(
        id=draw(ids), member_id=draw(ids), framework="3ls", planned_on=planned, steps=steps
    )


@st.composite
def family_involvements(draw: st.DrawFn) -> FamilyInvolvement:
    offered = draw(st.none() | days())
    response = responded = contributed = None
    questions: list[FamilyQuestion] = []
    if offered is not None:
        response = draw(st.none() | st.sampled_from(FamilyResponse))
        if response is not None:
            responded = draw(_on_or_after(offered))
            if response is FamilyResponse.ACCEPTED:
                contributed = draw(st.none() | _on_or_after(responded))
        for _ in range(draw(st.integers(0, 2))):
            asked = draw(_on_or_after(offered))
            questions.append(FamilyQuestion(asked, draw(st.none() | _on_or_after(asked))))
    return FamilyInvolvement(
        death_id=draw(ids),
        trust=draw(trusts_codes),
        offered_on=offered,
        response=response,
        responded_on=responded,
        contributed_on=contributed,
        questions=questions,
    )


@st.composite
def candour_cases(draw: st.DrawFn) -> CandourCase:
    case = CandourCase(
        id=draw(ids),
        trust=draw(trusts_codes),
        reported_on=draw(days()),
        death_id=draw(st.none() | ids),
    )
    if draw(st.booleans()):
        case = case.decide(draw(st.booleans()), draw(_on_or_after(case.reported_on, 30)))
    if case.notifiable and case.decided_on is not None:
        step = draw(st.sampled_from(["notify", "unreachable", "none"]))
        on = draw(_on_or_after(case.decided_on, 30))
        if step == "notify":
            case = case.notify_in_person(on, apology=True)
            if draw(st.booleans()):
                case = case.follow_up_in_writing(draw(_on_or_after(on, 30)))
        elif step == "unreachable":
            # 20(5): closing as unreachable (or declined) needs the recorded attempts first.
            case = case.record_attempt(on, draw(short_text))
            reason = draw(st.sampled_from(UnreachableReason))
            case = case.close_unreachable(reason, draw(_on_or_after(on, 30)))
    return case


@st.composite
def concerns(draw: st.DrawFn) -> Concern:
    raised = draw(days())
    cycles: list[PdsaCycle] = []
    count = draw(st.integers(0, 3))
    begins = raised
    for n in range(1, count + 1):
        started = draw(_on_or_after(begins, 60))
        ended = draw(_on_or_after(started, 90))
        # Every cycle but the latest is complete, and the next starts once it has ended.
        cycle = PdsaCycle(
            n, draw(text), started, draw(short_text), draw(short_text), draw(short_text), ended
        )
        if n == count and draw(st.booleans()):
            cycle = attrs.evolve(cycle, study=None, act=None, ended_on=None)
        cycles.append(cycle)
        begins = ended
    return Concern(
        id=draw(ids),
        trust=draw(trusts_codes),
        raised_on=raised,
        description=draw(text),
        action_taken=draw(st.none() | text),
        cycles=cycles,
        themes=draw(st.frozensets(theme_codes, max_size=2)),
        learning_item_id=draw(st.none() | ids),
    )


_BY_KIND: dict[str, st.SearchStrategy[Any]] = {
    "trust": trust_records(),
    "member": members(),
    "death": deaths(),
    "review": reviews(),
    "learning_item": learning_items(),
    "sharing": sharing_events(),
    "assessment": assessments(),
    "learning_journey": learning_journeys(),
    "family_involvement": family_involvements(),
    "candour_case": candour_cases(),
    "concern": concerns(),
}
assert set(_BY_KIND) == {s.kind for s in RECORD_SPECS}, "every kind a store holds has a strategy"


def record_of(kind: str) -> st.SearchStrategy[Any]:
    """One valid record of ``kind`` (a :data:`~collab_core.ports.RECORD_SPECS` kind name)."""
    return _BY_KIND[kind]


def records() -> st.SearchStrategy[Any]:
    """One valid record of any kind."""
    return st.one_of(*_BY_KIND.values())


def with_key(record: Any, like: Any) -> Any:
    """``record`` moved under the key of ``like`` (a record of the same kind)."""
    kind = next(s.kind for s in RECORD_SPECS if s.type is type(record))
    field = KEY_FIELDS.get(kind, "id")
    return attrs.evolve(record, **{field: getattr(like, field)})


#: Timezone-aware instants (stores must keep the instant, whatever zone they store it in).
timestamps = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(dt.UTC)
)


@st.composite
def outbox_publications(draw: st.DrawFn) -> Publication:
    json_values = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | short_text
    return Publication(
        id=draw(ids),
        kind=draw(st.sampled_from(["learning", "figure", "board_pack"])),
        audience=draw(st.sampled_from(Audience)),
        title=draw(text),
        body=draw(st.dictionaries(short_text, json_values, max_size=3)),
        created_at=draw(timestamps),
    )

"""Strategies for the domain's records and values, each valid by construction."""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

import attrs
from hypothesis import strategies as st

from collab_core.domain.candour import (
    CandourCase,
    CandourPolicy,
    CandourState,
    ContactAttempt,
    UnreachableReason,
)
from collab_core.domain.capability import (
    THREE_LS,
    Assessment,
    AssessorKind,
    Framework,
    JourneyStep,
    LearningJourney,
    Level,
    SubjectArea,
)
from collab_core.domain.deaths import (
    DEFAULT_SCALES,
    AgeBand,
    Death,
    DeathSetting,
    RedFlag,
    ResponseType,
    Review,
    ReviewScale,
    ScaleRegistry,
    Score,
)
from collab_core.domain.facts import (
    CapabilityFact,
    CapabilityQuery,
    LfdFact,
    LfdQuery,
    SharingQuery,
)
from collab_core.domain.identifiers import (
    CaseReference,
    OdsCode,
)
from collab_core.domain.improvement import Concern, PdsaCycle
from collab_core.domain.learning import (
    Action,
    ActionStatus,
    Audience,
    FamilyInvolvement,
    FamilyQuestion,
    ImpactAssessment,
    ImpactRating,
    LearningItem,
    SharingEvent,
)
from collab_core.domain.organisations import ScopePolicy, Site, Trust
from collab_core.domain.people import Member, MemberKind
from collab_core.domain.themes import Theme, ThemeTaxonomy
from collab_core.testing.strategies._base import (
    _BOOLEANS,
    _TAXONOMY,
    _THEME_CODES,
    _UUIDS,
    FIRST_DAY,
    LAST_DAY,
    _day,
    _int,
    _later,
    _maybe,
    _maybe_day,
    _maybe_later,
    _on_or_after,
    _opt,
    _pick,
    _words,
    case_references,
    days,
    free_text,
    ods_codes,
    quarters,
    site_codes,
)

# --------------------------------------------------------------------------------------------
# Organisations and people.
# --------------------------------------------------------------------------------------------


@functools.cache
def scope_policies() -> st.SearchStrategy[ScopePolicy]:
    """Trust scope policies for deaths, around the windows trusts actually use."""
    return st.builds(
        ScopePolicy,
        inpatient=st.booleans(),
        community_contact_months=_maybe(st.integers(1, 24)),
        discharge_days=_maybe(st.integers(1, 365)),
        route_ld_autism_to_leder=st.booleans(),
    )


@functools.cache
def _local_themes() -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(free_text(max_size=20), max_size=3)


def trusts(
    ods_code: OdsCode | None = None, *, start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY
) -> st.SearchStrategy[Trust]:
    """Member trusts that joined between ``start`` and ``end`` and may have left since."""

    @st.composite
    def draw_trust(draw: st.DrawFn) -> Trust:
        joined = _day(draw, start, end)
        local: Any = draw(_local_themes())  # Trust converts it (its annotation is loose)
        return Trust(
            ods_code=draw(ods_codes()) if ods_code is None else ods_code,
            name=draw(free_text()),
            joined=joined,
            left=_maybe_day(draw, joined, end),
            scope_policy=draw(scope_policies()),
            local_themes=local,
        )

    return draw_trust()


def sites(trust: OdsCode | None = None) -> st.SearchStrategy[Site]:
    """Trust sites whose codes start with their trust's code."""
    trust_codes = ods_codes() if trust is None else st.just(trust)
    return trust_codes.flatmap(lambda t: st.builds(Site, site_codes(t), st.just(t), free_text()))


def members(
    trust: OdsCode | Literal["any"] | None = "any",
    *,
    start: dt.date = FIRST_DAY,
    end: dt.date = LAST_DAY,
) -> st.SearchStrategy[Member]:
    """Members of the collaborative: staff, people with lived experience, carers or family.

    ``trust`` fixes the trust they are affiliated to (``None`` for none); by default any.
    """
    trust_codes = _maybe(ods_codes()) if trust == "any" else st.just(trust)

    @st.composite
    def draw_member(draw: st.DrawFn) -> Member:
        joined = _day(draw, start, end)
        return Member(
            id=draw(_UUIDS),
            handle=draw(free_text(max_size=20)),
            kind=_pick(draw, MemberKind),
            trust=draw(trust_codes),
            joined=joined,
            left=_maybe_day(draw, joined, end),
        )

    return draw_member()


# --------------------------------------------------------------------------------------------
# Deaths, reviews and scales.
# --------------------------------------------------------------------------------------------


@functools.cache
def review_scales() -> st.SearchStrategy[ReviewScale]:
    """Review scales a trust might add: a small range, a label per value, a judgement set."""

    @st.composite
    def draw_scale(draw: st.DrawFn) -> ReviewScale:
        minimum = _int(draw, -1, 3)
        maximum = _int(draw, minimum, minimum + 6)
        values = range(minimum, maximum + 1)
        return ReviewScale(
            id=draw(free_text(max_size=20)),
            version=_int(draw, 1, 10_000),
            name=draw(free_text()),
            minimum=minimum,
            maximum=maximum,
            labels=tuple(draw(free_text(max_size=20)) for _ in values),
            worse_end=_pick(draw, ("low", "high")),
            problem_in_care_values=draw(st.frozensets(st.sampled_from(values))),
            source=draw(st.just("") | free_text()),
        )

    return draw_scale()


@functools.cache
def scale_registries() -> st.SearchStrategy[ScaleRegistry]:
    """Registries of the default scales plus a few a collaborative added."""
    extra = st.lists(review_scales(), max_size=2, unique_by=lambda s: s.key)
    return extra.map(
        lambda scales: ScaleRegistry.of(
            [*DEFAULT_SCALES, *(s for s in scales if s.key not in {d.key for d in DEFAULT_SCALES})]
        )
    )


@functools.cache
def _phases() -> st.SearchStrategy[str | None]:
    named = st.sampled_from(("admission", "ongoing care", "end of life", "overall"))
    return _maybe(named | free_text(max_size=20))


def scores(scales: Sequence[ReviewScale] = DEFAULT_SCALES) -> st.SearchStrategy[Score]:
    """Scores within the range of one of ``scales`` (by default the built-in scales)."""
    return _scores(tuple(scales))


@functools.cache
def _scores(scales: tuple[ReviewScale, ...]) -> st.SearchStrategy[Score]:
    return st.sampled_from(scales).flatmap(
        lambda scale: st.builds(
            Score.on, st.just(scale), st.integers(scale.minimum, scale.maximum), _phases()
        )
    )


def deaths(
    trust: OdsCode | None = None, *, start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY
) -> st.SearchStrategy[Death]:
    """Deaths of ``trust``'s patients (any trust by default) between ``start`` and ``end``."""

    @st.composite
    def draw_death(draw: st.DrawFn) -> Death:
        owner = trust if trust is not None else draw(ods_codes())
        return _draw_death(draw, draw(_UUIDS), owner, start, end, None)

    return draw_death()


def _draw_death(
    draw: st.DrawFn,
    death_id: uuid.UUID,
    trust: OdsCode,
    start: dt.date,
    end: dt.date,
    local_id: str | None,
) -> Death:
    died_on = _day(draw, start, end)
    setting = _pick(draw, DeathSetting)
    earliest = died_on - dt.timedelta(days=400)
    if setting is DeathSetting.POST_DISCHARGE:
        discharged: dt.date | None = _day(draw, earliest, died_on)
    else:
        discharged = _maybe_day(draw, earliest, died_on)
    case_ref = draw(case_references(trust)) if local_id is None else CaseReference(trust, local_id)
    return Death(
        id=death_id,
        trust=trust,
        case_ref=case_ref,
        died_on=died_on,
        setting=setting,
        age=_opt(draw, st.integers(0, 110)),
        last_contact_on=_maybe_day(draw, earliest, died_on),
        discharged_on=discharged,
        learning_disability=draw(_BOOLEANS),
        autistic=draw(_BOOLEANS),
    )


def reviews(
    death: Death | None = None, *, scales: Sequence[ReviewScale] = DEFAULT_SCALES
) -> st.SearchStrategy[Review]:
    """Reviews and investigations, of ``death`` when given (same trust, begun after the death),
    with scores in range on ``scales``."""

    @st.composite
    def draw_review(draw: st.DrawFn) -> Review:
        subject = death if death is not None else draw(deaths())
        return _draw_review(draw, draw(_UUIDS), subject, scales)

    return draw_review()


@functools.cache
def _score_lists(scales: tuple[ReviewScale, ...]) -> st.SearchStrategy[list[Score]]:
    return st.lists(_scores(scales), max_size=3)


def _draw_review(
    draw: st.DrawFn, review_id: uuid.UUID, death: Death, scales: Sequence[ReviewScale]
) -> Review:
    response = _pick(draw, ResponseType)
    started = _later(draw, death.died_on, 90)
    completed = _maybe_later(draw, started, 180)
    flagged = response in {ResponseType.SCREENING, ResponseType.CARE_REVIEW_TOOL}
    return Review(
        id=review_id,
        death_id=death.id,
        trust=death.trust,
        response_type=response,
        started_on=started,
        completed_on=completed,
        scores=tuple(draw(_score_lists(tuple(scales)))),
        red_flags=draw(st.frozensets(st.sampled_from(RedFlag))) if flagged else frozenset(),
        signed_off_on=None if completed is None else _maybe_later(draw, completed, 60),
    )


# --------------------------------------------------------------------------------------------
# Learning, sharing, family involvement, candour.
# --------------------------------------------------------------------------------------------


def theme_codes(taxonomy: ThemeTaxonomy | None = None) -> st.SearchStrategy[str]:
    """Theme codes of ``taxonomy`` (by default the collaborative's cross-cutting themes)."""
    codes = _THEME_CODES if taxonomy is None else tuple(t.code for t in taxonomy)
    return st.sampled_from(codes)


def _tags(taxonomy: ThemeTaxonomy | None = None) -> st.SearchStrategy[frozenset[str]]:
    return _DEFAULT_TAGS if taxonomy is None else st.frozensets(theme_codes(taxonomy), max_size=3)


_DEFAULT_TAGS = st.frozensets(theme_codes(), max_size=3)


def impact_assessments(
    start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY
) -> st.SearchStrategy[ImpactAssessment]:
    """Assessments of an action's impact (Quality Account item 27.6)."""
    return st.builds(
        ImpactAssessment,
        assessed_on=days(start, end),
        rating=st.sampled_from(ImpactRating),
        summary=free_text(),
        measure=_maybe(free_text()),
    )


def actions(
    start: dt.date = FIRST_DAY,
    end: dt.date = LAST_DAY,
    *,
    taxonomy: ThemeTaxonomy | None = None,
) -> st.SearchStrategy[Action]:
    """Actions taken or planned (item 27.5), in every status, due from ``start``."""

    @st.composite
    def draw_action(draw: st.DrawFn) -> Action:
        return _draw_action(draw, draw(_UUIDS), start, end, taxonomy)

    return draw_action()


def _draw_impact(draw: st.DrawFn, after: dt.date) -> ImpactAssessment:
    return ImpactAssessment(
        assessed_on=_later(draw, after, 365),
        rating=_pick(draw, ImpactRating),
        summary=draw(free_text()),
        measure=_opt(draw, free_text()),
    )


def _draw_action(
    draw: st.DrawFn,
    action_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    taxonomy: ThemeTaxonomy | None,
) -> Action:
    due = _day(draw, start, end)
    status = _pick(draw, ActionStatus)
    completed = _later(draw, start, 365) if status is ActionStatus.COMPLETED else None
    impact_from = completed or start
    return Action(
        id=action_id,
        description=draw(free_text()),
        owner_role=draw(free_text(max_size=30)),
        due_on=due,
        status=status,
        completed_on=completed,
        impact=_draw_impact(draw, impact_from) if draw(_BOOLEANS) else None,
        themes=draw(_tags(taxonomy)),
    )


def learning_items(
    trust: OdsCode | None = None,
    *,
    review_ids: Iterable[uuid.UUID] | None = None,
    start: dt.date = FIRST_DAY,
    end: dt.date = LAST_DAY,
    taxonomy: ThemeTaxonomy | None = None,
) -> st.SearchStrategy[LearningItem]:
    """Learning items of ``trust`` recorded from ``start`` to ``end``, with their actions."""

    @st.composite
    def draw_item(draw: st.DrawFn) -> LearningItem:
        ids = (
            draw(st.frozensets(st.uuids(), max_size=2))
            if review_ids is None
            else frozenset(review_ids)
        )
        recorded = _day(draw, start, end)
        owner = trust if trust is not None else draw(ods_codes())
        return _draw_item(draw, draw(_UUIDS), owner, ids, recorded, taxonomy)

    return draw_item()


def _draw_item(
    draw: st.DrawFn,
    item_id: uuid.UUID,
    trust: OdsCode,
    review_ids: frozenset[uuid.UUID],
    recorded: dt.date,
    taxonomy: ThemeTaxonomy | None,
    action_ids: Iterator[uuid.UUID] | None = None,
) -> LearningItem:
    count = _int(draw, 0, 2)
    ids = [next(action_ids) if action_ids else draw(_UUIDS) for _ in range(count)]
    due_until = recorded + dt.timedelta(days=365)
    return LearningItem(
        id=item_id,
        trust=trust,
        title=draw(free_text()),
        what_was_learnt=draw(free_text()),
        recorded_on=recorded,
        review_ids=review_ids,
        themes=draw(_tags(taxonomy)),
        actions=tuple(
            _draw_action(draw, i, recorded, due_until, taxonomy) for i in dict.fromkeys(ids)
        ),
        signed_off_on=_maybe_later(draw, recorded, 90),
    )


_CHANNELS = ("board paper", "family meeting", "learning event", "bulletin", "staff briefing")


def sharing_events(item: LearningItem | None = None) -> st.SearchStrategy[SharingEvent]:
    """Sharings of learning. With ``item``, only sharings the item allows: on or after it was
    recorded, and with the collaborative or the public only once it is signed off."""
    channels = st.sampled_from(_CHANNELS) | free_text(max_size=30)
    if item is None:
        return st.builds(
            SharingEvent,
            id=st.uuids(),
            learning_item_id=st.uuids(),
            trust=ods_codes(),
            audience=st.sampled_from(Audience),
            shared_on=days(),
            channel=channels,
        )

    @st.composite
    def draw_sharing(draw: st.DrawFn) -> SharingEvent:
        return _draw_sharing(draw, draw(_UUIDS), item, channels)

    return draw_sharing()


def _draw_sharing(
    draw: st.DrawFn, sharing_id: uuid.UUID, item: LearningItem, channels: st.SearchStrategy[str]
) -> SharingEvent:
    allowed = [a for a in Audience if not a.needs_sign_off or item.signed_off_on is not None]
    audience = _pick(draw, allowed)
    earliest = item.signed_off_on if audience.needs_sign_off else item.recorded_on
    assert earliest is not None  # an audience needing sign-off is allowed only once signed off
    return item.share(sharing_id, audience, _later(draw, earliest, 180), draw(channels))


def family_questions(
    start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY
) -> st.SearchStrategy[FamilyQuestion]:
    """Questions a family asked, answered or not yet."""
    return days(start, end).flatmap(
        lambda asked: st.builds(FamilyQuestion, st.just(asked), _maybe(_on_or_after(asked, 120)))
    )


def family_involvements(death: Death | None = None) -> st.SearchStrategy[FamilyInvolvement]:
    """A bereaved family's involvement, built through its steps: not yet offered, offered,
    accepted or declined, contributed, with questions asked and answered."""

    @st.composite
    def draw_involvement(draw: st.DrawFn) -> FamilyInvolvement:
        subject = death if death is not None else draw(deaths())
        return _draw_involvement(draw, subject)

    return draw_involvement()


def _draw_involvement(draw: st.DrawFn, death: Death) -> FamilyInvolvement:
    involvement = FamilyInvolvement(death.id, death.trust)
    if not draw(_BOOLEANS):
        return involvement
    offered = _later(draw, death.died_on, 60)
    involvement = involvement.offer(offered)
    response = _pick(draw, ("none", "accept", "decline"))
    responded = _later(draw, offered, 30)
    if response == "accept":
        involvement = involvement.accept(responded)
        if draw(_BOOLEANS):
            involvement = involvement.contribute(_later(draw, responded, 60))
    elif response == "decline":
        involvement = involvement.decline(responded)
    for _ in range(_int(draw, 0, 2)):
        involvement = involvement.ask(_later(draw, offered, 90))
    for index, question in enumerate(involvement.questions):
        if draw(_BOOLEANS):
            involvement = involvement.answer(index, _later(draw, question.asked_on, 60))
    return involvement


def contact_attempts(
    start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY
) -> st.SearchStrategy[ContactAttempt]:
    """Attempts to contact the relevant person under Regulation 20(5)."""
    methods = st.sampled_from(("telephone", "letter", "home visit", "e-mail")) | free_text(
        max_size=20
    )
    return st.builds(ContactAttempt, days(start, end), methods)


@functools.cache
def candour_policies() -> st.SearchStrategy[CandourPolicy]:
    """Duty of Candour deadlines, in working or calendar days."""
    return st.builds(CandourPolicy, st.integers(1, 60), st.booleans())


def candour_cases(
    trust: OdsCode | None = None,
    *,
    death: Death | None = None,
    states: Iterable[CandourState] | None = None,
    start: dt.date = FIRST_DAY,
    end: dt.date = LAST_DAY,
) -> st.SearchStrategy[CandourCase]:
    """Duty of Candour cases in every reachable state (or only ``states``), each built through
    the step methods in order: decide, record attempts, then notify and follow up, or close."""
    wanted = tuple(CandourState if states is None else states)
    if not wanted:
        raise ValueError("states must name at least one CandourState")

    @st.composite
    def draw_case(draw: st.DrawFn) -> CandourCase:
        state = _pick(draw, wanted)
        if death is not None:
            owner = death.trust
        else:
            owner = trust if trust is not None else draw(ods_codes())
        # A case about a death is reported after it.
        reported = _day(draw, start, end) if death is None else _later(draw, death.died_on, 30)
        case = CandourCase(
            draw(_UUIDS), owner, reported, death_id=None if death is None else death.id
        )
        return _advance(draw, case, state)

    return draw_case()


def _advance(draw: st.DrawFn, case: CandourCase, state: CandourState) -> CandourCase:
    if state is CandourState.REPORTED:
        return case
    decided = _later(draw, case.reported_on, 20)
    case = case.decide(state is not CandourState.NOT_NOTIFIABLE, decided)
    if state is CandourState.NOT_NOTIFIABLE:
        return case
    # Attempts come while the case waits for notification, so never after the next step.
    least = 1 if state is CandourState.ATTEMPTS_RECORDED else 0
    last = decided
    for _ in range(_int(draw, least, 2)):
        last = _later(draw, last, 10)
        case = case.record_attempt(last, _pick(draw, ("telephone", "letter")))
    if state is CandourState.ATTEMPTS_RECORDED:
        reason = _pick(draw, UnreachableReason)
        return case.close_unreachable(reason, _later(draw, last, 20))
    if state is CandourState.NOTIFIABLE:
        return case
    notified = _later(draw, last, 20)
    case = case.notify_in_person(notified, apology=True)
    if state is CandourState.NOTIFIED:
        return case
    return case.follow_up_in_writing(_later(draw, notified, 60))


# --------------------------------------------------------------------------------------------
# Capability: frameworks, assessments, journeys.
# --------------------------------------------------------------------------------------------


@functools.cache
def subject_areas() -> st.SearchStrategy[SubjectArea]:
    """QI subject areas with a short code and a name."""
    return st.builds(SubjectArea, free_text(max_size=20), free_text())


@functools.cache
def frameworks() -> st.SearchStrategy[Framework]:
    """Tiered capability frameworks (the 3 L's among them) with distinct levels and subjects."""
    names = st.lists(
        free_text(max_size=12), min_size=1, max_size=4, unique_by=lambda n: n.casefold()
    )
    subjects = st.lists(subject_areas(), max_size=5, unique_by=lambda s: s.code)
    built = st.builds(Framework, free_text(max_size=12), free_text(), names, subjects)
    return st.just(THREE_LS) | built


def levels(framework: Framework | None = None) -> st.SearchStrategy[Level]:
    """Levels of ``framework`` (by default of any framework)."""
    source = frameworks() if framework is None else st.just(framework)
    return source.flatmap(lambda f: st.sampled_from(f.levels))


def _in_framework(framework: Framework) -> tuple[st.SearchStrategy[str], st.SearchStrategy[str]]:
    if not framework.subjects:
        raise ValueError(f"framework {framework.id} has no subject areas to assess")
    return st.sampled_from([s.code for s in framework.subjects]), st.sampled_from(
        framework.level_names
    )


def assessments(
    member_id: uuid.UUID | None = None,
    *,
    framework: Framework = THREE_LS,
    start: dt.date = FIRST_DAY,
    end: dt.date = LAST_DAY,
) -> st.SearchStrategy[Assessment]:
    """Assessments of a member's level in a subject area of ``framework`` (the 3 L's)."""
    subjects, level_names = _in_framework(framework)
    return st.builds(
        Assessment,
        id=st.uuids(),
        member_id=st.uuids() if member_id is None else st.just(member_id),
        framework=st.just(framework.id),
        subject=subjects,
        level=level_names,
        assessed_on=days(start, end),
        assessor=st.sampled_from(AssessorKind),
    )


def journey_steps(
    framework: Framework = THREE_LS, start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY
) -> st.SearchStrategy[JourneyStep]:
    """Planned levels in subject areas of ``framework``, each by a date."""
    subjects, level_names = _in_framework(framework)
    return st.builds(JourneyStep, subjects, level_names, days(start, end))


def learning_journeys(
    member_id: uuid.UUID | None = None,
    *,
    framework: Framework = THREE_LS,
    start: dt.date = FIRST_DAY,
    end: dt.date = LAST_DAY,
) -> st.SearchStrategy[LearningJourney]:
    """Planned QI learning journeys: one step per subject area, each due after the plan."""

    @st.composite
    def draw_journey(draw: st.DrawFn) -> LearningJourney:
        planned = _day(draw, start, end)
        steps = draw(
            st.lists(
                journey_steps(framework, planned, planned + dt.timedelta(days=730)),
                max_size=3,
                unique_by=lambda s: s.subject,
            )
        )
        owner = draw(_UUIDS) if member_id is None else member_id
        return LearningJourney(draw(_UUIDS), owner, framework.id, planned, tuple(steps))

    return draw_journey()


# --------------------------------------------------------------------------------------------
# Continuous improvement.
# --------------------------------------------------------------------------------------------


def pdsa_cycles(
    start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY
) -> st.SearchStrategy[PdsaCycle]:
    """Single plan-do-study-act cycles, finished or not."""

    @st.composite
    def draw_cycle(draw: st.DrawFn) -> PdsaCycle:
        number = _int(draw, 1, 12)
        return _draw_cycle(draw, number, _day(draw, start, end), draw(_BOOLEANS))

    return draw_cycle()


def _draw_cycle(draw: st.DrawFn, number: int, started: dt.date, finished: bool) -> PdsaCycle:
    cycle = PdsaCycle(number, draw(free_text()), started)
    if not finished:
        return cycle
    return attrs.evolve(
        cycle,
        do=draw(free_text()),
        study=draw(free_text()),
        act=draw(free_text()),
        ended_on=_later(draw, started, 90),
    )


def concerns(
    trust: OdsCode | None = None,
    *,
    start: dt.date = FIRST_DAY,
    end: dt.date = LAST_DAY,
    taxonomy: ThemeTaxonomy | None = None,
) -> st.SearchStrategy[Concern]:
    """Everyday concerns with their PDSA cycles: numbered in order, each begun once the one
    before it has finished, only the latest possibly unfinished."""

    @st.composite
    def draw_concern(draw: st.DrawFn) -> Concern:
        raised = _day(draw, start, end)
        cycles: list[PdsaCycle] = []
        begin = raised
        count = _int(draw, 0, 3)
        for number in range(1, count + 1):
            cycle = _draw_cycle(
                draw, number, _later(draw, begin, 30), number < count or draw(_BOOLEANS)
            )
            cycles.append(cycle)
            begin = cycle.ended_on or cycle.started_on
        return Concern(
            id=draw(_UUIDS),
            trust=trust if trust is not None else draw(ods_codes()),
            raised_on=raised,
            description=draw(free_text()),
            action_taken=_opt(draw, free_text()),
            cycles=tuple(cycles),
            themes=draw(_tags(taxonomy)),
            learning_item_id=_opt(draw, st.uuids()),
        )

    return draw_concern()


# --------------------------------------------------------------------------------------------
# Themes.
# --------------------------------------------------------------------------------------------


@functools.cache
def themes() -> st.SearchStrategy[Theme]:
    """Theme nodes: the cross-cutting themes, and trusts' local themes."""
    local = st.builds(
        lambda trust, label, parent: next(
            t for t in _TAXONOMY.with_local(trust, label, parent) if t.trust == trust
        ),
        ods_codes(),
        _words(),
        _maybe(st.sampled_from(_THEME_CODES)),
    )
    return st.sampled_from(tuple(_TAXONOMY)) | local


def _slug(label: str) -> str:
    # The slug ThemeTaxonomy.with_local codes a local theme with.
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


@functools.cache
def theme_taxonomies() -> st.SearchStrategy[ThemeTaxonomy]:
    """The cross-cutting themes with a few local themes added by trusts."""

    @st.composite
    def draw_taxonomy(draw: st.DrawFn) -> ThemeTaxonomy:
        taxonomy = _TAXONOMY
        additions = draw(
            st.lists(
                st.tuples(ods_codes(), _words()),
                max_size=3,
                unique_by=lambda p: (p[0], _slug(p[1])),
            )
        )
        for trust, label in additions:
            parent = _opt(draw, st.sampled_from(_THEME_CODES))
            taxonomy = taxonomy.with_local(trust, label, parent)
        return taxonomy

    return draw_taxonomy()


# --------------------------------------------------------------------------------------------
# Queries and facts.
# --------------------------------------------------------------------------------------------


@functools.cache
def _windows() -> st.SearchStrategy[tuple[dt.date, dt.date]]:
    return days().flatmap(lambda a: st.tuples(st.just(a), _on_or_after(a, 400)))


@functools.cache
def lfd_queries() -> st.SearchStrategy[LfdQuery]:
    """Questions for the Learning from Deaths figures: a window of deaths, policies, scales."""

    @st.composite
    def draw_query(draw: st.DrawFn) -> LfdQuery:
        first, last = draw(_windows())
        return LfdQuery(
            as_of=_later(draw, last, 365),
            deaths_from=first,
            deaths_to=last,
            policies=draw(st.dictionaries(ods_codes(), scope_policies(), max_size=3)),
            scales=draw(scale_registries()),
        )

    return draw_query()


@functools.cache
def lfd_facts() -> st.SearchStrategy[LfdFact]:
    """Dashboard cells whose counts nest: judged within reviewed within deaths in scope."""

    @st.composite
    def draw_fact(draw: st.DrawFn) -> LfdFact:
        in_scope = _int(draw, 0, 500)
        reviewed = _int(draw, 0, in_scope)
        return LfdFact(
            trust=draw(ods_codes()),
            quarter=draw(quarters()),
            age_band=_opt(draw, st.sampled_from(AgeBand)),
            ld_autism=draw(_BOOLEANS),
            in_scope=in_scope,
            reviewed=reviewed,
            judged=_int(draw, 0, reviewed),
        )

    return draw_fact()


@functools.cache
def capability_queries() -> st.SearchStrategy[CapabilityQuery]:
    """Questions for the capability census: a day, a framework and its minimum level (named in
    any case)."""

    @st.composite
    def draw_query(draw: st.DrawFn) -> CapabilityQuery:
        framework = draw(frameworks())
        level = draw(st.sampled_from(framework.level_names))
        named = draw(st.sampled_from([level, level.upper(), level.lower()]))
        return CapabilityQuery(draw(days()), framework, named)

    return draw_query()


@functools.cache
def capability_facts() -> st.SearchStrategy[CapabilityFact]:
    """Census cells: a level (by rank and name), a kind of member, a trust or none, a count."""

    @st.composite
    def draw_fact(draw: st.DrawFn) -> CapabilityFact:
        level = draw(levels())
        return CapabilityFact(
            rank=level.rank,
            level=level.name,
            kind=_pick(draw, MemberKind),
            trust=_opt(draw, ods_codes()),
            count=_int(draw, 1, 5000),
        )

    return draw_fact()


@functools.cache
def sharing_queries() -> st.SearchStrategy[SharingQuery]:
    """Questions of which trusts shared with an audience, each in a window of its own."""
    windows = st.dictionaries(ods_codes(), _windows(), max_size=3)
    return st.builds(SharingQuery, st.sampled_from(Audience), windows)

"""Hypothesis strategies for every collab_core domain type, and for a whole consistent
collaborative (:func:`collaboratives`), so that trust developers can property-test their
calculations against valid data.

Every strategy builds objects through their constructors and step methods, so it makes only
objects the domain accepts, and it shrinks towards short text, early dates and few records.
``st.from_type(LearningItem)`` finds these through the ``hypothesis`` entry point without
importing this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, TypeVar

import attrs
from hypothesis import strategies as st

from collab_core.domain.calendar import FinancialYear, Month, Quarter
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
from collab_core.domain.facts import LfdFact, LfdQuery, SharingQuery
from collab_core.domain.identifiers import (
    CaseReference,
    OdsCode,
    SiteCode,
    find_nhs_numbers,
    nhs_check_digit,
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
from collab_core.domain.themes import Theme, ThemeTaxonomy, default_taxonomy
from collab_core.ports import (
    DeliveryReceipt,
    OutboxEntry,
    OutboxStatus,
    Publication,
    Versioned,
)

__all__ = [
    "CollaborativeRecords",
    "actions",
    "assessments",
    "aware_datetimes",
    "candour_cases",
    "candour_policies",
    "case_references",
    "collaboratives",
    "concerns",
    "contact_attempts",
    "days",
    "deaths",
    "delivery_receipts",
    "family_involvements",
    "family_questions",
    "financial_years",
    "for_type",
    "frameworks",
    "free_text",
    "impact_assessments",
    "journey_steps",
    "learning_items",
    "learning_journeys",
    "levels",
    "lfd_facts",
    "lfd_queries",
    "members",
    "months",
    "nhs_numbers",
    "ods_codes",
    "outbox_entries",
    "pdsa_cycles",
    "publications",
    "quarters",
    "review_scales",
    "reviews",
    "scale_registries",
    "scope_policies",
    "scores",
    "sharing_events",
    "sharing_queries",
    "site_codes",
    "sites",
    "subject_areas",
    "theme_codes",
    "theme_taxonomies",
    "themes",
    "trusts",
    "versioned",
]

T = TypeVar("T")

# The default window: from the first Learning from Deaths year (2017/18) into the 2030s.
FIRST_DAY = dt.date(2016, 4, 1)
LAST_DAY = dt.date(2031, 3, 31)

_CODE_CHARS = string.ascii_uppercase + string.digits
_TAXONOMY = default_taxonomy()
_THEME_CODES = tuple(t.code for t in _TAXONOMY)


# --------------------------------------------------------------------------------------------
# Text, identifiers and dates.
# --------------------------------------------------------------------------------------------


def _is_text(value: str) -> bool:
    return bool(value.strip()) and not find_nhs_numbers(value)


@functools.cache
def free_text(*, min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Non-blank text that holds no NHS number: what every text field of the domain accepts."""
    return st.text(min_size=min_size, max_size=max_size).filter(_is_text)


def _words() -> st.SearchStrategy[str]:
    # Readable ASCII words, where a field's text is turned into a code (a theme's slug, say).
    words = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,7}( [A-Za-z0-9]{1,8}){0,2}", fullmatch=True)
    return words.filter(lambda s: not find_nhs_numbers(s))


@functools.cache
def ods_codes() -> st.SearchStrategy[OdsCode]:
    """Trust ODS codes: three upper-case letters or digits."""
    return st.text(_CODE_CHARS, min_size=3, max_size=3).map(OdsCode)


def site_codes(trust: OdsCode | None = None) -> st.SearchStrategy[SiteCode]:
    """Site codes, of ``trust`` when given: the trust's three characters and two more."""
    trust_codes = ods_codes() if trust is None else st.just(trust)
    suffix = st.text(_CODE_CHARS, min_size=2, max_size=2)
    return st.builds(lambda t, s: SiteCode(f"{t}{s}"), trust_codes, suffix)


def case_references(trust: OdsCode | None = None) -> st.SearchStrategy[CaseReference]:
    """Trust-local case references (pseudonyms such as Datix ids), of ``trust`` when given."""
    local_ids = st.from_regex(r"[A-Z0-9][A-Z0-9._/-]{0,15}", fullmatch=True).filter(
        lambda s: not find_nhs_numbers(s)
    )
    trust_codes = ods_codes() if trust is None else st.just(trust)
    return st.builds(CaseReference, trust_codes, local_ids)


NhsLayout = Literal["plain", "spaced", "hyphenated", "any"]


def _nhs_number(first_nine: str) -> str | None:
    check = nhs_check_digit(first_nine)
    return None if check is None else f"{first_nine}{check}"


def nhs_numbers(layout: NhsLayout = "plain") -> st.SearchStrategy[str]:
    """Valid NHS numbers from the 999 test range only, to test that they are found and refused.

    ``layout`` writes them as ten digits (``"plain"``), 3-3-4 with spaces or hyphens, or any.
    collab_core never stores one: use these only as input that must be detected.
    """
    numbers = (
        st.integers(0, 999_999)
        .map(lambda n: _nhs_number(f"999{n:06d}"))
        .filter(lambda n: n is not None)
        .map(str)
    )
    layouts = ("plain", "spaced", "hyphenated") if layout == "any" else (layout,)

    def write(number: str, how: str) -> str:
        sep = {"plain": "", "spaced": " ", "hyphenated": "-"}[how]
        return f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"

    return st.builds(write, numbers, st.sampled_from(layouts))


def days(start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY) -> st.SearchStrategy[dt.date]:
    """Calendar days from ``start`` to ``end``, shrinking towards ``start``."""
    return st.integers(0, (end - start).days).map(lambda n: start + dt.timedelta(days=n))


def _on_or_after(
    day: dt.date, within: int, end: dt.date | None = None
) -> st.SearchStrategy[dt.date]:
    last = day + dt.timedelta(days=within)
    return days(day, last if end is None else max(day, min(end, last)))


def _maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


# Strategies built once: building one per draw (with bounds that vary) costs more than drawing.
_BOOLEANS = st.booleans()
_UUIDS = st.uuids()
_OFFSETS = st.integers(0, 1 << 16)


def _int(draw: st.DrawFn, low: int, high: int) -> int:
    """An integer from ``low`` to ``high``, shrinking towards ``low``."""
    return low + draw(_OFFSETS) % (high - low + 1)


def _pick(draw: st.DrawFn, options: Iterable[T]) -> T:
    """One of ``options``, shrinking towards the first."""
    choices = tuple(options)
    return choices[_int(draw, 0, len(choices) - 1)]


def _day(draw: st.DrawFn, start: dt.date, end: dt.date) -> dt.date:
    # Drawing an offset, rather than building a strategy per draw, keeps generation fast.
    return start + dt.timedelta(days=_int(draw, 0, max(0, (end - start).days)))


def _later(draw: st.DrawFn, day: dt.date, within: int) -> dt.date:
    return day + dt.timedelta(days=_int(draw, 0, within))


def _opt(draw: st.DrawFn, strategy: st.SearchStrategy[T]) -> T | None:
    return draw(strategy) if draw(_BOOLEANS) else None


def _maybe_day(draw: st.DrawFn, start: dt.date, end: dt.date) -> dt.date | None:
    return _day(draw, start, end) if draw(_BOOLEANS) else None


def _maybe_later(draw: st.DrawFn, day: dt.date, within: int) -> dt.date | None:
    return _later(draw, day, within) if draw(_BOOLEANS) else None


def aware_datetimes(
    start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware date-times (UTC or a fixed offset), as payloads carry them."""
    offsets = st.just(dt.UTC) | st.integers(-14 * 60, 14 * 60).map(
        lambda m: dt.timezone(dt.timedelta(minutes=m))
    )
    return st.datetimes(
        dt.datetime.combine(start, dt.time()),
        dt.datetime.combine(end, dt.time.max),
        timezones=offsets,
    )


def financial_years(min_year: int = 2016, max_year: int = 2030) -> st.SearchStrategy[FinancialYear]:
    """NHS financial years (April to March) starting from ``min_year`` to ``max_year``."""
    return st.integers(min_year, max_year).map(FinancialYear)


def quarters(years: st.SearchStrategy[FinancialYear] | None = None) -> st.SearchStrategy[Quarter]:
    """Quarters of the financial years drawn from ``years``."""
    return st.builds(Quarter, financial_years() if years is None else years, st.integers(1, 4))


def months(start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY) -> st.SearchStrategy[Month]:
    """Calendar months containing a day from ``start`` to ``end``."""
    return days(start, end).map(Month.of)


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
def sharing_queries() -> st.SearchStrategy[SharingQuery]:
    """Questions of which trusts shared with an audience, each in a window of its own."""
    windows = st.dictionaries(ods_codes(), _windows(), max_size=3)
    return st.builds(SharingQuery, st.sampled_from(Audience), windows)


# --------------------------------------------------------------------------------------------
# The records of the ports.
# --------------------------------------------------------------------------------------------


@functools.cache
def _json_values() -> st.SearchStrategy[Any]:
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=20)
    )
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )


@functools.cache
def publications() -> st.SearchStrategy[Publication]:
    """Publications with a plain JSON body, created at a timezone-aware moment."""
    return st.builds(
        Publication,
        id=st.uuids(),
        kind=st.sampled_from(("learning_bulletin", "lfd_dashboard", "board_pack")),
        audience=st.sampled_from(Audience),
        title=free_text(),
        body=st.dictionaries(st.text(max_size=8), _json_values(), max_size=4),
        created_at=aware_datetimes(),
    )


@functools.cache
def outbox_entries() -> st.SearchStrategy[OutboxEntry]:
    """Outbox entries in every status, with their attempts and last error."""
    return st.builds(
        OutboxEntry,
        id=st.uuids(),
        publisher=st.sampled_from(("site", "board", "mail")),
        publication=publications(),
        status=st.sampled_from(OutboxStatus),
        attempts=st.integers(0, 10),
        last_error=_maybe(free_text()),
        updated_at=_maybe(aware_datetimes()),
    )


@functools.cache
def delivery_receipts() -> st.SearchStrategy[DeliveryReceipt]:
    """What publishers report after delivering."""
    return st.builds(
        DeliveryReceipt,
        publisher=st.sampled_from(("site", "board", "mail")),
        publication_id=st.uuids(),
        delivered_at=aware_datetimes(),
        location=_maybe(free_text()),
    )


def versioned(
    records: st.SearchStrategy[Any] | None = None,
) -> st.SearchStrategy[Versioned[Any]]:
    """Stored records with their version: of ``records`` or of any kind a store holds."""
    source = records if records is not None else st.one_of([s() for s in _RECORD_STRATEGIES])
    return st.builds(Versioned, source, st.integers(1, 1_000))


# --------------------------------------------------------------------------------------------
# A whole consistent collaborative.
# --------------------------------------------------------------------------------------------


@attrs.frozen
class CollaborativeRecords:
    """Every record of one consistent collaborative over some financial years.

    The records agree with one another as a real collaborative's would: members belong to the
    trusts, deaths happened while their trust was a member, reviews are of those deaths by the
    same trust and begin after the death, learning comes from completed reviews, and sharing
    with the collaborative or the public follows sign-off.
    """

    years: tuple[FinancialYear, ...]
    trusts: tuple[Trust, ...]
    members: tuple[Member, ...]
    deaths: tuple[Death, ...]
    reviews: tuple[Review, ...]
    learning_items: tuple[LearningItem, ...]
    sharing_events: tuple[SharingEvent, ...]
    assessments: tuple[Assessment, ...]
    candour_cases: tuple[CandourCase, ...]
    family_involvements: tuple[FamilyInvolvement, ...]
    framework: Framework = THREE_LS
    scales: ScaleRegistry = attrs.field(factory=ScaleRegistry)
    taxonomy: ThemeTaxonomy = attrs.field(factory=default_taxonomy)

    @property
    def start(self) -> dt.date:
        """The first day of the first financial year."""
        return self.years[0].start

    @property
    def end(self) -> dt.date:
        """The last day of the last financial year."""
        return self.years[-1].end

    @property
    def policies(self) -> dict[OdsCode, ScopePolicy]:
        """Each trust's scope policy, as :class:`~collab_core.domain.facts.LfdQuery` takes them."""
        return {t.ods_code: t.scope_policy for t in self.trusts}

    def lfd_query(self, as_of: dt.date | None = None) -> LfdQuery:
        """A query for the dashboard figures over all the years, as of ``as_of`` (by default a
        year after the end, when every review has finished)."""
        when = self.end + dt.timedelta(days=365) if as_of is None else as_of
        return LfdQuery(when, self.start, self.end, self.policies, self.scales)

    def records(self) -> Iterator[Any]:
        """Every record, each after the records it refers to (the order to store them in)."""
        yield from self.trusts
        yield from self.members
        yield from self.deaths
        yield from self.reviews
        yield from self.learning_items
        yield from self.sharing_events
        yield from self.assessments
        yield from self.candour_cases
        yield from self.family_involvements


def _id_maker(day: dt.date) -> Iterator[uuid.UUID]:
    """Distinct time-ordered (UUIDv7-shaped) ids: Hypothesis would happily repeat st.uuids()."""
    ms = int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp() * 1000)
    n = 0
    while True:
        n += 1
        value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | 0b10 << 62 | n
        yield uuid.UUID(int=value)


def collaboratives(
    *,
    min_trusts: int = 1,
    max_trusts: int = 3,
    years: int | Sequence[FinancialYear] = 2,
    max_members_per_trust: int = 3,
    max_deaths_per_trust: int = 4,
    framework: Framework = THREE_LS,
) -> st.SearchStrategy[CollaborativeRecords]:
    """Whole consistent collaboratives: trusts over ``years`` financial years (a number of
    consecutive years from 2016/17 on, or the years themselves), with their members, deaths,
    reviews, learning, sharing, assessments on ``framework``, candour cases and family
    involvement. Sizes stay small by default so that property tests stay fast."""
    if not 1 <= min_trusts <= max_trusts:
        raise ValueError("need 1 <= min_trusts <= max_trusts")
    if isinstance(years, int):
        if years < 1:
            raise ValueError("years must be at least 1")
        spans: st.SearchStrategy[tuple[FinancialYear, ...]] = financial_years(2016, 2028).map(
            lambda first: tuple(FinancialYear(first.start_year + i) for i in range(years))
        )
    else:
        chosen = tuple(sorted(years))
        if not chosen:
            raise ValueError("years must name at least one financial year")
        spans = st.just(chosen)

    @st.composite
    def draw_collaborative(draw: st.DrawFn) -> CollaborativeRecords:
        span = draw(spans)
        return _Builder(draw, span, framework, max_members_per_trust, max_deaths_per_trust).build(
            _int(draw, min_trusts, max_trusts)
        )

    return draw_collaborative()


class _Builder:
    """Draws one collaborative, trust by trust, keeping every reference consistent."""

    def __init__(
        self,
        draw: st.DrawFn,
        years: tuple[FinancialYear, ...],
        framework: Framework,
        max_members: int,
        max_deaths: int,
    ) -> None:
        self.draw = draw
        self.years = years
        self.start = years[0].start
        self.end = years[-1].end
        self.framework = framework
        self.max_members = max_members
        self.max_deaths = max_deaths
        self.ids = _id_maker(self.start)
        self.out: dict[str, list[Any]] = {
            name: []
            for name in [
                "trusts",
                "members",
                "deaths",
                "reviews",
                "learning_items",
                "sharing_events",
                "assessments",
                "candour_cases",
                "family_involvements",
            ]
        }

    def build(self, trust_count: int) -> CollaborativeRecords:
        codes = self.draw(
            st.lists(ods_codes(), min_size=trust_count, max_size=trust_count, unique=True)
        )
        for number, code in enumerate(codes):
            self._trust(number, code)
        out = {name: tuple(records) for name, records in self.out.items()}
        return CollaborativeRecords(
            years=self.years,
            trusts=out["trusts"],
            members=out["members"],
            deaths=out["deaths"],
            reviews=out["reviews"],
            learning_items=out["learning_items"],
            sharing_events=out["sharing_events"],
            assessments=out["assessments"],
            candour_cases=out["candour_cases"],
            family_involvements=out["family_involvements"],
            framework=self.framework,
        )

    def _trust(self, number: int, code: OdsCode) -> None:
        draw = self.draw
        # A trust may have joined before the first year; it is a member on at least one day.
        joined = _day(draw, self.start - dt.timedelta(days=730), self.end)
        left = _maybe_day(draw, max(joined, self.start), self.end)
        local: Any = draw(_local_themes())  # Trust converts it (its annotation is loose)
        trust = Trust(code, f"Trust {number + 1}", joined, left, draw(scope_policies()), local)
        self.out["trusts"].append(trust)
        first = max(joined, self.start)
        last = self.end if left is None else min(left, self.end)
        for index in range(_int(draw, 0, self.max_members)):
            self._member(trust, index, first, last)
        for index in range(_int(draw, 0, self.max_deaths)):
            self._death(trust, index, first, last)

    def _member(self, trust: Trust, index: int, first: dt.date, last: dt.date) -> None:
        draw = self.draw
        joined = _day(draw, first, last)
        member = Member(
            next(self.ids),
            f"{str(trust.ods_code).lower()}-{draw(_handle_stems)}-{index + 1}",
            _pick(draw, MemberKind),
            trust.ods_code,
            joined,
            _maybe_day(draw, joined, last),
        )
        self.out["members"].append(member)
        until = member.left or last
        subjects, level_names = _in_framework(self.framework)
        for _ in range(_int(draw, 0, 3)):
            self.out["assessments"].append(
                Assessment(
                    next(self.ids),
                    member.id,
                    self.framework.id,
                    draw(subjects),
                    draw(level_names),
                    _day(draw, joined, until),
                    _pick(draw, AssessorKind),
                )
            )

    def _death(self, trust: Trust, index: int, first: dt.date, last: dt.date) -> None:
        draw = self.draw
        death = _draw_death(
            draw, next(self.ids), trust.ods_code, first, last, f"DX-{index + 1:04d}"
        )
        self.out["deaths"].append(death)
        scales = tuple(DEFAULT_SCALES)
        done: list[Review] = []
        for _ in range(_int(draw, 0, 2)):
            review = _draw_review(draw, next(self.ids), death, scales)
            self.out["reviews"].append(review)
            if review.completed_on is not None:
                done.append(review)
        learnt = draw(_BOOLEANS)
        if done and learnt:
            self._learning(trust, done)
        if draw(_BOOLEANS):
            self.out["family_involvements"].append(_draw_involvement(draw, death))
        if draw(_BOOLEANS):
            case = CandourCase(
                next(self.ids),
                trust.ods_code,
                _later(draw, death.died_on, 30),
                death_id=death.id,
            )
            state = _pick(draw, CandourState)
            self.out["candour_cases"].append(_advance(draw, case, state))

    def _learning(self, trust: Trust, done: list[Review]) -> None:
        draw = self.draw
        sources = draw(st.lists(st.sampled_from(done), min_size=1, max_size=2, unique_by=id))
        after = max(r.completed_on for r in sources if r.completed_on is not None)
        item = _draw_item(
            draw,
            next(self.ids),
            trust.ods_code,
            frozenset(r.id for r in sources),
            _later(draw, after, 60),
            None,
            self.ids,
        )
        self.out["learning_items"].append(item)
        channels = st.sampled_from(_CHANNELS)
        for _ in range(_int(draw, 0, 3)):
            self.out["sharing_events"].append(_draw_sharing(draw, next(self.ids), item, channels))


_handle_stems = st.sampled_from(("qi", "lead", "nurse", "peer", "carer", "fellow"))


# --------------------------------------------------------------------------------------------
# Strategies by type, and their registration with Hypothesis.
# --------------------------------------------------------------------------------------------

_RECORD_STRATEGIES: tuple[Callable[[], st.SearchStrategy[Any]], ...] = (
    trusts,
    members,
    deaths,
    reviews,
    learning_items,
    sharing_events,
    assessments,
    learning_journeys,
    family_involvements,
    candour_cases,
    concerns,
)

STRATEGIES: Mapping[type[Any], Callable[[], st.SearchStrategy[Any]]] = {
    OdsCode: ods_codes,
    SiteCode: site_codes,
    CaseReference: case_references,
    FinancialYear: financial_years,
    Quarter: quarters,
    Month: months,
    ScopePolicy: scope_policies,
    Trust: trusts,
    Site: sites,
    Member: members,
    ReviewScale: review_scales,
    ScaleRegistry: scale_registries,
    Score: scores,
    Death: deaths,
    Review: reviews,
    ImpactAssessment: impact_assessments,
    Action: actions,
    LearningItem: learning_items,
    SharingEvent: sharing_events,
    FamilyQuestion: family_questions,
    FamilyInvolvement: family_involvements,
    ContactAttempt: contact_attempts,
    CandourPolicy: candour_policies,
    CandourCase: candour_cases,
    SubjectArea: subject_areas,
    Framework: frameworks,
    Level: levels,
    Assessment: assessments,
    JourneyStep: journey_steps,
    LearningJourney: learning_journeys,
    PdsaCycle: pdsa_cycles,
    Concern: concerns,
    Theme: themes,
    ThemeTaxonomy: theme_taxonomies,
    LfdQuery: lfd_queries,
    LfdFact: lfd_facts,
    SharingQuery: sharing_queries,
    Publication: publications,
    OutboxEntry: outbox_entries,
    DeliveryReceipt: delivery_receipts,
    Versioned: versioned,
    CollaborativeRecords: collaboratives,
}
"""The strategy of every type, by type: what ``st.from_type`` resolves to."""


def for_type(cls: Any) -> st.SearchStrategy[Any]:
    """The strategy for ``cls`` (``Versioned[Death]`` is understood), as registered with
    Hypothesis; raises ``LookupError`` for a type collab_core has no strategy for."""
    origin = getattr(cls, "__origin__", None) or cls
    if origin is Versioned and getattr(cls, "__args__", None):
        (record_type,) = cls.__args__
        return versioned(st.from_type(record_type))
    make = STRATEGIES.get(origin)
    if make is None:
        raise LookupError(f"collab_core has no strategy for {cls!r}")
    return make()


def _hypothesis_setup_hook() -> None:
    """Register every type's strategy with Hypothesis right away (``from_type`` then finds them).

    The ``hypothesis`` entry point uses the lazy :mod:`collab_core.testing._hypothesis_hook`
    instead, so that importing Hypothesis does not import this module; call this to register
    eagerly, e.g. where entry points are disabled.
    """
    for cls in STRATEGIES:
        st.register_type_strategy(cls, for_type)

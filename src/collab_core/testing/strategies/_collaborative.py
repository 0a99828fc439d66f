"""A whole consistent collaborative, drawn trust by trust."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
from hypothesis import strategies as st

from collab_core.domain.calendar import FinancialYear
from collab_core.domain.candour import (
    CandourCase,
    CandourState,
)
from collab_core.domain.capability import (
    THREE_LS,
    Assessment,
    AssessorKind,
    Framework,
)
from collab_core.domain.deaths import (
    DEFAULT_SCALES,
    Death,
    Review,
    ScaleRegistry,
)
from collab_core.domain.facts import LfdQuery
from collab_core.domain.identifiers import (
    OdsCode,
)
from collab_core.domain.learning import (
    FamilyInvolvement,
    LearningItem,
    SharingEvent,
)
from collab_core.domain.organisations import ScopePolicy, Trust
from collab_core.domain.people import Member, MemberKind
from collab_core.domain.themes import ThemeTaxonomy, default_taxonomy
from collab_core.testing.strategies._base import (
    _BOOLEANS,
    _day,
    _int,
    _later,
    _maybe_day,
    _pick,
    financial_years,
    ods_codes,
)
from collab_core.testing.strategies._domain import (
    _CHANNELS,
    _advance,
    _draw_death,
    _draw_involvement,
    _draw_item,
    _draw_review,
    _draw_sharing,
    _in_framework,
    _local_themes,
    scope_policies,
)

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

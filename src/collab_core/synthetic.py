"""A realistic synthetic collaborative for demonstrations, documentation and benchmarks.

Everything is made up and deterministic for a given seed. Records stream out in batches, one
trust-year at a time, so a national-scale collaborative (a million deaths, 60 trusts) never sits
in memory whole. Case references are pseudonyms; no NHS number, name or date of birth is made.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator, Sequence

import attrs

from collab_core.domain.calendar import FinancialYear, add_working_days
from collab_core.domain.candour import CandourCase, UnreachableReason
from collab_core.domain.capability import THREE_LS, Assessment, AssessorKind, Framework
from collab_core.domain.deaths import (
    EXPLICIT_JUDGEMENT,
    HOGAN_PREVENTABILITY,
    RCP_AVOIDABILITY,
    RCP_PHASE_OF_CARE,
    RCPSYCH_CARE_RATING,
    Death,
    DeathSetting,
    RedFlag,
    ResponseType,
    Review,
    ReviewScale,
    Score,
)
from collab_core.domain.identifiers import CaseReference, OdsCode
from collab_core.domain.improvement import Concern
from collab_core.domain.learning import (
    Action,
    ActionStatus,
    Audience,
    FamilyInvolvement,
    ImpactAssessment,
    ImpactRating,
    LearningItem,
)
from collab_core.domain.organisations import ScopePolicy, Trust
from collab_core.domain.people import Member, MemberKind
from collab_core.domain.themes import CROSS_CUTTING_THEMES

__all__ = ["SyntheticBatch", "SyntheticCollaborative"]

_LEARNING = (
    (
        "Handover of risk information at discharge",
        "Risk information did not reach the community team before the first follow-up.",
    ),
    (
        "Family concerns before death",
        "The family raised concerns about deterioration that were not escalated.",
    ),
    (
        "Physical health monitoring on the ward",
        "Early warning scores were not repeated at the agreed frequency.",
    ),
    (
        "Seven-day follow-up after discharge",
        "Follow-up within seven days was not arranged for people discharged at weekends.",
    ),
    (
        "Safety planning with the person and family",
        "Safety plans were written without the person's family and were not shared with them.",
    ),
    (
        "Medication reconciliation",
        "Medication changes made in hospital were not reconciled in the community.",
    ),
)
_ACTIONS = (
    ("Introduce a discharge checklist that includes family contact", "Ward manager"),
    ("Audit early warning score compliance monthly", "Matron"),
    ("Train crisis team staff in collaborative safety planning", "Clinical lead"),
    ("Add weekend follow-up slots to the community rota", "Service manager"),
    ("Share a learning bulletin on medication reconciliation", "Chief pharmacist"),
)
_CHANNELS = {
    Audience.FAMILY: "family meeting",
    Audience.TRUST_BOARD: "quarterly board paper",
    Audience.STAFF: "learning lessons bulletin",
    Audience.COLLABORATIVE: "collaborative learning event",
    Audience.PUBLIC: "public board meeting",
}
_THEME_CODES = tuple(t.code for t in CROSS_CUTTING_THEMES if t.parent is not None)


@attrs.frozen
class SyntheticBatch:
    """One batch of records to write in one unit of work, in dependency order."""

    label: str
    records: tuple[object, ...]


def _uuid(rng: random.Random, day: dt.date) -> uuid.UUID:
    """A UUIDv7-shaped id whose time part is ``day``: ids sort in the order records happen."""
    ms = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)
    ms += rng.randrange(86_400_000)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rng.getrandbits(12) << 64
    value |= 0b10 << 62 | rng.getrandbits(62)
    return uuid.UUID(int=value)


def _code(index: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "R" + letters[index // len(letters) % len(letters)] + letters[index % len(letters)]


@attrs.frozen
class SyntheticCollaborative:
    """A synthetic collaborative: ``trusts`` member trusts over ``years`` financial years.

    :param seed: the same seed always gives the same collaborative.
    :param deaths_per_trust_year: the mean number of deaths reported per trust per year.
    :param members_per_trust: the mean number of collaborative members per trust.
    """

    seed: int = 2018
    trusts: int = 16
    first_year: FinancialYear = attrs.field(factory=lambda: FinancialYear(2016))
    years: int = 3
    deaths_per_trust_year: int = 250
    members_per_trust: int = 40
    framework: Framework = THREE_LS

    @property
    def financial_years(self) -> tuple[FinancialYear, ...]:
        return tuple(FinancialYear(self.first_year.start_year + i) for i in range(self.years))

    @property
    def start(self) -> dt.date:
        return self.first_year.start

    @property
    def end(self) -> dt.date:
        return self.financial_years[-1].end

    def trust_records(self) -> list[Trust]:
        """The member trusts: most founding members, a few joining later, one leaving."""
        rng = random.Random(f"{self.seed}:trusts")
        out: list[Trust] = []
        for i in range(self.trusts):
            joined = self.start - dt.timedelta(days=365 * 2)
            if i >= max(1, self.trusts * 3 // 4):  # the last quarter join during the period
                joined = self.start + dt.timedelta(days=rng.randrange(0, 365 * self.years // 2))
            left = None
            if self.trusts > 4 and i == 1:
                left = self.end - dt.timedelta(days=200)
            policy = ScopePolicy(
                inpatient=True,
                community_contact_months=rng.choice((6, 6, 6, 12)),
                discharge_days=rng.choice((30, 30, 28)),
                route_ld_autism_to_leder=True,
            )
            out.append(
                Trust(
                    ods_code=OdsCode(_code(i)),
                    name=f"Synthetic Mental Health Trust {i + 1}",
                    joined=joined,
                    left=left,
                    scope_policy=policy,
                )
            )
        return out

    def batches(self) -> Iterator[SyntheticBatch]:
        """Every record, in batches: the trusts, each trust's members and assessments, then
        one batch per trust and financial year of deaths, reviews and everything after them."""
        trusts = self.trust_records()
        yield SyntheticBatch("trusts", tuple(trusts))
        for index, trust in enumerate(trusts):
            yield SyntheticBatch(f"members {trust.ods_code}", tuple(self._members(trust, index)))
        for year in self.financial_years:
            for index, trust in enumerate(trusts):
                records = tuple(self._trust_year(trust, index, year))
                if records:
                    yield SyntheticBatch(f"{trust.ods_code} {year}", records)

    def _scales(self, index: int) -> tuple[ReviewScale, ReviewScale]:
        # Half the trusts judge avoidability on the RCP scale, half on Hogan/PRISM: the figures
        # must come out right whichever direction a trust's scale runs.
        if index % 2:
            return HOGAN_PREVENTABILITY, RCPSYCH_CARE_RATING
        return RCP_AVOIDABILITY, RCP_PHASE_OF_CARE

    def _members(self, trust: Trust, index: int) -> Iterator[Member | Assessment]:
        rng = random.Random(f"{self.seed}:members:{index}")
        count = max(1, int(rng.gauss(self.members_per_trust, self.members_per_trust / 5)))
        span = (self.end - self.start).days
        for n in range(count):
            kind = rng.choices(
                (MemberKind.STAFF, MemberKind.LIVED_EXPERIENCE, MemberKind.CARER_FAMILY),
                weights=(70, 20, 10),
            )[0]
            joined = max(trust.joined, self.start + dt.timedelta(days=rng.randrange(-2500, span)))
            left = None
            if rng.random() < 0.12:
                left = joined + dt.timedelta(days=rng.randrange(60, 700))
                if left > self.end:
                    left = None
            member = Member(
                id=_uuid(rng, joined),
                handle=f"{str(trust.ods_code).lower()}-member-{n + 1:04d}",
                kind=kind,
                trust=trust.ods_code,
                joined=joined,
                left=left,
            )
            yield member
            yield from self._assessments(rng, member)

    def _assessments(self, rng: random.Random, member: Member) -> Iterator[Assessment]:
        levels = self.framework.level_names
        subjects = [s.code for s in self.framework.subjects]
        # About a third of members never assess themselves; the rest start at a steady rate, so
        # the count of members who Learn, Live or Lead grows by about a third over two years.
        earliest = self.start - dt.timedelta(days=4000)
        first = earliest + dt.timedelta(days=rng.randrange((self.end - earliest).days + 365))
        first = max(first, member.joined)
        last_day = member.left or self.end
        if first > last_day or rng.random() < 0.3:
            return
        day = first
        for subject in rng.sample(subjects, k=rng.randint(1, 4)):
            rank = 0
            while day <= last_day and rank < len(levels):
                yield Assessment(
                    id=_uuid(rng, day),
                    member_id=member.id,
                    framework=self.framework.id,
                    subject=subject,
                    level=levels[rank],
                    assessed_on=day,
                    assessor=rng.choice(tuple(AssessorKind)),
                )
                rank += 1 if rng.random() < 0.5 else len(levels)
                day += dt.timedelta(days=rng.randrange(60, 300))

    def _trust_year(self, trust: Trust, index: int, year: FinancialYear) -> Iterator[object]:
        rng = random.Random(f"{self.seed}:{index}:{year.start_year}")
        avoidability, quality = self._scales(index)
        # Each trust takes up sharing with the collaborative (and with families) on its own day.
        adopts_on = self.start + dt.timedelta(
            days=random.Random(f"{self.seed}:adopts:{index}").randrange(30, 900)
        )
        count = max(0, int(rng.gauss(self.deaths_per_trust_year, self.deaths_per_trust_year / 10)))
        span = (year.end - year.start).days + 1
        pending_learning: list[Review] = []
        for n in range(count):
            died_on = year.start + dt.timedelta(days=rng.randrange(span))
            if not trust.is_member_on(died_on):
                continue
            death = self._death(rng, trust, died_on, year, n)
            yield death
            for review in self._reviews(rng, death, avoidability, quality):
                yield review
                if (
                    review.response_type
                    in {
                        ResponseType.STRUCTURED_JUDGEMENT_REVIEW,
                        ResponseType.CARE_REVIEW_TOOL,
                        ResponseType.PSII,
                    }
                    and review.completed_on is not None
                    and rng.random() < 0.45
                ):
                    pending_learning.append(review)
                if review.response_type is ResponseType.PSII:
                    yield from self._family(rng, death, review)
                    yield self._candour(rng, death, review)
        for review in pending_learning:
            yield from self._learning(rng, trust, review, adopts_on)
        if rng.random() < 0.8:
            yield self._concern(rng, trust, year)

    def _death(
        self, rng: random.Random, trust: Trust, died_on: dt.date, year: FinancialYear, n: int
    ) -> Death:
        setting = rng.choices(
            (
                DeathSetting.COMMUNITY,
                DeathSetting.INPATIENT,
                DeathSetting.POST_DISCHARGE,
                DeathSetting.NOT_UNDER_CARE,
            ),
            weights=(68, 8, 9, 15),
        )[0]
        last_contact = None
        discharged = None
        if setting is DeathSetting.COMMUNITY:
            last_contact = died_on - dt.timedelta(days=rng.randrange(0, 240))
        elif setting is DeathSetting.POST_DISCHARGE:
            discharged = died_on - dt.timedelta(days=rng.randrange(1, 60))
            last_contact = discharged
        elif setting is DeathSetting.NOT_UNDER_CARE:
            last_contact = died_on - dt.timedelta(days=rng.randrange(200, 900))
        age = max(14, min(101, int(rng.gauss(66, 17))))
        return Death(
            id=_uuid(rng, died_on),
            trust=trust.ods_code,
            case_ref=CaseReference(trust.ods_code, f"D{year.start_year % 100:02d}-{n + 1:05d}"),
            died_on=died_on,
            setting=setting,
            age=age,
            last_contact_on=last_contact,
            discharged_on=discharged,
            learning_disability=rng.random() < 0.025,
            autistic=rng.random() < 0.01,
        )

    def _reviews(
        self,
        rng: random.Random,
        death: Death,
        avoidability: ReviewScale,
        quality: ReviewScale,
    ) -> Iterator[Review]:
        if not death.in_scope(ScopePolicy()) and rng.random() < 0.7:
            return
        screened = death.died_on + dt.timedelta(days=rng.randrange(1, 14))
        flags = frozenset(f for f in RedFlag if rng.random() < 0.08)
        yield Review(
            id=_uuid(rng, screened),
            death_id=death.id,
            trust=death.trust,
            response_type=ResponseType.SCREENING,
            started_on=screened,
            completed_on=screened,
            red_flags=flags,
        )
        if death.ld_or_autism:
            yield self._completed(rng, death, ResponseType.LEDER, screened, (), (90, 200))
            return
        if flags or rng.random() < 0.12:
            kind = (
                ResponseType.CARE_REVIEW_TOOL
                if quality is RCPSYCH_CARE_RATING
                else ResponseType.STRUCTURED_JUDGEMENT_REVIEW
            )
            problem = rng.random() < 0.06
            if avoidability is RCP_AVOIDABILITY:
                value = rng.choice((2, 3)) if problem else rng.choice((4, 5, 6, 6, 6))
            else:
                value = rng.choice((4, 5)) if problem else rng.choice((1, 1, 1, 2, 3))
            scores = (
                Score.on(quality, rng.choice((2, 3, 3, 4, 4, 5)), "overall"),
                Score.on(avoidability, value),
            )
            yield self._completed(rng, death, kind, screened, scores, (20, 150))
        if rng.random() < 0.03:
            judged = Score.on(EXPLICIT_JUDGEMENT, 1 if rng.random() < 0.3 else 0)
            yield self._completed(rng, death, ResponseType.PSII, screened, (judged,), (60, 180))
        elif rng.random() < 0.04:
            kind = rng.choice(
                (
                    ResponseType.AFTER_ACTION_REVIEW,
                    ResponseType.SWARM_HUDDLE,
                    ResponseType.MDT_REVIEW,
                )
            )
            yield self._completed(rng, death, kind, screened, (), (2, 30))

    def _completed(
        self,
        rng: random.Random,
        death: Death,
        kind: ResponseType,
        after: dt.date,
        scores: Sequence[Score],
        days: tuple[int, int],
    ) -> Review:
        started = after + dt.timedelta(days=rng.randrange(0, 10))
        completed = started + dt.timedelta(days=rng.randrange(*days))
        signed_off = completed + dt.timedelta(days=rng.randrange(7, 45))
        return Review(
            id=_uuid(rng, started),
            death_id=death.id,
            trust=death.trust,
            response_type=kind,
            started_on=started,
            completed_on=completed,
            scores=tuple(scores),
            signed_off_on=signed_off,
        )

    def _family(self, rng: random.Random, death: Death, review: Review) -> Iterator[object]:
        involvement = FamilyInvolvement(death_id=death.id, trust=death.trust)
        involvement = involvement.offer(review.started_on)
        if rng.random() < 0.75:
            involvement = involvement.accept(review.started_on + dt.timedelta(days=3))
            involvement = involvement.contribute(review.started_on + dt.timedelta(days=20))
            involvement = involvement.ask(review.started_on + dt.timedelta(days=21))
            if review.completed_on is not None:
                involvement = involvement.answer(0, review.completed_on)
        else:
            involvement = involvement.decline(review.started_on + dt.timedelta(days=5))
        yield involvement

    def _candour(self, rng: random.Random, death: Death, review: Review) -> CandourCase:
        reported = death.died_on + dt.timedelta(days=rng.randrange(0, 3))
        case = CandourCase(id=_uuid(rng, reported), trust=death.trust, reported_on=reported)
        decided = reported + dt.timedelta(days=rng.randrange(0, 3))
        case = case.decide(True, decided)
        roll = rng.random()
        if roll < 0.8:
            on = add_working_days(decided, rng.randrange(1, 9))
            case = case.notify_in_person(on, apology=True)
            if review.completed_on is not None and review.completed_on >= on:
                case = case.follow_up_in_writing(review.completed_on)
        elif roll < 0.9:
            case = case.record_attempt(decided + dt.timedelta(days=2), "telephone")
            case = case.record_attempt(decided + dt.timedelta(days=6), "letter")
            case = case.close_unreachable(
                UnreachableReason.CANNOT_BE_CONTACTED, decided + dt.timedelta(days=9)
            )
        elif roll < 0.95:
            on = add_working_days(decided, rng.randrange(12, 25))
            case = case.notify_in_person(on, apology=True)
        # The rest stay notifiable and unnotified: overdue cases for the figures to find.
        return case

    def _learning(
        self,
        rng: random.Random,
        trust: Trust,
        review: Review,
        adopts_on: dt.date,
    ) -> Iterator[object]:
        recorded = review.completed_on
        if recorded is None:
            return
        title, text = rng.choice(_LEARNING)
        actions = []
        for _ in range(rng.randint(1, 3)):
            description, owner = rng.choice(_ACTIONS)
            done = rng.random() < 0.85
            due = recorded + dt.timedelta(
                days=rng.randrange(30, 200) if done else rng.randrange(90, 400)
            )
            completed_on = due - dt.timedelta(days=rng.randrange(0, 20)) if done else None
            impact = None
            if completed_on is not None and rng.random() < 0.5:
                impact = ImpactAssessment(
                    assessed_on=completed_on + dt.timedelta(days=60),
                    rating=rng.choice(
                        (ImpactRating.SOME_IMPACT, ImpactRating.SUSTAINED_IMPROVEMENT)
                    ),
                    summary="Re-audit showed the change was in place.",
                )
            actions.append(
                Action(
                    id=_uuid(rng, recorded),
                    description=description,
                    owner_role=owner,
                    due_on=due,
                    status=ActionStatus.COMPLETED if completed_on else ActionStatus.IN_PROGRESS,
                    completed_on=completed_on,
                    impact=impact,
                    themes=frozenset(rng.sample(_THEME_CODES, k=1)),
                )
            )
        signed_off = review.signed_off_on
        item = LearningItem(
            id=_uuid(rng, recorded),
            trust=trust.ods_code,
            title=title,
            what_was_learnt=text,
            recorded_on=recorded,
            review_ids=frozenset({review.id}),
            themes=frozenset(rng.sample(_THEME_CODES, k=2)),
            actions=tuple(actions),
            signed_off_on=signed_off if signed_off is not None and signed_off >= recorded else None,
        )
        yield item
        adopted = recorded >= adopts_on
        chances = {
            Audience.TRUST_BOARD: 0.9,
            Audience.STAFF: 0.7,
            Audience.FAMILY: 0.6 if adopted else 0.08,
            Audience.COLLABORATIVE: 0.55 if adopted else 0.02,
            Audience.PUBLIC: 0.1,
        }
        for audience, chance in chances.items():
            if rng.random() >= chance:
                continue
            base = item.signed_off_on if audience.needs_sign_off else recorded
            if base is None:
                continue
            on = base + dt.timedelta(days=rng.randrange(0, 60))
            if not trust.is_member_on(on):
                continue
            yield item.share(_uuid(rng, on), audience, on, _CHANNELS[audience])

    def _concern(self, rng: random.Random, trust: Trust, year: FinancialYear) -> Concern:
        raised = year.start + dt.timedelta(days=rng.randrange(0, 200))
        concern = Concern(
            id=_uuid(rng, raised),
            trust=trust.ods_code,
            raised_on=raised,
            description="Staff noticed that observation records were completed late at night.",
            action_taken="Changed the observation round to fit the night staffing pattern.",
            themes=frozenset({rng.choice(_THEME_CODES)}),
        )
        return concern.next_cycle("Test a new round on one ward for two weeks", raised)

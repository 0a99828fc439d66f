"""Deaths, the responses to them (reviews and investigations), and review scales.

Every score carries its scale's id and version. Whether a death was *more likely than not due to
problems in care* (Quality Account item 27.3, SI 2017/744) is decided by each scale's own rule,
never by comparing raw numbers across scales: the RCP avoidability scale runs 1 = definitely
avoidable, while the Hogan/PRISM scale runs 6 = definitely preventable.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from collab_core.domain._rules import (
    each,
    each_non_blank,
    in_range,
    is_type,
    non_blank,
    not_before,
    optional,
    optional_type,
    text,
    to_frozenset,
    to_tuple,
)
from collab_core.domain.calendar import FinancialYear, Quarter
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import CaseReference, OdsCode
from collab_core.domain.organisations import ScopePolicy

__all__ = [
    "DEFAULT_SCALES",
    "EXPLICIT_JUDGEMENT",
    "HOGAN_PREVENTABILITY",
    "RCPSYCH_CARE_RATING",
    "RCP_AVOIDABILITY",
    "RCP_PHASE_OF_CARE",
    "AgeBand",
    "Death",
    "DeathSetting",
    "RedFlag",
    "ResponseType",
    "Review",
    "ReviewScale",
    "ScaleRegistry",
    "ScopeReason",
    "Score",
]


class ResponseType(enum.StrEnum):
    """The ways a trust responds to a death (LfD framework, PSIRF, LeDeR, coroners)."""

    SCREENING = "screening"
    STRUCTURED_JUDGEMENT_REVIEW = "sjr"
    CARE_REVIEW_TOOL = "rcpsych_care_review_tool"
    PSII = "psii"
    AFTER_ACTION_REVIEW = "after_action_review"
    SWARM_HUDDLE = "swarm_huddle"
    MDT_REVIEW = "mdt_review"
    THEMATIC_REVIEW = "thematic_review"
    LEDER = "leder"
    PREVENTION_OF_FUTURE_DEATHS = "coroner_pfd_report"

    @property
    def counts_as_review_or_investigation(self) -> bool:
        """Whether this response counts for item 27.2 (a case record review or investigation).

        Screening only decides whether a review is needed, and a coroner's report is not the
        trust's own review, so neither counts.
        """
        return self not in {ResponseType.SCREENING, ResponseType.PREVENTION_OF_FUTURE_DEATHS}


class RedFlag(enum.StrEnum):
    """The four stage-1 red flags of the RCPsych Care Review Tool (November 2018)."""

    CONCERNS_RAISED = "concerns_raised"  # family, carers or staff raised concerns about care
    PSYCHOSIS_OR_EATING_DISORDER = "psychosis_or_eating_disorder"  # in the last episode of care
    INPATIENT_OR_RECENT_DISCHARGE = "inpatient_or_recent_discharge"  # or discharged in last month
    UNDER_CRISIS_TEAM = "under_crisis_team"  # crisis resolution and home treatment


class DeathSetting(enum.StrEnum):
    """Where the person was in relation to the trust's care when they died."""

    INPATIENT = "inpatient"
    COMMUNITY = "community"
    POST_DISCHARGE = "post_discharge"
    NOT_UNDER_CARE = "not_under_care"


class ScopeReason(enum.StrEnum):
    """Why a death is in scope under a trust's :class:`ScopePolicy`."""

    INPATIENT = "inpatient"
    COMMUNITY_CONTACT = "community_contact"
    RECENT_DISCHARGE = "recent_discharge"
    LEDER = "leder"


class AgeBand(enum.StrEnum):
    """The age split that mental health trusts may show on the dashboard (NHS England)."""

    UNDER_18 = "under_18"
    ADULT_18_64 = "18_64"
    ADULT_65_PLUS = "65_plus"

    @classmethod
    def of(cls, age: int) -> AgeBand:
        if age < 18:
            return cls.UNDER_18
        return cls.ADULT_18_64 if age <= 64 else cls.ADULT_65_PLUS


class _Direction(enum.StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NOT_APPLICABLE = "not_applicable"


def _worse_end(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value not in ("low", "high"):
        raise DomainValidationError(attr.name, "must be 'low' or 'high'", value)


@attrs.frozen
class ReviewScale:
    """A rating scale used in reviews, identified by ``id`` and ``version``.

    :param labels: the anchor label of each value from ``minimum`` to ``maximum``.
    :param problem_in_care_values: the values that mean *more likely than not due to problems in
        care*; empty when the scale does not judge that (a phase-of-care quality rating, say).
    :param worse_end: ``"low"`` when low values mean worse care or more avoidability (RCP), or
        ``"high"`` (Hogan). It documents direction; judgements use only the explicit set above.
    """

    id: str = attrs.field(validator=non_blank)
    version: int = attrs.field(validator=in_range(1, 10_000))
    name: str = attrs.field(validator=non_blank)
    minimum: int = attrs.field(validator=is_type(int))
    maximum: int = attrs.field(validator=is_type(int))
    labels: tuple[str, ...] = attrs.field(converter=to_tuple, validator=each_non_blank)
    worse_end: str = attrs.field(validator=_worse_end)
    problem_in_care_values: frozenset[int] = attrs.field(
        factory=frozenset, converter=to_frozenset, validator=each(int)
    )
    source: str = attrs.field(default="", validator=text)

    def __attrs_post_init__(self) -> None:
        if self.maximum < self.minimum:
            raise DomainValidationError("maximum", "must not be below minimum", self.maximum)
        if len(self.labels) != self.maximum - self.minimum + 1:
            raise DomainValidationError(
                "labels", "needs one label per value from minimum to maximum", len(self.labels)
            )
        stray = sorted(v for v in self.problem_in_care_values if not self.has_value(v))
        if stray:
            raise DomainValidationError(
                "problem_in_care_values", "must be values of the scale", stray
            )

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    @property
    def judges_problems_in_care(self) -> bool:
        return bool(self.problem_in_care_values)

    def has_value(self, value: int) -> bool:
        return self.minimum <= value <= self.maximum

    def label(self, value: int) -> str:
        self._check(value)
        return self.labels[value - self.minimum]

    def more_likely_than_not_problem_in_care(self, value: int) -> bool:
        """This scale's own rule for item 27.3."""
        self._check(value)
        return value in self.problem_in_care_values

    def _check(self, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not self.has_value(value):
            raise DomainValidationError(
                "value",
                f"scale {self.id} v{self.version} runs {self.minimum}-{self.maximum}",
                value,
            )


RCP_AVOIDABILITY = ReviewScale(
    id="rcp-sjr-avoidability",
    version=1,
    name="RCP SJR avoidability of death",
    minimum=1,
    maximum=6,
    labels=(
        "Definitely avoidable",
        "Strong evidence of avoidability",
        "Probably avoidable (more than 50:50)",
        "Possibly avoidable but not very likely (less than 50:50)",
        "Slight evidence of avoidability",
        "Definitely not avoidable",
    ),
    worse_end="low",
    # 1-3 are "more than 50:50"; this runs opposite to Hogan.
    problem_in_care_values={1, 2, 3},
    source="RCP National Mortality Case Record Review programme, SJR second stage",
)

HOGAN_PREVENTABILITY = ReviewScale(
    id="hogan-prism-preventability",
    version=1,
    name="Hogan/PRISM preventability",
    minimum=1,
    maximum=6,
    labels=(
        "Definitely not preventable",
        "Slight evidence for preventability",
        "Possibly preventable but not very likely (<50:50)",
        "Probably preventable (>50:50)",
        "Strong evidence for preventability",
        "Definitely preventable",
    ),
    worse_end="high",
    # Grades 4-6 mean ">50% likelihood" (Hogan et al., BMJ 2015;351:h3239).
    problem_in_care_values={4, 5, 6},
    source="Hogan et al., BMJ 2015;351:h3239, table 1",
)

RCP_PHASE_OF_CARE = ReviewScale(
    id="rcp-sjr-phase-of-care",
    version=1,
    name="RCP SJR phase-of-care rating",
    minimum=1,
    maximum=5,
    labels=("Very poor", "Poor", "Adequate", "Good", "Excellent"),
    worse_end="low",
    source="RCP mortality toolkit: five anchors; the 1-5 mapping is conventional",
)

RCPSYCH_CARE_RATING = ReviewScale(
    id="rcpsych-care-review-rating",
    version=1,
    name="RCPsych Care Review Tool stage-2 care rating",
    minimum=1,
    maximum=5,
    labels=("Very poor", "Poor", "Adequate", "Good", "Excellent"),
    worse_end="low",
    source="Royal College of Psychiatrists Care Review Tool, 2018",
)

EXPLICIT_JUDGEMENT = ReviewScale(
    id="explicit-problem-in-care-judgement",
    version=1,
    name="Explicit judgement: more likely than not due to problems in care",
    minimum=0,
    maximum=1,
    labels=("No", "Yes"),
    worse_end="high",
    problem_in_care_values={1},
    source="For investigations (e.g. PSII) that conclude without a numeric scale",
)

DEFAULT_SCALES: tuple[ReviewScale, ...] = (
    RCP_AVOIDABILITY,
    HOGAN_PREVENTABILITY,
    RCP_PHASE_OF_CARE,
    RCPSYCH_CARE_RATING,
    EXPLICIT_JUDGEMENT,
)


def _copy_scales(
    value: Mapping[tuple[str, int], ReviewScale],
) -> Mapping[tuple[str, int], ReviewScale]:
    # A private copy, so that changing the caller's dict cannot change a frozen registry.
    try:
        return dict(value)
    except (TypeError, ValueError):
        return value  # not a mapping: left for the validator to refuse


def _keyed_scales(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise DomainValidationError(attr.name, "must be a mapping of (id, version) to scale", value)
    for key, scale in value.items():
        if not isinstance(scale, ReviewScale):
            raise DomainValidationError(f"{attr.name}[{key!r}]", "must be a ReviewScale", scale)
        if key != scale.key:
            raise DomainValidationError(
                f"{attr.name}[{key!r}]", "is keyed by its scale's (id, version)", scale.key
            )


@attrs.frozen
class ScaleRegistry:
    """The review scales known to a collaborative, by ``(id, version)``; trusts may add theirs.

    Build one with :meth:`of` (or :meth:`with_scale`), which refuses two different scales that
    share an id and version; the default holds :data:`DEFAULT_SCALES`.
    """

    scales: Mapping[tuple[str, int], ReviewScale] = attrs.field(
        factory=lambda: {s.key: s for s in DEFAULT_SCALES},
        converter=_copy_scales,
        validator=_keyed_scales,
    )

    @classmethod
    def of(cls, scales: Iterable[ReviewScale]) -> ScaleRegistry:
        out: dict[tuple[str, int], ReviewScale] = {}
        for s in scales:
            if s.key in out and out[s.key] != s:
                raise DomainValidationError(
                    "scales", "two different scales share id and version", s.key
                )
            out[s.key] = s
        return cls(out)

    def with_scale(self, scale: ReviewScale) -> ScaleRegistry:
        return ScaleRegistry.of([*self.scales.values(), scale])

    def get(self, scale_id: str, version: int) -> ReviewScale:
        try:
            return self.scales[(scale_id, version)]
        except KeyError:
            raise DomainValidationError(
                "scale", "is not a known review scale id and version", f"{scale_id} v{version}"
            ) from None


@attrs.frozen
class Score:
    """One score on a named scale, optionally for a phase of care (e.g. ``"admission"``)."""

    scale_id: str = attrs.field(validator=non_blank)
    scale_version: int = attrs.field(validator=in_range(1, 10_000))
    value: int = attrs.field(validator=is_type(int))
    phase: str | None = attrs.field(default=None, validator=optional(non_blank))

    @classmethod
    def on(cls, scale: ReviewScale, value: int, phase: str | None = None) -> Score:
        """A score on ``scale``, checked against the scale's range."""
        scale.label(value)
        return cls(scale.id, scale.version, value, phase)


def _age(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        in_range(0, 130)(_inst, attr, value)


@attrs.frozen
class Death:
    """A death of a person in (or recently in) a trust's care.

    Only what the figures need is held: the date of death (for the quarter), the age in years
    (for the 18-64 / 65+ split), never a date of birth, name or NHS number.
    """

    id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    trust: OdsCode = attrs.field(validator=is_type(OdsCode))
    case_ref: CaseReference = attrs.field(validator=is_type(CaseReference))
    died_on: dt.date = attrs.field(validator=is_type(dt.date))
    setting: DeathSetting = attrs.field(validator=is_type(DeathSetting))
    age: int | None = attrs.field(default=None, validator=_age)
    last_contact_on: dt.date | None = attrs.field(default=None, validator=optional_type(dt.date))
    discharged_on: dt.date | None = attrs.field(default=None, validator=optional_type(dt.date))
    learning_disability: bool = attrs.field(default=False, validator=is_type(bool))
    autistic: bool = attrs.field(default=False, validator=is_type(bool))

    def __attrs_post_init__(self) -> None:
        if self.case_ref.trust != self.trust:
            raise DomainValidationError(
                "case_ref", "a case reference belongs to the death's own trust", sensitive=True
            )
        for name in ("last_contact_on", "discharged_on"):
            day = getattr(self, name)
            if day is not None and day > self.died_on:
                raise DomainValidationError(name, "must not be after the date of death", day)
        if self.setting is DeathSetting.POST_DISCHARGE and self.discharged_on is None:
            raise DomainValidationError(
                "discharged_on", "a post-discharge death needs the discharge date", None
            )

    @property
    def quarter(self) -> Quarter:
        """The quarter the death is attributed to: that of the death, never of its review.

        Reviews finished in a later period still count against the period of the death
        (Quality Account items 27.7-27.9, SI 2017/744).
        """
        return Quarter.of(self.died_on)

    @property
    def financial_year(self) -> FinancialYear:
        """The financial year of the death (see :attr:`quarter`)."""
        return FinancialYear.of(self.died_on)

    @property
    def age_band(self) -> AgeBand | None:
        return None if self.age is None else AgeBand.of(self.age)

    @property
    def ld_or_autism(self) -> bool:
        return self.learning_disability or self.autistic

    def scope_reasons(self, policy: ScopePolicy) -> frozenset[ScopeReason]:
        """Every reason this death is in scope under ``policy`` (empty: out of scope)."""
        reasons: set[ScopeReason] = set()
        if policy.inpatient and self.setting is DeathSetting.INPATIENT:
            reasons.add(ScopeReason.INPATIENT)
        months = policy.community_contact_months
        if (
            months is not None
            and self.last_contact_on is not None
            and self.last_contact_on >= _months_before(self.died_on, months)
        ):
            reasons.add(ScopeReason.COMMUNITY_CONTACT)
        days = policy.discharge_days
        if (
            days is not None
            and self.discharged_on is not None
            and (self.died_on - self.discharged_on).days <= days
        ):
            reasons.add(ScopeReason.RECENT_DISCHARGE)
        if policy.route_ld_autism_to_leder and self.ld_or_autism:
            reasons.add(ScopeReason.LEDER)
        return frozenset(reasons)

    def in_scope(self, policy: ScopePolicy) -> bool:
        return bool(self.scope_reasons(policy))

    def routed_to_leder(self, policy: ScopePolicy) -> bool:
        """LD and autism deaths go to LeDeR when the trust's policy says so."""
        return policy.route_ld_autism_to_leder and self.ld_or_autism


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` calendar months earlier, clamped to month end.

    31 August minus 6 months is 28 February (29 in a leap year), as with ``relativedelta``.
    A window reaching back past the first representable day starts on that day.
    """
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    if year < dt.MINYEAR:
        return dt.date.min
    following = dt.date(year + 1, 1, 1) if month0 == 11 else dt.date(year, month0 + 2, 1)
    last_day = (following - dt.timedelta(days=1)).day
    return dt.date(year, month0 + 1, min(day.day, last_day))


@attrs.frozen
class Review:
    """A review or investigation of one death.

    :param started_on: when the review began; ``completed_on`` when it finished (or ``None``).
    :param scores: scores on named scales; the 27.3 judgement is derived from them.
    :param red_flags: RCPsych Care Review Tool stage-1 red flags found at screening.
    :param signed_off_on: when the review's findings were signed off for sharing beyond the
        trust; learning from it may reach the collaborative or the public only after this.
    """

    id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    death_id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    trust: OdsCode = attrs.field(validator=is_type(OdsCode))
    response_type: ResponseType = attrs.field(validator=is_type(ResponseType))
    started_on: dt.date = attrs.field(validator=is_type(dt.date))
    completed_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("started_on")]
    )
    scores: tuple[Score, ...] = attrs.field(default=(), converter=to_tuple, validator=each(Score))
    red_flags: frozenset[RedFlag] = attrs.field(
        default=frozenset(), converter=to_frozenset, validator=each(RedFlag)
    )
    signed_off_on: dt.date | None = attrs.field(
        default=None, validator=[optional_type(dt.date), not_before("completed_on")]
    )

    def __attrs_post_init__(self) -> None:
        if self.red_flags and self.response_type not in {
            ResponseType.SCREENING,
            ResponseType.CARE_REVIEW_TOOL,
        }:
            raise DomainValidationError(
                "red_flags",
                "red flags belong to screening or the RCPsych Care Review Tool",
                sorted(self.red_flags),
            )
        known = {s.key: s for s in DEFAULT_SCALES}
        for i, score in enumerate(self.scores):
            scale = known.get((score.scale_id, score.scale_version))
            if scale is not None and not scale.has_value(score.value):
                raise DomainValidationError(
                    f"scores[{i}].value",
                    f"scale {scale.id} v{scale.version} runs {scale.minimum}-{scale.maximum}",
                    score.value,
                )
        if self.signed_off_on is not None and self.completed_on is None:
            raise DomainValidationError(
                "signed_off_on", "a review is signed off only once completed", self.signed_off_on
            )

    @property
    def is_complete(self) -> bool:
        return self.completed_on is not None

    def completed_by(self, day: dt.date) -> bool:
        return self.completed_on is not None and self.completed_on <= day

    def problem_in_care(self, scales: ScaleRegistry) -> bool:
        """More likely than not due to problems in care, by each score's own scale rule.

        Only a completed review can make that judgement.
        """
        if not self.is_complete:
            return False
        return any(
            scales.get(s.scale_id, s.scale_version).more_likely_than_not_problem_in_care(s.value)
            for s in self.scores
        )

    def check_scores(self, scales: ScaleRegistry) -> None:
        """Raise if any score names an unknown scale or lies outside its scale's range."""
        for i, s in enumerate(self.scores):
            scale = scales.get(s.scale_id, s.scale_version)
            if not scale.has_value(s.value):
                raise DomainValidationError(
                    f"scores[{i}].value",
                    f"scale {s.scale_id} v{s.scale_version} runs {scale.minimum}-{scale.maximum}",
                    s.value,
                )

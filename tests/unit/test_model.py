"""Rules that hold for the whole domain model: every class is a frozen attrs class validated at
construction, ``attrs.evolve`` re-validates, every error is a ``CollabError`` naming field and
rule, and no string field stores, nor any error echoes, an NHS number or a case reference."""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import inspect
import uuid
from typing import Any

import attrs
import pytest

from collab_core import domain
from collab_core.domain import (
    HOGAN_PREVENTABILITY,
    RCP_AVOIDABILITY,
    THREE_LS,
    Action,
    ActionStatus,
    Assessment,
    Audience,
    CandourCase,
    CandourPolicy,
    CaseReference,
    CollabError,
    Concern,
    ContactAttempt,
    Death,
    DeathSetting,
    DomainValidationError,
    FamilyInvolvement,
    FamilyQuestion,
    FamilyResponse,
    FinancialYear,
    Framework,
    ImpactAssessment,
    ImpactRating,
    JourneyStep,
    LearningItem,
    LearningJourney,
    Level,
    Member,
    MemberKind,
    Month,
    OdsCode,
    PdsaCycle,
    Quarter,
    RedFlag,
    ResponseType,
    Review,
    ReviewScale,
    ScaleRegistry,
    ScopePolicy,
    Score,
    SharingEvent,
    Site,
    SiteCode,
    SubjectArea,
    Theme,
    ThemeTaxonomy,
    Trust,
    default_taxonomy,
)
from collab_core.domain.facts import (
    CapabilityFact,
    CapabilityQuery,
    LfdFact,
    LfdQuery,
    SharingQuery,
)

TRUST = OdsCode("RH8")
DAY = dt.date(2019, 6, 3)
NHS_NUMBER = "9990000034"
WRITTEN = ("9990000034", "999 000 0034", "999-000-0034")
THEME = "continuous-learning-safety/transparency"


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


# One valid instance of every domain class, with every optional field filled in so that each
# rule has something to bite on.
SAMPLES: dict[type, Any] = {
    OdsCode: TRUST,
    SiteCode: SiteCode("RH802"),
    CaseReference: CaseReference(TRUST, "DX-1042"),
    FinancialYear: FinancialYear(2019),
    Quarter: Quarter(FinancialYear(2019), 2),
    Month: Month(2019, 6),
    ScopePolicy: ScopePolicy(),
    Trust: Trust(TRUST, "A mental health trust", DAY, DAY, local_themes={"Sexual safety"}),
    Site: Site(SiteCode("RH802"), TRUST, "Main site"),
    Member: Member(_id(1), "m.1042", MemberKind.CARER_FAMILY, TRUST, DAY, DAY),
    ReviewScale: RCP_AVOIDABILITY,
    ScaleRegistry: ScaleRegistry(),
    Score: Score.on(HOGAN_PREVENTABILITY, 4, phase="overall"),
    Death: Death(
        _id(2),
        TRUST,
        CaseReference(TRUST, "DX-1042"),
        DAY,
        DeathSetting.POST_DISCHARGE,
        age=40,
        last_contact_on=DAY,
        discharged_on=DAY,
        learning_disability=True,
        autistic=True,
    ),
    Review: Review(
        _id(3),
        _id(2),
        TRUST,
        ResponseType.CARE_REVIEW_TOOL,
        DAY,
        DAY,
        scores=[Score.on(RCP_AVOIDABILITY, 2)],
        red_flags={RedFlag.CONCERNS_RAISED},
        signed_off_on=DAY,
    ),
    ImpactAssessment: ImpactAssessment(
        DAY, ImpactRating.SOME_IMPACT, "Fewer missed calls", "calls"
    ),
    Action: Action(
        _id(4),
        "Add family calls to handover",
        "Ward manager",
        DAY,
        status=ActionStatus.COMPLETED,
        completed_on=DAY,
        impact=ImpactAssessment(DAY, ImpactRating.SOME_IMPACT, "Fewer missed calls", "calls"),
        themes={THEME},
    ),
    LearningItem: LearningItem(
        _id(5),
        TRUST,
        "Family calls",
        "Families were not called at discharge",
        DAY,
        review_ids={_id(3)},
        themes={THEME},
        signed_off_on=DAY,
    ),
    SharingEvent: SharingEvent(_id(6), _id(5), TRUST, Audience.PUBLIC, DAY, "website"),
    FamilyQuestion: FamilyQuestion(DAY, DAY),
    FamilyInvolvement: FamilyInvolvement(
        _id(2),
        TRUST,
        DAY,
        FamilyResponse.ACCEPTED,
        DAY,
        DAY,
        [FamilyQuestion(DAY, DAY)],
    ),
    CandourPolicy: CandourPolicy(),
    ContactAttempt: ContactAttempt(DAY, "telephone"),
    CandourCase: CandourCase(
        _id(7),
        TRUST,
        DAY,
        _id(2),
        True,
        DAY,
        DAY,
        True,
        DAY,
        [ContactAttempt(DAY, "telephone")],
    ),
    Level: THREE_LS.level("Live"),
    SubjectArea: SubjectArea("measurement", "Measurement for improvement"),
    Framework: THREE_LS,
    Assessment: Assessment(_id(8), _id(1), "3ls", "measurement", "Live", DAY),
    JourneyStep: JourneyStep("measurement", "Lead", DAY),
    LearningJourney: LearningJourney(
        _id(9), _id(1), "3ls", DAY, [JourneyStep("measurement", "Lead", DAY)]
    ),
    Theme: Theme("local/rh8/night-checks", "Night checks", "continuous-learning-safety", TRUST),
    ThemeTaxonomy: default_taxonomy(),
    PdsaCycle: PdsaCycle(1, "Plan", DAY, "Do", "Study", "Act", DAY),
    Concern: Concern(
        _id(10),
        TRUST,
        DAY,
        "Handover misses family calls",
        "Added to the sheet",
        [PdsaCycle(1, "Plan", DAY, "Do", "Study", "Act", DAY)],
        {THEME},
        _id(5),
    ),
    LfdQuery: LfdQuery(DAY, DAY, DAY, {TRUST: ScopePolicy()}),
    LfdFact: LfdFact(TRUST, Quarter.of(DAY), None, False, 3, 2, 1),
    SharingQuery: SharingQuery(Audience.PUBLIC, {TRUST: (DAY, DAY)}),
    CapabilityQuery: CapabilityQuery(DAY, THREE_LS, "live"),
    CapabilityFact: CapabilityFact(2, "Live", MemberKind.STAFF, TRUST, 4),
}


MODEL_MODULES = [
    "identifiers",
    "calendar",
    "organisations",
    "people",
    "deaths",
    "learning",
    "candour",
    "capability",
    "themes",
    "improvement",
    "facts",
]


def _published_classes(modules: list[Any]) -> list[type]:
    found: dict[str, type] = {}
    for module in modules:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return sorted(found.values(), key=lambda c: c.__qualname__)


def _is_value_class(cls: type) -> bool:
    """Classes that are not records: errors, enumerations and protocols."""
    return issubclass(cls, BaseException | enum.Enum) or bool(getattr(cls, "_is_protocol", False))


MODEL_CLASSES = [
    c
    for c in _published_classes(
        [importlib.import_module(f"collab_core.domain.{m}") for m in MODEL_MODULES]
    )
    if not _is_value_class(c)
]
PUBLISHED = [c for c in _published_classes([domain]) if not _is_value_class(c)]


def _fields(cls: type) -> list[str]:
    return [f.name for f in attrs.fields(cls)]


@pytest.mark.parametrize("cls", PUBLISHED, ids=lambda c: c.__qualname__)
def test_every_class_the_domain_publishes_is_a_frozen_attrs_class(cls: type) -> None:
    assert attrs.has(cls), f"{cls.__qualname__} is not an attrs class"
    # attrs.frozen refuses every assignment, whatever the instance holds.
    blank = object.__new__(cls)
    for name in _fields(cls):
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(blank, name, None)


def test_the_walk_covers_the_model_and_every_other_published_class_is_a_value_class() -> None:
    assert set(MODEL_CLASSES) - {
        LfdQuery,
        LfdFact,
        SharingQuery,
        CapabilityQuery,
        CapabilityFact,
    } <= set(PUBLISHED)
    for name in domain.__all__:
        obj = getattr(domain, name)
        if inspect.isclass(obj) and not attrs.has(obj):
            assert _is_value_class(obj), name


def test_every_model_class_has_a_sample_here() -> None:
    # A new model class must join the rules below: give it a sample.
    assert set(MODEL_CLASSES) == set(SAMPLES)


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__qualname__)
def test_a_sample_rebuilds_unchanged_and_refuses_assignment(cls: type) -> None:
    sample = SAMPLES[cls]
    assert attrs.evolve(sample) == sample
    for name in _fields(cls):
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(sample, name, getattr(sample, name))


class _Junk:
    """A value no field accepts."""

    def __repr__(self) -> str:
        return "<junk>"


@pytest.mark.parametrize(
    ("cls", "field"),
    [(cls, name) for cls in MODEL_CLASSES for name in _fields(cls)],
    ids=lambda x: x if isinstance(x, str) else x.__qualname__,
)
def test_evolving_any_field_into_nonsense_raises_a_collab_error_naming_it(
    cls: type, field: str
) -> None:
    with pytest.raises(CollabError) as err:
        attrs.evolve(SAMPLES[cls], **{field: _Junk()})
    assert isinstance(err.value, DomainValidationError)
    assert err.value.field.startswith(field)
    assert err.value.rule
    assert str(err.value).startswith(err.value.field)


# An evolve into a state that is well typed but breaks a rule of the class: attrs.evolve runs
# every validator and __attrs_post_init__ again.
RULE_BREAKING_CHANGES: dict[type, dict[str, Any]] = {
    OdsCode: {"code": "RH80"},
    SiteCode: {"code": "RH8"},
    CaseReference: {"local_id": "has space"},
    FinancialYear: {"start_year": 1900},
    Quarter: {"number": 5},
    Month: {"month": 13},
    ScopePolicy: {"discharge_days": 0},
    Trust: {"left": DAY - dt.timedelta(days=1)},
    Site: {"trust": OdsCode("RX1")},
    Member: {"joined": DAY + dt.timedelta(days=1)},
    ReviewScale: {"maximum": 5},
    ScaleRegistry: {"scales": {("x", 1): RCP_AVOIDABILITY}},
    Score: {"scale_version": 0},
    Death: {"died_on": DAY - dt.timedelta(days=1)},
    Review: {"response_type": ResponseType.PSII},
    ImpactAssessment: {"summary": " "},
    Action: {"completed_on": None},
    LearningItem: {"recorded_on": DAY + dt.timedelta(days=1)},
    SharingEvent: {"channel": ""},
    FamilyQuestion: {"asked_on": DAY + dt.timedelta(days=1)},
    FamilyInvolvement: {"response": "declined"},
    CandourPolicy: {"deadline_days": 0},
    ContactAttempt: {"method": " "},
    CandourCase: {"apology_given": False},
    Level: {"rank": 0},
    SubjectArea: {"code": ""},
    Framework: {"level_names": ("Learn", "LEARN")},
    Assessment: {"level": ""},
    JourneyStep: {"by": None},
    LearningJourney: {"planned_on": DAY + dt.timedelta(days=1)},
    Theme: {"code": "Night checks"},
    ThemeTaxonomy: {"themes": {"a": Theme("b", "B")}},
    PdsaCycle: {"ended_on": DAY - dt.timedelta(days=1)},
    Concern: {"raised_on": DAY + dt.timedelta(days=1)},
    LfdQuery: {"deaths_to": DAY - dt.timedelta(days=1)},
    LfdFact: {"judged": 3},
    SharingQuery: {"audience": "public"},
    CapabilityQuery: {"minimum_level": "Leed"},
    CapabilityFact: {"count": 0},
}


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__qualname__)
def test_evolve_re_validates_so_no_instance_breaks_its_rules(cls: type) -> None:
    changes = RULE_BREAKING_CHANGES[cls]
    with pytest.raises(DomainValidationError) as err:
        attrs.evolve(SAMPLES[cls], **changes)
    assert err.value.field
    assert err.value.rule


def _string_fields() -> list[tuple[type, str]]:
    out = []
    for cls in MODEL_CLASSES:
        for f in attrs.fields(cls):
            if isinstance(getattr(SAMPLES[cls], f.name), str):
                out.append((cls, f.name))
    return out


@pytest.mark.parametrize(
    ("cls", "field"),
    _string_fields(),
    ids=lambda x: x if isinstance(x, str) else x.__qualname__,
)
@pytest.mark.parametrize("written", WRITTEN)
def test_no_string_field_stores_an_nhs_number_and_the_error_never_echoes_it(
    cls: type, field: str, written: str
) -> None:
    for text in (written, f"Seen at clinic, ref {written}, follow up"):
        with pytest.raises(DomainValidationError) as err:
            attrs.evolve(SAMPLES[cls], **{field: text})
        assert err.value.field.startswith(field)
        for form in WRITTEN:
            assert form not in str(err.value)
            assert form not in repr(err.value.args)
        assert err.value.value is None or NHS_NUMBER not in repr(err.value.value).replace(
            " ", ""
        ).replace("-", "")


@pytest.mark.parametrize(
    "build",
    [
        lambda: CaseReference(TRUST, "DX 1042"),
        lambda: CaseReference(TRUST, "DX-1042;"),
        lambda: attrs.evolve(SAMPLES[Death], case_ref=CaseReference(OdsCode("RX1"), "DX-1042")),
    ],
)
def test_errors_about_case_references_never_show_the_reference(build: Any) -> None:
    with pytest.raises(DomainValidationError) as err:
        build()
    assert "1042" not in str(err.value)
    assert err.value.value is None


def test_a_value_holding_an_nhs_number_is_withheld_from_an_error_whatever_the_caller_said() -> None:
    err = DomainValidationError("note", "a rule", f"about {NHS_NUMBER}")
    assert NHS_NUMBER not in str(err)
    assert err.value is None
    assert err.sensitive
    assert str(err).startswith("note: a rule")
    plain = DomainValidationError("count", "must be positive", -3)
    assert (plain.value, str(plain)) == (-3, "count: must be positive (got -3)")

"""Capability frameworks: the 3 L's (Learn < Live < Lead) per member per subject area, assessments
kept as history (the latest on or before a date wins), learning journeys, and other tiered
frameworks (Improvement Academy Bronze/Silver/Gold, QSIR) expressed with the same classes."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain import (
    DEFAULT_SUBJECT_AREAS,
    THREE_LS,
    Assessment,
    AssessorKind,
    DomainValidationError,
    Framework,
    JourneyStep,
    LearningJourney,
    Level,
    SubjectArea,
    levels_on,
)

LEARN, LIVE, LEAD = (THREE_LS.level(n) for n in ("Learn", "Live", "Lead"))
IMPROVEMENT_ACADEMY = Framework(
    "ia-yh",
    "Yorkshire & Humber Improvement Academy",
    ("Bronze", "Silver", "Gold"),
    [SubjectArea("qi", "Quality improvement")],
)
QSIR = Framework(
    "qsir",
    "QSIR (NHS England)",
    ("Fundamentals", "Practitioner", "College"),
    [SubjectArea("qsir", "Quality, service improvement and redesign")],
)
MEMBERS = [uuid.UUID(int=i) for i in range(1, 4)]
SUBJECTS = ["measurement", "culture"]
days = st.dates(dt.date(2018, 1, 1), dt.date(2020, 12, 31))


def assessment(
    n: int, member: uuid.UUID, subject: str, level: str, on: dt.date, **kw: object
) -> Assessment:
    return Assessment(uuid.UUID(int=1000 + n), member, "3ls", subject, level, on, **kw)  # type: ignore[arg-type]


histories = st.lists(
    st.tuples(
        st.sampled_from(MEMBERS),
        st.sampled_from(SUBJECTS),
        st.sampled_from(["Learn", "Live", "Lead", "lead"]),
        days,
        st.sampled_from(list(AssessorKind)),
    ),
    max_size=25,
).map(
    lambda rows: [
        assessment(i, m, s, lvl, d, assessor=who) for i, (m, s, lvl, d, who) in enumerate(rows)
    ]
)


# ---------------------------------------------------------------- levels


def test_the_three_ls_are_ordered_learn_live_lead() -> None:
    assert [lvl.name for lvl in THREE_LS.levels] == ["Learn", "Live", "Lead"]
    assert LEARN < LIVE < LEAD
    assert LEAD > LIVE > LEARN
    assert LIVE <= LEAD
    assert LEAD >= LIVE
    assert max(LIVE, LEAD, LEARN) == LEAD
    assert sorted([LEAD, LEARN, LIVE]) == [LEARN, LIVE, LEAD]
    assert THREE_LS.lowest == LEARN


@given(st.sampled_from(THREE_LS.levels), st.sampled_from(THREE_LS.levels))
def test_levels_of_one_framework_order_by_rank(a: Level, b: Level) -> None:
    assert (a < b) == (a.rank < b.rank)
    assert (a <= b) == (a.rank <= b.rank)
    assert (a == b) == (a.rank == b.rank)


@pytest.mark.parametrize("framework", [IMPROVEMENT_ACADEMY, QSIR], ids=lambda f: f.id)
def test_other_tiered_frameworks_are_expressed_with_the_same_classes(framework: Framework) -> None:
    low, mid, high = framework.levels
    assert low < mid < high
    assert framework.level(high.name.upper()) == high
    a = Assessment(
        uuid.UUID(int=1),
        MEMBERS[0],
        framework.id,
        framework.subjects[0].code,
        mid.name,
        dt.date(2019, 1, 1),
    )
    held = levels_on([a], framework, dt.date(2019, 1, 1))
    assert held == {(MEMBERS[0], framework.subjects[0].code): mid}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (LEAD, IMPROVEMENT_ACADEMY.level("Bronze")),
        (IMPROVEMENT_ACADEMY.level("Gold"), QSIR.level("Fundamentals")),
        (QSIR.level("College"), LEARN),
    ],
)
def test_levels_of_different_frameworks_do_not_compare(a: Level, b: Level) -> None:
    assert a != b
    for compare in (
        lambda: a < b,
        lambda: a <= b,
        lambda: a > b,
        lambda: a >= b,
        lambda: sorted([a, b]),
    ):
        with pytest.raises(DomainValidationError) as err:
            compare()
        assert err.value.field == "level"
        assert "do not compare" in err.value.rule


def test_a_level_never_equals_another_frameworks_level_of_the_same_rank() -> None:
    assert LEARN.rank == IMPROVEMENT_ACADEMY.level("Bronze").rank
    bronze = IMPROVEMENT_ACADEMY.level("Bronze")
    assert bronze != LEARN


@pytest.mark.parametrize(
    ("level_names", "field"),
    [((), "level_names"), (("Learn", "learn"), "level_names"), (("Learn", " "), "level_names[1]")],
)
def test_a_framework_has_levels_with_distinct_names(
    level_names: tuple[str, ...], field: str
) -> None:
    with pytest.raises(DomainValidationError) as err:
        Framework("x", "X", level_names, [])
    assert err.value.field == field


def test_an_unknown_level_or_subject_is_refused_naming_the_framework() -> None:
    with pytest.raises(DomainValidationError) as err:
        THREE_LS.level("Master")
    assert "Learn, Live, Lead" in err.value.rule
    with pytest.raises(DomainValidationError) as err:
        THREE_LS.subject("astrology")
    assert err.value.field == "subject"


# ---------------------------------------------------------------- subject areas


def test_the_default_subject_areas_are_sensible_and_unique() -> None:
    codes = [s.code for s in DEFAULT_SUBJECT_AREAS]
    assert len(codes) == len(set(codes))
    # The collaborative names Model for Improvement, Measurement and Culture.
    assert {"model-for-improvement", "measurement", "culture"} <= set(codes)
    assert THREE_LS.subjects == DEFAULT_SUBJECT_AREAS


def test_the_subject_areas_are_configurable() -> None:
    local = THREE_LS.with_subjects([SubjectArea("sexual-safety", "Sexual safety QI")])
    assert local.levels == THREE_LS.levels
    assert [s.code for s in local.subjects] == ["sexual-safety"]
    with pytest.raises(DomainValidationError) as err:
        THREE_LS.with_subjects([SubjectArea("a", "A"), SubjectArea("a", "Again")])
    assert err.value.field == "subjects"


# ---------------------------------------------------------------- assessments and history


def _brute_force(history: list[Assessment], as_of: dt.date) -> dict[tuple[uuid.UUID, str], Level]:
    out: dict[tuple[uuid.UUID, str], Level] = {}
    for member, subject in itertools.product(MEMBERS, SUBJECTS):
        mine = [
            a
            for a in history
            if a.member_id == member and a.subject == subject and a.assessed_on <= as_of
        ]
        if mine:
            latest = max(mine, key=lambda a: (a.assessed_on, a.id))
            out[(member, subject)] = THREE_LS.level(latest.level)
    return out


@given(histories, days)
def test_the_latest_assessment_on_or_before_a_date_wins(
    history: list[Assessment], as_of: dt.date
) -> None:
    assert levels_on(history, THREE_LS, as_of) == _brute_force(history, as_of)


@given(histories, days, st.randoms(use_true_random=False))
def test_the_levels_held_do_not_depend_on_the_order_history_arrives_in(
    history: list[Assessment], as_of: dt.date, rnd: object
) -> None:
    shuffled = list(history)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert levels_on(shuffled, THREE_LS, as_of) == levels_on(history, THREE_LS, as_of)


def test_history_is_kept_so_earlier_dates_still_see_earlier_levels() -> None:
    m = MEMBERS[0]
    history = [
        assessment(1, m, "measurement", "Learn", dt.date(2018, 4, 1)),
        assessment(2, m, "measurement", "Live", dt.date(2018, 10, 1), assessor=AssessorKind.PEER),
        assessment(3, m, "measurement", "Lead", dt.date(2019, 4, 1), assessor=AssessorKind.FACULTY),
    ]
    assert levels_on(history, THREE_LS, dt.date(2018, 3, 31)) == {}
    assert levels_on(history, THREE_LS, dt.date(2018, 9, 30)) == {(m, "measurement"): LEARN}
    assert levels_on(history, THREE_LS, dt.date(2018, 10, 1)) == {(m, "measurement"): LIVE}
    assert levels_on(history, THREE_LS, dt.date(2019, 4, 1)) == {(m, "measurement"): LEAD}


def test_a_member_holds_a_level_per_subject() -> None:
    # The collaborative's example: Learn in Measurement but Lead in Culture.
    m = MEMBERS[0]
    history = [
        assessment(1, m, "measurement", "Learn", dt.date(2018, 4, 1)),
        assessment(2, m, "culture", "Lead", dt.date(2018, 4, 1)),
    ]
    assert levels_on(history, THREE_LS, dt.date(2018, 4, 1)) == {
        (m, "measurement"): LEARN,
        (m, "culture"): LEAD,
    }


def test_an_assessment_in_another_framework_is_left_out() -> None:
    other = Assessment(uuid.UUID(int=9), MEMBERS[0], "qsir", "qsir", "College", dt.date(2018, 1, 1))
    assert levels_on([other], THREE_LS, dt.date(2019, 1, 1)) == {}


@pytest.mark.parametrize(("subject", "level"), [("astrology", "Learn"), ("culture", "Master")])
def test_an_assessment_naming_an_unknown_subject_or_level_is_refused_wherever_it_sits(
    subject: str, level: str
) -> None:
    m = MEMBERS[0]
    bad = assessment(1, m, subject, level, dt.date(2018, 1, 1))
    good = assessment(2, m, subject, "Lead", dt.date(2018, 6, 1))
    for history in ([bad, good], [good, bad]):
        with pytest.raises(DomainValidationError):
            levels_on(history, THREE_LS, dt.date(2019, 1, 1))


def test_an_assessment_is_checked_against_its_framework() -> None:
    a = assessment(1, MEMBERS[0], "culture", "live", dt.date(2018, 1, 1))
    assert a.check_against(THREE_LS) == LIVE
    with pytest.raises(DomainValidationError) as err:
        a.check_against(QSIR)
    assert err.value.field == "framework"


# ---------------------------------------------------------------- learning journeys


def journey(*steps: JourneyStep) -> LearningJourney:
    return LearningJourney(uuid.UUID(int=60), MEMBERS[0], "3ls", dt.date(2018, 4, 1), steps)


def test_a_journey_plans_a_level_per_subject_by_a_date_and_tracks_progress() -> None:
    j = journey(
        JourneyStep("measurement", "Live", dt.date(2018, 12, 31)),
        JourneyStep("culture", "Lead", dt.date(2019, 12, 31)),
        JourneyStep("pdsa", "Learn", dt.date(2019, 12, 31)),
    )
    j.check_against(THREE_LS)
    held = {(MEMBERS[0], "measurement"): LEAD, (MEMBERS[0], "culture"): LIVE}
    assert j.progress(THREE_LS, held, dt.date(2019, 6, 1)) == {
        "measurement": "reached",
        "culture": "planned",
        "pdsa": "planned",
    }
    assert j.progress(THREE_LS, held, dt.date(2020, 1, 1)) == {
        "measurement": "reached",
        "culture": "overdue",
        "pdsa": "overdue",
    }


def test_a_journey_plans_one_level_per_subject_due_on_or_after_the_plan() -> None:
    with pytest.raises(DomainValidationError) as err:
        journey(
            JourneyStep("measurement", "Live", dt.date(2018, 12, 31)),
            JourneyStep("measurement", "Lead", dt.date(2019, 12, 31)),
        )
    assert err.value.field == "steps"
    with pytest.raises(DomainValidationError) as err:
        journey(JourneyStep("measurement", "Live", dt.date(2018, 3, 31)))
    assert err.value.field == "steps[0].by"


def test_a_journey_naming_an_unknown_subject_or_level_fails_its_check() -> None:
    for step in (
        JourneyStep("astrology", "Live", dt.date(2019, 1, 1)),
        JourneyStep("culture", "Gold", dt.date(2019, 1, 1)),
    ):
        with pytest.raises(DomainValidationError):
            journey(step).check_against(THREE_LS)


@given(st.sampled_from(THREE_LS.levels), st.sampled_from(THREE_LS.levels), days)
def test_a_step_is_reached_exactly_when_the_level_held_is_at_least_the_plan(
    held: Level, planned: Level, as_of: dt.date
) -> None:
    j = journey(JourneyStep("culture", planned.name, dt.date(2019, 6, 30)))
    status = j.progress(THREE_LS, {(MEMBERS[0], "culture"): held}, as_of)["culture"]
    if held >= planned:
        assert status == "reached"
    else:
        assert status == ("overdue" if as_of > dt.date(2019, 6, 30) else "planned")


def test_evolving_a_journey_into_an_invalid_plan_is_refused() -> None:
    j = journey(JourneyStep("culture", "Live", dt.date(2019, 1, 1)))
    with pytest.raises(DomainValidationError):
        attrs.evolve(j, planned_on=dt.date(2019, 1, 2))

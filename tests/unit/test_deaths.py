"""Deaths, the scope policy applied to them, reviews and the review scales.

"More likely than not due to problems in care" (Quality Account item 27.3, SI 2017/744) is derived
by each scale's own rule: RCP avoidability runs 1 = definitely avoidable, Hogan/PRISM runs
6 = definitely preventable, so raw numbers never compare across scales.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain import (
    DEFAULT_SCALES,
    EXPLICIT_JUDGEMENT,
    HOGAN_PREVENTABILITY,
    RCP_AVOIDABILITY,
    RCP_PHASE_OF_CARE,
    RCPSYCH_CARE_RATING,
    AgeBand,
    CaseReference,
    CollabError,
    Death,
    DeathSetting,
    DomainValidationError,
    FinancialYear,
    OdsCode,
    Quarter,
    RedFlag,
    ResponseType,
    Review,
    ReviewScale,
    ScaleRegistry,
    ScopePolicy,
    ScopeReason,
    Score,
)

TRUST = OdsCode("RH8")
CASE = CaseReference(TRUST, "DX-7781")
DIED = dt.date(2019, 8, 31)
days = st.dates(dt.date(1960, 1, 1), dt.date(2090, 12, 31))
OFF = ScopePolicy(
    inpatient=False,
    community_contact_months=None,
    discharge_days=None,
    route_ld_autism_to_leder=False,
)


def death(**changes: Any) -> Death:
    base = Death(uuid.UUID(int=7), TRUST, CASE, DIED, DeathSetting.COMMUNITY)
    return attrs.evolve(base, **changes)


def review(**changes: Any) -> Review:
    base = Review(
        uuid.UUID(int=8),
        uuid.UUID(int=7),
        TRUST,
        ResponseType.STRUCTURED_JUDGEMENT_REVIEW,
        started_on=dt.date(2019, 9, 10),
        completed_on=dt.date(2019, 10, 1),
    )
    return attrs.evolve(base, **changes)


def _days_in_month(year: int, month: int) -> int:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def contact_within_months(contact: dt.date, died: dt.date, months: int) -> bool:
    """An independent statement of 'within N calendar months before death', month ends clamped."""
    gap = (died.year * 12 + died.month) - (contact.year * 12 + contact.month)
    if gap != months:
        return gap < months
    return contact.day >= min(died.day, _days_in_month(contact.year, contact.month))


# ---------------------------------------------------------------- response types and red flags


def test_every_response_type_of_the_frameworks_is_available() -> None:
    assert {t.value for t in ResponseType} == {
        "screening",
        "sjr",
        "rcpsych_care_review_tool",
        "psii",
        "after_action_review",
        "swarm_huddle",
        "mdt_review",
        "thematic_review",
        "leder",
        "coroner_pfd_report",
    }


@pytest.mark.parametrize("response", list(ResponseType))
def test_screening_and_coroners_reports_do_not_count_as_a_review_or_investigation(
    response: ResponseType,
) -> None:
    not_reviews = {ResponseType.SCREENING, ResponseType.PREVENTION_OF_FUTURE_DEATHS}
    assert response.counts_as_review_or_investigation == (response not in not_reviews)


def test_the_care_review_tool_has_the_four_stage_one_red_flags() -> None:
    assert len(RedFlag) == 4
    assert {f.value for f in RedFlag} == {
        "concerns_raised",
        "psychosis_or_eating_disorder",
        "inpatient_or_recent_discharge",
        "under_crisis_team",
    }


@pytest.mark.parametrize("response", list(ResponseType))
def test_red_flags_are_recorded_only_at_screening_or_with_the_care_review_tool(
    response: ResponseType,
) -> None:
    flags = {RedFlag.CONCERNS_RAISED, RedFlag.UNDER_CRISIS_TEAM}
    if response in {ResponseType.SCREENING, ResponseType.CARE_REVIEW_TOOL}:
        assert review(response_type=response, red_flags=flags).red_flags == frozenset(flags)
    else:
        with pytest.raises(DomainValidationError) as err:
            review(response_type=response, red_flags=flags)
        assert err.value.field == "red_flags"


# ---------------------------------------------------------------- deaths


def test_a_death_holds_no_name_date_of_birth_or_nhs_number() -> None:
    names = {f.name for f in attrs.fields(Death)}
    assert not names & {"name", "date_of_birth", "dob", "nhs_number", "postcode", "address"}


def test_a_case_reference_of_another_trust_is_refused_without_echoing_it() -> None:
    other = CaseReference(OdsCode("RX1"), "DX-7781")
    with pytest.raises(DomainValidationError) as err:
        death(case_ref=other)
    assert err.value.field == "case_ref"
    assert "DX-7781" not in str(err.value)


@pytest.mark.parametrize("field", ["last_contact_on", "discharged_on"])
def test_contact_and_discharge_cannot_come_after_the_death(field: str) -> None:
    assert getattr(death(**{field: DIED}), field) == DIED
    with pytest.raises(DomainValidationError) as err:
        death(**{field: DIED + dt.timedelta(days=1)})
    assert err.value.field == field


def test_a_post_discharge_death_needs_its_discharge_date() -> None:
    with pytest.raises(DomainValidationError) as err:
        death(setting=DeathSetting.POST_DISCHARGE)
    assert err.value.field == "discharged_on"


@given(st.integers(0, 130))
def test_age_bands_split_adults_at_65_as_the_dashboard_allows(age: int) -> None:
    band = death(age=age).age_band
    if age < 18:
        assert band is AgeBand.UNDER_18
    elif age <= 64:
        assert band is AgeBand.ADULT_18_64
    else:
        assert band is AgeBand.ADULT_65_PLUS


@pytest.mark.parametrize("age", [-1, 131, 40.5, True, "40"])
def test_an_impossible_age_is_refused(age: object) -> None:
    with pytest.raises(DomainValidationError) as err:
        death(age=age)
    assert err.value.field == "age"


def test_a_death_of_unknown_age_has_no_age_band() -> None:
    assert death().age_band is None


@given(days, st.integers(0, 400))
def test_a_death_is_attributed_to_the_quarter_of_the_death_not_of_its_review(
    died: dt.date, review_delay: int
) -> None:
    d = death(died_on=died)
    reviewed = review(
        started_on=died, completed_on=died + dt.timedelta(days=review_delay)
    ).completed_on
    assert reviewed is not None
    assert d.quarter == Quarter.of(died)
    assert d.financial_year == FinancialYear.of(died)
    assert died in d.quarter
    if Quarter.of(reviewed) != Quarter.of(died):
        assert d.quarter != Quarter.of(reviewed)


def test_a_march_death_reviewed_in_may_stays_in_the_year_before() -> None:
    d = death(died_on=dt.date(2019, 3, 30))
    assert d.quarter == Quarter.parse("2018/19 Q4")
    assert d.financial_year == FinancialYear.parse("2018/19")


# ---------------------------------------------------------------- scope


@pytest.mark.parametrize(
    ("died", "months", "first_day_in", "last_day_out"),
    [
        # Month ends clamp: 31 August minus 6 months is 28 February (29 in a leap year).
        (dt.date(2019, 8, 31), 6, dt.date(2019, 2, 28), dt.date(2019, 2, 27)),
        (dt.date(2020, 8, 31), 6, dt.date(2020, 2, 29), dt.date(2020, 2, 28)),
        (dt.date(2019, 12, 31), 6, dt.date(2019, 6, 30), dt.date(2019, 6, 29)),
        (dt.date(2019, 3, 31), 1, dt.date(2019, 2, 28), dt.date(2019, 2, 27)),
        # Across a year end, and on an ordinary day.
        (dt.date(2019, 2, 15), 6, dt.date(2018, 8, 15), dt.date(2018, 8, 14)),
        (dt.date(2019, 1, 1), 12, dt.date(2018, 1, 1), dt.date(2017, 12, 31)),
    ],
)
def test_community_contact_within_n_months_at_month_ends(
    died: dt.date, months: int, first_day_in: dt.date, last_day_out: dt.date
) -> None:
    policy = ScopePolicy(community_contact_months=months)
    assert death(died_on=died, last_contact_on=first_day_in).in_scope(policy)
    assert not death(died_on=died, last_contact_on=last_day_out).in_scope(policy)


@given(days, st.integers(0, 800), st.integers(1, 24))
def test_community_contact_is_in_scope_exactly_within_n_calendar_months(
    died: dt.date, gap_days: int, months: int
) -> None:
    contact = died - dt.timedelta(days=gap_days)
    d = death(died_on=died, last_contact_on=contact)
    reasons = d.scope_reasons(attrs.evolve(OFF, community_contact_months=months))
    assert (ScopeReason.COMMUNITY_CONTACT in reasons) == contact_within_months(
        contact, died, months
    )


@given(days, st.integers(0, 800), st.integers(1, 24))
def test_a_longer_look_back_never_takes_a_death_out_of_scope(
    died: dt.date, gap_days: int, months: int
) -> None:
    d = death(died_on=died, last_contact_on=died - dt.timedelta(days=gap_days))
    shorter = d.in_scope(attrs.evolve(OFF, community_contact_months=months))
    longer = d.in_scope(attrs.evolve(OFF, community_contact_months=months + 1))
    assert longer or not shorter


def test_a_look_back_to_before_the_first_representable_day_does_not_fail() -> None:
    d = death(died_on=dt.date(1, 3, 1), last_contact_on=dt.date(1, 1, 1))
    assert d.in_scope(attrs.evolve(OFF, community_contact_months=6))


@given(st.integers(0, 120), st.integers(1, 90))
def test_a_death_within_n_days_of_discharge_is_in_scope(gap: int, window: int) -> None:
    d = death(setting=DeathSetting.POST_DISCHARGE, discharged_on=DIED - dt.timedelta(days=gap))
    reasons = d.scope_reasons(attrs.evolve(OFF, discharge_days=window))
    assert (ScopeReason.RECENT_DISCHARGE in reasons) == (gap <= window)


def test_each_scope_toggle_switches_only_its_own_reason() -> None:
    d = death(
        setting=DeathSetting.INPATIENT,
        last_contact_on=DIED - dt.timedelta(days=10),
        discharged_on=DIED - dt.timedelta(days=10),
        learning_disability=True,
    )
    assert d.scope_reasons(OFF) == frozenset()
    assert not d.in_scope(OFF)
    toggles: dict[str, tuple[Any, ScopeReason]] = {
        "inpatient": (True, ScopeReason.INPATIENT),
        "community_contact_months": (6, ScopeReason.COMMUNITY_CONTACT),
        "discharge_days": (30, ScopeReason.RECENT_DISCHARGE),
        "route_ld_autism_to_leder": (True, ScopeReason.LEDER),
    }
    for name, (on, reason) in toggles.items():
        assert d.scope_reasons(attrs.evolve(OFF, **{name: on})) == {reason}
    assert d.scope_reasons(ScopePolicy()) == {reason for _, reason in toggles.values()}


@pytest.mark.parametrize(
    ("learning_disability", "autistic"), [(True, False), (False, True), (True, True)]
)
def test_learning_disability_and_autism_deaths_are_routed_to_leder_when_the_policy_says_so(
    learning_disability: bool, autistic: bool
) -> None:
    d = death(
        setting=DeathSetting.NOT_UNDER_CARE,
        learning_disability=learning_disability,
        autistic=autistic,
    )
    assert d.routed_to_leder(ScopePolicy())
    assert d.scope_reasons(ScopePolicy()) == {ScopeReason.LEDER}
    assert not d.routed_to_leder(attrs.evolve(ScopePolicy(), route_ld_autism_to_leder=False))


def test_an_inpatient_death_is_out_of_scope_when_inpatient_deaths_are_switched_off() -> None:
    d = death(setting=DeathSetting.INPATIENT)
    assert d.in_scope(ScopePolicy())
    assert not d.in_scope(attrs.evolve(ScopePolicy(), inpatient=False))


# ---------------------------------------------------------------- reviews


def test_a_review_cannot_complete_before_it_starts() -> None:
    with pytest.raises(DomainValidationError) as err:
        review(completed_on=dt.date(2019, 9, 9))
    assert err.value.field == "completed_on"


def test_a_review_is_signed_off_only_once_completed_and_not_before() -> None:
    assert review(signed_off_on=dt.date(2019, 10, 1)).signed_off_on == dt.date(2019, 10, 1)
    with pytest.raises(DomainValidationError) as err:
        review(signed_off_on=dt.date(2019, 9, 30))
    assert err.value.field == "signed_off_on"
    with pytest.raises(DomainValidationError) as err:
        review(completed_on=None, signed_off_on=dt.date(2019, 10, 1))
    assert err.value.field == "signed_off_on"


@given(st.dates(dt.date(2019, 9, 10), dt.date(2020, 12, 31)), days)
def test_a_review_is_complete_by_a_day_on_or_after_its_completion(
    completed: dt.date, day: dt.date
) -> None:
    r = review(completed_on=completed)
    assert r.is_complete
    assert r.completed_by(day) == (day >= completed)
    assert not review(completed_on=None).completed_by(day)


# ---------------------------------------------------------------- scales and scores


def test_scores_carry_their_scale_id_and_version() -> None:
    score = Score.on(RCP_AVOIDABILITY, 2, phase="overall")
    assert (score.scale_id, score.scale_version) == RCP_AVOIDABILITY.key
    assert score.phase == "overall"


def test_the_phase_of_care_scale_runs_very_poor_to_excellent() -> None:
    labels = [RCP_PHASE_OF_CARE.label(v) for v in range(1, 6)]
    assert labels == ["Very poor", "Poor", "Adequate", "Good", "Excellent"]
    assert RCPSYCH_CARE_RATING.labels == RCP_PHASE_OF_CARE.labels


def test_the_two_avoidability_scales_run_in_opposite_directions() -> None:
    assert RCP_AVOIDABILITY.label(1) == "Definitely avoidable"
    assert RCP_AVOIDABILITY.label(6) == "Definitely not avoidable"
    assert HOGAN_PREVENTABILITY.label(1) == "Definitely not preventable"
    assert HOGAN_PREVENTABILITY.label(6) == "Definitely preventable"
    assert (RCP_AVOIDABILITY.worse_end, HOGAN_PREVENTABILITY.worse_end) == ("low", "high")


@pytest.mark.parametrize("value", range(1, 7))
def test_more_likely_than_not_mirrors_between_rcp_and_hogan(value: int) -> None:
    # RCP 1-3 are "more than 50:50" avoidable; Hogan 4-6 are ">50:50" preventable.
    assert RCP_AVOIDABILITY.more_likely_than_not_problem_in_care(value) == (value <= 3)
    assert HOGAN_PREVENTABILITY.more_likely_than_not_problem_in_care(value) == (value >= 4)
    assert RCP_AVOIDABILITY.more_likely_than_not_problem_in_care(
        value
    ) == HOGAN_PREVENTABILITY.more_likely_than_not_problem_in_care(7 - value)


@pytest.mark.parametrize(
    ("scale", "judged_values"),
    [
        (RCP_AVOIDABILITY, {1, 2, 3}),
        (HOGAN_PREVENTABILITY, {4, 5, 6}),
        (RCP_PHASE_OF_CARE, set()),
        (RCPSYCH_CARE_RATING, set()),
        (EXPLICIT_JUDGEMENT, {1}),
    ],
    ids=lambda s: s.id if isinstance(s, ReviewScale) else "",
)
def test_a_completed_review_is_judged_by_each_default_scales_own_rule(
    scale: ReviewScale, judged_values: set[int]
) -> None:
    registry = ScaleRegistry()
    for value in range(scale.minimum, scale.maximum + 1):
        r = review(scores=[Score.on(scale, value)])
        assert r.problem_in_care(registry) == (value in judged_values)
        assert not attrs.evolve(r, completed_on=None).problem_in_care(registry)
    assert scale.judges_problems_in_care == bool(judged_values)


def test_the_same_raw_number_means_opposite_things_on_the_two_avoidability_scales() -> None:
    registry = ScaleRegistry()
    assert not review(scores=[Score.on(RCP_AVOIDABILITY, 5)]).problem_in_care(registry)
    assert review(scores=[Score.on(HOGAN_PREVENTABILITY, 5)]).problem_in_care(registry)


def test_a_review_with_phase_scores_and_an_avoidability_score_is_judged_by_the_latter() -> None:
    scores = [
        Score.on(RCP_PHASE_OF_CARE, 1, phase="admission"),
        Score.on(RCP_PHASE_OF_CARE, 2, phase="ongoing care"),
        Score.on(RCP_AVOIDABILITY, 4),
    ]
    assert not review(scores=scores).problem_in_care(ScaleRegistry())


@pytest.mark.parametrize("scale", DEFAULT_SCALES, ids=lambda s: s.id)
def test_a_score_outside_its_scale_is_refused(scale: ReviewScale) -> None:
    for value in (scale.minimum - 1, scale.maximum + 1):
        with pytest.raises(DomainValidationError):
            Score.on(scale, value)
        with pytest.raises(DomainValidationError) as err:
            review(scores=[Score(scale.id, scale.version, value)])
        assert err.value.field == "scores[0].value"


def test_a_score_on_an_unknown_scale_is_refused_when_judged() -> None:
    r = review(scores=[Score("trust-local-scale", 1, 3)])
    with pytest.raises(DomainValidationError) as err:
        r.problem_in_care(ScaleRegistry())
    assert err.value.field == "scale"
    with pytest.raises(DomainValidationError):
        r.check_scores(ScaleRegistry())


def test_a_trust_scale_is_judged_by_its_own_rule_once_registered() -> None:
    local = ReviewScale(
        id="trust-local-scale",
        version=1,
        name="Local three-point judgement",
        minimum=1,
        maximum=3,
        labels=("No problem", "Problem, not causal", "Problem, more likely than not causal"),
        worse_end="high",
        problem_in_care_values={3},
    )
    registry = ScaleRegistry().with_scale(local)
    r = review(scores=[Score.on(local, 3)])
    r.check_scores(registry)
    assert r.problem_in_care(registry)
    with pytest.raises(DomainValidationError):
        review(scores=[Score("trust-local-scale", 1, 4)]).check_scores(registry)


def test_a_new_version_of_a_scale_lives_beside_the_old_one() -> None:
    v2 = attrs.evolve(RCP_AVOIDABILITY, version=2, problem_in_care_values={1, 2})
    registry = ScaleRegistry().with_scale(v2)
    assert registry.get(RCP_AVOIDABILITY.id, 1) == RCP_AVOIDABILITY
    assert registry.get(RCP_AVOIDABILITY.id, 2) == v2
    assert review(scores=[Score.on(RCP_AVOIDABILITY, 3)]).problem_in_care(registry)
    assert not review(scores=[Score.on(v2, 3)]).problem_in_care(registry)


def test_the_default_registry_holds_the_default_scales() -> None:
    registry = ScaleRegistry()
    assert set(registry.scales.values()) == set(DEFAULT_SCALES)
    for scale in DEFAULT_SCALES:
        assert registry.get(scale.id, scale.version) is scale


def test_two_different_scales_may_not_share_an_id_and_version() -> None:
    clash = attrs.evolve(RCP_AVOIDABILITY, problem_in_care_values={1})
    with pytest.raises(DomainValidationError) as err:
        ScaleRegistry.of([RCP_AVOIDABILITY, clash])
    assert err.value.field == "scales"
    assert ScaleRegistry.of([RCP_AVOIDABILITY, RCP_AVOIDABILITY]).scales == {
        RCP_AVOIDABILITY.key: RCP_AVOIDABILITY
    }


def test_a_registry_keeps_its_own_copy_and_checks_its_keys() -> None:
    given_scales = {RCP_AVOIDABILITY.key: RCP_AVOIDABILITY}
    registry = ScaleRegistry(given_scales)
    given_scales[HOGAN_PREVENTABILITY.key] = HOGAN_PREVENTABILITY
    assert HOGAN_PREVENTABILITY.key not in registry.scales
    with pytest.raises(DomainValidationError):
        ScaleRegistry({HOGAN_PREVENTABILITY.key: RCP_AVOIDABILITY})
    with pytest.raises(DomainValidationError):
        ScaleRegistry({RCP_AVOIDABILITY.key: "not a scale"})  # type: ignore[dict-item]
    with pytest.raises(DomainValidationError):
        ScaleRegistry([RCP_AVOIDABILITY])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {"maximum": 0},
        {"labels": ("a", "b")},
        {"labels": "abcdef"},
        {"labels": ("", "b", "c", "d", "e", "f")},
        {"problem_in_care_values": {0, 1}},
        {"problem_in_care_values": {7}},
        {"worse_end": "middle"},
        {"version": 0},
        {"id": " "},
    ],
)
def test_a_malformed_scale_is_refused_with_a_collab_error(changes: dict[str, Any]) -> None:
    with pytest.raises(CollabError):
        attrs.evolve(RCP_AVOIDABILITY, **changes)


@given(st.integers(-5, 12))
def test_a_label_is_given_only_for_values_of_the_scale(value: int) -> None:
    if RCP_AVOIDABILITY.has_value(value):
        assert RCP_AVOIDABILITY.label(value) == RCP_AVOIDABILITY.labels[value - 1]
    else:
        with pytest.raises(DomainValidationError) as err:
            RCP_AVOIDABILITY.label(value)
        assert err.value.field == "value"

"""Learning items (what was learnt, item 27.4), actions (27.5) with their impact (27.6), family
involvement (NQB, July 2018) and the sharing of learning, which reaches the collaborative or the
public only after review sign-off."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain import (
    Action,
    ActionStatus,
    Audience,
    DomainValidationError,
    FamilyInvolvement,
    FamilyQuestion,
    FamilyResponse,
    ImpactAssessment,
    ImpactRating,
    LearningItem,
    OdsCode,
    SharingEvent,
    TransitionError,
    default_taxonomy,
)

TRUST = OdsCode("RH8")
RECORDED = dt.date(2019, 11, 4)
THEME = "person-family-centred/family-and-carer-involvement-at-every-stage"
days = st.dates(dt.date(2019, 1, 1), dt.date(2021, 12, 31))


def action(**changes: Any) -> Action:
    base = Action(
        uuid.UUID(int=21),
        "Add a family contact check to the discharge checklist",
        "Ward manager, Elm ward",
        dt.date(2020, 1, 31),
    )
    return attrs.evolve(base, **changes)


def item(**changes: Any) -> LearningItem:
    base = LearningItem(
        uuid.UUID(int=20),
        TRUST,
        "Family contact at discharge",
        "The family was not told of the discharge date.",
        RECORDED,
        review_ids={uuid.UUID(int=8)},
        themes={THEME},
        actions=[action()],
    )
    return attrs.evolve(base, **changes)


def involvement(**changes: Any) -> FamilyInvolvement:
    return attrs.evolve(FamilyInvolvement(uuid.UUID(int=7), TRUST), **changes)


# ---------------------------------------------------------------- learning items and actions


def test_a_learning_item_says_what_was_learnt_links_reviews_and_carries_actions() -> None:
    i = item()
    assert i.review_ids == {uuid.UUID(int=8)}
    assert i.actions == (action(),)
    default_taxonomy().check_tags("themes", i.themes)


def test_an_action_has_a_description_an_owner_role_a_due_date_a_status_and_an_impact() -> None:
    a = action(
        status=ActionStatus.COMPLETED,
        completed_on=dt.date(2020, 1, 20),
        impact=ImpactAssessment(
            dt.date(2020, 6, 1), ImpactRating.SOME_IMPACT, "Families now hear of discharge."
        ),
    )
    assert a.owner_role == "Ward manager, Elm ward"
    assert a.impact is not None
    assert a.impact.rating is ImpactRating.SOME_IMPACT


@given(st.sampled_from(list(ActionStatus)), st.one_of(st.none(), days))
def test_an_action_has_a_completion_date_exactly_when_it_is_completed(
    status: ActionStatus, completed_on: dt.date | None
) -> None:
    if (status is ActionStatus.COMPLETED) == (completed_on is not None):
        assert action(status=status, completed_on=completed_on).status is status
    else:
        with pytest.raises(DomainValidationError) as err:
            action(status=status, completed_on=completed_on)
        assert err.value.field == "completed_on"


def test_the_impact_of_a_completed_action_is_assessed_after_completion() -> None:
    impact = ImpactAssessment(dt.date(2020, 1, 1), ImpactRating.NOT_YET_KNOWN, "Too early.")
    with pytest.raises(DomainValidationError) as err:
        action(status=ActionStatus.COMPLETED, completed_on=dt.date(2020, 1, 2), impact=impact)
    assert err.value.field == "impact.assessed_on"


@given(days, days)
def test_an_open_action_past_its_due_date_is_overdue(due: dt.date, as_of: dt.date) -> None:
    for status in ActionStatus:
        completed_on = due if status is ActionStatus.COMPLETED else None
        a = action(due_on=due, status=status, completed_on=completed_on)
        assert a.is_overdue(as_of) == (status.is_open and as_of > due)


def test_only_an_open_action_can_be_completed() -> None:
    done = action().complete(dt.date(2020, 1, 10))
    assert (done.status, done.completed_on) == (ActionStatus.COMPLETED, dt.date(2020, 1, 10))
    with pytest.raises(TransitionError):
        done.complete(dt.date(2020, 1, 11))
    with pytest.raises(TransitionError):
        action(status=ActionStatus.CANCELLED).complete(dt.date(2020, 1, 11))


def test_action_ids_are_unique_within_a_learning_item() -> None:
    with pytest.raises(DomainValidationError) as err:
        item().with_action(action(description="A second action with the same id"))
    assert err.value.field == "actions"
    assert len(item().with_action(action(id=uuid.UUID(int=22))).actions) == 2


@pytest.mark.parametrize(
    "themes", [{"Family as care givers"}, {""}, {"9990000018"}, {"person family centred"}]
)
def test_items_actions_and_concerns_are_tagged_with_theme_codes_not_free_words(
    themes: set[str],
) -> None:
    with pytest.raises(DomainValidationError) as err:
        item(themes=themes)
    assert err.value.field == "themes"
    assert "9990000018" not in str(err.value)
    with pytest.raises(DomainValidationError):
        action(themes=themes)


def test_a_learning_item_is_signed_off_once_on_or_after_it_was_recorded() -> None:
    signed = item().sign_off(RECORDED)
    assert signed.is_signed_off_by(RECORDED)
    assert not signed.is_signed_off_by(RECORDED - dt.timedelta(days=1))
    with pytest.raises(TransitionError):
        signed.sign_off(RECORDED + dt.timedelta(days=1))
    with pytest.raises(DomainValidationError) as err:
        item().sign_off(RECORDED - dt.timedelta(days=1))
    assert err.value.field == "signed_off_on"


# ---------------------------------------------------------------- sharing


@given(st.sampled_from(list(Audience)), days, st.one_of(st.none(), days))
def test_learning_reaches_the_collaborative_or_public_only_after_sign_off(
    audience: Audience, shared_on: dt.date, signed_off_on: dt.date | None
) -> None:
    i = item(recorded_on=dt.date(2019, 1, 1), signed_off_on=signed_off_on)
    signed_by_then = signed_off_on is not None and signed_off_on <= shared_on
    allowed = signed_by_then or audience not in {Audience.COLLABORATIVE, Audience.PUBLIC}
    if allowed:
        event = i.share(uuid.UUID(int=30), audience, shared_on, "learning event")
        assert (event.audience, event.shared_on, event.channel) == (
            audience,
            shared_on,
            "learning event",
        )
    else:
        with pytest.raises(TransitionError) as err:
            i.share(uuid.UUID(int=30), audience, shared_on, "learning event")
        assert err.value.field == "audience"
        assert "sign-off" in err.value.rule


def test_the_audiences_are_family_board_staff_collaborative_and_public() -> None:
    assert {a.value for a in Audience} == {
        "family",
        "trust_board",
        "staff",
        "collaborative",
        "public",
    }
    assert {a for a in Audience if a.needs_sign_off} == {Audience.COLLABORATIVE, Audience.PUBLIC}


def test_a_sharing_event_is_checked_against_the_item_it_shares() -> None:
    i = item(signed_off_on=RECORDED)
    event = SharingEvent(uuid.UUID(int=30), i.id, TRUST, Audience.PUBLIC, RECORDED, "website")
    event.check_allowed(i)
    with pytest.raises(DomainValidationError) as err:
        attrs.evolve(event, learning_item_id=uuid.UUID(int=99)).check_allowed(i)
    assert err.value.field == "learning_item_id"
    with pytest.raises(DomainValidationError) as err:
        attrs.evolve(event, trust=OdsCode("RX1")).check_allowed(i)
    assert err.value.field == "trust"
    with pytest.raises(DomainValidationError) as err:
        attrs.evolve(
            event, audience=Audience.STAFF, shared_on=RECORDED - dt.timedelta(days=1)
        ).check_allowed(i)
    assert err.value.field == "shared_on"


def test_a_sharing_channel_is_described_and_carries_no_identifier() -> None:
    with pytest.raises(DomainValidationError):
        item().share(uuid.UUID(int=30), Audience.FAMILY, RECORDED, " ")
    with pytest.raises(DomainValidationError) as err:
        item().share(uuid.UUID(int=30), Audience.FAMILY, RECORDED, "letter re 999-000-0034")
    assert "999-000-0034" not in str(err.value)


# ---------------------------------------------------------------- family involvement


def test_involvement_is_offered_accepted_contributed_and_questions_answered() -> None:
    f = (
        involvement()
        .offer(dt.date(2019, 9, 1))
        .accept(dt.date(2019, 9, 3))
        .contribute(dt.date(2019, 9, 20))
        .ask(dt.date(2019, 9, 20))
        .ask(dt.date(2019, 9, 21))
    )
    assert f.response is FamilyResponse.ACCEPTED
    assert not f.all_questions_answered
    f = f.answer(0, dt.date(2019, 10, 1)).answer(1, dt.date(2019, 10, 1))
    assert f.all_questions_answered
    assert [q.answered_on for q in f.questions] == [dt.date(2019, 10, 1)] * 2


def test_a_family_may_decline_and_then_does_not_contribute() -> None:
    declined = involvement().offer(dt.date(2019, 9, 1)).decline(dt.date(2019, 9, 2))
    assert declined.response is FamilyResponse.DECLINED
    with pytest.raises(TransitionError) as err:
        declined.contribute(dt.date(2019, 9, 3))
    assert err.value.field == "contributed_on"


def test_involvement_is_offered_before_the_family_responds() -> None:
    with pytest.raises(TransitionError) as err:
        involvement().accept(dt.date(2019, 9, 3))
    assert err.value.field == "response"
    with pytest.raises(TransitionError):
        involvement(response=FamilyResponse.DECLINED, responded_on=dt.date(2019, 9, 3))


def test_each_step_of_involvement_is_taken_once() -> None:
    offered = involvement().offer(dt.date(2019, 9, 1))
    with pytest.raises(TransitionError):
        offered.offer(dt.date(2019, 9, 2))
    accepted = offered.accept(dt.date(2019, 9, 2))
    with pytest.raises(TransitionError):
        accepted.decline(dt.date(2019, 9, 3))
    contributed = accepted.contribute(dt.date(2019, 9, 4))
    with pytest.raises(TransitionError):
        contributed.contribute(dt.date(2019, 9, 5))
    asked = contributed.ask(dt.date(2019, 9, 5)).answer(0, dt.date(2019, 9, 6))
    with pytest.raises(TransitionError):
        asked.answer(0, dt.date(2019, 9, 7))
    with pytest.raises(DomainValidationError) as err:
        asked.answer(1, dt.date(2019, 9, 7))
    assert err.value.field == "index"


@given(days, days, days)
def test_involvement_dates_follow_offer_response_contribution_order(
    offered: dt.date, responded: dt.date, contributed: dt.date
) -> None:
    ordered = offered <= responded <= contributed
    if ordered:
        f = involvement().offer(offered).accept(responded).contribute(contributed)
        assert f.contributed_on == contributed
    else:
        with pytest.raises(DomainValidationError):
            involvement().offer(offered).accept(responded).contribute(contributed)


def test_the_response_and_its_date_are_recorded_together() -> None:
    with pytest.raises(DomainValidationError) as err:
        involvement(offered_on=dt.date(2019, 9, 1), response=FamilyResponse.ACCEPTED)
    assert err.value.field == "responded_on"
    with pytest.raises(DomainValidationError):
        involvement(offered_on=dt.date(2019, 9, 1), responded_on=dt.date(2019, 9, 2))


def test_a_question_is_answered_on_or_after_it_was_asked() -> None:
    with pytest.raises(DomainValidationError) as err:
        FamilyQuestion(dt.date(2019, 9, 5), answered_on=dt.date(2019, 9, 4))
    assert err.value.field == "answered_on"

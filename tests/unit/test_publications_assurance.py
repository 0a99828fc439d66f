"""The assurance publication: Duty of Candour compliance and overdue actions per trust, exactly
as the store's figures say, controlled for the audience like every other kind."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_core import (
    Action,
    ActionStatus,
    AssuranceBody,
    Audience,
    CandourCase,
    Collaborative,
    ConfigurationError,
    Count,
    FinancialYear,
    LearningItem,
    OdsCode,
    Share,
    Trust,
)
from collab_core.domain.disclosure import counts_in
from collab_core.publications import ActionsLine, CandourLine
from collab_core.synthetic import SyntheticCollaborative

RH8, RV5 = OdsCode("RH8"), OdsCode("RV5")
Y2018 = FinancialYear(2018)
AS_OF = dt.date(2019, 6, 30)
AT = dt.datetime(2019, 7, 1, tzinfo=dt.UTC)


def _case(trust: OdsCode, reported: dt.date, notified: dt.date | None) -> CandourCase:
    case = CandourCase(uuid.uuid4(), trust, reported).decide(True, reported)
    return case if notified is None else case.notify_in_person(notified, apology=True)


def _item(trust: OdsCode, *actions: tuple[dt.date, ActionStatus]) -> LearningItem:
    return LearningItem(
        uuid.uuid4(),
        trust,
        "Follow-up after discharge",
        "What the review found.",
        dt.date(2018, 6, 1),
        actions=tuple(
            Action(
                uuid.uuid4(),
                "Call within 72 hours",
                "Ward manager",
                due,
                status,
                dt.date(2018, 12, 1) if status is ActionStatus.COMPLETED else None,
            )
            for due, status in actions
        ),
        signed_off_on=dt.date(2018, 6, 1),
    )


@pytest.fixture
def collab() -> Iterator[Collaborative]:
    with Collaborative.open(load_entry_points=False, environ={}) as opened:
        opened.record(
            [
                Trust(RH8, "Southern Health NHS Foundation Trust", dt.date(2017, 4, 1)),
                Trust(RV5, "South London and Maudsley NHS Foundation Trust", dt.date(2017, 4, 1)),
            ]
        )
        yield opened


def test_assurance_counts_candour_and_overdue_actions_per_trust(collab: Collaborative) -> None:
    collab.record(
        [
            _case(RH8, dt.date(2018, 5, 1), dt.date(2018, 5, 3)),  # met
            _case(RH8, dt.date(2018, 5, 1), dt.date(2018, 7, 1)),  # late
            _case(RV5, dt.date(2018, 5, 1), None),  # overdue
            _item(
                RH8,
                (dt.date(2018, 9, 1), ActionStatus.IN_PROGRESS),  # overdue on 31 March 2019
                (dt.date(2019, 9, 1), ActionStatus.PLANNED),  # open, not yet due
                (dt.date(2018, 9, 1), ActionStatus.COMPLETED),  # closed
            ),
        ]
    )
    built = collab.publication("assurance", Audience.TRUST_BOARD, Y2018, as_of=AS_OF, created_at=AT)
    assert built.title == "Assurance, 2018/19"
    body = built.body
    assert isinstance(body, AssuranceBody)
    assert [t.code for t in body.trusts] == [RH8, RV5]
    assert body.actions_on == Y2018.end
    rh8, rv5 = body.candour
    assert rh8 == CandourLine(RH8, Count(2), Count(1), Count(1), Count(0), Count(0), Share.of(1, 2))
    assert rv5 == CandourLine(RV5, Count(1), Count(0), Count(0), Count(1), Count(0), Share.of(0, 1))
    assert body.candour_overall.due == Count(3)
    assert body.candour_overall.met_share == Share.of(1, 3)
    assert body.actions == (
        ActionsLine(RH8, Count(2), Count(1), Share.of(1, 2)),
        ActionsLine(RV5, Count(0), Count(0), Share.of(0, 0)),
    )
    assert body.actions_overall == ActionsLine(None, Count(2), Count(1), Share.of(1, 2))
    one = collab.publication(
        "assurance", Audience.STAFF, Y2018, as_of=AS_OF, created_at=AT, trust="RV5"
    ).body
    assert isinstance(one, AssuranceBody)
    assert [line.trust for line in one.candour] == [RV5]
    assert one.candour_overall == CandourLine(
        None, Count(1), Count(0), Count(0), Count(1), Count(0), Share.of(0, 1)
    )


def test_assurance_for_the_public_suppresses_small_counts(collab: Collaborative) -> None:
    collab.record([_case(RH8, dt.date(2018, 5, 1), dt.date(2018, 5, 3))])
    public = collab.publication("assurance", Audience.PUBLIC, Y2018, as_of=AS_OF, created_at=AT)
    checked = collab.privacy_gate.check(public)
    assert isinstance(checked.body, AssuranceBody)
    assert checked.body.candour[0].due.is_suppressed
    assert all(c.value is None or c.value == 0 or c.value >= 8 for c in counts_in(checked.body))


def test_assurance_refuses_an_option_it_does_not_take(collab: Collaborative) -> None:
    with pytest.raises(ConfigurationError, match="measure"):
        collab.publication("assurance", Audience.STAFF, Y2018, measure="x")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.sampled_from([Audience.TRUST_BOARD, Audience.STAFF]))
def test_assurance_is_the_candour_and_actions_figures_of_the_store(
    seed: int, audience: Audience
) -> None:
    synthetic = SyntheticCollaborative(seed=seed, trusts=3, years=2, deaths_per_trust_year=20)
    year = synthetic.financial_years[-1]
    as_of = year.end + dt.timedelta(days=60)
    with Collaborative.open(load_entry_points=False, environ={}) as collab:
        for batch in synthetic.batches():
            collab.record(batch.records)  # type: ignore[arg-type]
        body = collab.publication("assurance", audience, year, as_of=as_of).body
        assert isinstance(body, AssuranceBody)
        candour = collab.candour_compliance(year, as_of)
        actions = collab.overdue_actions(year.end)
    assert [line.trust for line in body.candour] == [row.trust for row in candour.trusts]
    for line, row in zip(body.candour, candour.trusts, strict=True):
        assert (line.due.value, line.met.value, line.late.value) == (row.due, row.met, row.late)
        assert (line.overdue.value, line.pending.value) == (len(row.overdue), row.pending)
        assert line.met_share.value == row.proportion
    assert body.candour_overall.due.value == candour.overall.due
    assert body.candour_overall.met_share.value == candour.overall.proportion
    for a_line, a_row in zip(body.actions, actions.trusts, strict=True):
        assert (a_line.trust, a_line.open.value) == (a_row.trust, a_row.open)
        assert a_line.overdue.value == a_row.overdue_count
    assert body.actions_overall.open.value == actions.open
    assert body.actions_overall.overdue.value == actions.overdue

"""Properties of Duty of Candour compliance and overdue actions: every counted case is met, late,
overdue or pending; trusts add up to the whole; the input order does not matter."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from collab_core import (
    Action,
    ActionStatus,
    CandourCase,
    CandourPolicy,
    LearningItem,
    OdsCode,
    Quarter,
    Trust,
    UnreachableReason,
    candour_compliance,
    overdue_actions,
)

FIRST, LAST = dt.date(2018, 1, 1), dt.date(2019, 6, 30)
CODES = [OdsCode(c) for c in ("RW1", "RX2", "RY3")]
days = st.dates(FIRST, LAST)
gaps = st.integers(0, 40).map(lambda n: dt.timedelta(days=n))
policies = st.builds(CandourPolicy, st.integers(1, 20), st.booleans())


@st.composite
def trusts(draw: st.DrawFn) -> list[Trust]:
    chosen = draw(st.lists(st.sampled_from(CODES), unique=True))
    out = []
    for code in chosen:
        joined = draw(st.dates(FIRST - dt.timedelta(days=100), LAST))
        out.append(Trust(code, "Trust", joined, draw(st.none() | st.dates(joined, LAST))))
    return out


@st.composite
def cases(draw: st.DrawFn) -> CandourCase:
    case = CandourCase(draw(st.uuids()), draw(st.sampled_from(CODES)), draw(days))
    steps = draw(st.integers(0, 3))
    if steps == 0:
        return case
    on = case.reported_on + draw(gaps)
    case = case.decide(draw(st.booleans()), on)
    if steps == 1 or case.notifiable is not True:
        return case
    on += draw(gaps)
    if steps == 2:
        return case.notify_in_person(on, apology=True)
    case = case.record_attempt(on, "letter")
    return case.close_unreachable(UnreachableReason.CANNOT_BE_CONTACTED, on + draw(gaps))


quarters = days.map(Quarter.of)


@given(trusts(), st.lists(cases(), max_size=20), quarters, days, policies)
def test_every_counted_case_is_met_late_overdue_or_pending(
    members: list[Trust],
    reported: list[CandourCase],
    period: Quarter,
    as_of: dt.date,
    policy: CandourPolicy,
) -> None:
    result = candour_compliance(members, reported, period, as_of, policy)
    by_code = {t.ods_code: t for t in members}
    counted = [
        c
        for c in reported
        if c.trust in by_code
        and by_code[c.trust].was_member_during(period)
        and c.reported_on in period
        and by_code[c.trust].is_member_on(c.reported_on)
        and c.reported_on <= as_of
        and c.notifiable is True
        and c.decided_on is not None
        and c.decided_on <= as_of
    ]
    total = result.overall
    assert total.met + total.late + len(total.overdue) + total.pending == len(counted)
    assert total.due == total.met + total.late + len(total.overdue)
    assert set(total.overdue) <= {c.id for c in counted}
    if total.proportion is not None:
        assert 0 <= total.proportion <= 1
    for name in ("due", "met", "late", "pending"):
        assert getattr(total, name) == sum(getattr(r, name) for r in result.trusts)


@given(trusts(), st.lists(cases(), max_size=20), quarters, days, st.data())
def test_the_order_of_the_cases_does_not_change_compliance(
    members: list[Trust],
    reported: list[CandourCase],
    period: Quarter,
    as_of: dt.date,
    data: st.DataObject,
) -> None:
    shuffled = data.draw(st.permutations(reported))
    assert candour_compliance(members, shuffled, period, as_of) == candour_compliance(
        members, reported, period, as_of
    )


@given(trusts(), st.lists(cases(), max_size=20), quarters, days)
def test_an_overdue_case_is_one_still_open_past_its_deadline(
    members: list[Trust], reported: list[CandourCase], period: Quarter, as_of: dt.date
) -> None:
    policy = CandourPolicy()
    by_id = {c.id: c for c in reported}
    result = candour_compliance(members, reported, period, as_of, policy)
    for case_id in result.overall.overdue:
        case = by_id[case_id]
        assert case.deadline(policy) < as_of
        done = case.notified_on or case.closed_on
        assert done is None or done > as_of


@st.composite
def actions(draw: st.DrawFn) -> Action:
    status = draw(st.sampled_from(list(ActionStatus)))
    due = draw(days)
    done = draw(days) if status is ActionStatus.COMPLETED else None
    return Action(draw(st.uuids()), "Audit handovers", "Ward manager", due, status, done)


@st.composite
def items(draw: st.DrawFn) -> LearningItem:
    return LearningItem(
        id=draw(st.uuids()),
        trust=draw(st.sampled_from(CODES)),
        title="Handover",
        what_was_learnt="Risk information was lost at handover",
        recorded_on=draw(days),
        actions=draw(st.lists(actions(), max_size=4, unique_by=lambda a: a.id)),
    )


@given(trusts(), st.lists(items(), max_size=10), days)
def test_overdue_actions_are_open_actions_past_their_due_day(
    members: list[Trust], recorded: list[LearningItem], as_of: dt.date
) -> None:
    result = overdue_actions(members, recorded, as_of)
    assert [r.trust for r in result.trusts] == sorted(
        t.ods_code for t in members if t.is_member_on(as_of)
    )
    actions_by_id = {a.id: a for i in recorded for a in i.actions}
    for row in result.trusts:
        assert row.overdue_count <= row.open
        assert list(row.overdue) == sorted(row.overdue)
        for late in row.overdue:
            action = actions_by_id[late.action_id]
            assert action.due_on < as_of
            assert action.status is not ActionStatus.CANCELLED
            assert action.completed_on is None or action.completed_on > as_of
            assert late.days_overdue == (as_of - action.due_on).days


@given(trusts(), st.lists(items(), max_size=10), days, days)
def test_an_overdue_action_stays_overdue_until_it_is_closed(
    members: list[Trust], recorded: list[LearningItem], first: dt.date, second: dt.date
) -> None:
    early, late = sorted((first, second))
    before, after = (
        overdue_actions(members, recorded, early),
        overdue_actions(members, recorded, late),
    )
    actions_by_id = {a.id: a for i in recorded for a in i.actions}
    for row in before.trusts:
        later = after.row(row.trust)
        if later is None:  # the trust left between the two days
            continue
        still = {o.action_id for o in later.overdue}
        for o in row.overdue:
            action = actions_by_id[o.action_id]
            closed = action.completed_on is not None and action.completed_on <= late
            assert closed or o.action_id in still

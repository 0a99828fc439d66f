"""The capability census facts computed in SQL agree with the pure reference on random data,
on both engines, including the errors the reference raises."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_core import (
    THREE_LS,
    Assessment,
    CollabError,
    DomainValidationError,
    Framework,
    Member,
    MemberKind,
    OdsCode,
    SubjectArea,
    new_id,
)
from collab_core.ports import CapabilityQuery, capability_facts
from collab_core.testing import strategies as cs
from collab_sql import SqlStore
from collab_sql.schema import RECORD_TABLES

DB_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: A framework whose level names fold differently under str.casefold() and SQL's lower().
GERMAN = Framework(
    "qi-de",
    "Verbesserung",
    ["Grundlage", "Praxis", "Führung", "Maß"],
    [SubjectArea("messen", "Messen"), SubjectArea("straße", "Straße")],
)
TRUSTS = [OdsCode(c) for c in ("RH8", "RX2", "RV5")]


def _empty(store: SqlStore) -> None:
    with store.engine.begin() as conn:
        for kind in ("assessment", "member"):
            conn.execute(sa.delete(RECORD_TABLES[kind]))


def _spellings(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.upper(), name.lower(), name.casefold()])


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Member], list[Assessment], CapabilityQuery]:
    framework = draw(st.sampled_from([THREE_LS, GERMAN]))
    members = draw(
        st.lists(
            st.one_of(cs.members(trust=None), *(cs.members(trust=t) for t in TRUSTS)),
            max_size=8,
            unique_by=lambda m: m.id,
        )
    )
    assessments: list[Assessment] = []
    for member in members:
        for _ in range(draw(st.integers(0, 4))):
            level = draw(st.sampled_from(framework.level_names).flatmap(_spellings))
            subject = draw(st.sampled_from([s.code for s in framework.subjects]))
            assessments.append(
                Assessment(
                    draw(st.uuids()),
                    member.id,
                    framework.id,
                    subject,
                    level,
                    draw(cs.days()),
                )
            )
    if assessments and draw(st.booleans()):
        # Another assessment of the same member and subject on the same day.
        twin = draw(st.sampled_from(assessments))
        level = draw(st.sampled_from(framework.level_names))
        assessments.append(attrs.evolve(twin, id=draw(st.uuids()), level=level))
    # Assessments of another framework, and of no stored member.
    assessments.extend(draw(st.lists(cs.assessments(), max_size=2)))
    if draw(st.integers(0, 4)) == 0 and members:
        # One the framework cannot read: the reference raises if it is dated by the day.
        bad = draw(st.sampled_from(["Leed", "learn ", "Expert"]))
        subject = framework.subjects[0].code
        assessments.append(
            Assessment(draw(st.uuids()), members[0].id, framework.id, subject, bad, draw(cs.days()))
        )
    minimum = draw(st.sampled_from(framework.level_names).flatmap(_spellings))
    return members, assessments, CapabilityQuery(draw(cs.days()), framework, minimum)


@DB_SETTINGS
@given(scenario=scenarios())
def test_capability_facts_in_sql_equal_the_reference_or_fail_as_it_does(
    store: SqlStore, scenario: tuple[list[Member], list[Assessment], CapabilityQuery]
) -> None:
    members, assessments, query = scenario
    _empty(store)
    with store.unit_of_work() as unit:
        unit.put([*members, *assessments])
    try:
        expected = capability_facts(members, assessments, query)
    except DomainValidationError as error:
        refused = error
    else:
        assert store.capability_facts(query) == expected
        return
    with pytest.raises(DomainValidationError) as native:
        store.capability_facts(query)
    assert (native.value.field, native.value.rule) == (refused.field, refused.rule)


def test_a_level_spelled_as_casefold_spells_it_counts_where_sql_lower_would_not(
    store: SqlStore,
) -> None:
    member = Member(new_id(), "m-1", MemberKind.STAFF, OdsCode("RH8"), dt.date(2018, 1, 1))
    # "MASS" folds to "mass" like "Maß" does; SQL's lower() gives "mass" and "maß".
    assessment = Assessment(new_id(), member.id, "qi-de", "straße", "MASS", dt.date(2018, 2, 1))
    with store.unit_of_work() as unit:
        unit.put([member, assessment])
    query = CapabilityQuery(dt.date(2018, 3, 1), GERMAN)
    facts = store.capability_facts(query)
    assert facts == capability_facts([member], [assessment], query)
    assert [(f.level, f.count) for f in facts] == [("Maß", 1)]


def test_an_unreadable_assessment_fails_only_once_the_census_day_reaches_it(
    store: SqlStore,
) -> None:
    member = Member(new_id(), "m-2", MemberKind.CARER_FAMILY, None, dt.date(2018, 1, 1))
    good = Assessment(new_id(), member.id, "3ls", "measurement", "Live", dt.date(2018, 2, 1))
    bad = Assessment(new_id(), member.id, "3ls", "measurement", "Leed", dt.date(2018, 6, 1))
    with store.unit_of_work() as unit:
        unit.put([member, good, bad])
    before = CapabilityQuery(dt.date(2018, 5, 31), THREE_LS)
    assert [(f.level, f.trust, f.count) for f in store.capability_facts(before)] == [
        ("Live", None, 1)
    ]
    with pytest.raises(DomainValidationError) as error:
        store.capability_facts(CapabilityQuery(dt.date(2018, 6, 1), THREE_LS))
    assert error.value.field == "level"
    assert isinstance(error.value, CollabError)


def test_a_member_counts_on_the_day_they_leave_and_not_after(store: SqlStore) -> None:
    member = Member(
        new_id(),
        "m-3",
        MemberKind.LIVED_EXPERIENCE,
        OdsCode("RX2"),
        dt.date(2018, 1, 1),
        dt.date(2018, 9, 30),
    )
    lead = Assessment(new_id(), member.id, "3ls", "pdsa", "lead", dt.date(2018, 1, 1))
    with store.unit_of_work() as unit:
        unit.put([member, lead])
    for on, counted in (
        (dt.date(2018, 1, 1), 1),
        (dt.date(2018, 9, 30), 1),
        (dt.date(2018, 10, 1), 0),
    ):
        query = CapabilityQuery(on, THREE_LS, "Lead")
        facts = store.capability_facts(query)
        assert facts == capability_facts([member], [lead], query)
        assert sum(f.count for f in facts) == counted

"""Native aggregates (Capability.NATIVE_AGGREGATES, NATIVE_CAPABILITY_FACTS) agree with the
reference functions."""

from __future__ import annotations

import datetime as dt
import uuid

import attrs
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain.capability import THREE_LS, Assessment
from collab_core.domain.deaths import (
    DEFAULT_SCALES,
    Death,
    ResponseType,
    Review,
    Score,
)
from collab_core.domain.facts import (
    CapabilityQuery,
    LfdQuery,
    SharingQuery,
    capability_facts,
    lfd_facts,
    sharing_trusts,
)
from collab_core.domain.learning import Audience, SharingEvent
from collab_core.domain.organisations import ScopePolicy
from collab_core.domain.people import Member
from collab_core.ports import Capability, NativeCapabilityFacts, Store
from collab_core.testing import _records as recs
from collab_core.testing import strategies as cs
from collab_core.testing.conformance._support import (
    KitBase,
    _everything,
    _put,
    requires,
)


class AggregateTests(KitBase):
    """Native aggregates (Capability.NATIVE_AGGREGATES) agree with the reference functions."""

    # -- native aggregates ---------------------------------------------------------------------

    def test_native_lfd_facts_agree_with_the_reference(self, store: Store) -> None:
        requires(store, Capability.NATIVE_AGGREGATES)

        @self._settings()
        @given(scenario=_lfd_scenarios())
        def agree(scenario: tuple[list[Death], list[Review], LfdQuery]) -> None:
            deaths, reviews, query = scenario
            _put(store, [*deaths, *reviews])
            everything = _everything(store)
            expected = lfd_facts(
                (v.record for v in everything["death"]),
                (v.record for v in everything["review"]),
                query,
            )
            assert store.lfd_facts(query) == expected

        agree()

    def test_native_sharing_trusts_agree_with_the_reference(self, store: Store) -> None:
        requires(store, Capability.NATIVE_AGGREGATES)

        @self._settings()
        @given(scenario=_sharing_scenarios())
        def agree(scenario: tuple[list[SharingEvent], SharingQuery]) -> None:
            events, query = scenario
            if events:
                _put(store, events)
            expected = sharing_trusts((v.record for v in store.scan(SharingEvent)), query)
            assert store.sharing_trusts(query) == expected

        agree()

    def test_native_capability_facts_agree_with_the_reference(self, store: Store) -> None:
        requires(store, Capability.NATIVE_CAPABILITY_FACTS)
        assert isinstance(store, NativeCapabilityFacts), "it declares the capability"

        @self._settings()
        @given(scenario=_capability_scenarios())
        def agree(scenario: tuple[list[Member], list[Assessment], CapabilityQuery]) -> None:
            members, assessments, query = scenario
            if members or assessments:
                _put(store, [*members, *assessments])
            everything = _everything(store)
            expected = capability_facts(
                (v.record for v in everything["member"]),
                (v.record for v in everything["assessment"]),
                query,
            )
            assert store.capability_facts(query) == expected

        agree()


@st.composite
def _capability_scenarios(
    draw: st.DrawFn,
) -> tuple[list[Member], list[Assessment], CapabilityQuery]:
    """Members of the pool's trusts (or none), their assessments in the 3 L's (levels named in
    any case, several on one day, some after the census day), and a census day and minimum."""
    members = draw(
        st.lists(
            st.builds(recs.moved, cs.members(), st.sampled_from(recs.TRUST_CODES))
            | cs.members(trust=None),
            max_size=6,
            unique_by=lambda m: m.id,
        )
    )
    assessments: list[Assessment] = []
    for member in members:
        for a in draw(st.lists(cs.assessments(member.id), max_size=4)):
            spelling = draw(st.sampled_from([a.level, a.level.upper(), a.level.lower()]))
            assessments.append(attrs.evolve(a, level=spelling))
        twin_wanted: bool = draw(st.booleans())
        if assessments and twin_wanted:
            # Another assessment of the same subject on the same day: the later id wins.
            twin = assessments[-1]
            level = draw(st.sampled_from(THREE_LS.level_names))
            assessments.append(attrs.evolve(twin, id=draw(st.uuids()), level=level))
    assessments.extend(draw(st.lists(cs.assessments(), max_size=2)))  # of no stored member
    on = draw(recs.days())
    minimum = draw(st.sampled_from(THREE_LS.level_names))
    return members, assessments, CapabilityQuery(on, THREE_LS, minimum)


@st.composite
def _lfd_scenarios(draw: st.DrawFn) -> tuple[list[Death], list[Review], LfdQuery]:
    deaths = draw(st.lists(recs.deaths(), max_size=8, unique_by=lambda d: d.id))
    reviews: list[Review] = []
    for death in deaths:
        for review in draw(st.lists(recs.reviews(death), max_size=2)):
            reviews.append(review)
    # A few judged reviews for sure, on scales that judge problems in care.
    judging = [s for s in DEFAULT_SCALES if s.judges_problems_in_care]
    for death in draw(st.lists(st.sampled_from(deaths), max_size=3)) if deaths else []:
        scale = draw(st.sampled_from(judging))
        reviews.append(
            Review(
                id=uuid.uuid4(),
                death_id=death.id,
                trust=death.trust,
                response_type=ResponseType.STRUCTURED_JUDGEMENT_REVIEW,
                started_on=death.died_on,
                completed_on=death.died_on + dt.timedelta(days=draw(st.integers(0, 90))),
                scores=[
                    Score.on(scale, draw(st.sampled_from(sorted(scale.problem_in_care_values))))
                ],
            )
        )
    first = draw(recs.days())
    policies = draw(
        st.dictionaries(
            st.sampled_from(recs.TRUST_CODES),
            st.builds(
                ScopePolicy,
                inpatient=st.booleans(),
                community_contact_months=st.none() | st.integers(1, 12),
                discharge_days=st.none() | st.integers(1, 60),
                route_ld_autism_to_leder=st.booleans(),
            ),
        )
    )
    query = LfdQuery(
        as_of=draw(recs.days()),
        deaths_from=first,
        deaths_to=first + dt.timedelta(days=draw(st.integers(0, 1500))),
        policies=policies,
    )
    return deaths, reviews, query


@st.composite
def _sharing_scenarios(draw: st.DrawFn) -> tuple[list[SharingEvent], SharingQuery]:
    events = draw(st.lists(recs.sharing_events(), max_size=8))
    windows = {}
    for code in draw(st.sets(st.sampled_from(recs.TRUST_CODES))):
        start = draw(recs.days())
        windows[code] = (start, start + dt.timedelta(days=draw(st.integers(0, 800))))
    return events, SharingQuery(audience=draw(st.sampled_from(Audience)), windows=windows)

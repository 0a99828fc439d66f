"""The Collaborative computes each figure from its store exactly as the pure functions do from the
same records, and reads registered measures and targets through plugins."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from fractions import Fraction

import pytest

import collab_core
from collab_core import (
    CAPABILITY_MEASURE,
    Assessment,
    Audience,
    CandourCase,
    CandourPolicy,
    Collaborative,
    ConfigurationError,
    Death,
    Direction,
    FinancialYear,
    LearningItem,
    Measure,
    Member,
    MemberKind,
    OdsCode,
    PluginError,
    Quarter,
    Review,
    SharingEvent,
    Target,
    Trust,
    candour_compliance,
    capability_census,
    lfd_dashboard,
    lfd_dashboard_query,
    lfd_look_back,
    lfd_look_back_queries,
    overdue_actions,
    sharing_coverage,
)
from collab_core.domain.facts import lfd_facts
from collab_core.ports import MeasureSpec, Store
from collab_core.synthetic import SyntheticCollaborative

SMALL = SyntheticCollaborative(seed=11, trusts=4, years=2, deaths_per_trust_year=25)


@pytest.fixture(scope="module")
def records() -> list[object]:
    return [r for batch in SMALL.batches() for r in batch.records]


@pytest.fixture
def collab(records: list[object]) -> Iterator[Collaborative]:
    with Collaborative.open("memory://", load_entry_points=False, environ={}) as opened:
        for batch in SMALL.batches():
            opened.record(batch.records)
        yield opened


def of(records: list[object], kind: type[object]) -> list[object]:
    return [r for r in records if isinstance(r, kind)]


def test_sharing_coverage_from_the_store_matches_the_pure_figure(
    collab: Collaborative, records: list[object]
) -> None:
    trusts, events = of(records, Trust), of(records, SharingEvent)
    for year in SMALL.financial_years:
        for period in (year, *year.quarters):
            for audience in (Audience.COLLABORATIVE, Audience.FAMILY):
                assert collab.sharing_coverage(period, audience) == sharing_coverage(
                    trusts,  # type: ignore[arg-type]
                    events,  # type: ignore[arg-type]
                    period,
                    audience,
                )


def test_the_dashboard_and_look_back_from_the_store_match_the_pure_figures(
    collab: Collaborative, records: list[object]
) -> None:
    trusts, deaths, reviews = of(records, Trust), of(records, Death), of(records, Review)
    years = list(SMALL.financial_years)
    as_of = years[-1].end
    query = lfd_dashboard_query(trusts, years, as_of)  # type: ignore[arg-type]
    expected = lfd_dashboard(lfd_facts(deaths, reviews, query), trusts, years, as_of)  # type: ignore[arg-type]
    assert collab.lfd_dashboard(years, as_of) == expected
    earlier, later = lfd_look_back_queries(trusts, years[-1])  # type: ignore[arg-type]
    look = lfd_look_back(
        lfd_facts(deaths, reviews, earlier),  # type: ignore[arg-type]
        lfd_facts(deaths, reviews, later),  # type: ignore[arg-type]
        trusts,  # type: ignore[arg-type]
        years[-1],
    )
    assert collab.lfd_look_back(years[-1]) == look


def test_capability_candour_and_actions_from_the_store_match_the_pure_figures(
    collab: Collaborative, records: list[object]
) -> None:
    trusts = of(records, Trust)
    for year in SMALL.financial_years:
        on = year.end
        census = capability_census(
            of(records, Member),  # type: ignore[arg-type]
            of(records, Assessment),  # type: ignore[arg-type]
            on,
            trusts=[t.ods_code for t in trusts if t.is_member_on(on)],  # type: ignore[attr-defined]
        )
        assert collab.capability_census(on) == census
        q = year.quarters[1]
        assert collab.candour_compliance(q, on, CandourPolicy()) == candour_compliance(
            trusts,  # type: ignore[arg-type]
            of(records, CandourCase),  # type: ignore[arg-type]
            q,
            on,
            CandourPolicy(),
        )
        assert collab.overdue_actions(on) == overdue_actions(
            trusts,  # type: ignore[arg-type]
            of(records, LearningItem),  # type: ignore[arg-type]
            on,
        )


# -- measures and targets registered by plugins -----------------------------------------------

REVIEWS = Measure("rw1.reviews", "Reviews completed", "reviews")


def _reviews_completed(store: Store, day: dt.date) -> int:
    return sum(
        1
        for v in store.scan(Review, end=day)
        if v.record.completed_on is not None and v.record.completed_on <= day
    )


class _Targets:
    def __init__(self, *registered: MeasureSpec | Target) -> None:
        self.registered = list(registered)

    @collab_core.hookimpl
    def collab_register_targets(self) -> list[MeasureSpec | Target]:
        return self.registered


class _MoreTargets(_Targets):
    """A second plugin (plugins are named after their class)."""


def _open(*plugins: object) -> Collaborative:
    return Collaborative.open("memory://", plugins=plugins, load_entry_points=False, environ={})


def test_a_plugin_target_on_the_built_in_capability_measure_is_assessed_from_the_store() -> None:
    target = Target(
        "rw1.capability", CAPABILITY_MEASURE.id, 1, dt.date(2018, 4, 1), 3, dt.date(2019, 3, 31)
    )
    rw1 = Trust(OdsCode("RW1"), "Trust", dt.date(2017, 1, 1))
    people = [
        Member(uuid.uuid4(), f"m{i}", MemberKind.STAFF, rw1.ods_code, dt.date(2017, 1, 1))
        for i in range(2)
    ]
    assessed = [
        Assessment(uuid.uuid4(), p.id, "3ls", "pdsa", "Learn", dt.date(2018, 1, 1)) for p in people
    ]
    with _open(_Targets(target)) as collab:
        collab.record([rw1, *people, *assessed])
        assert collab.measures[CAPABILITY_MEASURE.id].measure == CAPABILITY_MEASURE
        assert collab.measure_value(CAPABILITY_MEASURE.id, dt.date(2018, 10, 1)) == 2
        progress = collab.target_progress("rw1.capability", dt.date(2018, 10, 1))
        assert progress == target.assess(2, dt.date(2018, 10, 1))


def test_a_target_can_be_assessed_on_a_value_given_by_hand() -> None:
    target = Target(
        "rw1.reviews.2019", REVIEWS.id, 10, dt.date(2018, 4, 1), 40, dt.date(2019, 3, 31)
    )
    with _open(_Targets(MeasureSpec(REVIEWS), target)) as collab:
        assert collab.target_progress("rw1.reviews.2019", dt.date(2019, 3, 31), 40).met
        with pytest.raises(ConfigurationError, match="no reader"):
            collab.target_progress("rw1.reviews.2019", dt.date(2019, 3, 31))


def test_a_measure_read_from_the_store() -> None:
    with _open(_Targets(MeasureSpec(REVIEWS, _reviews_completed))) as collab:
        assert collab.measure_value(REVIEWS.id, dt.date(2019, 1, 1)) == 0


def test_unknown_measures_and_targets_are_named_with_the_known_ones() -> None:
    with _open() as collab:
        with pytest.raises(ConfigurationError, match=re.escape("capability.members")):
            collab.measure_value("nope", dt.date(2019, 1, 1))
        with pytest.raises(ConfigurationError, match="no plugin registers 'nope'"):
            collab.target_progress("nope", dt.date(2019, 1, 1))


def test_a_target_on_an_unregistered_measure_is_refused_naming_the_plugin() -> None:
    orphan = Target("t", "missing", 1, dt.date(2018, 1, 1), 2, dt.date(2019, 1, 1))
    with pytest.raises(PluginError, match="'missing', which no plugin registers"):
        _open(_Targets(orphan))


def test_two_plugins_registering_one_measure_or_target_are_refused_naming_both() -> None:
    with pytest.raises(PluginError, match=re.escape("measure 'rw1.reviews' is registered")):
        _open(_Targets(MeasureSpec(REVIEWS)), _MoreTargets(MeasureSpec(REVIEWS)))
    target = Target("t", REVIEWS.id, 1, dt.date(2018, 1, 1), 2, dt.date(2019, 1, 1))
    with pytest.raises(PluginError, match="target 't' is registered by two plugins"):
        _open(_Targets(MeasureSpec(REVIEWS), target), _MoreTargets(target))
    with pytest.raises(PluginError, match=re.escape("measure 'capability.members'")):
        _open(_Targets(MeasureSpec(CAPABILITY_MEASURE)))


def test_a_registration_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(PluginError, match="not a MeasureSpec or Target"):
        _open(_Targets(REVIEWS))  # type: ignore[arg-type]


def test_a_measure_reader_returning_a_float_is_refused() -> None:
    spec = MeasureSpec(REVIEWS, lambda store, day: 0.5)  # type: ignore[arg-type, return-value]
    with _open(_Targets(spec)) as collab, pytest.raises(PluginError, match="int or a Fraction"):
        collab.measure_value(REVIEWS.id, dt.date(2019, 1, 1))


def test_a_target_going_down_reads_its_measure_too() -> None:
    waits = Measure("rw1.wait", "Median days to review", "days")
    target = Target(
        "rw1.wait.2019", waits.id, 90, dt.date(2018, 4, 1), 60, dt.date(2019, 3, 31), Direction.DOWN
    )
    spec = MeasureSpec(waits, lambda store, day: Fraction(150, 2))
    with _open(_Targets(spec, target)) as collab:
        progress = collab.target_progress(target.id, dt.date(2018, 10, 1))
        assert progress.value == 75
        assert progress.progress == Fraction(1, 2)


def test_every_quarter_has_a_figure_even_for_a_collaborative_with_no_records() -> None:
    with _open() as collab:
        year = FinancialYear(2018)
        board = collab.lfd_dashboard([year], year.end)
        assert board.collaborative(year).all_ages.in_scope == 0
        assert collab.sharing_coverage(Quarter.of(year.start), Audience.FAMILY).proportion is None

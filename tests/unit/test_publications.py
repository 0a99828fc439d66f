"""Publications built from the store: each built-in kind for an audience and a period, its body
exactly as the figures and records say, and the errors a caller can make."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from fractions import Fraction

import pytest

import collab_core
from collab_core import (
    Action,
    ActionStatus,
    Audience,
    Collaborative,
    ConfigurationError,
    Count,
    Disclosure,
    DomainValidationError,
    Figure,
    FinancialYear,
    ImpactAssessment,
    ImpactRating,
    ImprovementDirection,
    LearningItem,
    Measure,
    Month,
    OdsCode,
    Quarter,
    Share,
    Trust,
    run_chart,
    xmr,
)
from collab_core.ports import MeasureSpec
from collab_core.publications import (
    BulletinAction,
    BulletinImpact,
    BulletinItem,
    BulletinTheme,
    BulletinTrust,
    ChartKind,
    HeadlineTargetsBody,
    LearningBulletinBody,
    LfdDashboardBody,
    MeasureChartBody,
)
from collab_core.synthetic import SyntheticCollaborative

RH8, RV5 = OdsCode("RH8"), OdsCode("RV5")
Y2018 = FinancialYear(2018)
Q3 = Quarter(Y2018, 3)
AT = dt.datetime(2019, 7, 1, tzinfo=dt.UTC)
HONEST = "person-family-centred/honest-disclosure-and-being-open"
PERSON = "Delivering and co-producing person and family centred care"


def _trusts() -> list[Trust]:
    return [
        Trust(
            RH8, "Southern Health NHS Foundation Trust", dt.date(2017, 4, 1), local_themes={"Falls"}
        ),
        Trust(RV5, "South London and Maudsley NHS Foundation Trust", dt.date(2017, 4, 1)),
    ]


def _item(trust: OdsCode, title: str, recorded: dt.date, themes: set[str]) -> LearningItem:
    impact = ImpactAssessment(dt.date(2019, 1, 10), ImpactRating.SOME_IMPACT, "Calls made", None)
    action = Action(
        uuid.uuid4(),
        "Call the family within 72 hours",
        "Ward manager",
        dt.date(2018, 12, 31),
        ActionStatus.COMPLETED,
        dt.date(2018, 12, 20),
        impact,
        {HONEST},
    )
    return LearningItem(
        uuid.uuid4(),
        trust,
        title,
        "What the review found.",
        recorded,
        themes=themes,
        actions=(action,),
        signed_off_on=recorded,
    )


@pytest.fixture
def collab() -> Iterator[Collaborative]:
    with Collaborative.open(load_entry_points=False, environ={}) as opened:
        opened.record(_trusts())
        yield opened


def test_a_bulletin_lists_what_was_shared_with_its_audience_in_the_period(
    collab: Collaborative,
) -> None:
    falls = _item(RH8, "Falls at night", dt.date(2018, 10, 1), {"local/rh8/falls", HONEST})
    handover = _item(RV5, "Handover", dt.date(2018, 9, 1), set())
    unshared = _item(RV5, "Not shared", dt.date(2018, 10, 2), set())
    collab.record([falls, handover, unshared])
    collab.share(falls.id, Audience.COLLABORATIVE, dt.date(2018, 11, 5), "learning event")
    collab.share(falls.id, Audience.COLLABORATIVE, dt.date(2018, 10, 20), "bulletin")
    collab.share(handover.id, Audience.COLLABORATIVE, dt.date(2018, 9, 30), "too early")
    collab.share(handover.id, Audience.TRUST_BOARD, dt.date(2018, 11, 1), "board paper")
    built = collab.publication("learning_bulletin", Audience.TRUST_BOARD, Q3, created_at=AT)
    assert built.title == "Learning bulletin, 2018/19 Q3"
    board = built.body
    assert isinstance(board, LearningBulletinBody)
    assert [i.title for i in board.items] == ["Handover"], "only what the board was shown"
    shared = collab.publication("learning_bulletin", "collaborative", Q3, created_at=AT).body
    assert isinstance(shared, LearningBulletinBody)
    theme = BulletinTheme(HONEST, "Honest disclosure and being open", PERSON)
    assert shared == LearningBulletinBody(
        audience="collaborative",
        period=Q3,
        shared_with=Audience.COLLABORATIVE,
        trust=None,
        trusts=(BulletinTrust(RH8, "Southern Health NHS Foundation Trust"),),
        items=(
            BulletinItem(
                title="Falls at night",
                what_was_learnt="What the review found.",
                trust=RH8,
                recorded_on=Month(2018, 10),
                shared_on=Month(2018, 10),
                channels=("bulletin", "learning event"),
                themes=(BulletinTheme("local/rh8/falls", "Falls"), theme),
                actions=(
                    BulletinAction(
                        "Call the family within 72 hours",
                        "Ward manager",
                        Month(2018, 12),
                        ActionStatus.COMPLETED,
                        Month(2018, 12),
                        BulletinImpact(Month(2019, 1), ImpactRating.SOME_IMPACT, "Calls made"),
                        (theme,),
                    ),
                ),
            ),
        ),
    )
    one = collab.publication("learning_bulletin", Audience.COLLABORATIVE, Q3, trust="RV5").body
    assert isinstance(one, LearningBulletinBody)
    assert one.items == ()
    assert one.trust == RV5


def test_a_dashboard_shows_the_figures_of_the_store_for_a_trust_or_the_collaborative() -> None:
    synthetic = SyntheticCollaborative(seed=3, trusts=3, years=2, deaths_per_trust_year=40)
    year = synthetic.financial_years[-1]
    as_of = year.end + dt.timedelta(days=60)
    with Collaborative.open(load_entry_points=False, environ={}) as c:
        for batch in synthetic.batches():
            c.record(batch.records)
        board = c.lfd_dashboard([year], as_of)
        look = c.lfd_look_back(year)
        code = board.trusts[0]
        for trust in (None, code):
            built = c.publication(
                "lfd_dashboard", Audience.STAFF, year, as_of=as_of, trust=trust
            ).body
            assert isinstance(built, LfdDashboardBody)
            assert [r.period for r in built.rows] == [*year.quarters, year]
            for row in built.rows:
                expected = board.row(trust, row.period)
                assert expected is not None
                for cell in row.blocks:
                    counts = expected.block(cell.block)
                    assert (cell.deaths, cell.reviewed, cell.judged) == (
                        Count(counts.in_scope),
                        Count(counts.reviewed),
                        Count(counts.judged),
                    )
                    assert cell.reviewed_share == Share.of(counts.reviewed, counts.in_scope)
            row27 = look.row(trust)
            assert built.look_back is not None
            assert row27 is not None
            assert built.look_back.revised_estimate == Count(row27.revised_estimate)
            items = list(c.learning_items(trust=trust, start=year.start, end=year.end))
            assert built.learning.learning_items == Count(len(items))
            assert built.learning.actions == Count(sum(len(i.actions) for i in items))
            assert (built.trust, built.as_of) == (trust, as_of)
        quarter = c.publication("lfd_dashboard", Audience.PUBLIC, year.quarters[1], as_of=as_of)
        assert isinstance(quarter.body, LfdDashboardBody)
        assert [r.period for r in quarter.body.rows] == [year.quarters[1]]
        assert quarter.body.look_back is None
        assert quarter.body.as_of == Quarter.of(as_of), "the public sees the quarter"
        early = c.publication("lfd_dashboard", Audience.STAFF, year, as_of=year.end.replace(day=1))
        assert early.body.look_back is None, "27.7-27.9 only once the year is over"  # type: ignore[attr-defined]


def test_a_dashboard_is_by_quarter_or_year(collab: Collaborative) -> None:
    with pytest.raises(DomainValidationError, match="give a quarter or a financial year"):
        collab.publication("lfd_dashboard", Audience.STAFF, Month(2018, 10))
    with pytest.raises(
        ConfigurationError, match=r"unknown option\(s\) ward .*known: scales, trust"
    ):
        collab.publication("lfd_dashboard", Audience.STAFF, Y2018, ward="Elm")


def test_headline_targets_show_coverage_and_capability_against_their_goals() -> None:
    synthetic = SyntheticCollaborative(seed=5, trusts=4, years=3)
    year = synthetic.financial_years[-1]
    with Collaborative.open(load_entry_points=False, environ={}) as c:
        for batch in synthetic.batches():
            c.record(batch.records)
        body = c.publication("headline_targets", Audience.TRUST_BOARD, year, created_at=AT).body
        assert isinstance(body, HeadlineTargetsBody)
        coverage = c.sharing_coverage(year, Audience.COLLABORATIVE)
        assert (body.coverage.members, body.coverage.shared) == (
            coverage.denominator,
            coverage.numerator,
        )
        assert body.coverage.goal == 1
        assert body.coverage.met == coverage.met
        assert [s.period for s in body.coverage.trajectory] == list(year.quarters)
        q2 = c.sharing_coverage(year.quarters[1], Audience.COLLABORATIVE)
        assert body.coverage.trajectory[1].proportion == q2.proportion
        growth = collab_core.capability_growth(
            c.capability_census(dt.date(2017, 4, 1)), c.capability_census(year.end)
        )
        cap = body.capability
        assert cap is not None
        assert (cap.baseline, cap.current) == (
            Count(growth.baseline.count),
            Count(growth.current.count),
        )
        assert cap.goal == Figure(Fraction(growth.goal), (cap.baseline,))
        assert (cap.on_track, cap.met) == (growth.progress.on_track, growth.progress.met)
        assert cap.progress.value == growth.progress.progress
        assert [s.on for s in cap.trajectory][:2] == [dt.date(2017, 6, 30), dt.date(2017, 9, 30)]
        assert cap.trajectory[-1].actual == Count(growth.current.count)
        before = c.publication("headline_targets", Audience.STAFF, FinancialYear(2016)).body
        assert isinstance(before, HeadlineTargetsBody)
        assert before.capability is None


class _Months:
    """A measure whose value on a day is known in advance: the month number, or a half."""

    months = Measure("test.months", "The month of the year", "months")
    halves = Measure("test.halves", "Half the month of the year", "proportion")

    @collab_core.hookimpl
    def collab_register_targets(self) -> list[MeasureSpec]:
        return [
            MeasureSpec(self.months, read=lambda _s, day: day.month),
            MeasureSpec(self.halves, read=lambda _s, day: Fraction(day.month, 2)),
        ]


def test_a_measure_chart_carries_the_points_limits_labels_and_icons_of_its_chart() -> None:
    with Collaborative.open(plugins=[_Months()], load_entry_points=False, environ={}) as c:
        body = c.publication(
            "measure_chart", Audience.STAFF, Y2018, created_at=AT, measure="test.months", target=20
        ).body
        assert isinstance(body, MeasureChartBody)
        values = [m % 12 + 1 for m in range(3, 27)]  # April 2017 .. March 2019
        expected = xmr(values, x=[p.x for p in body.points], target=20)
        assert next(p.x for p in body.points) == "2017-04"
        assert body.points[-1].x == "2019-03"
        assert [p.value for p in body.points] == [Count(v) for v in values]
        assert [p.label for p in body.points] == [p.label for p in expected.points]
        assert body.points[0].upper_limit == Figure(
            expected.phases[0].upper_limit, (Count(sum(values)),)
        )
        assert (body.variation, body.assurance) == (expected.variation, expected.assurance)
        assert (body.chart, body.name, body.unit) == (
            ChartKind.XMR,
            "The month of the year",
            "months",
        )
        run = c.publication(
            "measure_chart",
            Audience.STAFF,
            Q3,
            created_at=AT,
            measure="test.halves",
            chart="run",
            by="quarter",
            points=6,
            people=False,
            improvement="decrease",
        ).body
        assert isinstance(run, MeasureChartBody)
        halves = [Fraction(m, 2) for m in (9, 12, 3, 6, 9, 12)]  # the month each quarter ends
        reference = run_chart(halves, improvement=ImprovementDirection.DECREASE)
        assert [p.x for p in run.points] == [
            "2017/18 Q2",
            "2017/18 Q3",
            "2017/18 Q4",
            "2018/19 Q1",
            "2018/19 Q2",
            "2018/19 Q3",
        ]
        assert [p.value for p in run.points] == [Figure(h) for h in halves]
        assert run.signal == reference.signal
        assert run.points[0].centre == Figure(reference.median)


def test_a_measure_chart_refuses_what_it_cannot_show() -> None:
    with Collaborative.open(plugins=[_Months()], load_entry_points=False, environ={}) as c:
        with pytest.raises(ConfigurationError, match=r"known: capability\.members, test\.halves"):
            c.publication("measure_chart", Audience.STAFF, Y2018, measure="nope")
        with pytest.raises(DomainValidationError, match="pass people=False"):
            c.publication("measure_chart", Audience.STAFF, Y2018, measure="test.halves")
        with pytest.raises(DomainValidationError, match="chart: must be one of run, xmr"):
            c.publication("measure_chart", Audience.STAFF, Y2018, measure="test.months", chart="p")
        future = c.publication(
            "measure_chart",
            Audience.STAFF,
            Y2018,
            as_of=dt.date(2019, 1, 15),
            measure="test.months",
        ).body
        assert isinstance(future, MeasureChartBody)
        assert [p.value for p in future.points[-3:]] == [None, None, None], "not yet known"


def test_public_figures_are_suppressed_and_rounded_by_the_time_they_are_built() -> None:
    with Collaborative.open(plugins=[_Months()], load_entry_points=False, environ={}) as c:
        body = c.publication(
            "measure_chart", Audience.PUBLIC, Y2018, created_at=AT, measure="test.months"
        ).body
        assert isinstance(body, MeasureChartBody)
        shown = [p.value for p in body.points]
        assert Count.suppressed() in shown
        assert Count(10, Disclosure.ROUNDED) in shown  # 8, 9, 10, 11 and 12 all show as 10


def test_unknown_kinds_and_audiences_are_refused_naming_the_known_ones(
    collab: Collaborative,
) -> None:
    with pytest.raises(ConfigurationError, match="'digest' is not a publication kind"):
        collab.publication("digest", Audience.STAFF, Q3)
    with pytest.raises(ConfigurationError, match=r"'ics' is not a known audience \(known: coll"):
        collab.publication("learning_bulletin", "ics", Q3)


def test_the_title_can_be_given_and_names_the_trust_by_default(collab: Collaborative) -> None:
    named = collab.publication("lfd_dashboard", Audience.STAFF, Y2018, trust="RH8", created_at=AT)
    assert named.title == "Learning from Deaths dashboard, RH8, 2018/19"
    given = collab.publication("lfd_dashboard", Audience.STAFF, Y2018, title="Q&A", created_at=AT)
    assert given.title == "Q&A"
    assert named.created_at == AT
    assert named.kind == "lfd_dashboard"

"""Strategies for disclosure control and publications: counts as shown to an audience, shares,
figures, policies, findings, and the typed body of every built-in publication kind."""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import strategies as st

from collab_core.domain.disclosure import (
    Count,
    Disclosure,
    Figure,
    PercentBasis,
    PrivacyFinding,
    Share,
    SmallNumbers,
)
from collab_core.domain.learning import ActionStatus, Audience, ImpactRating
from collab_core.domain.measures import (
    AssuranceIcon,
    ImprovementDirection,
    PointLabel,
    Side,
    VariationIcon,
)
from collab_core.domain.targets import LfdBlock
from collab_core.ports import Publication
from collab_core.publications.bodies import (
    ActionsLine,
    AssuranceBody,
    BulletinAction,
    BulletinImpact,
    BulletinItem,
    BulletinTheme,
    BulletinTrust,
    CandourLine,
    CapabilityStatus,
    CapabilityStep,
    ChartKind,
    ChartPoint,
    CoverageStatus,
    CoverageStep,
    DashboardCell,
    DashboardLearning,
    DashboardLookBack,
    DashboardRow,
    HeadlineTargetsBody,
    LearningBulletinBody,
    LfdDashboardBody,
    MeasureChartBody,
)
from collab_core.testing.strategies._base import (
    _TAXONOMY,
    _THEME_CODES,
    _is_text,
    _maybe,
    aware_datetimes,
    days,
    financial_years,
    free_text,
    months,
    ods_codes,
    quarters,
)

# --------------------------------------------------------------------------------------------
# Counts, shares, figures, policies, findings.
# --------------------------------------------------------------------------------------------


@functools.cache
def exact_counts(max_value: int = 10_000) -> st.SearchStrategy[Count]:
    """Exact counts of people, as a builder makes them, shrinking towards 0."""
    return st.integers(0, max_value).map(Count)


@functools.cache
def counts() -> st.SearchStrategy[Count]:
    """Counts as any audience may see them: exact, rounded to 5, or suppressed."""
    rounded = st.integers(2, 2_000).map(lambda n: Count(5 * n, Disclosure.ROUNDED))
    return exact_counts() | rounded | st.just(Count.suppressed())


def _share(numerator: Count, denominator: Count, value: Fraction | None) -> Share:
    if numerator.is_exact and denominator.is_exact:
        return Share.of(numerator.value or 0, denominator.value or 0)
    if numerator.is_suppressed or denominator.is_suppressed:
        value = None
    return Share(numerator, denominator, value)


@functools.cache
def shares() -> st.SearchStrategy[Share]:
    """Shares of exact counts (a part of a whole), and shares whose counts are controlled."""
    exact = st.integers(0, 500).flatmap(lambda d: st.integers(0, d).map(lambda n: Share.of(n, d)))
    fractions = _maybe(st.fractions(0, 1, max_denominator=1000))
    return exact | st.builds(_share, counts(), counts(), fractions)


def _figure(value: Fraction | float | None, of: tuple[Count, ...]) -> Figure:
    if any(c.is_suppressed for c in of):
        value = None
    return Figure(value, of)


@functools.cache
def figures() -> st.SearchStrategy[Figure]:
    """Figures computed from counts (a mean, a trajectory), suppressed with any of them."""
    values = _maybe(
        st.fractions(-1000, 1000, max_denominator=1000)
        | st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    )
    return st.builds(_figure, values, st.lists(counts(), max_size=3).map(tuple))


@functools.cache
def small_numbers() -> st.SearchStrategy[SmallNumbers]:
    """Small-number policies: exact figures, or a threshold with rounding."""
    suppressing = st.builds(
        SmallNumbers,
        st.integers(1, 20),
        st.integers(2, 10),
        st.sampled_from(PercentBasis),
    )
    exact = st.builds(SmallNumbers, st.just(1), st.just(1), st.sampled_from(PercentBasis))
    return suppressing | exact


_RULES = ("nhs_number", "postcode", "email", "phone", "date", "name", "audience", "rh8_wards")


@functools.cache
def privacy_findings() -> st.SearchStrategy[PrivacyFinding]:
    """Findings of the privacy gate: a field, a rule, a span and perhaps a plugin."""
    paths = st.just("title") | st.from_regex(
        r"\$(\.[a-z_]{1,12}|\[[0-9]{1,2}\]|\[key [0-9]\]|\[value [0-9]\]){0,4}", fullmatch=True
    )
    spans = st.integers(0, 500).flatmap(lambda s: st.tuples(st.just(s), st.integers(s, s + 40)))
    return st.builds(
        lambda field, rule, span, plugin: PrivacyFinding(field, rule, span[0], span[1], plugin),
        paths,
        st.sampled_from(_RULES),
        spans,
        _maybe(st.sampled_from(("collab_rh8", "trust-names", "tests.plugin"))),
    )


# --------------------------------------------------------------------------------------------
# The typed bodies of the built-in kinds.
# --------------------------------------------------------------------------------------------


def _dated() -> st.SearchStrategy[Any]:
    return days() | months() | quarters() | financial_years()


def _periods() -> st.SearchStrategy[Any]:
    return months() | quarters() | financial_years()


def _text() -> st.SearchStrategy[str]:
    return free_text(max_size=30)


def _tuples(strategy: st.SearchStrategy[Any], max_size: int = 3) -> st.SearchStrategy[Any]:
    return st.lists(strategy, max_size=max_size).map(tuple)


_AUDIENCES = tuple(a.value for a in Audience)


@functools.cache
def bulletin_themes() -> st.SearchStrategy[BulletinTheme]:
    """Themes from the collaborative's taxonomy, word for word."""

    def theme(code: str) -> BulletinTheme:
        t = _TAXONOMY.get(code)
        parent = None if t.parent is None else _TAXONOMY.get(t.parent).label
        return BulletinTheme(code, t.label, parent)

    return st.sampled_from(_THEME_CODES).map(theme)


@functools.cache
def bulletin_impacts() -> st.SearchStrategy[BulletinImpact]:
    return st.builds(
        BulletinImpact, _dated(), st.sampled_from(ImpactRating), _text(), _maybe(_text())
    )


@functools.cache
def bulletin_actions() -> st.SearchStrategy[BulletinAction]:
    return st.builds(
        BulletinAction,
        description=_text(),
        owner_role=_text(),
        due_on=_dated(),
        status=st.sampled_from(ActionStatus),
        completed_on=_maybe(_dated()),
        impact=_maybe(bulletin_impacts()),
        themes=_tuples(bulletin_themes(), 2),
    )


@functools.cache
def bulletin_items() -> st.SearchStrategy[BulletinItem]:
    return st.builds(
        BulletinItem,
        title=_text(),
        what_was_learnt=_text(),
        trust=ods_codes(),
        recorded_on=_dated(),
        shared_on=_dated(),
        channels=_tuples(_text(), 2),
        themes=_tuples(bulletin_themes(), 2),
        actions=_tuples(bulletin_actions(), 2),
    )


@functools.cache
def bulletin_trusts() -> st.SearchStrategy[BulletinTrust]:
    return st.builds(BulletinTrust, ods_codes(), _text())


@functools.cache
def learning_bulletin_bodies() -> st.SearchStrategy[LearningBulletinBody]:
    """Learning bulletins: items with their themes, actions and trusts."""
    return st.builds(
        LearningBulletinBody,
        audience=st.sampled_from(_AUDIENCES),
        period=_periods(),
        shared_with=st.sampled_from(Audience),
        trust=_maybe(ods_codes()),
        trusts=_tuples(bulletin_trusts()),
        items=_tuples(bulletin_items()),
    )


@functools.cache
def dashboard_cells() -> st.SearchStrategy[DashboardCell]:
    def cell(block: LfdBlock, deaths: int, reviewed: int, judged: int) -> DashboardCell:
        reviewed = min(reviewed, deaths)
        judged = min(judged, reviewed)
        return DashboardCell(
            block,
            Count(deaths),
            Count(reviewed),
            Count(judged),
            Share.of(reviewed, deaths),
            Share.of(judged, deaths),
        )

    small = st.integers(0, 300)
    return st.builds(cell, st.sampled_from(LfdBlock), small, small, small)


@functools.cache
def dashboard_rows() -> st.SearchStrategy[DashboardRow]:
    return st.builds(DashboardRow, quarters() | financial_years(), _tuples(dashboard_cells(), 4))


@functools.cache
def dashboard_look_backs() -> st.SearchStrategy[DashboardLookBack]:
    c = exact_counts(300)
    return st.builds(DashboardLookBack, financial_years(), c, c, c, c)


@functools.cache
def dashboard_learnings() -> st.SearchStrategy[DashboardLearning]:
    c = exact_counts(300)
    return st.builds(DashboardLearning, c, c, c, c)


@functools.cache
def lfd_dashboard_bodies() -> st.SearchStrategy[LfdDashboardBody]:
    """Learning from Deaths dashboards of one trust or the collaborative."""
    return st.builds(
        LfdDashboardBody,
        audience=st.sampled_from(_AUDIENCES),
        period=quarters() | financial_years(),
        trust=_maybe(ods_codes()),
        trust_name=_maybe(_text()),
        as_of=_dated(),
        rows=_tuples(dashboard_rows(), 2),
        learning=dashboard_learnings(),
        look_back=_maybe(dashboard_look_backs()),
    )


@functools.cache
def coverage_steps() -> st.SearchStrategy[CoverageStep]:
    def step(period: Any, shared: int, members: int) -> CoverageStep:
        shared = min(shared, members)
        return CoverageStep(period, shared, members, Fraction(shared, members) if members else None)

    return st.builds(step, _periods(), st.integers(0, 60), st.integers(0, 60))


@functools.cache
def coverage_statuses() -> st.SearchStrategy[CoverageStatus]:
    def status(
        audience: Audience, codes: list[Any], shared: int, steps: tuple[Any, ...]
    ) -> CoverageStatus:
        members = len(codes)
        shared = min(shared, members)
        proportion = Fraction(shared, members) if members else None
        return CoverageStatus(
            audience,
            members,
            shared,
            tuple(codes[shared:]),
            proportion,
            Fraction(1),
            None if proportion is None else shared == members,
            steps,
        )

    return st.builds(
        status,
        st.sampled_from(Audience),
        st.lists(ods_codes(), max_size=6, unique=True).map(sorted),
        st.integers(0, 6),
        _tuples(coverage_steps(), 4),
    )


@functools.cache
def capability_steps() -> st.SearchStrategy[CapabilityStep]:
    return st.builds(CapabilityStep, _dated(), figures(), _maybe(counts()))


@functools.cache
def capability_statuses() -> st.SearchStrategy[CapabilityStatus]:
    return st.builds(
        CapabilityStatus,
        measure=_text(),
        baseline_on=_dated(),
        baseline=exact_counts(500),
        goal=figures(),
        deadline=_dated(),
        on=_dated(),
        current=exact_counts(500),
        expected=figures(),
        progress=figures(),
        on_track=st.booleans(),
        met=st.booleans(),
        projected_on=_maybe(_dated()),
        trajectory=_tuples(capability_steps(), 4),
    )


@functools.cache
def headline_targets_bodies() -> st.SearchStrategy[HeadlineTargetsBody]:
    """Headline targets: sharing coverage and capability growth."""
    return st.builds(
        HeadlineTargetsBody,
        audience=st.sampled_from(_AUDIENCES),
        period=_periods(),
        coverage=coverage_statuses(),
        capability=_maybe(capability_statuses()),
    )


@functools.cache
def chart_points() -> st.SearchStrategy[ChartPoint]:
    def point(
        period: Any, value: Any, centre: Figure, limits: Any, label: Any, side: Any
    ) -> ChartPoint:
        lower, upper = limits
        return ChartPoint(period.label, period, value, centre, lower, upper, label, side)

    return st.builds(
        point,
        months() | quarters(),
        _maybe(exact_counts(500) | figures()),
        figures(),
        st.tuples(_maybe(figures()), _maybe(figures())),
        _maybe(st.sampled_from(PointLabel)),
        _maybe(st.sampled_from(Side)),
    )


@functools.cache
def measure_chart_bodies() -> st.SearchStrategy[MeasureChartBody]:
    """A measure's chart: points with their centre line, limits and labels, and icons."""
    return st.builds(
        MeasureChartBody,
        audience=st.sampled_from(_AUDIENCES),
        period=_periods(),
        measure=_text(),
        name=_text(),
        unit=_text(),
        chart=st.sampled_from(ChartKind),
        improvement=st.sampled_from(ImprovementDirection),
        points=_tuples(chart_points(), 4),
        target=_maybe(figures()),
        variation=_maybe(st.sampled_from(VariationIcon)),
        assurance=_maybe(st.sampled_from(AssuranceIcon)),
        signal=_maybe(st.booleans()),
    )


@functools.cache
def candour_lines() -> st.SearchStrategy[CandourLine]:
    return st.builds(
        CandourLine, _maybe(ods_codes()), counts(), counts(), counts(), counts(), counts(), shares()
    )


@functools.cache
def actions_lines() -> st.SearchStrategy[ActionsLine]:
    return st.builds(ActionsLine, _maybe(ods_codes()), counts(), counts(), shares())


@functools.cache
def assurance_bodies() -> st.SearchStrategy[AssuranceBody]:
    """Assurance: Duty of Candour compliance and overdue actions, per trust and overall."""
    return st.builds(
        AssuranceBody,
        audience=st.sampled_from(_AUDIENCES),
        period=_periods(),
        as_of=_dated(),
        trusts=_tuples(bulletin_trusts(), 3),
        candour=_tuples(candour_lines(), 3),
        candour_overall=candour_lines(),
        actions_on=_dated(),
        actions=_tuples(actions_lines(), 3),
        actions_overall=actions_lines(),
    )


_BODIES: dict[
    str,
    Callable[
        [],
        st.SearchStrategy[
            LearningBulletinBody
            | LfdDashboardBody
            | HeadlineTargetsBody
            | MeasureChartBody
            | AssuranceBody
        ],
    ],
] = {
    "learning_bulletin": learning_bulletin_bodies,
    "lfd_dashboard": lfd_dashboard_bodies,
    "headline_targets": headline_targets_bodies,
    "measure_chart": measure_chart_bodies,
    "assurance": assurance_bodies,
}


@functools.cache
def titles() -> st.SearchStrategy[str]:
    """Publication titles: one line of non-blank text without control characters."""
    one_line = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))
    return st.text(one_line, min_size=1, max_size=40).filter(_is_text)


def typed_publications(kind: str | None = None) -> st.SearchStrategy[Publication]:
    """Publications of the built-in kinds (or of ``kind``), each with a typed body built for
    the publication's audience."""
    kinds = tuple(_BODIES) if kind is None else (kind,)

    @st.composite
    def build(draw: st.DrawFn) -> Publication:
        name = draw(st.sampled_from(kinds))
        audience = draw(st.sampled_from(Audience))
        body = draw(_BODIES[name]())
        body = attrs.evolve(body, audience=audience.value)
        return Publication(
            draw(st.uuids()), name, audience, draw(titles()), body, draw(aware_datetimes())
        )

    return build()

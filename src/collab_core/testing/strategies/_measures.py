"""Strategies for the measures: run charts, XmR and attribute SPC charts, funnel plots.

Results are made by the measures themselves from drawn series, so they are always results the
library can produce; the parts of a result (a point, a phase) are drawn from such results.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, TypeVar

from hypothesis import strategies as st

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.measures import (
    AnhojAnalysis,
    AttributePhase,
    AttributePoint,
    AttributeResult,
    FunnelLimits,
    FunnelResult,
    FunnelUnit,
    IhiAnalysis,
    IhiOptions,
    ImprovementDirection,
    LabelSide,
    PointSpan,
    RunChartPoint,
    RunChartResult,
    RunsReference,
    Side,
    SpcOptions,
    SpcRule,
    TrendTies,
    TwoOfThree,
    XmrPhase,
    XmrPoint,
    XmrResult,
    XmrSummary,
    anhoej_analysis,
    funnel_plot,
    p_chart,
    p_prime_chart,
    run_chart,
    u_chart,
    u_prime_chart,
    xmr,
    xmr_summaries,
)
from collab_core.domain.measures import (
    funnel_limits as compute_funnel_limits,
)
from collab_core.testing.strategies._base import _BOOLEANS, _int, _pick, free_text

T = TypeVar("T")
R = TypeVar("R")

_EXACT = st.integers(0, 200) | st.fractions(0, 200, max_denominator=12)


def measure_values(
    *, min_size: int = 2, max_size: int = 24, floats: bool = False, missing: bool = True
) -> st.SearchStrategy[list[int | Fraction | float | None]]:
    """Series of a measure: exact values (ints, Fractions), floats when ``floats`` is true, and
    a few missing values (``None``) when ``missing`` is true."""
    value: st.SearchStrategy[Any] = _EXACT
    if floats:
        value = value | st.floats(0, 200, allow_nan=False, allow_infinity=False)
    if missing:
        value = st.one_of(value, value, value, st.none())
    return st.lists(value, min_size=min_size, max_size=max_size)


def _x_positions(n: int) -> st.SearchStrategy[list[Any] | None]:
    numbers = st.just(None)
    days = st.dates(dt.date(2016, 4, 1), dt.date(2030, 1, 1)).map(
        lambda first: [first + dt.timedelta(days=7 * i) for i in range(n)]
    )
    labels = st.just([f"P{i + 1}" for i in range(n)])
    return numbers | days | labels


def _computed(make: Callable[..., R], *args: Any, **kwargs: Any) -> R | None:
    # A drawn series may break a measure's rules (a phase too short, say): such draws are
    # rejected rather than the rules repeated here.
    try:
        return make(*args, **kwargs)
    except DomainValidationError:
        return None


def _results(strategy: st.SearchStrategy[R | None]) -> st.SearchStrategy[R]:
    return strategy.filter(lambda r: r is not None).map(_present)


def _present(result: R | None) -> R:
    if result is None:  # filtered out above
        raise AssertionError("unreachable")
    return result


def _part(results: st.SearchStrategy[R], parts: Callable[[R], Sequence[T]]) -> st.SearchStrategy[T]:
    return results.map(parts).filter(bool).flatmap(lambda ps: st.sampled_from(tuple(ps)))


@functools.cache
def spc_options() -> st.SearchStrategy[SpcOptions]:
    """SPC methodological choices: NHSRplotthedots' defaults and the variations allowed."""

    @st.composite
    def draw(draw: st.DrawFn) -> SpcOptions:
        order: Any = draw(st.permutations(list(SpcRule)))  # SpcOptions makes it a tuple
        return SpcOptions(
            limit_constant=_pick(draw, (Fraction(266, 100), Fraction(3), Fraction(2))),
            screen_moving_ranges=draw(_BOOLEANS),
            moving_range_limit=_pick(draw, (Fraction(3267, 1000), Fraction(7, 2))),
            fix_after=_pick(draw, (None, 12, 15)),
            shift_length=_int(draw, 2, 9),
            trend_length=_int(draw, 3, 9),
            trend_ties=_pick(draw, TrendTies),
            two_of_three=_pick(draw, TwoOfThree),
            precedence=order,
            label_side=_pick(draw, LabelSide),
            moving_range_across_gaps=draw(_BOOLEANS),
            gaps_break_runs=draw(_BOOLEANS),
            short_group_threshold=_pick(draw, (13, 12, 0, 20)),
        )

    return draw()


@functools.cache
def ihi_options() -> st.SearchStrategy[IhiOptions]:
    """IHI run chart settings."""
    return st.builds(
        IhiOptions,
        shift_length=st.integers(2, 9),
        trend_length=st.integers(3, 9),
        trend_ties=st.sampled_from(TrendTies),
        runs_reference=st.sampled_from(RunsReference),
        alpha=st.sampled_from((Fraction(1, 20), Fraction(1, 100), Fraction(1, 10))),
    )


@functools.cache
def xmr_results() -> st.SearchStrategy[XmrResult]:
    """XmR charts of drawn series, with rebasing, targets and options."""

    @st.composite
    def draw(draw: st.DrawFn) -> XmrResult | None:
        values = draw(measure_values(floats=draw(_BOOLEANS)))
        x = draw(_x_positions(len(values)))
        positions = x if x is not None else list(range(1, len(values) + 1))
        rebase = (
            draw(st.lists(st.sampled_from(positions[2:]), max_size=1)) if len(values) > 4 else []
        )
        return _computed(
            xmr,
            values,
            x=x,
            improvement=_pick(draw, ImprovementDirection),
            target=draw(st.none() | _EXACT),
            rebase_at=rebase,
            options=draw(spc_options()),
        )

    return _results(draw())


@functools.cache
def xmr_summary_results() -> st.SearchStrategy[XmrSummary]:
    """Summaries of drawn series, as :func:`~collab_core.domain.measures.xmr_summaries` gives
    them, with targets and options."""

    @st.composite
    def draw(draw: st.DrawFn) -> XmrSummary | None:
        values = draw(measure_values(floats=draw(_BOOLEANS)))
        summaries = _computed(
            xmr_summaries,
            [values],
            improvement=_pick(draw, ImprovementDirection),
            targets=[draw(st.none() | _EXACT)],
            options=draw(spc_options()),
        )
        return summaries[0] if summaries else None

    return _results(draw())


def xmr_points() -> st.SearchStrategy[XmrPoint]:
    """Points of XmR charts."""
    return _part(xmr_results(), lambda r: r.points)


def xmr_phases() -> st.SearchStrategy[XmrPhase]:
    """Phases of XmR charts."""
    return _part(xmr_results(), lambda r: r.phases)


@functools.cache
def run_chart_results() -> st.SearchStrategy[RunChartResult]:
    """Run charts of drawn series, with a baseline and IHI settings."""

    @st.composite
    def draw(draw: st.DrawFn) -> RunChartResult | None:
        values = draw(measure_values(min_size=1, floats=draw(_BOOLEANS)))
        return _computed(
            run_chart,
            values,
            x=draw(_x_positions(len(values))),
            improvement=_pick(draw, ImprovementDirection),
            baseline=draw(st.none() | st.integers(1, len(values))),
            ihi=draw(ihi_options()),
        )

    return _results(draw())


def run_chart_points() -> st.SearchStrategy[RunChartPoint]:
    """Points of run charts."""
    return _part(run_chart_results(), lambda r: r.points)


def anhoej_analyses() -> st.SearchStrategy[AnhojAnalysis]:
    """Anhøj rules applied to sides of a centre line (1 above, -1 below, 0 on it, or missing)."""
    sides = st.lists(st.sampled_from((1, -1, 0, None)), max_size=30)
    return sides.map(anhoej_analysis)


def ihi_analyses() -> st.SearchStrategy[IhiAnalysis]:
    """IHI analyses of run charts."""
    return run_chart_results().map(lambda r: r.ihi)


def point_spans() -> st.SearchStrategy[PointSpan]:
    """Runs of positions that make a shift or a trend, high or low."""
    return st.integers(0, 60).flatmap(
        lambda start: st.builds(
            PointSpan, st.just(start), st.integers(start, start + 20), st.sampled_from(Side)
        )
    )


_ATTRIBUTE_CHARTS = (p_chart, u_chart, p_prime_chart, u_prime_chart)


@functools.cache
def attribute_results() -> st.SearchStrategy[AttributeResult]:
    """p, u, p′ and u′ charts of drawn numerators and denominators."""

    @st.composite
    def draw(draw: st.DrawFn) -> AttributeResult | None:
        chart = _pick(draw, _ATTRIBUTE_CHARTS)
        n = _int(draw, 2, 20)
        denominators = [_int(draw, 1, 400) for _ in range(n)]
        proportion = chart in (p_chart, p_prime_chart)
        numerators = [_int(draw, 0, d if proportion else 3 * d) for d in denominators]
        return _computed(
            chart,
            numerators,
            denominators,
            x=draw(_x_positions(n)),
            improvement=_pick(draw, ImprovementDirection),
            target=draw(st.none() | st.fractions(0, 1, max_denominator=20)),
            multiplier=_pick(draw, (1, 100, 1000)),
        )

    return _results(draw())


def attribute_points() -> st.SearchStrategy[AttributePoint]:
    """Points of attribute charts."""
    return _part(attribute_results(), lambda r: r.points)


def attribute_phases() -> st.SearchStrategy[AttributePhase]:
    """Phases of attribute charts."""
    return _part(attribute_results(), lambda r: r.phases)


@functools.cache
def funnel_results() -> st.SearchStrategy[FunnelResult]:
    """Funnel plots of units with drawn numerators and denominators."""

    @st.composite
    def draw(draw: st.DrawFn) -> FunnelResult | None:
        names = draw(st.lists(free_text(max_size=12), min_size=1, max_size=8, unique=True))
        denominators = [_int(draw, 1, 2000) for _ in names]
        numerators = [_int(draw, 0, d) for d in denominators]
        return _computed(funnel_plot, names, numerators, denominators)

    return _results(draw())


def funnel_units() -> st.SearchStrategy[FunnelUnit]:
    """Units of funnel plots."""
    return _part(funnel_results(), lambda r: r.units)


def funnel_limits() -> st.SearchStrategy[FunnelLimits]:
    """Funnel limits around a proportion for a denominator."""
    return st.builds(
        compute_funnel_limits,
        st.fractions(0, 1, max_denominator=50),
        st.integers(1, 5000),
    )

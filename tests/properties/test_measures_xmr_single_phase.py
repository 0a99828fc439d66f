"""The single-phase chart that :func:`xmr_summaries` takes for a series with no missing value
against the general chart: the same summary (labels, rules, phase, icons, warnings, target)
or the same refusal, for exact values and floats, every option and every direction; and the
floats scaled by one power of two without taking each apart, exactly."""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.measures import ImprovementDirection, SpcOptions, xmr
from collab_core.domain.measures._numbers import scale_floats, scale_values
from collab_core.domain.measures._single_phase import SinglePhasePlan
from collab_core.domain.measures.spc import (
    XmrSummary,
    _single_phase_summary,
    _summary,
    xmr_summaries,
)
from collab_core.testing.strategies import measure_values, spc_options

directions = st.sampled_from(ImprovementDirection)
# every finite float: subnormals, the largest, and values that meet the lines and each other
any_float = st.floats(allow_nan=False, allow_infinity=False)
small = st.integers(-8, 8).map(lambda n: n / 2)
float_series = st.lists(small | st.floats(-1e6, 1e6) | any_float, min_size=1, max_size=40)
exact_target = st.integers(-50, 250) | st.fractions(-50, 250, max_denominator=12)
targets = st.none() | exact_target | small | any_float


def _general(values: list[Any], target: Any, direction: Any, options: SpcOptions) -> Any:
    try:
        return _summary(scale_values(values, "values"), target, direction, options)
    except (DomainValidationError, ZeroDivisionError) as exc:
        return repr(exc)


def _single_phase(values: list[Any], target: Any, direction: Any, options: SpcOptions) -> Any:
    """The single-phase chart on the inputs :func:`xmr_summaries` gives it (None: it passes)."""
    try:
        floats = scale_floats(values)
        if floats is None:
            _, vals, denominator, exact = scale_values(values, "values")
        else:
            (vals, denominator), exact = floats, False
        return _single_phase_summary(
            vals, denominator, exact, target, SinglePhasePlan(direction, options)
        )
    except (DomainValidationError, ZeroDivisionError) as exc:
        return repr(exc)


def _agree(values: list[Any], target: Any, direction: Any, options: SpcOptions) -> None:
    single = _single_phase(values, target, direction, options)
    general = _general(values, target, direction, options)
    if None in values or len(values) < 2:
        assert single is None
    elif isinstance(general, XmrSummary):
        assert single == general
        # bit for bit: the same types, and -0.0 never where the general chart has 0.0
        assert repr(single) == repr(general)
    else:  # refused alike, or passed to the general chart to refuse
        assert single in (None, general)


@given(
    st.booleans().flatmap(lambda gaps: measure_values(floats=True, max_size=40, missing=gaps)),
    targets,
    directions,
    spc_options(),
)
def test_the_single_phase_chart_is_the_general_chart(
    values: list[Any], target: Any, direction: ImprovementDirection, options: SpcOptions
) -> None:
    _agree(values, target, direction, options)


@given(float_series, targets, directions, spc_options())
@example([0.5, -0.0, 1.0], -0.0, ImprovementDirection.INCREASE, SpcOptions())
@example([5e-324, 1.0, 2.0], None, ImprovementDirection.DECREASE, SpcOptions())
@example(
    [sys.float_info.max, -sys.float_info.max, 1.0], 1.0, ImprovementDirection.NEUTRAL, SpcOptions()
)
def test_the_single_phase_chart_of_floats_is_the_general_chart(
    values: list[float], target: Any, direction: ImprovementDirection, options: SpcOptions
) -> None:
    _agree(values, target, direction, options)


@given(st.lists(small | any_float | st.floats(-1e6, 1e6), min_size=1, max_size=30))
@example([5e-324, 1.0])
@example([sys.float_info.max, 2.0**-1000])
@example([0.0, -0.0])
def test_floats_are_scaled_exactly(values: list[float]) -> None:
    scaled = scale_floats(values)
    if scaled is None:  # too wide a range for one float scale: left to scale_values
        magnitudes = [Fraction(abs(v)) for v in values if v]
        smallest, largest = min(magnitudes), max(magnitudes)
        assert largest / smallest > 2**969 or smallest < Fraction(1, 2**969)
        return
    numbers, denominator = scaled
    assert denominator > 0
    assert denominator & (denominator - 1) == 0  # a power of two
    assert [Fraction(n, denominator) for n in numbers] == [Fraction(v) for v in values]


def test_anything_but_a_list_or_tuple_of_finite_floats_is_left_to_scale_values() -> None:
    assert scale_floats([1.0, 2]) is None
    assert scale_floats([1.0, None]) is None
    assert scale_floats([1.0, math.inf]) is None
    assert scale_floats(v for v in [1.0, 2.0]) is None  # type: ignore[arg-type]
    assert scale_floats([]) is None
    assert scale_floats((1.0, 3.0)) == ([2**52, 3 * 2**52], 2**52)


@given(
    st.lists(st.tuples(float_series, targets), min_size=1, max_size=4),
    directions,
    spc_options(),
)
def test_a_batch_of_any_floats_labels_every_series_as_its_own_chart_does(
    batch: list[tuple[list[float], Any]], direction: ImprovementDirection, options: SpcOptions
) -> None:
    try:
        summaries = xmr_summaries(
            [v for v, _ in batch],
            improvement=direction,
            targets=[t for _, t in batch],
            options=options,
        )
    except (DomainValidationError, ZeroDivisionError):
        return  # which series is refused, and how, is the general chart's (tested above)
    for (values, target), summary in zip(batch, summaries, strict=True):
        chart = xmr(values, improvement=direction, target=target, options=options)
        assert summary.labels == tuple(p.label for p in chart.points)
        assert summary.rules == tuple(p.rule for p in chart.points)
        assert (summary.phases, summary.warnings) == (chart.phases, chart.warnings)
        assert (summary.variation, summary.assurance) == (chart.variation, chart.assurance)
        assert repr(summary.target) == repr(chart.target)

"""The XmR chart's integer arithmetic against the Fraction arithmetic it replaced: the same
chart, label for label and value for value, for exact and float inputs alike; the batch of
:func:`xmr_summaries` against one :func:`xmr` per series; a chart of floats against the chart
of the same values as Fractions."""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.measures import (
    DEFAULT_PRECEDENCE,
    POWERBI_SPC_PRECEDENCE,
    QICHARTS2_LIMIT,
    SHIFT_FIRST_PRECEDENCE,
    ImprovementDirection,
    LabelSide,
    SpcOptions,
    TrendTies,
    TwoOfThree,
    xmr,
)
from collab_core.domain.measures.spc import XmrResult, xmr_summaries


def _reference() -> Any:
    """The Fraction arithmetic, kept beside this test as ``_xmr_reference.py``."""
    path = Path(__file__).with_name("_xmr_reference.py")
    spec = importlib.util.spec_from_file_location("_xmr_reference", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # attrs resolves the module's classes through it
    spec.loader.exec_module(module)
    return module.reference_xmr


reference_xmr = _reference()
floats = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
# Values that meet lines and each other often: small integers, their halves and thirds.
ties = st.integers(-12, 12).map(lambda n: Fraction(n, 2)) | st.integers(-12, 12)
numbers = st.one_of(
    ties,
    floats,
    st.fractions(-50, 50, max_denominator=9),
    st.decimals(-100, 100, places=2, allow_nan=False, allow_infinity=False),
    st.integers(-(10**30), 10**30),
)
values_st = st.lists(st.none() | numbers, min_size=2, max_size=40)
float_values = st.lists(floats | st.integers(-5, 5).map(float), min_size=2, max_size=40)
options_st = st.builds(
    SpcOptions,
    limit_constant=st.sampled_from([Fraction("2.66"), QICHARTS2_LIMIT, Fraction(3)]),
    screen_moving_ranges=st.booleans(),
    fix_after=st.none() | st.integers(12, 20),
    shift_length=st.integers(2, 8),
    trend_length=st.integers(3, 8),
    trend_ties=st.sampled_from(TrendTies),
    two_of_three=st.sampled_from(TwoOfThree),
    precedence=st.sampled_from(
        [DEFAULT_PRECEDENCE, POWERBI_SPC_PRECEDENCE, SHIFT_FIRST_PRECEDENCE]
    ),
    label_side=st.sampled_from(LabelSide),
    moving_range_across_gaps=st.booleans(),
    gaps_break_runs=st.booleans(),
    short_group_threshold=st.integers(0, 20),
)
directions = st.sampled_from(ImprovementDirection)


def _both(values: list[Any], **kw: Any) -> tuple[XmrResult | str, XmrResult | str]:
    out: list[XmrResult | str] = []
    for make in (xmr, reference_xmr):
        try:
            out.append(make(values, **kw))
        except DomainValidationError as exc:
            out.append(str(exc))
    return out[0], out[1]


@given(values_st, directions, st.none() | numbers, options_st, st.data())
def test_the_integer_arithmetic_makes_the_chart_the_fraction_arithmetic_made(
    values: list[Any],
    direction: ImprovementDirection,
    target: Any,
    options: SpcOptions,
    data: st.DataObject,
) -> None:
    rebase = data.draw(st.lists(st.integers(2, len(values)), max_size=2, unique=True))
    now, before = _both(
        values, improvement=direction, target=target, rebase_at=rebase, options=options
    )
    assert now == before


@given(st.lists(st.tuples(float_values, st.none() | floats), min_size=1, max_size=5), directions)
def test_a_batch_labels_every_series_as_its_own_chart_does(
    batch: list[tuple[list[float], float | None]], direction: ImprovementDirection
) -> None:
    summaries = xmr_summaries(
        [v for v, _ in batch], improvement=direction, targets=[t for _, t in batch]
    )
    for (values, target), summary in zip(batch, summaries, strict=True):
        chart = xmr(values, improvement=direction, target=target)
        assert summary.labels == tuple(p.label for p in chart.points)
        assert summary.rules == tuple(p.rule for p in chart.points)
        assert (summary.phases, summary.warnings) == (chart.phases, chart.warnings)
        assert (summary.variation, summary.assurance) == (chart.variation, chart.assurance)
        assert summary.target == chart.target


@given(float_values, directions, st.none() | floats)
def test_a_chart_of_floats_labels_as_the_chart_of_their_exact_values(
    values: list[float], direction: ImprovementDirection, target: float | None
) -> None:
    floats_chart = xmr(values, improvement=direction, target=target)
    exact_chart = xmr(
        [Fraction(v) for v in values],
        improvement=direction,
        target=None if target is None else Fraction(target),
    )
    assert [p.label for p in floats_chart.points] == [p.label for p in exact_chart.points]
    assert [p.rules for p in floats_chart.points] == [p.rules for p in exact_chart.points]
    assert floats_chart.variation is exact_chart.variation
    for f, e in zip(floats_chart.phases, exact_chart.phases, strict=True):
        assert f.lower_limit == float(e.lower_limit)
        assert f.upper_limit == float(e.upper_limit)
        assert f.mean == float(e.mean)


def test_a_batch_names_the_series_whose_values_are_refused() -> None:
    with pytest.raises(DomainValidationError, match=r"series\[1\]\.values\[0\]"):
        xmr_summaries([[1.0, 2.0], [float("nan"), 2.0]])


def test_a_batch_needs_one_target_per_series() -> None:
    with pytest.raises(DomainValidationError, match="targets"):
        xmr_summaries([[1.0, 2.0], [3.0, 2.0]], targets=[1.0])


def test_decimal_inputs_stay_exact() -> None:
    chart = xmr([Decimal("1.10"), Decimal("2.20"), Decimal("3.30")])
    assert chart.phases[0].mean == Fraction(11, 5)

"""Measures for improvement: run charts, XmR and attribute SPC charts as Making Data Count,
and funnel plots, computed exactly (``Fraction``) wherever the inputs are exact.

The package is pure (attrs and the standard library); drawing lives in
:mod:`collab_core.charts`. Results are frozen attrs classes of plain types.
"""

from collab_core.domain.measures._numbers import Number, Quantity, XValue
from collab_core.domain.measures.labels import (
    AssuranceIcon,
    ImprovementDirection,
    PointLabel,
    Side,
    VariationIcon,
)
from collab_core.domain.measures.patterns import PointSpan, TrendTies
from collab_core.domain.measures.runs import (
    AnhojAnalysis,
    IhiAnalysis,
    IhiOptions,
    RunChartPoint,
    RunChartResult,
    RunsReference,
    anhoej_analysis,
    crossings_lower_limit,
    longest_run_upper_limit,
    run_chart,
    runs_limits,
    sides_about,
)
from collab_core.domain.measures.spc import (
    MDC_LIMIT,
    MOVING_RANGE_LIMIT,
    QICHARTS2_LIMIT,
    LabelSide,
    SpcOptions,
    SpcRule,
    TwoOfThree,
    XmrPhase,
    XmrPoint,
    XmrResult,
    assurance_icon,
    xmr,
)

__all__ = [
    "MDC_LIMIT",
    "MOVING_RANGE_LIMIT",
    "QICHARTS2_LIMIT",
    "AnhojAnalysis",
    "AssuranceIcon",
    "IhiAnalysis",
    "IhiOptions",
    "ImprovementDirection",
    "LabelSide",
    "Number",
    "PointLabel",
    "PointSpan",
    "Quantity",
    "RunChartPoint",
    "RunChartResult",
    "RunsReference",
    "Side",
    "SpcOptions",
    "SpcRule",
    "TrendTies",
    "TwoOfThree",
    "VariationIcon",
    "XValue",
    "XmrPhase",
    "XmrPoint",
    "XmrResult",
    "anhoej_analysis",
    "assurance_icon",
    "crossings_lower_limit",
    "longest_run_upper_limit",
    "run_chart",
    "runs_limits",
    "sides_about",
    "xmr",
]

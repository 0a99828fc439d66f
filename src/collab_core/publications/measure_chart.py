"""A measure's chart as a publication: a registered measure read from the store at the end of
each month (or quarter), on a run chart or an XmR chart, with its points, centre line, limits,
labels and icons: the figures a publisher draws, not the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

from collab_core.charts import render_series
from collab_core.domain.calendar import Month, Quarter, period_of
from collab_core.domain.disclosure import Count, Figure
from collab_core.domain.errors import ConfigurationError, DomainValidationError
from collab_core.domain.measures import ImprovementDirection, run_chart, xmr
from collab_core.publications.bodies import ChartKind, ChartPoint, MeasureChartBody
from collab_core.publications.kinds import PublicationRequest, PublicationSource

__all__ = ["DEFAULT_POINTS", "build_measure_chart", "render_measure_chart"]

#: Points on a chart unless the request says otherwise: two years of months.
DEFAULT_POINTS = 24


def _enum(value: Any, cls: type[Any], field: str) -> Any:
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        known = ", ".join(str(m.value) for m in cls)
        raise DomainValidationError(field, f"must be one of {known}", value) from None


def _periods(request: PublicationRequest, by: str, points: int) -> list[Month | Quarter]:
    last = cast(
        "Month | Quarter", period_of(request.period.end, "month" if by == "month" else "quarter")
    )
    out: list[Month | Quarter] = [last]
    while len(out) < points:
        out.insert(0, out[0].previous())
    return out


def _values(
    source: PublicationSource, request: PublicationRequest, measure: str, periods: Sequence[Any]
) -> list[Fraction | None]:
    return [
        None if p.end > request.as_of else source.measure_value(measure, p.end) for p in periods
    ]


def _point_value(value: Fraction | None, people: bool) -> Count | Figure | None:
    if value is None:
        return None
    if not people:
        return Figure(value)
    if value.denominator != 1 or value < 0:
        raise DomainValidationError(
            "people",
            "the measure's values are not whole numbers of people: pass people=False for a "
            "rate, a proportion or a count of organisations",
            str(value),
        )
    return Count(int(value))


def build_measure_chart(source: PublicationSource, request: PublicationRequest) -> MeasureChartBody:
    """Build the chart of the measure named by the ``measure`` option, one point per month
    (or quarter) up to the end of ``request.period``.

    Options: ``measure`` (a registered measure id, required), ``chart`` (``"xmr"``, the
    default, or ``"run"``), ``by`` (``"month"`` or ``"quarter"``), ``points`` (default 24),
    ``improvement`` (``"increase"``, ``"decrease"`` or ``"neutral"``), ``target`` (for the
    assurance icon), ``people`` (default ``True``: the values are counts of people, and are
    shown as :class:`~collab_core.Count`; ``False`` for rates, proportions or counts of
    trusts). Points after ``request.as_of`` have no value.

    The chart is computed from the exact values; its centre line and limits are
    :class:`~collab_core.Figure` values over the total the chart counts, so they are
    suppressed only when that total is.
    """
    request.check_options("measure", "chart", "by", "points", "improvement", "target", "people")
    measure = request.option("measure")
    spec = source.measures.get(measure) if isinstance(measure, str) else None
    if spec is None:
        known = ", ".join(sorted(source.measures)) or "none"
        raise ConfigurationError(
            f"measure_chart: the option measure must name a registered measure (known: {known})"
        )
    chart = _enum(request.option("chart", ChartKind.XMR), ChartKind, "chart")
    by = request.option("by", "month")
    if by not in ("month", "quarter"):
        raise DomainValidationError("by", "must be month or quarter", by)
    points = request.option("points", DEFAULT_POINTS)
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise DomainValidationError("points", "must be a whole number of at least 2", points)
    improvement = _enum(
        request.option("improvement", ImprovementDirection.INCREASE),
        ImprovementDirection,
        "improvement",
    )
    people = request.option("people", True)
    if not isinstance(people, bool):
        raise DomainValidationError("people", "must be True or False", people)
    target = request.option("target")
    periods = _periods(request, by, points)
    values = _values(source, request, measure, periods)
    shown = [_point_value(v, people) for v in values]
    total = (Count(int(sum(v for v in values if v is not None))),) if people else ()
    labels = [p.label for p in periods]
    chart_points: list[ChartPoint] = []
    variation = assurance = signal = None
    if chart is ChartKind.XMR:
        result = xmr(values, x=labels, improvement=improvement, target=target)
        for period, value, point in zip(periods, shown, result.points, strict=True):
            phase = result.phases[point.phase]
            chart_points.append(
                ChartPoint(
                    x=period.label,
                    period=period,
                    value=value,
                    centre=Figure(phase.mean, total),
                    lower_limit=Figure(phase.lower_limit, total),
                    upper_limit=Figure(phase.upper_limit, total),
                    label=point.label,
                    side=point.side,
                )
            )
        variation, assurance = result.variation, result.assurance
    else:
        run = run_chart(values, x=labels, improvement=improvement)
        for period, value, rpoint in zip(periods, shown, run.points, strict=True):
            chart_points.append(
                ChartPoint(
                    x=period.label,
                    period=period,
                    value=value,
                    centre=Figure(run.median, total),
                    label=rpoint.label,
                    side=rpoint.label_side,
                )
            )
        signal = run.signal
    return MeasureChartBody(
        audience=request.audience.name,
        period=request.period,
        measure=spec.measure.id,
        name=spec.measure.name,
        unit=spec.measure.unit,
        chart=chart,
        improvement=improvement,
        points=tuple(chart_points),
        target=None if target is None else Figure(Fraction(target)),
        variation=variation,
        assurance=assurance,
        signal=signal,
    )


def _float(value: Count | Figure | None) -> float | None:
    if value is None or value.value is None:
        return None
    return float(value.value)


def render_measure_chart(
    body: MeasureChartBody, path_or_format: str | Path = "svg", *, title: str | None = None
) -> bytes:
    """Draw a measure's chart from its publication body (``collab_core.charts.render_series``):
    the image, written to a path when given one. A suppressed value leaves a gap, and a
    suppressed centre line or limit is not drawn, so the picture shows no more than the body.

    :param path_or_format: ``"svg"``, ``"png"``, or a path ending ``.svg`` or ``.png``.
    """
    if not isinstance(body, MeasureChartBody):
        raise DomainValidationError("body", "must be a MeasureChartBody", type(body).__name__)
    points = body.points
    xmr_chart = body.chart is ChartKind.XMR
    return render_series(
        [p.x for p in points],
        [_float(p.value) for p in points],
        [p.label for p in points],
        [_float(p.centre) for p in points],
        path_or_format,
        lower=[_float(p.lower_limit) for p in points] if xmr_chart else None,
        upper=[_float(p.upper_limit) for p in points] if xmr_chart else None,
        target=_float(body.target),
        variation=body.variation,
        assurance=body.assurance,
        title=title,
        ylabel=body.unit or None,
    )

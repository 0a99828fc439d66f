"""A measure's chart on a page: the SVG drawn by collab_core's renderer, made fit to inline
(its ids kept unique on the page, its size fluid, named by a text alternative), the words that
say what it shows, and the rows of its data table."""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs
from markupsafe import Markup

from collab_core import (
    AssuranceIcon,
    ChartKind,
    ChartPoint,
    ImprovementDirection,
    MeasureChartBody,
    Month,
    PointLabel,
    VariationIcon,
    render_measure_chart,
)
from collab_site.formatting import plain, words

__all__ = ["ChartView", "Draw", "describe", "draw", "inline_svg"]

#: How a page gets the SVG of a chart (the publisher may keep what it drew before).
Draw = Callable[[MeasureChartBody], bytes]


def draw(body: MeasureChartBody) -> bytes:
    """The chart's SVG, drawn by collab_core's renderer with the measure's name as its title."""
    return render_measure_chart(body, "svg", title=body.name)


_SPECIAL = {
    PointLabel.SPECIAL_CAUSE_IMPROVEMENT: "special cause improvement",
    PointLabel.SPECIAL_CAUSE_CONCERN: "special cause concern",
    PointLabel.SPECIAL_CAUSE_NEITHER: "special cause variation (neither improvement nor concern)",
}
_VARIATION = {
    VariationIcon.COMMON_CAUSE: "common cause variation",
    VariationIcon.IMPROVEMENT_HIGH: "improvement (higher values)",
    VariationIcon.IMPROVEMENT_LOW: "improvement (lower values)",
    VariationIcon.CONCERN_HIGH: "concern (higher values)",
    VariationIcon.CONCERN_LOW: "concern (lower values)",
    VariationIcon.NEITHER_HIGH: "special cause variation, higher values",
    VariationIcon.NEITHER_LOW: "special cause variation, lower values",
}
_ASSURANCE = {
    AssuranceIcon.PASS: "the process consistently passes the target",
    AssuranceIcon.FAIL: "the process consistently fails the target",
    AssuranceIcon.HIT_AND_MISS: "the process will sometimes meet the target and sometimes not",
}
_DIRECTION = {
    ImprovementDirection.INCREASE: "higher is better",
    ImprovementDirection.DECREASE: "lower is better",
    ImprovementDirection.NEUTRAL: "neither direction is better",
}


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _latest_run(points: tuple[ChartPoint, ...]) -> tuple[PointLabel, int] | None:
    """The special cause label of the last point with a value, and how many points in a row up
    to it carry the same label."""
    valued = [p for p in points if p.label is not None]
    if not valued or valued[-1].label not in _SPECIAL:
        return None
    label = valued[-1].label
    run = 0
    for point in reversed(valued):
        if point.label is not label:
            break
        run += 1
    return label, run


def describe(body: MeasureChartBody) -> str:
    """What the chart shows, in words: the text alternative of its picture, e.g. ``"XmR chart of
    members developing QI capability (people), 24 months from 2017-04 to 2019-03; higher is
    better. Special cause improvement in the last 7 months. ..."``."""
    points = body.points
    unit = "month" if points and isinstance(points[0].period, Month) else "quarter"
    kind = "XmR chart" if body.chart is ChartKind.XMR else "Run chart"
    sentences = [
        f"{kind} of {body.name} ({body.unit}), {_plural(len(points), unit)}"
        + (f" from {points[0].x} to {points[-1].x}" if points else "")
        + f"; {_DIRECTION[body.improvement]}."
    ]
    latest = next((p for p in reversed(points) if p.value is not None), None)
    if latest is not None:
        sentences.append(f"Latest value {plain(latest.value)} in {latest.x}.")
    run = _latest_run(points)
    if run is not None:
        label, n = run
        sentences.append(f"{_SPECIAL[label].capitalize()} in the last {_plural(n, unit)}.")
    else:
        special = sorted({_SPECIAL[p.label] for p in points if p.label in _SPECIAL})
        if special:
            sentences.append(
                f"Earlier points show {' and '.join(special)}; the latest shows "
                "common cause variation."
            )
        elif body.chart is ChartKind.XMR:
            sentences.append("Common cause variation only: no point is a special cause.")
    if body.chart is ChartKind.XMR and body.variation is not None:
        sentences.append(f"Variation: {_VARIATION[body.variation]}.")
    if body.assurance is not None and body.target is not None:
        sentences.append(
            f"Against the target of {plain(body.target)}: {_ASSURANCE[body.assurance]}."
        )
    if body.chart is ChartKind.RUN and body.signal is not None:
        sentences.append(
            "The runs show non-random variation."
            if body.signal
            else "The runs show only random variation."
        )
    return " ".join(sentences)


_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(svg: bytes, prefix: str, labelled_by: str) -> Markup:
    """The SVG ready to sit in a page: no XML prolog, every id prefixed (two charts on a page
    never share one), a fluid size, and ``role="img"`` named by the element ``labelled_by``; no
    SVG (a chart left undrawn) is nothing."""
    if not svg:
        return Markup()
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    ids = set(_ID.findall(text))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}"
        text = text.replace(f'id="{old}"', f'id="{new}"')
        text = text.replace(f"url(#{old})", f"url(#{new})")
        text = text.replace(f'href="#{old}"', f'href="#{new}"')
    text = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r"<svg \1", text, count=1)
    text = text.replace(
        "<svg ",
        f'<svg class="collab-chart" role="img" aria-labelledby="{labelled_by}" focusable="false" ',
        1,
    )
    return Markup(text)  # noqa: S704 - matplotlib's own SVG; every text in it was escaped


@attrs.frozen
class ChartView:
    """A chart as a page shows it: its anchor, the picture, its words and its data."""

    anchor: str
    body: MeasureChartBody
    svg: Markup
    description: str

    @classmethod
    def of(cls, body: MeasureChartBody, anchor: str, drawn: Draw = draw) -> ChartView:
        svg = drawn(body)
        return cls(anchor, body, inline_svg(svg, anchor, f"{anchor}-description"), describe(body))

    @property
    def limits(self) -> bool:
        return self.body.chart is ChartKind.XMR

    def label(self, point: ChartPoint) -> str:
        if point.label is None:
            return "–"
        return words(point.label) + (f" ({point.side.value})" if point.side else "")

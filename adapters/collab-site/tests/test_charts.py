"""A measure's chart on a page: its words say what it shows, its SVG sits inline with unique
ids and a name, and its data table matches the publication."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core import (
    ChartKind,
    ChartPoint,
    Count,
    Figure,
    ImprovementDirection,
    MeasureChartBody,
    Month,
    PointLabel,
    VariationIcon,
)
from collab_core.ports import Publication
from collab_site import SitePublisher
from collab_site import publisher as publisher_module
from collab_site.charts import ChartView, describe, draw
from collab_site.manifest import FOLDER

from .conftest import YEAR

LABELS = st.sampled_from(list(PointLabel))


def _body(labels: list[PointLabel], values: list[Count] | None = None) -> MeasureChartBody:
    month = Month(2017, 4)
    points = []
    for i, label in enumerate(labels):
        value = Count(10 + i) if values is None else values[i]
        points.append(
            ChartPoint(
                x=month.label,
                period=month,
                value=value,
                centre=Figure(Fraction(12)),
                lower_limit=Figure(Fraction(5)),
                upper_limit=Figure(Fraction(19)),
                label=label,
            )
        )
        month = month.next()
    return MeasureChartBody(
        audience="public",
        period=YEAR,
        measure="capability.members",
        name="Members who Learn, Live or Lead QI",
        unit="members",
        chart=ChartKind.XMR,
        improvement=ImprovementDirection.INCREASE,
        points=tuple(points),
        variation=VariationIcon.IMPROVEMENT_HIGH,
    )


def test_the_words_name_the_special_cause_run_at_the_end() -> None:
    labels = [PointLabel.COMMON_CAUSE] * 13 + [PointLabel.SPECIAL_CAUSE_IMPROVEMENT] * 7
    text = describe(_body(labels))
    assert "Special cause improvement in the last 7 months." in text
    assert "XmR chart of Members who Learn, Live or Lead QI (members), 20 months" in text
    assert "higher is better" in text


def test_a_chart_of_common_cause_only_says_so() -> None:
    text = describe(_body([PointLabel.COMMON_CAUSE] * 12))
    assert "Common cause variation only" in text


@given(st.lists(LABELS, min_size=1, max_size=30))
def test_the_run_described_is_the_run_of_the_last_label(labels: list[PointLabel]) -> None:
    text = describe(_body(labels))
    last = labels[-1]
    run = next((i for i, label in enumerate(reversed(labels)) if label is not last), len(labels))
    found = re.search(r"in the last (\d+) months?\.", text)
    if last is PointLabel.COMMON_CAUSE:
        assert found is None
    else:
        assert found is not None
        assert int(found.group(1)) == run


def test_the_inline_svg_has_a_name_and_ids_of_its_own() -> None:
    body = _body([PointLabel.COMMON_CAUSE] * 12)
    one = ChartView.of(body, "chart-a")
    two = ChartView.of(body, "chart-b")
    for view in (one, two):
        svg = str(view.svg)
        assert svg.startswith("<svg ")
        assert 'role="img"' in svg
        assert f'aria-labelledby="{view.anchor}-description"' in svg
        ids = re.findall(r'\bid="([^"]+)"', svg)
        assert ids
        assert all(i.startswith(f"{view.anchor}-") for i in ids)
        for ref in re.findall(r"url\(#([^)]+)\)", svg):
            assert ref in ids
    assert not set(re.findall(r'id="([^"]+)"', str(one.svg))) & set(
        re.findall(r'id="([^"]+)"', str(two.svg))
    )


def test_the_data_table_shows_every_point_and_withheld_values_as_a_star(
    tmp_path: Path, public: list[Publication]
) -> None:
    chart = next(p for p in public if isinstance(p.body, MeasureChartBody))
    assert isinstance(chart.body, MeasureChartBody)
    site = SitePublisher(tmp_path)
    site.deliver(chart)
    html = (tmp_path / "measures.html").read_text(encoding="utf-8")
    assert html.count('<svg class="collab-chart"') == 1
    for point in chart.body.points:
        assert f'<th class="nhsuk-table__header" scope="row">{point.x}</th>' in html
    assert "Special cause" in html
    withheld = _body([PointLabel.COMMON_CAUSE] * 3, [Count(10), Count(15), Count.suppressed()])
    assert "Latest value * in 2017-06." in describe(withheld)
    body = _body([PointLabel.COMMON_CAUSE] * 3, [Count(10), Count(15), Count.suppressed()])
    other = SitePublisher(tmp_path / "withheld")
    other.deliver(attrs.evolve(chart, body=body))
    page = (tmp_path / "withheld" / "measures.html").read_text(encoding="utf-8")
    assert '<td class="nhsuk-table__cell">*<span class="nhsuk-u-visually-hidden">' in page
    assert "withheld under disclosure control" in page


def test_a_chart_is_drawn_once_and_forgotten_when_no_page_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, public: list[Publication]
) -> None:
    drawn: list[MeasureChartBody] = []

    def counting(body: MeasureChartBody) -> bytes:
        drawn.append(body)
        return draw(body)

    monkeypatch.setattr(publisher_module, "draw", counting)
    chart = next(p for p in public if isinstance(p.body, MeasureChartBody))
    site = SitePublisher(tmp_path)
    site.deliver(chart)
    assert len(drawn) == 1, "the measures page and the chart's own page share one drawing"
    for publication in public:
        site.deliver(publication)
    assert len(drawn) == 1, "drawn again for no later delivery"
    kept = sorted((tmp_path / FOLDER / "charts").glob("*.svg"))
    assert len(kept) == 1
    body = _body([PointLabel.COMMON_CAUSE] * 3)
    later = chart.created_at + dt.timedelta(days=1)
    site.deliver(attrs.evolve(chart, id=uuid.uuid4(), body=body, created_at=later))
    assert len(drawn) == 2
    assert kept[0] not in sorted((tmp_path / FOLDER / "charts").glob("*.svg"))

"""Charts: every measure draws to SVG and PNG with the Making Data Count colours and icons."""

from __future__ import annotations

import builtins
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from collab_core import (
    ChartKind,
    ChartPoint,
    ConfigurationError,
    Count,
    DomainValidationError,
    Figure,
    FinancialYear,
    MeasureChartBody,
    Month,
    charts,
    render_measure_chart,
)
from collab_core.domain.measures import (
    ImprovementDirection,
    PointLabel,
    SpcOptions,
    VariationIcon,
    funnel_plot,
    p_chart,
    p_prime_chart,
    run_chart,
    u_chart,
    u_prime_chart,
    xmr,
)

SVG = "{http://www.w3.org/2000/svg}"
BASE = [10, 12, 11, 13, 10, 12, 11, 13, 10, 12, 11, 13]


def _svg(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - our own output


def _ids(root: ET.Element) -> set[str]:
    return {el.get("id", "") for el in root.iter()}


def _colours(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode").lower()


def _texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def test_an_xmr_svg_has_the_limits_the_colours_and_both_icons() -> None:
    result = xmr([*BASE, 30], target=20)
    root = _svg(charts.render_xmr(result, "svg", title="Deaths reviewed"))
    ids = _ids(root)
    assert {"mean", "lower-limit", "upper-limit", "target", "points", "value-line"} <= ids
    assert "variation-icon-improvement_high" in ids
    assert "assurance-icon-consistent_fail" in ids
    style = _colours(root)
    assert "#00b0f0" in style  # the improvement point and icon
    assert "#a6a6a6" in style  # common cause points and the limits
    assert "stroke-dasharray" in style  # dashed limits
    assert "H" in _texts(root)
    assert "F" in _texts(root)
    assert "Deaths reviewed" in _texts(root)


def test_a_concern_low_point_is_orange_with_an_l() -> None:
    result = xmr([*BASE, -10])
    root = _svg(charts.render_xmr(result, "svg"))
    assert "variation-icon-concern_low" in _ids(root)
    assert "#e46c0a" in _colours(root)
    assert "L" in _texts(root)


def test_a_neutral_measure_is_purple_and_has_no_assurance_icon() -> None:
    result = xmr([*BASE, 30], improvement=ImprovementDirection.NEUTRAL, target=5)
    root = _svg(charts.render_xmr(result, "svg"))
    assert "variation-icon-neither_high" in _ids(root)
    assert not any(i.startswith("assurance-icon") for i in _ids(root))
    assert "#490092" in _colours(root)


def test_png_output_is_a_png_of_the_figure_size(tmp_path: Path) -> None:
    result = xmr(BASE)
    path = tmp_path / "xmr.png"
    data = charts.render_xmr(result, path)
    assert path.read_bytes() == data
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (900, 450)


def test_svg_output_is_written_to_a_path_and_repeatable(tmp_path: Path) -> None:
    result = run_chart([1, 2, 3, 4, 5, 6, 7, 8, 3, 2, 1, 4])
    first = charts.render_run_chart(result, tmp_path / "run.svg")
    assert (tmp_path / "run.svg").read_bytes() == first
    assert charts.render_run_chart(result, "svg") == first
    assert "median" in _ids(_svg(first))


@pytest.mark.parametrize("chart", [p_chart, u_chart, p_prime_chart, u_prime_chart])
def test_every_attribute_chart_draws_its_stepped_limits(chart: object) -> None:
    result = chart([12, 8, 6, 9, 10, 40], [100, 80, 80, 100, 110, 110])  # type: ignore[operator]
    root = _svg(charts.render_attribute(result, "svg"))
    assert {"centre", "lower-limit", "upper-limit", "points"} <= _ids(root)
    assert any(i.startswith("variation-icon") for i in _ids(root))


def test_a_funnel_draws_both_limits_and_colours_units_by_direction() -> None:
    result = funnel_plot(["RX1", "RX2", "RX3"], [500, 420, 300], [1000, 1000, 1000])
    root = _svg(charts.render_funnel(result, "svg", improvement=ImprovementDirection.INCREASE))
    ids = _ids(root)
    assert {"funnel-lower-95", "funnel-upper-95", "funnel-lower-998", "funnel-upper-998"} <= ids
    style = _colours(root)
    assert "#00b0f0" in style  # RX1, significantly high and higher is better
    assert "#e46c0a" in style  # RX3, significantly low
    assert "RX1" in _texts(root)


def test_render_dispatches_on_the_result_type() -> None:
    assert charts.render(xmr(BASE), "png")[:4] == b"\x89PNG"
    with pytest.raises(DomainValidationError, match="result"):
        charts.render("not a result", "svg")  # type: ignore[arg-type]


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(DomainValidationError, match="path_or_format"):
        charts.render_xmr(xmr(BASE), "chart.pdf")


def test_without_matplotlib_a_configuration_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: object, **kwargs: object) -> object:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ConfigurationError, match=r"collab-core\[charts\]"):
        charts.render_xmr(xmr(BASE), "svg")


def test_a_chart_with_trial_limits_says_so_in_its_subtitle() -> None:
    # NHSRplotthedots 0.2.2 (R/ptd_create_ggplot.R) captions a chart when any group has the
    # short-group warning; here the warning is the subtitle, under the title
    short = xmr([*BASE, 30, 28, 31], rebase_at=[13], target=20)
    assert short.short_groups == (0, 1)
    root = _svg(charts.render_xmr(short, "svg", title="Deaths reviewed"))
    assert "short-group-warning" in _ids(root)
    texts = _texts(root)
    assert "Deaths reviewed" in texts
    assert (
        "Trial limits: phases 1 and 2 have fewer than 13 values; their limits will change as "
        "values are added." in texts
    )
    one = charts.short_group_subtitle(xmr(BASE[:8]))
    assert one == "Trial limits: fewer than 13 values; the limits will change as values are added."
    only_second = xmr([*BASE, *BASE, 40, 41], rebase_at=[25])
    assert charts.short_group_subtitle(only_second).startswith(
        "Trial limits: phase 2 has fewer than 13 values"
    )
    attribute = p_chart([3, 4, 5], [10, 10, 10])
    assert "short-group-warning" in _ids(_svg(charts.render_attribute(attribute, "svg")))


def test_a_chart_with_enough_values_or_no_threshold_has_no_subtitle() -> None:
    long = xmr([*BASE, 11])
    assert long.warnings == ()
    assert "short-group-warning" not in _ids(_svg(charts.render_xmr(long, "svg")))
    unwarned = xmr(BASE[:5], options=SpcOptions(short_group_threshold=0))
    assert unwarned.warnings == ()
    assert charts.short_group_subtitle(unwarned) == ""
    assert "short-group-warning" not in _ids(_svg(charts.render_xmr(unwarned, "svg")))


def test_a_series_draws_each_phase_its_own_lines_and_leaves_gaps() -> None:
    xs = [f"m{i}" for i in range(6)]
    root = _svg(
        charts.render_series(
            xs,
            [1.0, 2.0, None, 4.0, 5.0, 6.0],
            [PointLabel.COMMON_CAUSE] * 5 + [PointLabel.SPECIAL_CAUSE_IMPROVEMENT],
            [2.0, 2.0, 2.0, 5.0, 5.0, 5.0],
            lower=[0.0, 0.0, 0.0, None, None, None],
            upper=[4.0, 4.0, 4.0, 8.0, 8.0, 8.0],
            variation=VariationIcon.IMPROVEMENT_HIGH,
            title="A measure",
        )
    )
    ids = [el.get("id", "") for el in root.iter()]
    assert ids.count("centre") == 2, "a new phase starts a new centre line"
    assert ids.count("lower-limit") == 1, "no line where the limit is withheld"
    assert ids.count("upper-limit") == 2
    assert "variation-icon-improvement_high" in ids
    assert "#00b0f0" in _colours(root)


def test_a_series_needs_one_entry_per_x() -> None:
    with pytest.raises(DomainValidationError, match="centre"):
        charts.render_series(["a", "b"], [1.0, 2.0], [None, None], [1.0])


def test_a_measure_chart_publication_draws_as_its_figures_say() -> None:
    result = xmr([*BASE, 30])
    body = MeasureChartBody(
        audience="public",
        period=FinancialYear(2018),
        measure="m",
        name="Deaths reviewed",
        unit="deaths",
        chart=ChartKind.XMR,
        improvement=ImprovementDirection.INCREASE,
        points=tuple(
            ChartPoint(
                x=p.x if isinstance(p.x, str) else str(p.x),
                period=Month(2018, 4),
                value=Count.suppressed() if i == 0 else Count(int(p.value or 0)),
                centre=Figure(result.phases[0].mean),
                lower_limit=Figure(result.phases[0].lower_limit),
                upper_limit=Figure(result.phases[0].upper_limit),
                label=None if i == 0 else p.label,
            )
            for i, p in enumerate(result.points)
        ),
        variation=result.variation,
    )
    svg = render_measure_chart(body, "svg", title="Deaths reviewed")
    root = _svg(svg)
    assert "Deaths reviewed" in _texts(root)
    assert {"centre", "lower-limit", "upper-limit", "points"} <= _ids(root)
    assert svg == render_measure_chart(body, "svg", title="Deaths reviewed"), "repeatable"
    with pytest.raises(DomainValidationError, match="body"):
        render_measure_chart(result, "svg")  # type: ignore[arg-type]

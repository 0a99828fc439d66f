"""Measures checked against the published reference implementations.

Reads the peer packages' reference data from ``../shared/reference-data`` beside the
repository (see its README.md); the module is skipped when that folder is absent.
``COLLAB_REFERENCE_DATA`` may point at the folder from elsewhere (a git worktree).
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from collab_core.domain.measures import (
    QICHARTS2_LIMIT,
    FunnelSignificance,
    SpcOptions,
    SpcRule,
    anhoej_analysis,
    funnel_axis,
    funnel_limits,
    funnel_plot,
    p_chart,
    sides_about,
    u_chart,
    xmr,
)

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("COLLAB_REFERENCE_DATA", REPO.parent / "shared" / "reference-data"))

pytestmark = pytest.mark.skipif(
    not DATA.is_dir(),
    reason=f"reference data folder {DATA} is absent (it sits beside the repository in CI)",
)


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _num(text: str) -> Fraction | None:
    return None if text in ("", "NA") else Fraction(text)


def _cases() -> dict[str, list[dict[str, str]]]:
    cases: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _read("qicharts2_reference_points.csv"):
        cases[row["case"]].append(row)
    return cases


CASE_NAMES = [
    "ex_6.5_3",
    "ex_6.5_4",
    "ex_7.1_5",
    "tbl_7.4_1",
    "ex_7.3_3",
    "ex_7.4_1",
    "ex_7.5_1",
    "ex_7.6_1",
]


@pytest.mark.parametrize("case", CASE_NAMES)
def test_anhoej_runs_statistics_match_qicharts2_for_every_reference_case(case: str) -> None:
    # qicharts2_reference_points.csv: qicharts2 0.8.1's runs analysis per chart part, about
    # each chart's own centre line, over included points only.
    rows = _cases()[case]
    parts: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        parts[row["part"]].append(row)
    for part_rows in parts.values():
        included = [r for r in part_rows if r["include"] == "TRUE"]
        values = [_num(r["y"]) for r in included]
        centre = [_num(r["cl"]) for r in included]
        result = anhoej_analysis(sides_about(values, centre))
        ref = part_rows[0]
        assert result.n_useful == int(ref["n_useful"])
        assert result.longest_run == int(ref["longest_run"])
        assert result.longest_run_max == int(float(ref["longest_run_max"]))
        assert result.crossings == int(float(ref["n_crossings"]))
        assert result.crossings_min == int(float(ref["n_crossings_min"]))
        if ref["chart"] != "mr":  # qicharts2 never signals runs on an MR chart
            assert result.signal == (ref["runs_signal"] == "TRUE")


def test_an_i_chart_matches_qicharts2_with_its_constant_and_a_frozen_baseline() -> None:
    # ex_6.5_3: qic(weeks, cost, data = tbl_06.07, chart = 'i', freeze = 20); qicharts2 uses
    # 3/1.128 and does not screen moving ranges by default (option qic.screenedmr).
    rows = _cases()["ex_6.5_3"]
    values = [int(float(r["y"])) for r in rows]
    options = SpcOptions(limit_constant=QICHARTS2_LIMIT, screen_moving_ranges=False, fix_after=20)
    result = xmr(values, options=options)
    phase = result.phases[0]
    assert phase.mean == Fraction(rows[0]["cl"])  # 300.5 exactly
    assert float(phase.lower_limit) == float(rows[0]["lcl"])
    assert float(phase.upper_limit) == float(rows[0]["ucl"])
    for row, point in zip(rows, result.points, strict=True):
        beyond = SpcRule.BEYOND_LIMITS in point.rules
        assert beyond == (row["sigma_signal"] == "TRUE")


def test_the_moving_ranges_match_the_qicharts2_mr_chart() -> None:
    # ex_6.5_4: qic(weeks, cost, data = tbl_06.07, chart = 'mr', freeze = 20): the centre line
    # is the mean moving range of the first 20 points and the limit 3.267 times it.
    rows = _cases()["ex_6.5_4"]
    values = [int(float(r["y_sum"])) for r in rows]
    result = xmr(values, options=SpcOptions(screen_moving_ranges=False, fix_after=20))
    assert [p.moving_range for p in result.points] == [_num(r["y"]) for r in rows]
    amr = result.phases[0].mean_moving_range
    assert math.isclose(float(amr), float(rows[0]["cl"]), rel_tol=1e-15)
    assert math.isclose(float(amr * Fraction("3.267")), float(rows[0]["ucl"]), rel_tol=1e-15)


def test_the_case_list_covers_every_case_in_the_reference_json() -> None:
    described = json.loads((DATA / "qicharts2_reference_cases.json").read_text(encoding="utf-8"))
    assert sorted(c["case"] for c in described["cases"]) == sorted(CASE_NAMES)


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("tbl_7.4_1", {}),  # qic(sample, count, size, data = tbl_07.04, chart = 'p')
        # qic(sample, count, size, data = tbl_07.03, chart = 'p', exclude = c(15, 23), part = 30)
        ("ex_7.1_5", {"exclude": [15, 23], "rebase_at": [31]}),
        ("ex_7.4_1", {}),  # qic(sample, count, size, data = tbl_07.10, chart = 'u')
        ("ex_7.5_1", {"multiplier": 50}),  # qic(..., chart = 'u', multiply = 50)
    ],
)
def test_p_and_u_charts_match_qicharts2_point_by_point(
    case: str, kwargs: dict[str, object]
) -> None:
    rows = _cases()[case]
    chart = p_chart if rows[0]["chart"] == "p" else u_chart
    result = chart(
        [Fraction(r["y_sum"]) for r in rows],
        [Fraction(r["n"]) for r in rows],
        x=[int(r["xx"]) for r in rows],
        **kwargs,  # type: ignore[arg-type]
    )
    for row, point in zip(rows, result.points, strict=True):
        assert math.isclose(float(point.centre), float(row["cl"]), rel_tol=1e-14)
        assert math.isclose(point.lower_limit, float(row["lcl"]), rel_tol=1e-12, abs_tol=1e-15)
        assert math.isclose(point.upper_limit, float(row["ucl"]), rel_tol=1e-12)
        assert (SpcRule.BEYOND_LIMITS in point.rules) == (row["sigma_signal"] == "TRUE")
        assert point.included == (row["include"] == "TRUE")


def _hai_u_chart(summary: dict[str, str]) -> tuple[object, list[dict[str, str]]]:
    rows = _read("qicharts2_hospital_infections.csv")
    if summary["file"] == "hai_2":
        rows = [r for r in rows if r["infection"] == summary["facet1"]]
    if summary["file"] == "hai_3":
        rows = [
            r
            for r in rows
            if (r["hospital"], r["infection"]) == (summary["facet1"], summary["facet2"])
        ]
    months = sorted({r["month"] for r in rows})
    cases = [sum(int(r["n"]) for r in rows if r["month"] == m) for m in months]
    days = [
        sum((Fraction(r["days"]) for r in rows if r["month"] == m), Fraction(0)) for m in months
    ]
    return u_chart(cases, days, x=months), rows


def test_u_charts_of_hospital_infections_match_the_qicharts2_summaries() -> None:
    # qicharts2_hai_summaries.csv: summary(qic(month, n, days, ..., chart = 'u')) for the whole
    # data set (hai_1), by infection (hai_2) and by hospital and infection (hai_3).
    summaries = [s for s in _read("qicharts2_hai_summaries.csv") if s["file"] != "hai_4"]
    assert len(summaries) == 22
    for summary in summaries:
        result, _ = _hai_u_chart(summary)
        points = result.points  # type: ignore[attr-defined]
        runs = result.phases[0].anhoej  # type: ignore[attr-defined]
        assert runs.n_useful == int(summary["n_useful"])
        assert runs.longest_run == int(summary["longest_run"])
        assert runs.crossings == int(summary["n_crossings"])
        assert runs.signal == (summary["runs_signal"] == "1")
        centre = float(result.phases[0].centre)  # type: ignore[attr-defined]
        assert math.isclose(centre, float(summary["CL"]), rel_tol=1e-14)
        mean_lcl = sum(p.lower_limit for p in points) / len(points)
        mean_ucl = sum(p.upper_limit for p in points) / len(points)
        assert math.isclose(mean_lcl, float(summary["aLCL"]), rel_tol=1e-10, abs_tol=1e-15)
        assert math.isclose(mean_ucl, float(summary["aUCL"]), rel_tol=1e-12)
        beyond = sum(SpcRule.BEYOND_LIMITS in p.rules for p in points)
        assert beyond == int(summary["sigma_signal"])


def test_the_hospital_funnel_finds_the_hospitals_the_vignette_names() -> None:
    # hai_4: qic(reorder(hospital, days), n, days, data = subset(hospital_infections, month >=
    # '2016-07-01'), chart = 'u', facets = ~ infection, multiply = 10000). The qicharts2
    # vignette, Case 4: "NOH has unusually few bacteremias and urinary tract infections ...
    # BFH has unusually many Clostridium difficile infections".
    rows = [r for r in _read("qicharts2_hospital_infections.csv") if r["month"] >= "2016-07-01"]
    days: dict[str, list[Fraction]] = defaultdict(list)
    for r in rows:
        days[r["hospital"]].append(Fraction(r["days"]))
    order = sorted(days, key=lambda h: sum(days[h]) / len(days[h]))
    flagged = {}
    for summary in (s for s in _read("qicharts2_hai_summaries.csv") if s["file"] == "hai_4"):
        infection = [r for r in rows if r["infection"] == summary["facet1"]]
        result = u_chart(
            [sum(int(r["n"]) for r in infection if r["hospital"] == h) for h in order],
            [
                sum((Fraction(r["days"]) for r in infection if r["hospital"] == h), Fraction(0))
                for h in order
            ],
            x=order,
            multiplier=10_000,
        )
        assert math.isclose(float(result.phases[0].centre), float(summary["CL"]), rel_tol=1e-14)
        runs = result.phases[0].anhoej
        assert (runs.longest_run, runs.crossings) == (
            int(summary["longest_run"]),
            int(summary["n_crossings"]),
        )
        flagged[summary["facet1"]] = [
            (p.x, p.side.value)
            for p in result.points
            if SpcRule.BEYOND_LIMITS in p.rules  # type: ignore[union-attr]
        ]
    assert flagged == {"BAC": [("NOH", "low")], "CDI": [("BFH", "high")], "UTI": [("NOH", "low")]}


def _phe_funnel() -> tuple[object, list[dict[str, str]]]:
    rows = _read("phe_funnel_prop_inputs.csv")
    result = funnel_plot(
        [r["Area"] for r in rows],
        [Decimal(r["numerator"]) for r in rows],
        [Decimal(r["denominator"]) for r in rows],
    )
    return result, rows


def test_funnel_significance_matches_phe_indicator_methods_for_every_area() -> None:
    # PHEindicatormethods tests/testthat/testdata_funnel_prop_*.csv: 303 areas and the label
    # phe_funnel_significance() gives each.
    result, rows = _phe_funnel()
    labels = [u.significance.value for u in result.units]  # type: ignore[attr-defined]
    assert labels == [r["significance"] for r in rows]
    assert {FunnelSignificance(v) for v in labels} == set(FunnelSignificance)


def test_funnel_limits_and_axis_match_phe_indicator_methods() -> None:
    # phe_funnel_prop_limits.csv: phe_funnels() of the same 303 areas, in percent (6 decimals)
    result, _ = _phe_funnel()
    limits = _read("phe_funnel_prop_limits.csv")
    axis = funnel_axis(result.min_denominator, result.max_denominator)  # type: ignore[attr-defined]
    assert axis == tuple(int(r["Population"]) for r in limits)
    for row in limits:
        ours = funnel_limits(result.average, int(row["Population"]))  # type: ignore[attr-defined]
        assert math.isclose(float(result.average) * 100, float(row["Baseline"]), abs_tol=5e-7)  # type: ignore[attr-defined]
        for attr, column in (
            ("lower_95", "Lower2s0025limit"),
            ("upper_95", "Upper2s0025limit"),
            ("lower_998", "Lower3s0001limit"),
            ("upper_998", "Upper3s0001limit"),
        ):
            assert math.isclose(getattr(ours, attr) * 100, float(row[column]), abs_tol=5e-7)


def test_funnel_limits_match_phe_indicator_methods_on_a_narrow_axis() -> None:
    # phe_funnel_prop_limits_axis_variation.csv: limits from 10,000 to 33,000 (8 decimals)
    rows = _read("phe_funnel_prop_limits_axis_variation.csv")
    average = Fraction(rows[0]["Baseline"]) / 100
    for row in rows:
        ours = funnel_limits(average, int(row["Population"]))
        assert math.isclose(ours.lower_95 * 100, float(row["Lower2s0025limit"]), abs_tol=1e-7)
        assert math.isclose(ours.upper_998 * 100, float(row["Upper3s0001limit"]), abs_tol=1e-7)

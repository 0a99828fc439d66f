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
from fractions import Fraction
from pathlib import Path

import pytest

from collab_core.domain.measures import (
    QICHARTS2_LIMIT,
    SpcOptions,
    SpcRule,
    anhoej_analysis,
    sides_about,
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

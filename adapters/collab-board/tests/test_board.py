"""The board pack: the workbook is reopened and every cell checked against collab_core's own
calculations (controlled for the audience: ``*`` for the public's small counts), with its
charts, formats, frozen panes and cover; a CSV file beside it for every table; delivering again
keeps one copy of each file."""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from collab_board import BoardPublisher, cell_value, tables_of
from collab_board.tables import BLOCKS
from collab_core import (
    NHS_DIGITAL,
    ActionStatus,
    Audience,
    Collaborative,
    ConfigurationError,
    Count,
    Quarter,
    Share,
    capability_growth,
)
from collab_core.ports import Publication
from collab_core.publications import CAPABILITY_BASELINE_ON
from collab_core.synthetic import SyntheticCollaborative
from collab_core.testing.strategies import counts, shares, typed_publications

SYNTHETIC = SyntheticCollaborative(seed=5, trusts=4, years=2, deaths_per_trust_year=50)
YEAR = SYNTHETIC.financial_years[-1]
AS_OF = YEAR.end + dt.timedelta(days=90)
AT = dt.datetime.combine(AS_OF, dt.time(9), tzinfo=dt.UTC)
EXACT = (Audience.TRUST_BOARD, Audience.STAFF)


@pytest.fixture(scope="module")
def collab() -> Iterator[Collaborative]:
    with Collaborative.open(load_entry_points=False, environ={}) as opened:
        for batch in SYNTHETIC.batches():
            opened.record(batch.records)  # type: ignore[arg-type]
        yield opened


def _gated(collab: Collaborative, kind: str, audience: Audience, **options: Any) -> Publication:
    built = collab.publication(kind, audience, YEAR, as_of=AS_OF, created_at=AT, **options)
    return collab.privacy_gate.check(built)


def _count(n: int, audience: Audience) -> object:
    """A count of people as the audience sees it, by collab_core's policy."""
    shown = Count(n) if audience in EXACT else NHS_DIGITAL.control(Count(n))
    return shown.shown if shown.value is None else shown.value


def _share(part: int, whole: int, audience: Audience) -> object:
    suppressed = audience not in EXACT and any(
        NHS_DIGITAL.control(Count(n)).is_suppressed for n in (part, whole)
    )
    share = Share.of(part, whole)
    if suppressed:
        return "*"
    return "-" if share.value is None else pytest.approx(float(share.value))


def _rows(sheet: Worksheet, first: int = 4) -> list[list[Any]]:
    return [list(r) for r in sheet.iter_rows(min_row=first, values_only=True)]


@pytest.mark.parametrize("audience", [Audience.TRUST_BOARD, Audience.PUBLIC], ids=str)
def test_the_dashboard_sheet_is_the_library_dashboard_quarters_across_items_down(
    collab: Collaborative, tmp_path: Path, audience: Audience
) -> None:
    publication = _gated(collab, "lfd_dashboard", audience)
    receipt = BoardPublisher.from_settings({"folder": str(tmp_path)}).deliver(publication)
    book = load_workbook(str(receipt.location))
    assert book.sheetnames == ["Cover", "Dashboard", "Quarterly trend", "Learning", "Look-back"]
    sheet = book["Dashboard"]
    periods = [*YEAR.quarters, YEAR]
    assert [c.value for c in sheet[3]] == ["Item", "Block", "Figure", *(p.label for p in periods)]
    assert sheet.freeze_panes == "D4"
    figures = collab.lfd_dashboard([YEAR], AS_OF)
    expected: list[list[Any]] = []
    for block, label in BLOCKS:
        counts_by = [figures.row(None, p).block(block) for p in periods]  # type: ignore[union-attr]
        expected += [
            ["27.1", label, "Deaths in scope", *(_count(c.in_scope, audience) for c in counts_by)],
            [
                "27.2",
                label,
                "Reviewed or investigated",
                *(_count(c.reviewed, audience) for c in counts_by),
            ],
            [
                "27.2",
                label,
                "% reviewed or investigated",
                *(_share(c.reviewed, c.in_scope, audience) for c in counts_by),
            ],
            [
                "27.3",
                label,
                "Judged more likely than not due to problems in care",
                *(_count(c.judged, audience) for c in counts_by),
            ],
            [
                "27.3",
                label,
                "% judged due to problems in care",
                *(_share(c.judged, c.in_scope, audience) for c in counts_by),
            ],
        ]
    assert _rows(sheet) == expected
    assert sheet["D4"].number_format == "#,##0"
    assert sheet["D6"].number_format == "0.0%" or sheet["D6"].value == "*"
    assert sheet.column_dimensions["C"].width == 50
    shown = [v for row in _rows(sheet) for v in row[3:]]
    if audience is Audience.PUBLIC:
        assert "*" in shown, "small counts are suppressed for the public"
        assert all(v in ("*", "-") or isinstance(v, float) or v % 5 == 0 for v in shown)
    else:
        assert "*" not in shown

    back = collab.lfd_look_back(YEAR).row(None)
    assert back is not None
    assert [r[2] for r in _rows(book["Look-back"])] == [
        _count(n, audience)
        for n in (
            back.reviewed_in_year,
            back.judged_in_year,
            back.previous_estimate,
            back.revised_estimate,
        )
    ]
    trend = _rows(book["Quarterly trend"])
    assert [r[0] for r in trend] == [q.label for q in YEAR.quarters]
    for row, quarter in zip(trend, YEAR.quarters, strict=True):
        c = figures.row(None, quarter).all_ages  # type: ignore[union-attr]
        assert row[1:] == [_count(n, audience) for n in (c.in_scope, c.reviewed, c.judged)]
    items = list(collab.learning_items(start=YEAR.start, end=YEAR.end))
    actions = [a for i in items for a in i.actions]
    learning = [r[2] for r in _rows(book["Learning"])]
    assert learning == [
        _count(n, audience)
        for n in (
            len(items),
            len(actions),
            sum(1 for a in actions if a.status is ActionStatus.COMPLETED),
            sum(1 for a in actions if a.impact is not None),
        )
    ]
    with zipfile.ZipFile(str(receipt.location)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1, "one native line chart: the quarterly trend"
        assert re.search(rb"<(c:)?lineChart>", archive.read(charts[0]))
    cover = {r[0]: r[1] for r in book["Cover"].iter_rows(min_row=3, values_only=True)}
    assert cover["Period"] == YEAR.label
    assert cover["Audience"] == audience.value
    assert ("Disclosure control" in cover) is (audience is Audience.PUBLIC)
    assert book["Cover"]["A1"].value == publication.title


def test_every_table_has_its_csv_beside_the_workbook_with_the_same_cells(
    collab: Collaborative, tmp_path: Path
) -> None:
    publisher = BoardPublisher.from_settings({"folder": str(tmp_path)})
    publication = _gated(collab, "lfd_dashboard", Audience.PUBLIC)
    book = load_workbook(str(publisher.deliver(publication).location))
    tables = tables_of(publication)
    _workbook, *files = publisher.files(publication)
    assert len(files) == len(tables)
    for table, path in zip(tables, files, strict=True):
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == [c.heading for c in table.columns]
        sheet = _rows(book[table.name])
        assert len(rows) - 1 == len(sheet)
        for written, cells in zip(rows[1:], sheet, strict=True):
            for cell, text in zip(cells, written, strict=True):
                if isinstance(cell, int | float):  # the workbook keeps 15 significant digits
                    assert float(text) == pytest.approx(cell)
                else:
                    assert text == ("" if cell is None else str(cell))


def test_assurance_and_targets_sheets_are_the_library_figures(
    collab: Collaborative, tmp_path: Path
) -> None:
    publisher = BoardPublisher.from_settings({"folder": str(tmp_path)})
    book = load_workbook(
        str(publisher.deliver(_gated(collab, "assurance", Audience.PUBLIC)).location)
    )
    candour = collab.candour_compliance(YEAR, AS_OF)
    rows = _rows(book["Candour"])
    assert len(rows) == len(candour.trusts) + 1
    for row, line in zip(rows, (*candour.trusts, candour.overall), strict=True):
        assert row[0] == (None if line.trust is None else str(line.trust))
        assert row[2:7] == [
            _count(n, Audience.PUBLIC)
            for n in (line.due, line.met, line.late, len(line.overdue), line.pending)
        ]
        assert row[7] == _share(line.met, line.due, Audience.PUBLIC)
    assert rows[-1][1] == "All trusts"
    actions = collab.overdue_actions(YEAR.end)
    overdue = _rows(book["Overdue actions"])
    for row, a_line in zip(overdue[:-1], actions.trusts, strict=True):
        assert row[0] == str(a_line.trust)
        assert row[2:4] == [
            _count(a_line.open, Audience.PUBLIC),
            _count(a_line.overdue_count, Audience.PUBLIC),
        ]
    assert overdue[-1][2] == _count(actions.open, Audience.PUBLIC)
    assert book["Candour"].freeze_panes == "C4"

    targets = load_workbook(
        str(publisher.deliver(_gated(collab, "headline_targets", Audience.TRUST_BOARD)).location)
    )
    coverage = collab.sharing_coverage(YEAR, Audience.COLLABORATIVE)
    figures = {r[0]: r[1] for r in _rows(targets["Sharing coverage"])}
    assert figures["Member trusts"] == coverage.denominator
    assert figures["Trusts that shared"] == coverage.numerator
    assert figures["Coverage"] == pytest.approx(float(coverage.proportion or 0))
    trajectory = _rows(targets["Coverage trajectory"])
    for row, quarter in zip(trajectory, YEAR.quarters, strict=False):
        part = collab.sharing_coverage(quarter, Audience.COLLABORATIVE)
        assert row[:3] == [quarter.label, part.numerator, part.denominator]
    capability = {r[0]: r[1] for r in _rows(targets["Capability"])}
    growth = capability_growth(
        collab.capability_census(CAPABILITY_BASELINE_ON), collab.capability_census(YEAR.end)
    )
    assert capability["Baseline"] == growth.baseline.count
    assert capability["Current"] == growth.current.count
    assert capability["Goal"] == pytest.approx(float(growth.target.goal))
    assert capability["Expected on the trajectory"] == pytest.approx(
        float(growth.progress.expected)
    )
    assert capability["On track"] == ("Yes" if growth.progress.on_track else "No")
    assert "Capability trajectory" in targets.sheetnames


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def test_every_kind_renders_and_delivering_again_keeps_one_copy_of_each_file(
    collab: Collaborative, tmp_path: Path
) -> None:
    publisher = BoardPublisher.from_settings({"folder": str(tmp_path)})
    kinds: dict[str, dict[str, Any]] = {
        "learning_bulletin": {},
        "lfd_dashboard": {},
        "headline_targets": {},
        "measure_chart": {"measure": "capability.members"},
        "assurance": {},
    }
    published = [_gated(collab, k, Audience.COLLABORATIVE, **o) for k, o in kinds.items()]
    for publication in published:
        publisher.deliver(publication)
    first = _files(tmp_path)
    pack = publisher.pack_path("collaborative", YEAR.label)
    assert set(first) == {p.name for pub in published for p in publisher.files(pub)} | {pack.name}
    for publication in published:
        publisher.deliver(publication, key="again")
    rebuilt = _gated(collab, "lfd_dashboard", Audience.COLLABORATIVE)
    publisher.deliver(rebuilt)
    assert _files(tmp_path) == first, "no duplicate file"
    assert publisher.idempotent is True
    measure = load_workbook(str(publisher.files(published[3])[0]))["Measure"]
    assert len(_rows(measure)) == len(published[3].body.points)  # type: ignore[union-attr]


def test_the_board_pack_gathers_a_periods_publications_in_one_workbook(
    collab: Collaborative, tmp_path: Path
) -> None:
    publisher = BoardPublisher(tmp_path)
    parts = [_gated(collab, k, Audience.TRUST_BOARD) for k in ("headline_targets", "assurance")]
    parts.append(_gated(collab, "lfd_dashboard", Audience.TRUST_BOARD))
    trust = next(iter(collab.trusts())).ods_code
    one_trust = _gated(collab, "lfd_dashboard", Audience.TRUST_BOARD, trust=trust)
    for publication in [*parts, one_trust]:
        publisher.deliver(publication)
    pack = load_workbook(str(publisher.pack_path("trust_board", YEAR.label)))
    own = {p.kind: load_workbook(str(publisher.files(p)[0])) for p in parts}
    expected = ["Cover"]
    for kind in ("lfd_dashboard", "assurance", "headline_targets"):  # the pack's order
        for name in own[kind].sheetnames[1:]:
            expected.append(name)
            assert _rows(pack[name], 1) == _rows(own[kind][name], 1), name
    assert pack.sheetnames == expected
    contents = {r[0]: r[1] for r in pack["Cover"].iter_rows(min_row=3, values_only=True)}
    assert contents["Period"] == YEAR.label
    headline, assurance, dashboard = parts
    assert contents["Contents"].split("; ") == [dashboard.title, assurance.title, headline.title]
    assert "Disclosure control" not in contents, "the board sees exact figures"


def test_a_quarter_has_no_year_column(collab: Collaborative, tmp_path: Path) -> None:
    quarter = Quarter(YEAR, 2)
    built = collab.publication("lfd_dashboard", Audience.STAFF, quarter, as_of=AS_OF, created_at=AT)
    path = BoardPublisher(tmp_path).deliver(collab.privacy_gate.check(built)).location
    sheet = load_workbook(str(path))["Dashboard"]
    assert [c.value for c in sheet[3]] == ["Item", "Block", "Figure", quarter.label]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed_publications())
def test_any_publication_makes_a_workbook_that_reopens_with_every_row(
    publication: Publication,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        publisher = BoardPublisher(Path(folder))
        book = load_workbook(str(publisher.deliver(publication).location))
        for table in tables_of(publication):
            assert len(_rows(book[table.name[:31]])) == len(table.rows)


@given(counts())
def test_a_count_is_written_as_its_number_or_a_star(count: Count) -> None:
    written = cell_value(count)
    assert written == ("*" if count.is_suppressed else count.value)


@given(shares())
def test_a_share_is_written_as_a_proportion_or_as_shown(share: Share) -> None:
    written = cell_value(share)
    hidden = share.numerator.is_suppressed or share.denominator.is_suppressed
    if hidden or share.value is None:
        assert written == share.shown()
        assert written == ("*" if hidden else "-")
    else:
        assert written == float(share.value)


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="folder"):
        BoardPublisher.from_settings({})
    with pytest.raises(ConfigurationError, match="colour"):
        BoardPublisher.from_settings({"folder": "x", "colour": "blue"})


def test_the_board_is_found_through_the_entry_point(tmp_path: Path) -> None:
    with Collaborative.open(environ={}, publishers={"board": {"folder": str(tmp_path)}}) as c:
        assert c.publishers["board"].name == "board"

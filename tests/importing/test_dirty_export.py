"""The deliberately dirty export: 10,000 rows made by ``collab_exports.write_dirty`` (not kept as
data), in Windows-1252 with semicolons and blank lines, imported into SQLite. Every row is
committed or refused, and a second import changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest
from collab_exports import write_dirty

from collab_core import Collaborative, Death, OdsCode, Trust
from collab_core.importing import import_file

ROWS = 10_000


@pytest.mark.slow
def test_the_dirty_ten_thousand_rows_add_up(tmp_path: Path) -> None:
    if importlib.util.find_spec("collab_sql") is None:
        pytest.skip("the collab-sql adapter is not installed")
    path = tmp_path / "dirty.csv"
    assert write_dirty(path, ROWS) == ROWS
    with Collaborative.open(f"sqlite:///{tmp_path / 'collab.db'}") as collab:
        collab.record([Trust(OdsCode("RZZ"), "Example", dt.date(2016, 4, 1))])
        summary = import_file(collab, path, "datix-mortality", trust="RZZ")
        assert (summary.encoding, summary.delimiter) == ("cp1252", ";")
        assert summary.read == ROWS
        assert summary.committed + summary.rejected == ROWS
        assert 1_000 < summary.rejected < 4_000  # about a quarter of the rows carry a defect
        with (tmp_path / "dirty.csv.rejects.csv").open(encoding="utf-8-sig", newline="") as f:
            assert sum(1 for _ in csv.DictReader(f)) == summary.rejected
        deaths = collab.count(Death)
        assert deaths == {k.kind: k for k in summary.records}["death"].new
        again = import_file(collab, path, "datix-mortality", trust="RZZ")
        assert (again.committed, again.rejected, again.new, again.changed) == (
            summary.committed,
            summary.rejected,
            0,
            0,
        )
        assert collab.count(Death) == deaths
    print(  # noqa: T201 - the figures for the record, shown with -s
        f"dirty export: {summary.read} rows, {summary.committed} committed, "
        f"{summary.rejected} rejected; records {summary.new} new",
        file=sys.stderr,
    )

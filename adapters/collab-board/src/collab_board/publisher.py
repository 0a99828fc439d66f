"""The board pack publisher: for each publication an Excel workbook (a cover sheet, a sheet for
every table, native line charts for trends) and a CSV file for every table beside it, each
written by atomic replace under a name kept from the publication's kind, audience, period and
trust, so that delivering again replaces the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from collab_board.tables import Cell, Table, cell_value, tables_of
from collab_core import (
    SUPPRESSED_MARK,
    ConfigurationError,
    Count,
    Figure,
    FinancialYear,
    Month,
    Quarter,
    Share,
    from_json,
    to_json,
)
from collab_core.ports import DeliveryReceipt, Publication

__all__ = ["DISCLOSURE_NOTE", "PACK_KINDS", "BoardPublisher", "pack_of", "stem_of"]

#: The note on the cover of a pack whose audience sees controlled figures.
DISCLOSURE_NOTE = (
    "Figures are controlled for this audience: a count of 1 to 7 is shown as *, other counts "
    "are rounded to the nearest 5, and percentages are worked out from the exact figures."
)
_FORMATS: tuple[tuple[type, str], ...] = (
    (Count, "#,##0"),
    (Share, "0.0%"),
    (Figure, "#,##0.0"),
    (dt.date, "dd mmm yyyy"),
)
#: The kinds the board pack of an audience and a period gathers, in the order of its sheets.
PACK_KINDS = ("lfd_dashboard", "assurance", "headline_targets", "measure_chart")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)


def stem_of(publication: Publication) -> str:
    """The file name (without suffix) a publication is kept under: its kind, audience, period
    and trust, so a rebuilt publication replaces its earlier files."""
    body = publication.body
    period = getattr(body, "period", None)
    trust = getattr(body, "trust", None)
    audience = getattr(body, "audience", publication.audience.value)
    parts = [publication.kind, str(audience)]
    if isinstance(period, Month | Quarter | FinancialYear):
        parts.append(period.label)
    if trust is not None:
        parts.append(str(trust))
    return re.sub(r"[^A-Za-z0-9]+", "-", "-".join(parts)).strip("-").lower()


def pack_of(publication: Publication) -> tuple[str, str] | None:
    """The board pack (audience, period label) a publication goes into: the collaborative's
    publications of the :data:`PACK_KINDS` (``None`` for a trust's or another kind's)."""
    body = publication.body
    period = getattr(body, "period", None)
    if publication.kind not in PACK_KINDS or getattr(body, "trust", None) is not None:
        return None
    if not isinstance(period, Month | Quarter | FinancialYear):
        return None
    return _audience(publication), period.label


def _replace(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` by atomic replace: a reader sees the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _format(value: object) -> str | None:
    return next((f for t, f in _FORMATS if isinstance(value, t)), None)


def _audience(publication: Publication) -> str:
    return str(getattr(publication.body, "audience", publication.audience.value))


def _cover(sheet: Worksheet, publication: Publication, tables: tuple[Table, ...]) -> None:
    body = publication.body
    details: list[tuple[str, Any]] = [
        ("Publication", publication.kind.replace("_", " ")),
        ("Audience", _audience(publication)),
        ("Period", getattr(body, "period", None)),
        ("Figures counted to", getattr(body, "as_of", None)),
        ("Published", publication.created_at.date()),
        ("Sheets", ", ".join(t.name for t in tables)),
    ]
    if publication.audience.value in ("collaborative", "public"):
        details.append(("Disclosure control", DISCLOSURE_NOTE))
    _details(sheet, publication.title, details)


def _details(sheet: Worksheet, title: str, details: list[tuple[str, Any]]) -> None:
    sheet["A1"] = _safe(title)
    sheet["A1"].font = _TITLE
    for row, (label, value) in enumerate(details, start=3):
        sheet.cell(row, 1, label).font = _BOLD
        cell = sheet.cell(row, 2, _safe(cell_value(value)))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(value, dt.date):
            cell.number_format = "dd mmm yyyy"
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90


def _safe(value: Cell) -> Cell:
    """``value`` without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _sheet(sheet: Worksheet, table: Table) -> None:
    sheet["A1"] = _safe(table.title)
    sheet["A1"].font = _TITLE
    header = 3
    for col, column in enumerate(table.columns, start=1):
        sheet.cell(header, col, _safe(column.heading)).font = _BOLD
        sheet.column_dimensions[get_column_letter(col)].width = column.width
    for r, row in enumerate(table.rows, start=header + 1):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(r, col, _safe(cell_value(value)))
            shown = _format(value)
            if shown is not None and not isinstance(cell.value, str):
                cell.number_format = shown
            if isinstance(cell.value, str):
                cell.alignment = Alignment(
                    horizontal="right" if cell.value == SUPPRESSED_MARK else "general"
                )
    sheet.freeze_panes = sheet.cell(header + 1, table.frozen + 1).coordinate
    if table.chart is not None and table.rows:
        chart = LineChart()
        chart.title = ILLEGAL_CHARACTERS_RE.sub("", table.chart.title)
        chart.y_axis.title = ILLEGAL_CHARACTERS_RE.sub("", table.chart.y_title)
        chart.x_axis.title = ILLEGAL_CHARACTERS_RE.sub("", table.columns[0].heading)
        chart.height, chart.width = 8, 18
        last = header + len(table.rows)
        data = Reference(sheet, min_col=2, max_col=len(table.columns), min_row=header, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
        sheet.add_chart(chart, f"{get_column_letter(len(table.columns) + 2)}{header}")


def _csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(c.heading for c in table.columns)
    for row in table.rows:
        cells = [cell_value(v) for v in row]
        writer.writerow(
            "" if c is None else c.isoformat() if isinstance(c, dt.date) else c for c in cells
        )
    return out.getvalue()


class BoardPublisher:
    """Writes ``<folder>/<stem>.xlsx`` and ``<folder>/<stem>.<table>.csv`` for each publication.

    Settings: ``folder`` (required): where the packs are written.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> BoardPublisher:
        """Make the publisher from its settings: ``{"folder": "board-packs"}``."""
        folder = settings.get("folder")
        if not isinstance(folder, str) or not folder.strip():
            raise ConfigurationError("folder: the board publisher needs a folder path setting")
        unknown = sorted(set(settings) - {"folder"})
        if unknown:
            raise ConfigurationError(
                f"board: unknown setting(s) {', '.join(unknown)} (known: folder)"
            )
        return cls(Path(folder))

    @property
    def name(self) -> str:
        return "board"

    @property
    def idempotent(self) -> bool:
        """Files are replaced, named from the publication: delivering again keeps one copy."""
        return True

    def pack_path(self, audience: str, period: str) -> Path:
        """The board pack of ``audience`` for the period labelled ``period``."""
        return self._folder / f"board-pack-{_slug(audience)}-{_slug(period)}.xlsx"

    def files(self, publication: Publication) -> tuple[Path, ...]:
        """The workbook, then the CSV file of each table, that ``publication`` is written to."""
        stem = stem_of(publication)
        csvs = (self._folder / f"{stem}.{_slug(t.name)}.csv" for t in tables_of(publication))
        return (self._folder / f"{stem}.xlsx", *csvs)

    def deliver(self, publication: Publication, *, key: str | None = None) -> DeliveryReceipt:
        """Write the publication's workbook and CSV files, replacing any earlier ones."""
        tables = tables_of(publication)
        self._folder.mkdir(parents=True, exist_ok=True)
        workbook_path, *csv_paths = self.files(publication)
        for table, path in zip(tables, csv_paths, strict=True):
            _replace(path, _text_writer(_csv(table)))
        book = Workbook()
        cover = book.worksheets[0]
        cover.title = "Cover"
        _cover(cover, publication, tables)
        for table in tables:
            _sheet(book.create_sheet(table.name[:31]), table)
        book.properties.title = publication.title
        book.properties.created = publication.created_at.replace(tzinfo=None)
        _replace(workbook_path, book.save)
        pack = pack_of(publication)
        if pack is not None:
            kept = self._folder / ".publications" / f"{stem_of(publication)}.json"
            kept.parent.mkdir(exist_ok=True)
            _replace(kept, _text_writer(to_json(publication)))
            self._write_pack(*pack)
        return DeliveryReceipt(
            publisher=self.name,
            publication_id=publication.id,
            delivered_at=dt.datetime.now(dt.UTC),
            location=str(workbook_path),
        )

    def _write_pack(self, audience: str, period: str) -> None:
        """Gather every kept publication of the pack into one workbook, sheets in the order
        of :data:`PACK_KINDS`."""
        held = [
            from_json(Publication, p.read_text(encoding="utf-8"))
            for p in sorted((self._folder / ".publications").glob("*.json"))
        ]
        members = sorted(
            (p for p in held if pack_of(p) == (audience, period)),
            key=lambda p: (PACK_KINDS.index(p.kind), p.title),
        )
        book = Workbook()
        cover = book.worksheets[0]
        cover.title = "Cover"
        names: list[str] = []
        for publication in members:
            for table in tables_of(publication):
                name, n = table.name[:28], 1
                while (name if n == 1 else f"{name} {n}") in names:
                    n += 1
                names.append(name if n == 1 else f"{name} {n}")
                _sheet(book.create_sheet(names[-1]), table)
        details: list[tuple[str, Any]] = [
            ("Audience", audience),
            ("Period", period),
            ("Contents", "; ".join(p.title for p in members)),
            ("Sheets", ", ".join(names)),
        ]
        if members and members[0].audience.value in ("collaborative", "public"):
            details.append(("Disclosure control", DISCLOSURE_NOTE))
        _details(cover, f"Board pack, {audience.replace('_', ' ')}, {period}", details)
        _replace(self.pack_path(audience, period), book.save)


def _text_writer(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")

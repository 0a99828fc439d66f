"""Reading an export row by row without holding it: CSV in whatever encoding a trust's export
uses (UTF-8 with or without a byte-order mark, or Windows-1252) with its delimiter sniffed from
the header, and XLSX through openpyxl's read-only mode.

A reader never evaluates a formula: XLSX cells give the value the workbook last saved, and CSV
cells are text.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from collab_core.domain.errors import ConfigurationError
from collab_core.importing.values import Cell, cell_text, is_blank, normalised

__all__ = ["RawRow", "Source", "SourceError", "detect_encoding", "open_source"]

_CHUNK = 1 << 16
_DELIMITERS = (",", ";", "\t", "|")
_XLSX_MAGIC = b"PK\x03\x04"


class SourceError(ConfigurationError):
    """The file to import cannot be read as the mapping says (missing, not a workbook, no such
    worksheet, no header)."""


@attrs.frozen
class RawRow:
    """One row as read: its number as a spreadsheet shows it (the header is row 1), its cells
    (``None`` when the row could not be parsed at all) and why it could not be."""

    number: int
    cells: tuple[Cell, ...] | None
    error: str | None = None


class Source:
    """An open export: its header, its rows, and how far through it a reader has got."""

    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    header: tuple[str, ...] = ()

    def rows(self) -> Iterator[RawRow]:
        """The data rows after the header; fully blank rows are skipped (they are no rows)."""
        raise NotImplementedError

    def position(self) -> tuple[int, int | None]:
        """How far the reader is, and the total if known (bytes for CSV, rows for XLSX)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` for a byte-order mark, ``utf-8`` when every byte decodes as UTF-8 or the
    file holds valid multi-byte UTF-8 (a UTF-8 file with a few broken bytes), else ``cp1252``
    (Windows-1252, what Excel writes as "CSV" on an English Windows). Reads the file once,
    a chunk at a time."""
    with path.open("rb") as raw:
        head = raw.read(3)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        raw.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        broken = multibyte = 0
        while chunk := raw.read(_CHUNK):
            text = decoder.decode(chunk)
            broken += text.count("\ufffd")
            multibyte += sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
        text = decoder.decode(b"", final=True)
        broken += text.count("\ufffd")
    if broken == 0 or multibyte > 0:
        return "utf-8"
    return "cp1252"


class CsvSource(Source):
    format = "csv"

    def __init__(
        self, path: Path, encoding: str, delimiter: str | None, wanted: Sequence[str]
    ) -> None:
        self.encoding = detect_encoding(path) if encoding == "auto" else encoding
        self._raw = path.open("rb")
        self._size = path.stat().st_size
        self._text: IO[str] = io.TextIOWrapper(
            self._raw, encoding=self.encoding, errors="replace", newline=""
        )
        try:
            sample = self._text.read(_CHUNK)
            self._text.seek(0)
        except Exception:
            self.close()
            raise
        self.delimiter = delimiter or sniff_delimiter(sample, wanted)
        self._reader = csv.reader(self._text, delimiter=self.delimiter)
        self._line = 0
        self.header = self._read_header(path)

    def _read_header(self, path: Path) -> tuple[str, ...]:
        for row in self._safe_rows():
            if row.cells is not None and not all(is_blank(c) for c in row.cells):
                return tuple(cell_text(c).strip().lstrip("\ufeff") for c in row.cells)
        self.close()
        raise SourceError(f"{path.name}: the file has no header row")

    def _safe_rows(self) -> Iterator[RawRow]:
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._line += 1
                yield RawRow(self._line, None, f"the CSV reader could not read this row: {exc}")
                continue
            self._line += 1
            yield RawRow(self._line, tuple(cells))

    def rows(self) -> Iterator[RawRow]:
        for row in self._safe_rows():
            if row.cells is not None and all(is_blank(c) for c in row.cells):
                continue
            yield row

    def position(self) -> tuple[int, int | None]:
        try:
            return min(self._raw.tell(), self._size), self._size
        except (OSError, ValueError):
            return self._size, self._size

    def close(self) -> None:
        self._text.close()


def sniff_delimiter(sample: str, wanted: Sequence[str]) -> str:
    """The delimiter that splits the header into the most of the mapping's columns (then into
    the most columns); a comma when nothing splits it."""
    first = sample.lstrip("\ufeff")
    wanted_names = {normalised(w) for w in wanted}
    best, score = ",", (-1, -1)
    for delimiter in _DELIMITERS:
        try:
            header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
        except csv.Error:
            continue
        found = sum(1 for h in header if normalised(h) in wanted_names)
        candidate = (found, len(header))
        if candidate > score:
            best, score = delimiter, candidate
    return best


class XlsxSource(Source):
    format = "xlsx"

    def __init__(self, path: Path, sheet: str | None) -> None:
        import openpyxl  # noqa: PLC0415 - only XLSX imports need it
        from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise SourceError(
                f"{path.name}: not an XLSX workbook openpyxl can read ({exc})"
            ) from None
        except Exception as exc:  # a zip or XML error from a damaged workbook
            raise SourceError(
                f"{path.name}: the workbook is damaged ({type(exc).__name__})"
            ) from None
        if sheet is not None and sheet not in self._book.sheetnames:
            names = ", ".join(self._book.sheetnames)
            self._book.close()
            raise SourceError(
                f"mapping.sheet: the workbook has no worksheet {sheet!r} (it has: {names})"
            )
        ws: Any = self._book[sheet] if sheet is not None else self._book.worksheets[0]
        self.sheet = ws.title
        self._total: int | None = ws.max_row
        self._rows = ws.iter_rows(values_only=True)
        self._number = 0
        self.header = self._read_header(path)

    def _read_header(self, path: Path) -> tuple[str, ...]:
        for row in self._iter():
            if row.cells is not None and not all(is_blank(c) for c in row.cells):
                cells = list(row.cells)
                while cells and is_blank(cells[-1]):
                    cells.pop()
                return tuple(cell_text(c).strip() for c in cells)
        self.close()
        raise SourceError(f"{path.name}: the worksheet has no header row")

    def _iter(self) -> Iterator[RawRow]:
        while True:
            try:
                values = next(self._rows)
            except StopIteration:
                return
            except Exception as exc:  # damaged sheet XML: nothing after it can be read
                raise SourceError(
                    f"the worksheet cannot be read after row {self._number} "
                    f"({type(exc).__name__}); rows before it were imported"
                ) from None
            self._number += 1
            yield RawRow(self._number, tuple(_xlsx_cell(v) for v in values))

    def rows(self) -> Iterator[RawRow]:
        width = len(self.header)
        for row in self._iter():
            cells = list(row.cells or ())
            # Read-only sheets pad rows to the sheet's width: trailing empty cells are no data.
            while len(cells) > width and is_blank(cells[-1]):
                cells.pop()
            if all(is_blank(c) for c in cells):
                continue
            yield RawRow(row.number, tuple(cells))

    def position(self) -> tuple[int, int | None]:
        return self._number, self._total

    def close(self) -> None:
        self._book.close()


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool | dt.date | dt.time):
        return value
    return str(value)


def open_source(
    path: Path,
    *,
    format: str = "auto",
    encoding: str = "auto",
    delimiter: str | None = None,
    sheet: str | None = None,
    wanted: Sequence[str] = (),
) -> Source:
    """Open ``path`` as CSV or XLSX (``format="auto"``: by the file's first bytes).

    :param wanted: the columns a mapping reads, used to sniff a CSV's delimiter.
    :raises SourceError: the file is missing or cannot be read as that format.
    """
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    if format == "auto":
        with path.open("rb") as raw:
            format = "xlsx" if raw.read(4) == _XLSX_MAGIC else "csv"
    if format == "xlsx":
        return XlsxSource(path, sheet)
    return CsvSource(path, encoding, delimiter, wanted)

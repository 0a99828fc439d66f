"""The rejects file: every refused row, with its original columns and the row number, the
columns at fault and the reasons, next to the input as ``<input>.rejects.csv``.

Nothing dangerous leaves through it: NHS numbers in any cell are masked, and a cell a
spreadsheet would run as a formula (``=cmd|...``) is written with a leading apostrophe so that
it is shown as text.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from collab_core.importing.rows import Problem
from collab_core.importing.values import Cell, cell_text, looks_like_formula, mask_nhs_numbers

__all__ = ["RejectsFile", "rejects_path_for", "safe_cell"]


def rejects_path_for(source: Path) -> Path:
    """``data/export.csv`` → ``data/export.csv.rejects.csv``."""
    return source.with_name(source.name + ".rejects.csv")


def safe_cell(value: Cell) -> str:
    """A cell as the rejects file writes it: NHS numbers masked, formulas defused."""
    text = mask_nhs_numbers(cell_text(value))
    if looks_like_formula(text):
        return "'" + text
    return text


class RejectsFile:
    """Writes refused rows; the file is made on the first one (a clean import leaves none, and
    an older rejects file of the same input is removed when the import starts).

    :param header: the input's header; the file's columns are it, then ``row``, ``field``,
        ``reason`` and ``extra`` (values beyond the header's columns, joined by the delimiter).
    """

    def __init__(self, path: Path, header: Sequence[str], delimiter: str = ",") -> None:
        self.path = path
        self._header = [safe_cell(h) for h in header]
        self._delimiter = delimiter
        self._file: IO[str] | None = None
        self._writer: csv.DictWriter[str] | None = None
        self.rows = 0
        path.unlink(missing_ok=True)

    def _open(self) -> csv.DictWriter[str]:
        if self._writer is None:
            names = list(self._header)
            for extra in ("row", "field", "reason", "extra"):
                names.append(extra if extra not in names else f"collab {extra}")
            self._names = names
            # UTF-8 with a byte-order mark, so that spreadsheets open it with its accents intact.
            self._file = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.DictWriter(self._file, fieldnames=names)
            self._writer.writeheader()
        return self._writer

    def write(self, number: int, cells: Sequence[Cell] | None, problems: Sequence[Problem]) -> None:
        """Write one refused row with all its reasons."""
        writer = self._open()
        values = list(cells or ())
        width = len(self._header)
        row = {
            name: safe_cell(values[i]) if i < len(values) else ""
            for i, name in enumerate(self._names[:width])
        }
        extra = [safe_cell(v) for v in values[width:]]
        fields = list(dict.fromkeys(p.field for p in problems))
        row[self._names[width]] = str(number)
        row[self._names[width + 1]] = safe_cell("; ".join(fields))
        row[self._names[width + 2]] = safe_cell("; ".join(p.reason for p in problems))
        row[self._names[width + 3]] = safe_cell(self._delimiter.join(extra))
        writer.writerow(row)
        self.rows += 1

    @property
    def written(self) -> Path | None:
        """The file, when any row was refused."""
        return self.path if self._writer is not None else None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

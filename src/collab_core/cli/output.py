"""How the ``collab`` command speaks: reports as rich tables in a terminal and as plain aligned
text otherwise, ``--json`` as the serialised result object, progress on standard error, and
errors as one line (a traceback only with ``--debug``).

Exit codes: 0 success; 1 rows were rejected, deliveries failed or the store failed; 2 a usage
or configuration mistake, or a feature this collab_core does not have yet.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from collab_core import ConfigurationError, to_json

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FeatureUnavailableError",
    "Report",
    "Screen",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class FeatureUnavailableError(ConfigurationError):
    """The command needs a part of collab_core that this version does not have yet."""


class Report:
    """A table: a title, column names, rows of text, and notes under it."""

    def __init__(self, title: str, columns: Sequence[str], numeric: Sequence[int] = ()) -> None:
        self.title = title
        self.columns = list(columns)
        self.numeric = set(numeric)
        self.rows: list[list[str]] = []
        self.notes: list[str] = []

    def add(self, *cells: object) -> None:
        self.rows.append(["" if c is None else str(c) for c in cells])

    def note(self, text: str) -> None:
        self.notes.append(text)


class Screen:
    """Where a command writes: a terminal gets rich tables and a progress bar, a pipe or file
    gets plain text; ``json`` prints only the serialised result."""

    def __init__(self, *, json: bool = False, tty: bool | None = None) -> None:
        self.json = json
        self.tty = sys.stdout.isatty() if tty is None else tty
        self._out = Console(highlight=False, soft_wrap=False) if self.tty else None
        self._err = Console(stderr=True, highlight=False)

    def result(self, obj: object) -> None:
        """Print ``obj`` as JSON (``--json``)."""
        print(to_json(obj))

    def say(self, text: str = "") -> None:
        if self.json:
            return
        if self._out is not None:
            self._out.print(text, markup=False)
        else:
            print(text)

    def show(self, report: Report) -> None:
        if self.json:
            return
        if self._out is not None:
            table = Table(title=report.title, title_justify="left", show_lines=False)
            for i, name in enumerate(report.columns):
                table.add_column(name, justify="right" if i in report.numeric else "left")
            for row in report.rows:
                table.add_row(*row)
            self._out.print(table)
            for note in report.notes:
                self._out.print(note, markup=False)
            return
        print(report.title)
        widths = [len(c) for c in report.columns]
        for row in report.rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=False)]

        def line(cells: Sequence[str]) -> str:
            parts = [
                cell.rjust(w) if i in report.numeric else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(cells, widths, strict=False))
            ]
            return "  ".join(parts).rstrip()

        print(line(report.columns))
        for row in report.rows:
            print(line(row))
        for note in report.notes:
            print(note)
        print()

    def error(self, text: str) -> None:
        self._err.print(f"error: {text}", markup=False, highlight=False, soft_wrap=True)

    def warn(self, text: str) -> None:
        self._err.print(text, markup=False, highlight=False, soft_wrap=True)

    @contextmanager
    def progress(self, description: str, unit: str) -> Iterator[Callable[[int, int | None], None]]:
        """A progress bar on standard error when it is a terminal (and not ``--json``); the
        callback takes how far and the total."""
        if self.json or not self._err.is_terminal:
            yield lambda done, total: None
            return
        columns: list[Any] = [TextColumn("{task.description}"), BarColumn()]
        columns.append(
            MofNCompleteColumn() if unit == "rows" else TextColumn("{task.percentage:>3.0f}%")
        )
        columns.append(TimeElapsedColumn())
        with Progress(*columns, console=self._err, transient=True) as bar:
            task = bar.add_task(description, total=None)

            def update(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            yield update

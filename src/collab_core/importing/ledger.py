"""The import's ledger: every record an import has committed so far, with the row that first
gave it and a fingerprint of its values, kept in a private temporary SQLite database so that
memory stays flat however many rows the file has.

It tells a second row that gives one record *other* values (refused: which row is right?) from
a copy of the same row (accepted), and counts the records new, changed and unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

__all__ = ["Ledger"]

_RANK = {"unchanged": 0, "changed": 1, "new": 2}


class Ledger:
    """The records committed by one import. Close it (or use ``with``) to delete it."""

    def __init__(self) -> None:
        # "" opens a private temporary database, kept on disk once it outgrows its cache.
        self._db = sqlite3.connect("")
        self._db.execute(
            "CREATE TABLE seen (kind TEXT, key TEXT, digest TEXT, row INTEGER, status TEXT, "
            "PRIMARY KEY (kind, key)) WITHOUT ROWID"
        )

    def first(self, kind: str, key: str) -> tuple[str, int] | None:
        """The fingerprint and first row of a record already committed, or ``None``."""
        found = self._db.execute(
            "SELECT digest, row FROM seen WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return None if found is None else (found[0], found[1])

    def add(self, entries: Iterable[tuple[str, str, str, int, str | None]]) -> None:
        """Add ``(kind, key, digest, row, status)`` entries; a record seen again keeps its first
        row and fingerprint, and its status moves up from unchanged to changed to new."""
        for kind, key, digest, row, status in entries:
            held = self._db.execute(
                "SELECT status FROM seen WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
            if held is None:
                self._db.execute(
                    "INSERT INTO seen VALUES (?, ?, ?, ?, ?)", (kind, key, digest, row, status)
                )
            elif status is not None and (held[0] is None or _RANK[status] > _RANK[held[0]]):
                self._db.execute(
                    "UPDATE seen SET status = ? WHERE kind = ? AND key = ?", (status, kind, key)
                )

    def counts(self) -> dict[str, dict[str, int]]:
        """How many records of each kind were new, changed and unchanged."""
        out: dict[str, dict[str, int]] = {}
        for kind, status, n in self._db.execute(
            "SELECT kind, status, COUNT(*) FROM seen WHERE status IS NOT NULL "
            "GROUP BY kind, status ORDER BY kind"
        ):
            out.setdefault(kind, {"new": 0, "changed": 0, "unchanged": 0})[status] = n
        return out

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

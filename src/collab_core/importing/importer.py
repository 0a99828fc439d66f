"""Importing an export: rows streamed from the file, read through the mapping, gathered into
batches and recorded with :meth:`Collaborative.record <collab_core.Collaborative.record>`.

Every row ends committed or refused. A refused row goes to the rejects file with its reasons
and never stops the others; a batch that breaks a cross-record rule (a review of a death that
is not recorded, say) is recorded again without the row at fault, so only bad rows are
refused. Records equal to those stored are not written again, so importing a file twice
changes nothing, and a corrected file changes only what was corrected.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.organisations import Trust
from collab_core.importing.kinds import child_identity
from collab_core.importing.ledger import Ledger
from collab_core.importing.mapping import ImportMapping, MappingError, load_mapping
from collab_core.importing.readers import RawRow, Source, open_source
from collab_core.importing.rejects import RejectsFile, rejects_path_for
from collab_core.importing.rows import (
    Contribution,
    Problem,
    RowReader,
    RowRefused,
    problem_from_error,
)
from collab_core.ports import Record, UnitOfWork, Versioned, record_key
from collab_core.service import Collaborative
from collab_core.service.recording import check_batch, check_unique

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ImportProgress",
    "ImportSummary",
    "KindCounts",
    "ReasonCount",
    "import_file",
]

#: Rows recorded in one unit of work.
DEFAULT_BATCH_SIZE = 250

_RECORD_INDEX = re.compile(r"^records\[(\d+)\]\.?(.*)$")
_VALUES = re.compile(r" \(got [^)]*\)| on row \d+|: '.*' reads as .*;")
_MAX_REASONS = 1000
_CHILD_FIELD = {"action": "actions", "attempt": "attempts"}


@attrs.frozen
class ImportProgress:
    """How far an import has got, handed to the progress callback after every batch.

    :param done: how much of the file has been read, in ``unit`` (bytes of a CSV file, rows
        of a worksheet); ``total`` is the whole, when known.
    """

    read: int
    committed: int
    rejected: int
    done: int
    total: int | None
    unit: str


@attrs.frozen
class KindCounts:
    """Records of one kind an import made (new), changed, or found as they were (unchanged)."""

    kind: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0


@attrs.frozen
class ReasonCount:
    """How many rows were refused for one reason (values left out), at one column."""

    field: str
    reason: str
    rows: int


@attrs.frozen
class ImportSummary:
    """What an import did. ``read == committed + rejected`` always.

    :param read: the data rows read (blank rows are no rows).
    :param committed: rows whose records are all recorded (or were already, unchanged).
    :param rejected: rows refused, each written to ``rejects_file`` with its reasons.
    :param records: for each kind, the records new, changed and unchanged.
    :param reasons: the commonest reasons rows were refused, most frequent first.
    :param dry_run: nothing was written to the store (the rejects file is still written).
    """

    source: str
    mapping: str
    format: str
    encoding: str | None
    delimiter: str | None
    dry_run: bool
    read: int
    committed: int
    rejected: int
    records: tuple[KindCounts, ...]
    reasons: tuple[ReasonCount, ...]
    rejects_file: str | None

    def __attrs_post_init__(self) -> None:
        if self.read != self.committed + self.rejected:
            raise DomainValidationError(
                "read",
                f"must equal committed + rejected ({self.committed + self.rejected})",
                self.read,
            )

    @property
    def new(self) -> int:
        return sum(k.new for k in self.records)

    @property
    def changed(self) -> int:
        return sum(k.changed for k in self.records)

    @property
    def unchanged(self) -> int:
        return sum(k.unchanged for k in self.records)


@attrs.define(eq=False)
class _Row:
    number: int
    cells: tuple[Any, ...]
    contributions: list[Contribution]


class _Writer:
    """Where batches go: the collaborative, or (for a dry run) one unit of work rolled back."""

    def __init__(self, collab: Collaborative, uow: UnitOfWork | None) -> None:
        self._collab = collab
        self._uow = uow

    def get(self, kind: type[Any], key: uuid.UUID | str) -> Versioned[Any] | None:
        if self._uow is not None:
            return self._uow.get(kind, key)
        return self._collab.store.get(kind, key)

    def record(self, records: Sequence[Record]) -> None:
        if not records:
            return
        if self._uow is None:
            self._collab.record(records)
            return
        check_batch(records, self._uow, check_unique(records))
        self._uow.put(records)


@contextmanager
def _writer(collab: Collaborative, dry_run: bool) -> Iterator[_Writer]:
    if not dry_run:
        yield _Writer(collab, None)
        return
    with collab.store.unit_of_work() as uow:
        try:
            yield _Writer(collab, uow)
        finally:
            uow.rollback()


def import_file(
    collab: Collaborative,
    path: str | Path,
    mapping: ImportMapping | str | Path,
    *,
    trust: OdsCode | str | None = None,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[ImportProgress], None] | None = None,
    rejects: str | Path | None = None,
    prepare: Sequence[Record] = (),
) -> ImportSummary:
    """Import the export at ``path`` into ``collab`` through ``mapping``.

    :param mapping: a checked :class:`ImportMapping`, a mapping file, or a shipped mapping's
        name (:func:`~collab_core.importing.shipped_mappings`).
    :param trust: the trust whose export this is, for records the mapping gives no trust
        column (the mapping's ``constants.trust`` when it sets one; they must agree).
    :param dry_run: read, check and count everything, write nothing to the store.
    :param batch_size: rows recorded in one unit of work.
    :param progress: called after every batch with an :class:`ImportProgress`.
    :param rejects: where refused rows go (default ``<path>.rejects.csv``).
    :param prepare: records to record before the rows (unless the store holds them as they
        are), such as the trust whose export this is; in a dry run they are not kept either.
    :raises MappingError: the mapping is wrong, or does not fit the file's header (before any
        row is read), or no trust is given where one is needed.
    :raises SourceError: the file cannot be read as CSV or XLSX.
    :raises CollabError: the store failed; the summary so far is lost, but every batch
        recorded before the failure stays recorded (importing again finishes the job).
    """
    path = Path(path)
    if not isinstance(mapping, ImportMapping):
        mapping = load_mapping(mapping)
    if batch_size < 1:
        raise DomainValidationError("batch_size", "must be at least 1", batch_size)
    code = _trust(mapping, trust)
    source = open_source(
        path,
        format=mapping.format,
        encoding=mapping.encoding,
        delimiter=mapping.delimiter,
        sheet=mapping.sheet,
        wanted=list(mapping.columns().values()),
    )
    try:
        positions = mapping.check_header(source.header)
        reader = RowReader(mapping, positions, code, str(code) if code else "collaborative")
        run = _Run(
            collab, mapping, source, reader, Path(rejects) if rejects else rejects_path_for(path)
        )
        with _writer(collab, dry_run) as writer:
            changed = [r for r in prepare if _stored(writer.get(type(r), record_key(r))) != r]
            writer.record(changed)
            run.go(writer, batch_size, progress)
    finally:
        source.close()
    return run.summary(path, dry_run)


def _trust(mapping: ImportMapping, given: OdsCode | str | None) -> OdsCode | None:
    code = given if given is None or isinstance(given, OdsCode) else _ods(given)
    if mapping.trust is not None and code is not None and mapping.trust != code:
        raise MappingError(
            mapping.where,
            [f"constants.trust: the mapping is for {mapping.trust}, but the import is for {code}"],
        )
    code = mapping.trust or code
    if code is None and mapping.needs_trust():
        raise MappingError(
            mapping.where,
            [
                "constants.trust: the records need a trust and no column gives one: set "
                "constants.trust in the mapping, or give the trust (collab import --trust, or "
                "[trust] code in collab.toml)"
            ],
        )
    return code


def _ods(text: str) -> OdsCode:
    try:
        return OdsCode(text)
    except DomainValidationError as exc:
        raise MappingError("trust", [f"trust: {exc.rule} (got {text!r})"]) from None


class _Run:
    """The state of one import: counts, the ledger, the rejects file, the batch being built."""

    def __init__(
        self,
        collab: Collaborative,
        mapping: ImportMapping,
        source: Source,
        reader: RowReader,
        rejects_path: Path,
    ) -> None:
        self._collab = collab
        self._mapping = mapping
        self._source = source
        self._reader = reader
        self._rejects = RejectsFile(rejects_path, source.header, source.delimiter or ",")
        self._ledger = Ledger()
        self._width = len(source.header)
        self._trusts: dict[OdsCode, bool] = {}
        self.read = self.committed = self.rejected = 0
        self._reasons: dict[tuple[str, str], int] = {}
        self._counts: dict[str, dict[str, int]] = {}

    # -- the loop ------------------------------------------------------------------------------

    def go(
        self, writer: _Writer, batch_size: int, progress: Callable[[ImportProgress], None] | None
    ) -> None:
        batch: list[_Row] = []
        pending: dict[tuple[str, str], tuple[str, int]] = {}
        try:
            for raw in self._source.rows():
                self.read += 1
                row = self._row(raw, writer, pending)
                if row is None:
                    continue
                batch.append(row)
                if len(batch) >= batch_size:
                    self._flush(batch, writer)
                    batch, pending = [], {}
                    self._report(progress)
            self._flush(batch, writer)
            self._counts = self._ledger.counts()
        finally:
            self._rejects.close()
            self._ledger.close()
        self._report(progress)

    def summary(self, path: Path, dry_run: bool) -> ImportSummary:
        order = {k: i for i, k in enumerate(self._mapping.kinds)}
        records = tuple(
            KindCounts(kind, c["new"], c["changed"], c["unchanged"])
            for kind, c in sorted(self._counts.items(), key=lambda kv: order.get(kv[0], 99))
        )
        reasons = sorted(self._reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
        written = self._rejects.written
        return ImportSummary(
            source=str(path),
            mapping=self._mapping.name,
            format=self._source.format,
            encoding=self._source.encoding,
            delimiter=self._source.delimiter,
            dry_run=dry_run,
            read=self.read,
            committed=self.committed,
            rejected=self.rejected,
            records=records,
            reasons=tuple(ReasonCount(field, reason, n) for (field, reason), n in reasons),
            rejects_file=None if written is None else str(written),
        )

    def _report(self, progress: Callable[[ImportProgress], None] | None) -> None:
        if progress is not None:
            done, total = self._source.position()
            unit = "bytes" if self._source.format == "csv" else "rows"
            progress(ImportProgress(self.read, self.committed, self.rejected, done, total, unit))

    def _refuse(
        self, number: int, cells: Sequence[Any] | None, problems: Sequence[Problem]
    ) -> None:
        self.rejected += 1
        self._rejects.write(number, cells, problems)
        for p in problems:
            slot = (p.field, _VALUES.sub("", p.reason))
            if slot in self._reasons or len(self._reasons) < _MAX_REASONS:
                self._reasons[slot] = self._reasons.get(slot, 0) + 1

    # -- one row ---------------------------------------------------------------------------------

    def _row(
        self, raw: RawRow, writer: _Writer, pending: dict[tuple[str, str], tuple[str, int]]
    ) -> _Row | None:
        if raw.cells is None:
            self._refuse(raw.number, None, [Problem("(row)", raw.error or "unreadable row")])
            return None
        cells = raw.cells
        if len(cells) != self._width:
            extra = cells[self._width :]
            if len(cells) < self._width or any(str(c or "").strip() for c in extra):
                self._refuse(
                    raw.number,
                    cells,
                    [
                        Problem(
                            "(row)",
                            f"the row has {len(cells)} values but the header has {self._width} "
                            f"columns (a delimiter or line break inside an unquoted value?)",
                        )
                    ],
                )
                return None
            cells = cells[: self._width]
        try:
            contributions = self._reader.read(cells)
        except RowRefused as refused:
            self._refuse(raw.number, raw.cells, refused.problems)
            return None
        problems = self._check_trusts(contributions, writer)
        problems += self._check_duplicates(contributions, raw.number, pending)
        if problems:
            self._refuse(raw.number, raw.cells, problems)
            return None
        for c in _with_children(contributions):
            pending.setdefault((c.kind, str(c.key)), (c.digest, raw.number))
        return _Row(raw.number, raw.cells, contributions)

    def _check_trusts(
        self, contributions: Sequence[Contribution], writer: _Writer
    ) -> list[Problem]:
        problems = []
        for c in contributions:
            trust = c.values.get("trust")
            if not isinstance(trust, OdsCode):
                continue
            if trust not in self._trusts:
                self._trusts[trust] = writer.get(Trust, trust.code) is not None
            if not self._trusts[trust]:
                problems.append(
                    Problem(
                        _column(c, "trust"),
                        f"{c.section.key}.trust {trust} is not recorded in the store; record the "
                        f"trust first (collab import records the trust of collab.toml)",
                    )
                )
        return problems

    def _check_duplicates(
        self,
        contributions: Sequence[Contribution],
        number: int,
        pending: dict[tuple[str, str], tuple[str, int]],
    ) -> list[Problem]:
        problems = []
        for c in _with_children(contributions):
            slot = (c.kind, str(c.key))
            first = pending.get(slot) or self._ledger.first(*slot)
            if first is not None and first[0] != c.digest:
                problems.append(
                    Problem(
                        _column(c, "reference"),
                        f"{c.section.key}.reference was given other values on row {first[1]} of "
                        f"this file; correct one of the two rows",
                    )
                )
        return problems

    # -- one batch -------------------------------------------------------------------------------

    def _flush(self, batch: list[_Row], writer: _Writer) -> None:
        if not batch:
            return
        before: dict[tuple[str, str], Versioned[Any] | None] = {}
        alive = list(batch)
        while True:
            folded = _Fold(alive, before, writer)
            for row, problems in folded.refused.items():
                self._refuse(row.number, row.cells, problems)
            alive = [r for r in alive if r not in folded.refused]
            records = folded.to_write()
            try:
                writer.record(records)
            except DomainValidationError as exc:
                culprit = folded.culprit(records, exc)
                if culprit is None:
                    raise
                row, problem = culprit
                self._refuse(row.number, row.cells, [problem])
                alive.remove(row)
                continue
            break
        self.committed += len(alive)
        self._ledger.add(folded.ledger_entries(alive))


def _with_children(contributions: Sequence[Contribution]) -> Iterator[Contribution]:
    for c in contributions:
        yield c
        if c.child is not None:
            yield c.child


def _column(c: Contribution, field: str) -> str:
    source = c.section.sources.get(field)
    if source is None:
        return f"{c.section.key}.{field}"
    return source.column or source.key


class _Fold:
    """The records a batch's rows make, each row's contributions applied in order to the
    record as stored (or as an earlier row of the batch left it). A row whose contribution
    makes an invalid record is refused, and its other contributions are not applied."""

    def __init__(
        self,
        rows: Sequence[_Row],
        before: dict[tuple[str, str], Versioned[Any] | None],
        writer: _Writer,
    ) -> None:
        self.refused: dict[_Row, list[Problem]] = {}
        self._state: dict[tuple[str, str], Any] = {}
        self._owners: dict[tuple[str, str], list[_Row]] = {}
        self._sections: dict[tuple[str, str], Contribution] = {}
        self._before = before
        for row in rows:
            staged: dict[tuple[str, str], Any] = {}
            try:
                for c in row.contributions:
                    slot = (c.kind, str(c.key))
                    if slot not in before:
                        before[slot] = writer.get(c.section.spec.cls, c.key)
                    current = staged.get(slot, self._state.get(slot, _stored(before[slot])))
                    staged[slot] = _apply(c, current)
                    self._sections.setdefault(slot, c)
            except _Refused as refused:
                self.refused[row] = [refused.problem]
                continue
            for slot, record in staged.items():
                self._state[slot] = record
                owners = self._owners.setdefault(slot, [])
                if row not in owners:
                    owners.append(row)

    def status(self, slot: tuple[str, str]) -> str:
        stored = _stored(self._before.get(slot))
        if stored is None:
            return "new"
        return "unchanged" if stored == self._state[slot] else "changed"

    def to_write(self) -> list[Record]:
        return [r for slot, r in self._state.items() if self.status(slot) != "unchanged"]

    def culprit(
        self, records: Sequence[Record], exc: DomainValidationError
    ) -> tuple[_Row, Problem] | None:
        """The row to refuse for a cross-record rule a record broke: the last row that gave to
        that record (earlier rows are tried again without it)."""
        match = _RECORD_INDEX.match(exc.field)
        if match is None or int(match.group(1)) >= len(records):
            return None
        record = records[int(match.group(1))]
        slot = next(s for s, r in self._state.items() if r is record)
        row = self._owners[slot][-1]
        c = self._sections[slot]
        # The rule only: the value may be a reference, which is never echoed.
        problem = problem_from_error(
            c.section,
            DomainValidationError(match.group(2) or "reference", exc.rule, sensitive=True),
        )
        return row, problem

    def ledger_entries(
        self, rows: Sequence[_Row]
    ) -> Iterator[tuple[str, str, str, int, str | None]]:
        for row in rows:
            for c in _with_children(row.contributions):
                slot = (c.kind, str(c.key))
                status = self.status(slot) if slot in self._state else None
                yield c.kind, str(c.key), c.digest, row.number, status


class _Refused(Exception):  # noqa: N818 - control flow inside the fold
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self.problem = problem


def _stored(found: Versioned[Any] | None) -> Any:
    return None if found is None else found.record


def _apply(c: Contribution, current: Any) -> Any:
    """The record ``c`` makes of ``current`` (``None``: a new record)."""
    spec = c.section.spec
    values = dict(c.values)
    if c.child is not None:
        field = _CHILD_FIELD[c.child.kind]
        held = tuple(getattr(current, field, ()) if current is not None else ())
        child = _child(c.child, held)
        ident = child_identity(c.child.section.spec, child)
        kept = [h for h in held if child_identity(c.child.section.spec, h) != ident]
        position = next(
            (i for i, h in enumerate(held) if child_identity(c.child.section.spec, h) == ident),
            len(kept),
        )
        kept.insert(position, child)
        values[field] = tuple(kept)
    try:
        if current is None:
            return spec.cls(**values)
        return attrs.evolve(current, **values)
    except DomainValidationError as exc:
        raise _Refused(problem_from_error(c.section, exc)) from None
    except TypeError as exc:  # a field the domain needs for a new record is not mapped
        raise _Refused(
            Problem(c.section.key, f"{c.section.key} cannot be made from this row: {exc}")
        ) from None


def _child(c: Contribution, held: Sequence[Any]) -> Any:
    spec = c.section.spec
    ident = c.values.get("id")
    existing = next(
        (h for h in held if ident is not None and getattr(h, "id", None) == ident), None
    )
    try:
        if existing is not None:
            return attrs.evolve(existing, **c.values)
        return spec.cls(**c.values)
    except DomainValidationError as exc:
        raise _Refused(problem_from_error(c.section, exc)) from None
    except TypeError as exc:
        raise _Refused(
            Problem(c.section.key, f"{c.section.key} cannot be made from this row: {exc}")
        ) from None

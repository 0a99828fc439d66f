"""From one row of an export to what it contributes to records: for each kind the mapping
fills, the record's key and the values of the fields mapped (a blank cell clears a field), or
the reasons the row is refused, each naming the column (or mapping key) and the rule.
"""

from __future__ import annotations

import enum
import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from collab_core.domain.deaths import ScaleRegistry, Score
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.importing.kinds import PLAIN_FLAGS, FieldSpec, FieldType
from collab_core.importing.mapping import ImportMapping, Section, Source
from collab_core.importing.values import (
    Cell,
    CellError,
    is_blank,
    normalised,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    parse_text,
    shown,
)

__all__ = ["Contribution", "Problem", "RowReader", "problem_from_error"]

_INDEX = re.compile(r"[.\[]")


@attrs.frozen
class Problem:
    """Why a row is refused: the column (or mapping key) at fault and the reason."""

    field: str
    reason: str


class RowRefused(Exception):  # noqa: N818 - a control-flow signal, caught in this package
    """A row breaks a rule; ``problems`` says which."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems)
        self.problems = tuple(problems)


@attrs.frozen
class Contribution:
    """What one row gives one record: its key, the domain attributes it sets, and (for a
    learning item or candour case) the action or contact attempt held inside it.

    :param digest: a fingerprint of the values, so that two rows giving one record different
        values can be told apart from two copies of one row.
    """

    section: Section
    key: uuid.UUID
    values: Mapping[str, Any]
    digest: str
    reference: str
    child: Contribution | None = None

    @property
    def kind(self) -> str:
        return self.section.spec.kind


def _choices(field: FieldSpec) -> type[enum.Enum]:
    if field.choices is None:  # pragma: no cover - every choice field names its enumeration
        raise CellError(f"{field.name} has no choices")
    return field.choices


def _merged(problems: Sequence[Problem]) -> list[Problem]:
    """One problem per column and rule: a reference read by several kinds that holds an NHS
    number is one reason, naming every mapping key."""
    merged: dict[tuple[str, str], list[str]] = {}
    for p in problems:
        key, _, rule = p.reason.partition(" ")
        merged.setdefault((p.field, rule), []).append(key)
    return [Problem(field, f"{', '.join(keys)} {rule}") for (field, rule), keys in merged.items()]


def _digest(values: Mapping[str, Any]) -> str:
    text = repr(sorted((k, _stable(v)) for k, v in values.items()))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _stable(value: object) -> object:
    if isinstance(value, frozenset):
        return sorted(map(repr, value))
    return value


def column_of(section: Section, attribute: str) -> str:
    """The column (or, for a constant, the mapping key) behind a domain attribute."""
    name = section.spec.attrs_to_fields.get(attribute, attribute)
    source = section.sources.get(name)
    if source is None:
        return f"{section.key}.{name}"
    return source.column if source.column is not None else source.key


def problem_from_error(section: Section, exc: DomainValidationError) -> Problem:
    """A domain error, as a problem naming the column behind the attribute it is about."""
    attribute = _INDEX.split(exc.field, maxsplit=1)[0]
    return Problem(column_of(section, attribute), f"{section.key}.{exc.field} {exc.rule}")


class RowReader:
    """Reads rows for one mapping against one file's header.

    :param positions: where each column the mapping reads sits in the header.
    :param trust: the trust of the records whose section has no ``trust`` column.
    :param owner: whose references keys derive from for kinds without a trust.
    """

    def __init__(
        self,
        mapping: ImportMapping,
        positions: Mapping[str, int],
        trust: OdsCode | None,
        owner: str,
    ) -> None:
        self._mapping = mapping
        self._positions = positions
        self._trust = trust
        self._owner = owner
        self._scales = ScaleRegistry()

    def read(self, cells: Sequence[Cell]) -> list[Contribution]:
        """The contributions of one row, in the mapping's order of kinds.

        :raises RowRefused: with every problem found in the row.
        """
        problems: list[Problem] = []
        out: list[Contribution] = []
        for section in self._mapping.sections:
            try:
                made = self._section(section, cells, None)
            except RowRefused as refused:
                problems.extend(refused.problems)
                continue
            if made is not None:
                out.append(made)
        if problems:
            raise RowRefused(_merged(problems))
        return out

    def _cell(self, cells: Sequence[Cell], column: str) -> Cell:
        at = self._positions[column]
        return cells[at] if at < len(cells) else None

    def _section(
        self, section: Section, cells: Sequence[Cell], parent: str | None
    ) -> Contribution | None:
        spec = section.spec
        if section.when is not None and is_blank(self._cell(cells, section.when)):
            return None
        if parent is not None and section.when is None:
            # An action or attempt is filled only by rows that give one.
            lead = section.sources[spec.required[0]]
            if lead.column is not None and is_blank(self._cell(cells, lead.column)):
                return None
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        for name, source in section.sources.items():
            field = spec.field(name)
            if field is None:  # pragma: no cover - the mapping was checked when loaded
                continue
            raw = source.value if source.column is None else self._cell(cells, source.column)
            where = source.column if source.column is not None else source.key
            try:
                values[name] = self._value(field, source, raw)
            except CellError as exc:
                problems.append(Problem(where, f"{source.key} {exc.rule}"))
        if spec.scores:
            try:
                values["scores"] = self._scores(section, cells)
            except RowRefused as refused:
                problems.extend(refused.problems)
        if spec.has_trust and values.get("trust") is None:
            if "trust" in section.sources:
                problems.append(
                    Problem(
                        column_of(section, "trust"),
                        f"{section.key}.trust is required, but the cell is empty",
                    )
                )
            else:
                values["trust"] = self._trust
        if problems:
            raise RowRefused(problems)
        owner = str(values["trust"]) if spec.has_trust else self._owner
        if parent is not None:
            values["item"] = parent
        child = None
        if section.child is not None:
            child = self._section(section.child, cells, values["reference"])
        try:
            built = spec.build(values, owner)
        except DomainValidationError as exc:
            raise RowRefused([problem_from_error(section, exc)]) from None
        reference = str(values.get("reference") or values.get("attempted_on"))
        key = built.get("id") if isinstance(built.get("id"), uuid.UUID) else None
        if key is None:  # a contact attempt: no key of its own
            key = uuid.uuid5(uuid.NAMESPACE_OID, repr(sorted(built.items())))
        return Contribution(section, key, built, _digest(built), reference, child)

    def _value(self, field: FieldSpec, source: Source, raw: Cell) -> Any:
        mapping = self._mapping
        table = mapping.translations.get(source.translate) if source.translate else None
        if is_blank(raw):
            if field.required:
                raise CellError("is required, but the cell is empty")
            return False if field.name in PLAIN_FLAGS else None
        kind = field.reads
        if kind is FieldType.TEXT:
            text = parse_text(raw, mapping.max_text_length)
            if field.name == "reference":
                return text.upper()
            if table is not None and normalised(text) in table:
                return str(table[normalised(text)])
            return text
        if kind is FieldType.INT:
            return parse_int(raw)
        if kind is FieldType.BOOL:
            return parse_bool(raw, table)
        if kind is FieldType.DATE:
            return parse_date(raw, source.formats or mapping.date_formats)
        if kind is FieldType.CHOICE:
            parse_text(raw, mapping.max_text_length)
            return parse_choice(raw, _choices(field), table)
        if kind is FieldType.TRUST:
            text = parse_text(raw, 16)
            try:
                return OdsCode(text)
            except DomainValidationError as exc:
                raise CellError(f"{exc.rule} (got {shown(text)})") from None
        if kind is FieldType.REFERENCE:
            return parse_text(raw, 64).upper()
        items = [
            i
            for i in (
                p.strip()
                for p in parse_text(raw, mapping.max_text_length).split(
                    source.separator or mapping.separator
                )
            )
            if i
        ]
        if kind is FieldType.CHOICES:
            return frozenset(parse_choice(i, _choices(field), table) for i in items)
        if kind is FieldType.REFERENCES:
            return tuple(i.upper() for i in items)
        return tuple(items)

    def _scores(self, section: Section, cells: Sequence[Cell]) -> tuple[Score, ...]:
        scores = []
        problems = []
        for source in section.scores:
            raw = self._cell(cells, source.column)
            if is_blank(raw):
                continue
            try:
                value = parse_int(raw)
                scale = self._scales.get(source.scale_id, source.version)
                scores.append(Score.on(scale, value, source.phase))
            except CellError as exc:
                problems.append(Problem(source.column, f"{source.key} {exc.rule}"))
            except DomainValidationError as exc:
                problems.append(Problem(source.column, f"{source.key} {exc.rule} (got {value})"))
        if problems:
            raise RowRefused(problems)
        return tuple(scores)

"""Mapping files: TOML that says which column of an export fills which field of which record,
how dates are written, how the export's words translate into the domain's, and the constants
(the trust's ODS code) that no column holds.

A mapping is checked completely when it is loaded, and again against the file's header before
any row is read; every problem is reported at once, each naming the mapping key it is about
(``death.died_on``, ``translations.setting``). See ``docs/importing.md`` for the format.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from collab_core.domain.deaths import ScaleRegistry
from collab_core.domain.errors import ConfigurationError, DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.importing.kinds import KINDS, FieldSpec, FieldType, KindSpec
from collab_core.importing.values import (
    DEFAULT_DATE_FORMATS,
    MAX_TEXT_LENGTH,
    CellError,
    normalised,
    parse_bool,
    parse_choice,
    translation_table,
)

__all__ = [
    "ImportMapping",
    "MappingError",
    "ScoreSource",
    "Section",
    "Source",
    "load_mapping",
    "shipped_mappings",
]

_MAPPING_KEYS = {
    "name": "a short name",
    "title": "a title",
    "description": "what the mapping is for",
    "format": "auto, csv or xlsx",
    "encoding": "auto, utf-8, utf-8-sig or cp1252",
    "delimiter": "auto or one character",
    "sheet": "the worksheet of an XLSX workbook",
    "date_formats": "strptime formats, e.g. ['%d/%m/%Y']",
    "separator": "the separator of lists in a cell",
    "max_text_length": "the longest text accepted",
}
_SOURCE_KEYS = ("column", "value", "translate", "formats", "separator")
_ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp1252")
_FORMATS = ("auto", "csv", "xlsx")
_DATE_DIRECTIVE = re.compile(r"%[dbBmyY]")


class MappingError(ConfigurationError):
    """A mapping file is wrong, or does not fit the file being imported. Raised before any row
    is read; ``problems`` lists every problem, each naming its mapping key."""

    def __init__(self, where: str, problems: Sequence[str]) -> None:
        self.where = where
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"mapping {where}: {len(self.problems)} problem(s):\n{lines}")


@attrs.frozen
class Source:
    """Where a field's value comes from: a column (with an optional translation, date formats
    or list separator), or a constant ``value``."""

    key: str
    column: str | None = None
    value: Any = None
    translate: str | None = None
    formats: tuple[str, ...] | None = None
    separator: str | None = None


@attrs.frozen
class ScoreSource:
    """A review score read from a column, on a named scale (and phase of care)."""

    key: str
    column: str
    scale_id: str
    version: int
    phase: str | None = None


@attrs.frozen
class Section:
    """One kind of record a row fills, with where each field comes from.

    :param when: the column that must be non-blank for a row to fill this kind (a review only
        for rows with a review type, say); ``None``: every row fills it.
    """

    spec: KindSpec
    key: str
    sources: Mapping[str, Source]
    when: str | None = None
    scores: tuple[ScoreSource, ...] = ()
    child: Section | None = None

    def walk(self) -> Iterator[Section]:
        yield self
        if self.child is not None:
            yield from self.child.walk()


@attrs.frozen
class ImportMapping:
    """A checked mapping file. Build one with :func:`load_mapping`."""

    name: str
    title: str
    description: str
    where: str
    sections: tuple[Section, ...]
    format: str = "auto"
    encoding: str = "auto"
    delimiter: str | None = None
    sheet: str | None = None
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    separator: str = ";"
    max_text_length: int = MAX_TEXT_LENGTH
    trust: OdsCode | None = None
    translations: Mapping[str, Mapping[str, object]] = attrs.field(factory=dict)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The record kinds a row fills, in the order they are filled."""
        return tuple(s.spec.kind for s in self.sections)

    def columns(self) -> dict[str, str]:
        """Every column the mapping reads, by the mapping key that names it."""
        found: dict[str, str] = {}
        for top in self.sections:
            for section in top.walk():
                if section.when is not None:
                    found[f"{section.key}.when"] = section.when
                for source in section.sources.values():
                    if source.column is not None:
                        found[source.key] = source.column
                for score in section.scores:
                    found[score.key] = score.column
        return found

    def needs_trust(self) -> bool:
        """Whether some section takes the trust from the constant (no ``trust`` column)."""
        return any(s.spec.has_trust and "trust" not in s.sources for s in self.sections)

    def check_header(self, header: Sequence[str]) -> dict[str, int]:
        """The position of every column the mapping reads in ``header``.

        :raises MappingError: a column is missing from the file, or appears in it twice.
        """
        positions: dict[str, list[int]] = {}
        for i, name in enumerate(header):
            positions.setdefault(normalised(name), []).append(i)
        found: dict[str, int] = {}
        problems = []
        for key, column in self.columns().items():
            at = positions.get(normalised(column), [])
            if not at:
                problems.append(
                    f"{key}: the column {column!r} is not in the file "
                    f"(its columns: {_listed(header)})"
                )
            elif len(at) > 1:
                problems.append(
                    f"{key}: the column {column!r} appears {len(at)} times in the file's header"
                )
            else:
                found[column] = at[0]
        if problems:
            raise MappingError(self.where, problems)
        return found


def _listed(items: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(repr(i) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "") or "none"


def shipped_mappings() -> dict[str, Path]:
    """The mappings that ship with collab_core, by name (``datix-mortality``, ``deaths``...)."""
    folder = importlib.resources.files("collab_core.importing") / "mappings"
    out: dict[str, Path] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            out[entry.name.removesuffix(".toml")] = Path(str(entry))
    return dict(sorted(out.items()))


def load_mapping(path_or_name: str | Path) -> ImportMapping:
    """Load and check a mapping file, or a shipped mapping by name.

    :raises MappingError: the file cannot be read or parsed, or breaks a rule of the format;
        every problem is listed, each naming its mapping key.
    """
    path = Path(path_or_name)
    if not path.is_file():
        shipped = shipped_mappings()
        if str(path_or_name) in shipped:
            path = shipped[str(path_or_name)]
        else:
            raise MappingError(
                str(path_or_name),
                [
                    f"no mapping file {str(path_or_name)!r}, and no shipped mapping of that name "
                    f"(shipped: {', '.join(shipped)})"
                ],
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(path.name, [f"the file cannot be read: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(path.name, [f"not valid TOML: {exc}"]) from None
    return parse_mapping(data, path.name)


def parse_mapping(data: Mapping[str, Any], where: str = "mapping") -> ImportMapping:
    """Check mapping data already parsed from TOML (see :func:`load_mapping`)."""
    problems: list[str] = []
    header = _table(data.get("mapping", {}), "mapping", problems)
    for key in header:
        if key not in _MAPPING_KEYS:
            problems.append(
                f"mapping.{key}: is not a setting of a mapping "
                f"(settings: {', '.join(_MAPPING_KEYS)})"
            )
    settings = _settings(header, problems)
    trust = _trust(data.get("constants", {}), problems)
    translations = _translations(data.get("translations", {}), problems)
    sections = []
    for key, value in data.items():
        if key in ("mapping", "constants", "translations"):
            continue
        spec = KINDS.get(key)
        if spec is None:
            problems.append(
                f"{key}: is not a kind of record a mapping fills "
                f"(kinds: {', '.join(KINDS)}; other tables: mapping, constants, translations)"
            )
            continue
        section = _section(spec, key, _table(value, key, problems), translations, problems)
        if section is not None:
            sections.append(section)
    if not sections and not problems:
        problems.append(
            f"the mapping fills no record: add a table such as [death] ({', '.join(KINDS)})"
        )
    order = list(KINDS)
    sections.sort(key=lambda s: order.index(s.spec.kind))
    if problems:
        raise MappingError(where, problems)
    return ImportMapping(
        name=str(header.get("name", where.removesuffix(".toml"))),
        title=str(header.get("title", header.get("name", where))),
        description=str(header.get("description", "")),
        where=where,
        sections=tuple(sections),
        trust=trust,
        translations=translations,
        **settings,
    )


def _table(value: object, key: str, problems: list[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        problems.append(f"{key}: must be a table, not {type(value).__name__}")
        return {}
    return value


def _settings(header: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fmt = header.get("format", "auto")
    if fmt not in _FORMATS:
        problems.append(f"mapping.format: must be one of {', '.join(_FORMATS)} (got {fmt!r})")
    else:
        out["format"] = fmt
    encoding = header.get("encoding", "auto")
    if not isinstance(encoding, str) or encoding.lower() not in _ENCODINGS:
        problems.append(
            f"mapping.encoding: must be one of {', '.join(_ENCODINGS)} (got {encoding!r})"
        )
    else:
        out["encoding"] = encoding.lower()
    delimiter = header.get("delimiter", "auto")
    if delimiter == "auto":
        out["delimiter"] = None
    elif isinstance(delimiter, str) and len(delimiter) == 1 and delimiter not in '"\r\n':
        out["delimiter"] = delimiter
    else:
        problems.append(f"mapping.delimiter: must be 'auto' or one character (got {delimiter!r})")
    if "sheet" in header:
        if isinstance(header["sheet"], str) and header["sheet"]:
            out["sheet"] = header["sheet"]
        else:
            problems.append("mapping.sheet: must be the name of a worksheet")
    formats = _formats(
        header.get("date_formats", list(DEFAULT_DATE_FORMATS)), "mapping.date_formats", problems
    )
    if formats is not None:
        out["date_formats"] = formats
    separator = header.get("separator", ";")
    if isinstance(separator, str) and len(separator) == 1:
        out["separator"] = separator
    else:
        problems.append(f"mapping.separator: must be one character (got {separator!r})")
    longest = header.get("max_text_length", MAX_TEXT_LENGTH)
    if isinstance(longest, int) and not isinstance(longest, bool) and longest >= 1:
        out["max_text_length"] = longest
    else:
        problems.append(
            f"mapping.max_text_length: must be a whole number of at least 1 (got {longest!r})"
        )
    return out


def _formats(value: object, key: str, problems: list[str]) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(f, str) and _DATE_DIRECTIVE.search(f) for f in value)
    ):
        problems.append(
            f"{key}: must list strptime formats with a day, month or year code, "
            f"e.g. ['%d/%m/%Y', '%Y-%m-%d'] (got {value!r})"
        )
        return None
    return tuple(value)


def _trust(constants: object, problems: list[str]) -> OdsCode | None:
    table = _table(constants, "constants", problems)
    for key in table:
        if key != "trust":
            problems.append(f"constants.{key}: is not a constant a mapping sets (constants: trust)")
    if "trust" not in table:
        return None
    try:
        return OdsCode(table["trust"])
    except DomainValidationError as exc:
        problems.append(f"constants.trust: {exc.rule} (got {table['trust']!r})")
        return None


def _translations(value: object, problems: list[str]) -> dict[str, Mapping[str, object]]:
    out: dict[str, Mapping[str, object]] = {}
    for name, table in _table(value, "translations", problems).items():
        if not isinstance(table, Mapping) or not table:
            problems.append(f"translations.{name}: must be a table of source text = value")
            continue
        bad = [k for k, v in table.items() if not isinstance(v, str | bool | int)]
        if bad:
            problems.append(
                f"translations.{name}.{bad[0]}: must translate to text, a number or true/false"
            )
            continue
        out[name] = translation_table(table)
    return out


def _section(
    spec: KindSpec,
    key: str,
    table: Mapping[str, Any],
    translations: Mapping[str, Mapping[str, object]],
    problems: list[str],
) -> Section | None:
    sources: dict[str, Source] = {}
    scores: tuple[ScoreSource, ...] = ()
    child: Section | None = None
    when: str | None = None
    for name, value in table.items():
        where = f"{key}.{name}"
        if name == "when":
            if isinstance(value, str) and value.strip():
                when = value
            else:
                problems.append(f"{where}: must name a column")
        elif name == "scores" and spec.scores:
            scores = _scores(_table(value, where, problems), where, problems)
        elif spec.child is not None and name == spec.child.kind:
            child = _section(
                spec.child, where, _table(value, where, problems), translations, problems
            )
        else:
            field = spec.field(name)
            if field is None:
                extra = [
                    "when",
                    *(["scores"] if spec.scores else []),
                    *([spec.child.kind] if spec.child else []),
                ]
                problems.append(
                    f"{where}: is not a field of {spec.kind} "
                    f"(fields: {', '.join([f.name for f in spec.fields] + extra)})"
                )
                continue
            source = _source(field, where, value, translations, problems)
            if source is not None:
                sources[name] = source
    missing = [n for n in spec.required if n not in sources]
    if missing:
        problems.append(
            f"{key}: needs {', '.join(missing)} "
            f"({'; '.join(f'{n}: {spec.field(n).help}' for n in missing)})"  # type: ignore[union-attr]
        )
    if "reference" in sources and sources["reference"].column is None:
        problems.append(
            f"{key}.reference: must name a column (keys come from the source's references)"
        )
    return Section(spec, key, sources, when, scores, child)


def _source(
    field: FieldSpec,
    where: str,
    value: object,
    translations: Mapping[str, Mapping[str, object]],
    problems: list[str],
) -> Source | None:
    if isinstance(value, str):
        return Source(where, column=value)
    if not isinstance(value, Mapping):
        problems.append(f"{where}: must be a column name or a table with column or value")
        return None
    unknown = [k for k in value if k not in _SOURCE_KEYS]
    if unknown:
        problems.append(
            f"{where}.{unknown[0]}: is not a key of a field (keys: {', '.join(_SOURCE_KEYS)})"
        )
        return None
    column, constant = value.get("column"), value.get("value")
    if (column is None) == (constant is None):
        problems.append(f'{where}: give exactly one of column = "..." or value = ...')
        return None
    if column is not None and not (isinstance(column, str) and column.strip()):
        problems.append(f"{where}.column: must be a column name")
        return None
    translate = value.get("translate")
    if translate is not None and translate not in translations:
        known = ", ".join(translations) or "none"
        problems.append(f"{where}.translate: no [translations.{translate}] table (tables: {known})")
        return None
    formats = None
    if "formats" in value:
        formats = _formats(value["formats"], f"{where}.formats", problems)
    separator = value.get("separator")
    if separator is not None and not (isinstance(separator, str) and len(separator) == 1):
        problems.append(f"{where}.separator: must be one character")
        return None
    if translate is not None:
        _check_translation(field, where, translations[translate], problems)
    if constant is not None:
        _check_constant(field, where, constant, problems)
    return Source(where, column, constant, translate, formats, separator)


def _check_translation(
    field: FieldSpec, where: str, table: Mapping[str, object], problems: list[str]
) -> None:
    for source_text, target in table.items():
        try:
            if field.reads is FieldType.BOOL:
                parse_bool(target if isinstance(target, bool) else str(target))
            elif field.choices is not None:
                parse_choice(str(target), field.choices)
        except CellError as exc:
            problems.append(
                f"{where}.translate: {source_text!r} translates to a value that {exc.rule}"
            )
            return


def _check_constant(field: FieldSpec, where: str, value: object, problems: list[str]) -> None:
    try:
        if field.reads is FieldType.BOOL and not isinstance(value, bool):
            raise CellError("must be true or false")
        if field.reads is FieldType.DATE and not isinstance(value, dt.date):
            raise CellError("must be a TOML date such as 2018-04-01")
        if field.reads is FieldType.TRUST:
            OdsCode(value)
        if field.choices is not None and field.reads is FieldType.CHOICE:
            parse_choice(str(value), field.choices)
        if field.name == "reference":
            raise CellError("comes from a column, never a constant")
    except CellError as exc:
        problems.append(f"{where}.value: {exc.rule}")
    except DomainValidationError as exc:
        problems.append(f"{where}.value: {exc.rule}")


def _scores(table: Mapping[str, Any], where: str, problems: list[str]) -> tuple[ScoreSource, ...]:
    known = ScaleRegistry().scales
    out = []
    for name, value in table.items():
        key = f"{where}.{name}"
        entry = _table(value, key, problems)
        unknown = [k for k in entry if k not in ("column", "scale", "version", "phase")]
        if unknown:
            problems.append(
                f"{key}.{unknown[0]}: is not a key of a score (keys: column, scale, version, phase)"
            )
            continue
        column, scale, version = entry.get("column"), entry.get("scale"), entry.get("version", 1)
        phase = entry.get("phase")
        if not isinstance(column, str) or not column.strip():
            problems.append(f"{key}.column: must name the column holding the score")
            continue
        if (scale, version) not in known:
            scales = ", ".join(f"{s} v{v}" for s, v in sorted(known))
            problems.append(f"{key}.scale: no review scale {scale!r} v{version} (scales: {scales})")
            continue
        if phase is not None and not (isinstance(phase, str) and phase.strip()):
            problems.append(f"{key}.phase: must name a phase of care")
            continue
        out.append(ScoreSource(key, column, str(scale), int(version), phase))
    return tuple(out)

"""Payloads: the one private cattrs converter that turns domain objects into plain JSON data and
back, the versioned envelope every stored or sent object travels in, and the upcasters that bring
old payloads up to date. Errors come out as :class:`~collab_core.PayloadError`, one
``message @ $.path`` line per problem.

An envelope looks like ``{"type": "death", "schema_version": 1, "data": {...}}``. Nothing here
touches files, sockets or databases: adapters decide where the text goes.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import enum
import functools
import importlib
import pkgutil
import re
import threading
import types
import typing
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from fractions import Fraction
from typing import Any, Final, TypeVar, overload

import attrs
import cattrs
import orjson
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.v import format_exception as _cattrs_format_exception
from cattrs.v import transform_error

from collab_core.domain.calendar import FinancialYear, Month, Period, Quarter
from collab_core.domain.candour import CandourCase, CandourPolicy, ContactAttempt
from collab_core.domain.capability import (
    Assessment,
    Framework,
    JourneyStep,
    LearningJourney,
    Level,
    SubjectArea,
)
from collab_core.domain.deaths import Death, Review, ReviewScale, ScaleRegistry, Score
from collab_core.domain.errors import ConfigurationError, DomainValidationError, PayloadError
from collab_core.domain.facts import LfdFact, LfdQuery, SharingQuery
from collab_core.domain.identifiers import CaseReference, OdsCode, SiteCode, find_nhs_numbers
from collab_core.domain.improvement import Concern, PdsaCycle
from collab_core.domain.learning import (
    Action,
    FamilyInvolvement,
    FamilyQuestion,
    ImpactAssessment,
    LearningItem,
    SharingEvent,
)
from collab_core.domain.organisations import ScopePolicy, Site, Trust
from collab_core.domain.people import Member
from collab_core.domain.themes import Theme, ThemeTaxonomy

__all__ = [
    "ObjectData",
    "PayloadType",
    "Upcaster",
    "from_json",
    "from_payload",
    "payload_type",
    "register_type",
    "registered_types",
    "structure",
    "to_json",
    "to_payload",
    "unstructure",
]

T = TypeVar("T")

Upcaster = Callable[[Any], Any]
"""A pure function from one schema version's ``data`` to the next version's ``data``."""

_ENVELOPE_KEYS: Final = ("type", "schema_version", "data")
_REDACTED: Final = "<redacted>"
_NAME = re.compile(r"[a-z][a-z0-9_]*")


# --------------------------------------------------------------------------------------------
# The registry of payload types: a stable name, the current schema version, and the upcasters.
# --------------------------------------------------------------------------------------------


@attrs.frozen
class PayloadType:
    """A class that travels in envelopes: its stable ``name``, its current schema ``version``,
    and the ``upcasters`` that bring older data up to date.

    ``upcasters[0]`` turns version 1 data into version 2 data, ``upcasters[1]`` version 2 into
    version 3, and so on, so there are always ``version - 1`` of them.
    """

    name: str
    cls: type[Any]
    version: int = 1
    upcasters: tuple[Upcaster, ...] = ()

    def upcast(self, data: Any, from_version: int) -> Any:
        """``data`` written at ``from_version``, brought up to :attr:`version`."""
        for step in self.upcasters[from_version - 1 :]:
            data = step(data)
        return data


_lock = threading.RLock()
_BY_CLASS: dict[type[Any], PayloadType] = {}
_BY_NAME: dict[str, PayloadType] = {}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1\2", name).lower()


def register_type(
    cls: type[Any],
    name: str | None = None,
    *,
    version: int = 1,
    upcasters: Sequence[Upcaster] = (),
) -> PayloadType:
    """Give ``cls`` a stable payload ``name`` and a schema ``version``, with the upcasters from
    every older version.

    Any attrs class can be serialised without this: it is named after the class in snake case
    (``SharingCoverage`` becomes ``"sharing_coverage"``) the first time it is used. Register a
    class to pin its name, to raise its version, or so that :func:`from_payload` can dispatch
    on its name before the class has been seen.

    Registering the same class again with the same settings is harmless; anything else that
    clashes raises :class:`~collab_core.ConfigurationError`.
    """
    name = _snake(cls.__name__) if name is None else name
    if not _NAME.fullmatch(name):
        raise ConfigurationError(f"payload type name {name!r} must be lower_snake_case")
    if type(version) is not int or version < 1:
        raise ConfigurationError(f"schema version of {name!r} must be a positive integer")
    entry = PayloadType(name, cls, version, tuple(upcasters))
    if len(entry.upcasters) != version - 1:
        raise ConfigurationError(
            f"payload type {name!r} at version {version} needs {version - 1} upcaster(s) "
            f"(one per older version), got {len(entry.upcasters)}"
        )
    with _lock:
        held = _BY_CLASS.get(cls)
        if held is not None and held != entry:
            raise ConfigurationError(
                f"{cls.__qualname__} is already registered as {held.name!r} v{held.version}"
            )
        other = _BY_NAME.get(name)
        if other is not None and other.cls is not cls:
            raise ConfigurationError(
                f"payload type name {name!r} is taken by {other.cls.__qualname__}"
            )
        _BY_CLASS[cls] = entry
        _BY_NAME[name] = entry
    return entry


def payload_type(cls_or_name: type[Any] | str) -> PayloadType:
    """The :class:`PayloadType` of a class (registering an attrs class on first use) or name."""
    if isinstance(cls_or_name, str):
        entry = _BY_NAME.get(cls_or_name)
        if entry is None:
            raise PayloadError(cls_or_name, [f"{cls_or_name!r} is not a known payload type @ $"])
        return entry
    cls = typing.get_origin(cls_or_name) or cls_or_name
    entry = _BY_CLASS.get(cls)
    if entry is not None:
        return entry
    if not (isinstance(cls, type) and attrs.has(cls)):
        name = getattr(cls, "__qualname__", repr(cls))
        raise PayloadError(name, [f"{name} is not a type collab_core serialises @ $"])
    return register_type(cls)


def registered_types() -> tuple[PayloadType, ...]:
    """Every payload type registered so far, sorted by name."""
    with _lock:
        return tuple(sorted(_BY_NAME.values(), key=lambda e: e.name))


# The record kinds are those of collab_core.ports.RECORD_SPECS (a test holds the two together);
# the other names are pinned here so that renaming a class never renames its stored payloads.
_DOMAIN_TYPES: tuple[tuple[type[Any], str], ...] = (
    (Trust, "trust"),
    (Member, "member"),
    (Death, "death"),
    (Review, "review"),
    (LearningItem, "learning_item"),
    (SharingEvent, "sharing"),
    (Assessment, "assessment"),
    (LearningJourney, "learning_journey"),
    (FamilyInvolvement, "family_involvement"),
    (CandourCase, "candour_case"),
    (Concern, "concern"),
    (Action, "action"),
    (ImpactAssessment, "impact_assessment"),
    (FamilyQuestion, "family_question"),
    (CandourPolicy, "candour_policy"),
    (ContactAttempt, "contact_attempt"),
    (Framework, "framework"),
    (Level, "level"),
    (SubjectArea, "subject_area"),
    (JourneyStep, "journey_step"),
    (PdsaCycle, "pdsa_cycle"),
    (ReviewScale, "review_scale"),
    (ScaleRegistry, "scale_registry"),
    (Score, "score"),
    (ScopePolicy, "scope_policy"),
    (Site, "site"),
    (Theme, "theme"),
    (ThemeTaxonomy, "theme_taxonomy"),
    (OdsCode, "ods_code"),
    (SiteCode, "site_code"),
    (CaseReference, "case_reference"),
    (FinancialYear, "financial_year"),
    (Quarter, "quarter"),
    (Month, "month"),
    (LfdQuery, "lfd_query"),
    (LfdFact, "lfd_fact"),
    (SharingQuery, "sharing_query"),
)
for _cls, _name in _DOMAIN_TYPES:
    register_type(_cls, _name)


def _register_domain_results() -> None:
    """Name every other attrs class the domain exports (the results of measures and targets,
    say) after its class, so that :func:`from_payload` can dispatch on it from the start."""
    import collab_core.domain  # noqa: PLC0415 - the package, to walk its modules

    modules = [collab_core.domain]
    for info in pkgutil.walk_packages(collab_core.domain.__path__, "collab_core.domain."):
        modules.append(importlib.import_module(info.name))
    for module in modules:
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name, None)
            if isinstance(value, type) and attrs.has(value) and value not in _BY_CLASS:
                register_type(value)


_register_domain_results()


# --------------------------------------------------------------------------------------------
# Problems, and how they are reported.
# --------------------------------------------------------------------------------------------


class _ReadError(ValueError):
    """A problem whose message is already in words for the user."""


def _scrub(text: str) -> str:
    # A payload may hold an NHS number where none belongs: no message ever repeats one.
    for start, end in reversed(find_nhs_numbers(text)):
        text = text[:start] + _REDACTED + text[end:]
    return text


def _last_note(exc: BaseException) -> AttributeValidationNote | IterableValidationNote | None:
    for note in reversed(getattr(exc, "__notes__", ())):
        if note.__class__ in (AttributeValidationNote, IterableValidationNote):
            return note
    return None


def _describe(exc: BaseException, type_: type[Any] | None) -> str:
    """One problem in words (``transform_error`` adds the ``@ $.path``)."""
    if isinstance(exc, DomainValidationError):
        # The domain's own message names its field; in a payload the path says where it is,
        # so the field shown is the attribute the value was given for.
        text = str(exc)
        prefix = f"{exc.field}: "
        rule = text[len(prefix) :] if text.startswith(prefix) else text
        note = _last_note(exc)
        if isinstance(note, AttributeValidationNote) and note != _ENVELOPE_NOTE:
            return f"{note.name}: {rule}"
        return rule
    if isinstance(exc, _ReadError):
        return str(exc)
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown field(s): {', '.join(sorted(exc.extra_fields))}"
    if isinstance(exc, cattrs.StructureHandlerNotFoundError):
        return f"collab_core cannot read this type ({exc.message})"
    return _cattrs_format_exception(exc, type_)


def _place_domain_errors(exc: BaseException) -> None:
    """Give every domain error raised by a class's own validation the path of its field.

    cattrs notes which attribute a value was structured for, but an error from ``__init__``
    (an attrs validator, or a rule across fields) carries only the field named by the domain.
    """
    if isinstance(exc, BaseValidationError):
        for sub in exc.exceptions:
            if (
                isinstance(exc, ClassValidationError)
                and isinstance(sub, DomainValidationError)
                and _last_note(sub) is None
            ):
                sub.add_note(AttributeValidationNote(f"raised for {sub.field}", sub.field, None))
            _place_domain_errors(sub)


def _problems(exc: BaseException, path: str = "$") -> list[str]:
    _place_domain_errors(exc)
    return [_scrub(p) for p in transform_error(exc, path, _describe)]


def _group(message: str, errors: list[Exception], cls: type[Any]) -> ClassValidationError:
    return ClassValidationError(message, errors, cls)


_ENVELOPE_NOTE: Final = "envelope field"


def _noted(exc: Exception, name: str) -> Exception:
    """``exc`` marked as raised for the envelope's field ``name`` (so its path ends ``.name``)."""
    exc.add_note(AttributeValidationNote(_ENVELOPE_NOTE, name, None))
    return exc


# --------------------------------------------------------------------------------------------
# The converter.
# --------------------------------------------------------------------------------------------


def _canonical_list(items: Iterable[Any]) -> list[Any]:
    """Set members in a stable order, so that equal objects give identical JSON text."""
    out = list(items)
    if all(isinstance(i, str) for i in out) or all(
        isinstance(i, int) and not isinstance(i, bool) for i in out
    ):
        return sorted(out)
    return sorted(out, key=lambda i: orjson.dumps(i, option=orjson.OPT_SORT_KEYS))


def _canonical_dict(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, Any]:
    """Mapping entries sorted by key, for the same reason."""
    items = list(pairs)
    try:
        items.sort(key=lambda kv: kv[0])
    except TypeError:
        items.sort(key=lambda kv: str(kv[0]))
    return dict(items)


_CONVERTER: Final = cattrs.Converter(
    forbid_extra_keys=True,
    detailed_validation=True,
    unstruct_collection_overrides={
        AbstractSet: _canonical_list,
        Sequence: list,
        Mapping: _canonical_dict,
    },
)


def _expect(kind: type[Any], value: object) -> Any:
    if isinstance(value, bool) and kind is not bool:
        raise TypeError(f"expected {kind.__name__}")
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}")
    return value


# Primitives are strict: cattrs would otherwise turn 5 into "5" or "5" into 5.
_CONVERTER.register_structure_hook(str, lambda v, _: _expect(str, v))
_CONVERTER.register_structure_hook(int, lambda v, _: _expect(int, v))
_CONVERTER.register_structure_hook(bool, lambda v, _: _expect(bool, v))


def _float_in(value: object, _: object = None) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError("expected float")


_CONVERTER.register_structure_hook(float, _float_in)


# Enums travel as their values. StrEnum and IntEnum are registered by name because a hook for
# Enum alone would lose to the hook for str or int, which come first in their MRO.
def _enum_out(value: enum.Enum) -> Any:
    return value.value


@functools.cache
def _value_kinds(cls: type[enum.Enum]) -> frozenset[type[Any]]:
    return frozenset(type(m.value) for m in cls)


def _enum_in(value: object, cls: type[enum.Enum]) -> enum.Enum:
    if isinstance(value, bool) and bool not in _value_kinds(cls):
        raise ValueError(value)  # True is 1 to Python, but not an IntEnum's 1 in a payload
    return cls(value)


for _base in (enum.Enum, enum.StrEnum, enum.IntEnum):
    _CONVERTER.register_unstructure_hook(_base, _enum_out)
    _CONVERTER.register_structure_hook(_base, _enum_in)

# Values with a string form. Each parser is strict, so that a union of them is unambiguous.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FRACTION = re.compile(r"-?[0-9]+/[0-9]+")
_FY_TEXT = re.compile(r"([0-9]{4})/([0-9]{2})")
_QUARTER_TEXT = re.compile(r"([0-9]{4}/[0-9]{2}) Q([1-4])")
_MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")


def _date_in(value: object, _: object = None) -> dt.date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise _ReadError("expected a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _ReadError("expected a date written YYYY-MM-DD") from None


def _datetime_out(value: dt.datetime) -> str:
    if value.utcoffset() is None:
        raise DomainValidationError("datetime", "must be timezone-aware to be serialised", value)
    return value.isoformat()


def _datetime_in(value: object, _: object = None) -> dt.datetime:
    problem = _ReadError("expected a timezone-aware ISO 8601 date and time")
    if not isinstance(value, str):
        raise problem
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise problem from None
    if parsed.utcoffset() is None:
        raise problem
    return parsed


def _uuid_in(value: object, _: object = None) -> uuid.UUID:
    if not isinstance(value, str):
        raise _ReadError("expected a UUID string")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _ReadError("expected a UUID string") from None


def _fraction_out(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _fraction_in(value: object, _: object = None) -> Fraction:
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, str) and _FRACTION.fullmatch(value):
        num, den = value.split("/")
        if int(den) != 0:
            return Fraction(int(num), int(den))
    raise _ReadError("expected an exact fraction written n/d, with d not 0")


def _decimal_in(value: object, _: object = None) -> decimal.Decimal:
    problem = _ReadError("expected a finite decimal number written as a string")
    if isinstance(value, int) and not isinstance(value, bool):
        return decimal.Decimal(value)
    if not isinstance(value, str):
        raise problem
    try:
        parsed = decimal.Decimal(value)
    except decimal.InvalidOperation:
        raise problem from None
    if not parsed.is_finite():
        raise problem
    return parsed


def _text_value(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise _ReadError(f"expected {what} as a string")
    return value


def _financial_year_in(value: object, _: object = None) -> FinancialYear:
    match = _FY_TEXT.fullmatch(_text_value(value, "a financial year"))
    if not match or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
        raise _ReadError("expected a financial year written like 2018/19")
    return FinancialYear(int(match.group(1)))


def _quarter_in(value: object, _: object = None) -> Quarter:
    match = _QUARTER_TEXT.fullmatch(_text_value(value, "a quarter"))
    if not match:
        raise _ReadError("expected a quarter written like 2018/19 Q3")
    return Quarter(_financial_year_in(match.group(1)), int(match.group(2)))


def _month_in(value: object, _: object = None) -> Month:
    match = _MONTH_TEXT.fullmatch(_text_value(value, "a month"))
    if not match:
        raise _ReadError("expected a month written like 2018-07")
    return Month(int(match.group(1)), int(match.group(2)))


def _code_in(cls: Callable[[str], T]) -> Callable[[object, object], T]:
    def structure_code(value: object, _: object = None) -> T:
        return cls(_text_value(value, "a code"))

    return structure_code


_STRING_FORMS: Final[dict[type[Any], tuple[Callable[[Any], Any], Callable[[Any, Any], Any]]]] = {
    uuid.UUID: (str, _uuid_in),
    dt.datetime: (_datetime_out, _datetime_in),
    dt.date: (dt.date.isoformat, _date_in),
    Fraction: (_fraction_out, _fraction_in),
    decimal.Decimal: (str, _decimal_in),
    OdsCode: (str, _code_in(OdsCode)),
    SiteCode: (str, _code_in(SiteCode)),
    FinancialYear: (lambda fy: fy.label, _financial_year_in),
    Quarter: (lambda q: q.label, _quarter_in),
    Month: (lambda m: m.label, _month_in),
}
for _type, (_out, _in) in _STRING_FORMS.items():
    _CONVERTER.register_unstructure_hook(_type, _out)
    _CONVERTER.register_structure_hook(_type, _in)


# The shape a type takes in JSON decides how a union of types is read back.
def _shape(t: Any) -> str:
    if t is type(None):
        return "null"
    origin = typing.get_origin(t) or t
    if origin is typing.Literal:
        return _shape(type(typing.get_args(t)[0]))
    if isinstance(origin, type):
        if issubclass(origin, enum.Enum):
            members = list(origin)
            return _shape(type(members[0].value)) if members else "str"
        if origin in _STRING_FORMS or issubclass(origin, str):
            return "str"
        if issubclass(origin, bool):
            return "bool"
        if issubclass(origin, int | float):
            return "number"
        if issubclass(origin, Mapping) or attrs.has(origin):
            return "object" if _mapping_is_object(t) else "array"
        if issubclass(origin, Iterable):
            return "array"
    return "any"


def _json_shape(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, Mapping):
        return "object"
    return "array" if isinstance(value, list | tuple) else "any"


def _union_members(t: Any) -> tuple[Any, ...]:
    if t is Period:
        return (Quarter, FinancialYear, Month)
    return typing.get_args(t)


def _is_union(t: Any) -> bool:
    if t is Period:
        return True
    if typing.get_origin(t) not in (typing.Union, types.UnionType):
        return False
    # cattrs reads ``X | None`` itself; the hooks below handle real choices between types.
    return len([m for m in typing.get_args(t) if m is not type(None)]) > 1


def _read_as_other_string_form(text: str, members: Sequence[Any]) -> bool:
    """Whether ``text``, meant as a plain string, would be read back as another member."""
    for member in members:
        if member is str or _shape(member) != "str":
            continue
        try:
            _CONVERTER.structure(text, member)
        except Exception:  # noqa: S112 - not readable as this member: try the next
            continue
        return True
    return False


def _union_unstructure_fn(t: Any) -> Callable[[Any], Any]:
    members = _union_members(t)
    objects = [m for m in members if _shape(m) == "object"]
    # With str beside other string forms (``int | str | date``), a plain string that looks like
    # a date is written {"str": ...} so that it is not read back as one.
    ambiguous = str in members and any(m is not str and _shape(m) == "str" for m in members)

    def unstructure_union(value: Any) -> Any:
        data = _CONVERTER.unstructure(value, type(value))
        if len(objects) > 1 and isinstance(data, dict):
            # Several members are JSON objects: tag which one this is.
            return {"type": payload_type(type(value)).name, **data}
        if ambiguous and type(value) is str and _read_as_other_string_form(value, members):
            return {"str": value}
        return data

    return unstructure_union


def _union_structure_fn(t: Any) -> Callable[[Any, Any], Any]:
    # Plain str is tried last: it would take any string meant for a date, a code or a period.
    members = sorted(_union_members(t), key=lambda m: m is str)
    shapes = {m: _shape(m) for m in members}
    names = ", ".join(getattr(m, "__name__", str(m)) for m in members if m is not type(None))

    def structure_union(value: Any, _: Any) -> Any:
        shape = _json_shape(value)
        if shape == "null" and type(None) in members:
            return None
        if str in members and shape == "object" and set(value) == {"str"}:
            return _CONVERTER.structure(value["str"], str)
        fitting = [m for m in members if shapes[m] in (shape, "any")]
        if shape == "object" and len(fitting) > 1:
            tag = value.get("type")
            chosen = [m for m in fitting if attrs.has(m) and payload_type(m).name == tag]
            if not chosen:
                raise _ReadError(f"expected a 'type' naming one of {names}")
            rest = {k: v for k, v in value.items() if k != "type"}
            return _CONVERTER.structure(rest, chosen[0])
        errors: list[Exception] = []
        for member in fitting:
            try:
                return _CONVERTER.structure(value, member)
            except Exception as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        raise _ReadError(f"expected one of {names}")

    return structure_union


_CONVERTER.register_unstructure_hook_factory(_is_union, _union_unstructure_fn)
_CONVERTER.register_structure_hook_factory(_is_union, _union_structure_fn)


# Mappings whose keys have a string form are JSON objects; other keys (tuples, say) cannot be
# object keys, so those mappings are written as a list of [key, value] pairs.
def _mapping_is_object(t: Any) -> bool:
    origin = typing.get_origin(t) or t
    if not (isinstance(origin, type) and issubclass(origin, Mapping)):
        return True  # an attrs class
    args = typing.get_args(t)
    return not args or _shape(args[0]) in ("str", "any")


def _is_pair_mapping(t: Any) -> bool:
    origin = typing.get_origin(t) or t
    return (
        isinstance(origin, type)
        and issubclass(origin, Mapping)
        and len(typing.get_args(t)) == 2
        and not _mapping_is_object(t)
    )


def _pairs_unstructure_fn(t: Any) -> Callable[[Mapping[Any, Any]], list[list[Any]]]:
    key_type, value_type = typing.get_args(t)

    def unstructure_pairs(mapping: Mapping[Any, Any]) -> list[list[Any]]:
        pairs = [
            [_CONVERTER.unstructure(k, key_type), _CONVERTER.unstructure(v, value_type)]
            for k, v in mapping.items()
        ]
        return sorted(pairs, key=lambda p: orjson.dumps(p[0], option=orjson.OPT_SORT_KEYS))

    return unstructure_pairs


def _structure_pair(pair: object, key_type: Any, value_type: Any) -> tuple[Any, Any]:
    if not isinstance(pair, list) or len(pair) != 2:
        raise _ReadError("expected a [key, value] pair")
    out: list[Any] = []
    errors: list[Exception] = []
    for i, (item, item_type) in enumerate(zip(pair, (key_type, value_type), strict=True)):
        try:
            out.append(_CONVERTER.structure(item, item_type))
        except Exception as exc:
            exc.add_note(IterableValidationNote("key" if i == 0 else "value", i, item_type))
            errors.append(exc)
    if errors:
        raise IterableValidationError("While structuring a pair", errors, tuple)
    return out[0], out[1]


def _pairs_structure_fn(t: Any) -> Callable[[Any, Any], dict[Any, Any]]:
    key_type, value_type = typing.get_args(t)

    def structure_pairs(value: Any, _: Any) -> dict[Any, Any]:
        if not isinstance(value, list):
            raise _ReadError("expected a list of [key, value] pairs")
        out: dict[Any, Any] = {}
        errors: list[Exception] = []
        for i, pair in enumerate(value):
            try:
                out.update([_structure_pair(pair, key_type, value_type)])
            except Exception as exc:
                exc.add_note(IterableValidationNote(f"pair {i}", i, t))
                errors.append(exc)
        if errors:
            raise IterableValidationError("While structuring pairs", errors, t)
        return out

    return structure_pairs


_CONVERTER.register_unstructure_hook_factory(_is_pair_mapping, _pairs_unstructure_fn)
_CONVERTER.register_structure_hook_factory(_is_pair_mapping, _pairs_structure_fn)


# A generic attrs class used without its type argument (``Versioned`` rather than
# ``Versioned[Death]``) cannot know what its generic fields hold, so each of those carries a
# nested envelope of its own, with its own type name and schema version.
class _Envelope:
    """Stands for "any payload type" in a generic field: written as a nested envelope."""


def _is_open_generic(t: Any) -> bool:
    return isinstance(t, type) and attrs.has(t) and bool(getattr(t, "__parameters__", ()))


def _open_generic_unstructure_fn(t: Any) -> Callable[[Any], Any]:
    return make_dict_unstructure_fn(t[(_Envelope,) * len(t.__parameters__)], _CONVERTER)


def _open_generic_structure_fn(t: Any) -> Callable[[Any, Any], Any]:
    return make_dict_structure_fn(t[(_Envelope,) * len(t.__parameters__)], _CONVERTER)


_CONVERTER.register_unstructure_hook_factory(_is_open_generic, _open_generic_unstructure_fn)
_CONVERTER.register_structure_hook_factory(_is_open_generic, _open_generic_structure_fn)
_CONVERTER.register_unstructure_hook(_Envelope, lambda v: to_payload(v))  # noqa: PLW0108 - defined below
_CONVERTER.register_structure_hook(_Envelope, lambda v, _: _structure_envelope(v, None))


class ObjectData(typing.Protocol):
    """A field type for JSON-object data: a mapping with string keys, or a typed object that
    offers ``keys()`` and ``obj[key]`` over its own payload envelope (a publication body).

    A mapping is written as a JSON object of its unstructured values; a typed (attrs) object is
    written as its envelope, which the field's owner may read back into the type.
    """

    def keys(self) -> Iterable[str]: ...

    def __getitem__(self, key: str, /) -> Any: ...


def _object_data_out(value: Any) -> Any:
    if attrs.has(type(value)):
        return to_payload(value)
    return _canonical_dict((k, _CONVERTER.unstructure(value[k])) for k in value.keys())  # noqa: SIM118 - ObjectData offers keys(), not iteration


def _object_data_in(value: object, _: object = None) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _ReadError("expected a JSON object")
    for key in value:
        if not isinstance(key, str):
            raise _ReadError("expected a JSON object with string keys")
    return dict(value)


# Matched by identity, not by class: a typed object that offers keys() must still be written
# field by field when it is serialised as itself.
_CONVERTER.register_unstructure_hook_func(lambda t: t is ObjectData, _object_data_out)
_CONVERTER.register_structure_hook_func(lambda t: t is ObjectData, _object_data_in)


# --------------------------------------------------------------------------------------------
# Envelopes.
# --------------------------------------------------------------------------------------------


def _structure_envelope(payload: object, expected: PayloadType | None) -> Any:
    """Read one envelope, raising cattrs-style errors with notes so that paths come out right."""
    if not isinstance(payload, Mapping):
        raise _ReadError("expected a JSON object with type, schema_version and data")
    errors: list[Exception] = []
    extra = set(payload) - set(_ENVELOPE_KEYS)
    if extra:
        errors.append(ForbiddenExtraKeysError(None, dict, {str(k) for k in extra}))
    for key in _ENVELOPE_KEYS:
        if key not in payload:
            errors.append(_noted(KeyError(key), key))

    entry = expected
    name = payload.get("type")
    if "type" in payload:
        if not isinstance(name, str):
            errors.append(_noted(_ReadError("expected the payload type's name"), "type"))
        elif expected is not None and name != expected.name:
            errors.append(_noted(_ReadError(f"expected {expected.name!r}, got {name!r}"), "type"))
        elif expected is None:
            entry = _BY_NAME.get(name)
            if entry is None:
                errors.append(_noted(_ReadError(f"{name!r} is not a known payload type"), "type"))

    version = payload.get("schema_version")
    if "schema_version" in payload:
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            errors.append(
                _noted(
                    _ReadError("expected a schema version: a positive integer"), "schema_version"
                )
            )
        elif entry is not None and version > entry.version:
            errors.append(
                _noted(
                    _ReadError(
                        f"schema version {version} of {entry.name!r} is newer than this "
                        f"collab_core reads (up to {entry.version}); upgrade collab-core"
                    ),
                    "schema_version",
                )
            )
    if errors or entry is None:
        raise _group("While reading a payload envelope", errors, dict)

    data = payload["data"]
    version = typing.cast("int", version)  # checked above
    if version < entry.version:
        try:
            # Upcasters are pure functions of their input; they get a copy all the same, so
            # that a careless one cannot change the caller's payload.
            data = entry.upcast(copy.deepcopy(data), version)
        except Exception as exc:
            problem = _ReadError(
                f"cannot upgrade {entry.name!r} from schema version {version} to "
                f"{entry.version} ({type(exc).__name__})"
            )
            raise _group("While upgrading a payload", [_noted(problem, "data")], dict) from exc
    try:
        return _CONVERTER.structure(data, entry.cls)
    except Exception as exc:
        raise _group("While reading a payload", [_noted(exc, "data")], dict) from None


def to_payload(obj: object) -> dict[str, Any]:
    """``obj`` in its envelope: ``{"type": ..., "schema_version": ..., "data": ...}``.

    ``data`` is plain JSON data (see :func:`unstructure`). Raises
    :class:`~collab_core.PayloadError` for an object collab_core cannot serialise.
    """
    entry = payload_type(type(obj))
    return {"type": entry.name, "schema_version": entry.version, "data": _unstructure(obj, entry)}


@overload
def from_payload(cls: type[T], payload: object) -> T: ...
@overload
def from_payload(cls: None, payload: object) -> Any: ...
def from_payload(cls: type[T] | None, payload: object) -> T | Any:
    """The object in an envelope made by :func:`to_payload`, upgraded to the current schema.

    With ``cls``, the envelope must hold that type; with ``None``, its ``"type"`` decides.
    Every problem found is listed in the :class:`~collab_core.PayloadError` raised.
    """
    expected = None if cls is None else payload_type(cls)
    try:
        return _structure_envelope(payload, expected)
    except Exception as exc:
        raise PayloadError(_name_for(expected, payload), _problems(exc)) from None


def unstructure(obj: object) -> Any:
    """``obj`` as plain JSON data (dicts, lists, strings, numbers, booleans, ``None``) with no
    envelope: what the ``collab`` command prints, say. Sets and mappings come out sorted, so
    equal objects give equal data."""
    cls = type(obj)
    name = _BY_CLASS[cls].name if cls in _BY_CLASS else cls.__name__
    try:
        return _CONVERTER.unstructure(obj, cls)
    except DomainValidationError as exc:
        raise PayloadError(name, [f"{exc} @ $"]) from None


def structure(cls: type[T], data: object) -> T:
    """Build a ``cls`` from plain JSON data made by :func:`unstructure`; problems are reported
    as a :class:`~collab_core.PayloadError` with paths from ``$``."""
    try:
        return _CONVERTER.structure(data, cls)
    except Exception as exc:
        name = _BY_CLASS[cls].name if cls in _BY_CLASS else getattr(cls, "__name__", str(cls))
        raise PayloadError(name, _problems(exc)) from None


def to_json(obj: object) -> str:
    """``obj``'s envelope as compact JSON text.

    The text is a ``str`` decoded from orjson's output, so no orjson buffer outlives the call
    (each ``orjson.dumps`` result keeps a buffer of several KiB; see docs/architecture.md).
    """
    payload = to_payload(obj)
    try:
        return orjson.dumps(payload).decode()
    except orjson.JSONEncodeError as exc:
        raise PayloadError(payload["type"], [f"cannot be written as JSON ({exc}) @ $"]) from None


@overload
def from_json(cls: type[T], text: str | bytes) -> T: ...
@overload
def from_json(cls: None, text: str | bytes) -> Any: ...
def from_json(cls: type[T] | None, text: str | bytes) -> T | Any:
    """The object in JSON text made by :func:`to_json` (see :func:`from_payload`)."""
    try:
        payload = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        name = "collab_core" if cls is None else payload_type(cls).name
        raise PayloadError(name, [f"not valid JSON ({exc}) @ $"]) from None
    return from_payload(cls, payload)


def _unstructure(obj: object, entry: PayloadType) -> Any:
    try:
        return _CONVERTER.unstructure(obj, entry.cls)
    except DomainValidationError as exc:
        raise PayloadError(entry.name, [f"{exc} @ $"]) from None


def _name_for(expected: PayloadType | None, payload: object) -> str:
    if expected is not None:
        return expected.name
    if isinstance(payload, Mapping) and isinstance(payload.get("type"), str):
        return _scrub(payload["type"])
    return "collab_core"

"""The one private cattrs converter: strict primitives, enums by value, values with a string form,
unions read back by the shape of their JSON, mappings with non-string keys as pairs, and open
generics as nested envelopes.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import functools
import re
import types
import typing
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from fractions import Fraction
from typing import Any, Final

import attrs
import cattrs
import orjson
from cattrs.errors import (
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from collab_core.domain.calendar import FinancialYear, Month, Period, Quarter
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode, SiteCode
from collab_core.serialization._problems import _ReadError
from collab_core.serialization._registry import T, payload_type

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

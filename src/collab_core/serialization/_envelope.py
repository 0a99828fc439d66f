"""Envelopes: an object in its versioned envelope and back, as dicts or JSON text."""

from __future__ import annotations

import copy
import typing
from collections.abc import Iterable, Mapping
from typing import Any, Final, overload

import attrs
import orjson
from cattrs.errors import (
    ForbiddenExtraKeysError,
)

from collab_core.domain.errors import DomainValidationError, PayloadError, redact
from collab_core.serialization._converter import _CONVERTER, _canonical_dict, _Envelope
from collab_core.serialization._problems import (
    _group,
    _noted,
    _problems,
    _ReadError,
    _scrub,
)
from collab_core.serialization._registry import _BY_CLASS, _BY_NAME, PayloadType, T, payload_type

_ENVELOPE_KEYS: Final = ("type", "schema_version", "data")

# --------------------------------------------------------------------------------------------
# Envelopes.
# --------------------------------------------------------------------------------------------


def _structure_envelope(payload: object, expected: PayloadType | None) -> Any:
    """Read one envelope, raising cattrs-style errors with notes so that paths come out right."""
    if type(payload) is dict and len(payload) == 3 and "data" in payload:
        # The common case, an envelope of the current version, read without collecting the
        # envelope's errors first; anything else takes the path below, which names them.
        name, version = payload.get("type"), payload.get("schema_version")
        entry = _BY_NAME.get(name) if expected is None and type(name) is str else expected
        if (
            entry is not None
            and name == entry.name
            and type(version) is int
            and version == entry.version
        ):
            try:
                return _CONVERTER.structure(payload["data"], entry.cls)
            except Exception as exc:
                raise _group("While reading a payload", [_noted(exc, "data")], dict) from None
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
            errors.append(
                _noted(_ReadError(f"expected {expected.name!r}, got {redact(name)}"), "type")
            )
        elif expected is None:
            entry = _BY_NAME.get(name)
            if entry is None:
                errors.append(
                    _noted(_ReadError(f"{redact(name)} is not a known payload type"), "type")
                )

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
        problems = _problems(exc)
    # Raised outside the handler, so that no __context__ keeps the raw input.
    raise PayloadError(_name_for(expected, payload), problems)


def unstructure(obj: object) -> Any:
    """``obj`` as plain JSON data (dicts, lists, strings, numbers, booleans, ``None``) with no
    envelope: what the ``collab`` command prints, say. Sets and mappings come out sorted, so
    equal objects give equal data."""
    cls = type(obj)
    name = _BY_CLASS[cls].name if cls in _BY_CLASS else cls.__name__
    try:
        return _CONVERTER.unstructure(obj, cls)
    except DomainValidationError as exc:
        problem = f"{exc} @ $"
    raise PayloadError(name, [problem])


def structure(cls: type[T], data: object) -> T:
    """Build a ``cls`` from plain JSON data made by :func:`unstructure`; problems are reported
    as a :class:`~collab_core.PayloadError` with paths from ``$``."""
    try:
        return _CONVERTER.structure(data, cls)
    except Exception as exc:
        problems = _problems(exc)
    name = _BY_CLASS[cls].name if cls in _BY_CLASS else getattr(cls, "__name__", str(cls))
    raise PayloadError(name, problems)


def to_json(obj: object) -> str:
    """``obj``'s envelope as compact JSON text.

    The text is a ``str`` decoded from orjson's output, so no orjson buffer outlives the call
    (each ``orjson.dumps`` result keeps a buffer of several KiB; see docs/architecture.md).
    """
    payload = to_payload(obj)
    try:
        return orjson.dumps(payload).decode()
    except orjson.JSONEncodeError as exc:
        problem = f"cannot be written as JSON ({exc}) @ $"
    raise PayloadError(payload["type"], [problem])


@overload
def from_json(cls: type[T], text: str | bytes) -> T: ...
@overload
def from_json(cls: None, text: str | bytes) -> Any: ...
def from_json(cls: type[T] | None, text: str | bytes) -> T | Any:
    """The object in JSON text made by :func:`to_json` (see :func:`from_payload`)."""
    try:
        payload = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        problem = f"not valid JSON ({exc}) @ $"
    else:
        return from_payload(cls, payload)
    name = "collab_core" if cls is None else payload_type(cls).name
    raise PayloadError(name, [problem])


def _unstructure(obj: object, entry: PayloadType) -> Any:
    try:
        return _CONVERTER.unstructure(obj, entry.cls)
    except DomainValidationError as exc:
        problem = f"{exc} @ $"
    raise PayloadError(entry.name, [problem])


def _name_for(expected: PayloadType | None, payload: object) -> str:
    if expected is not None:
        return expected.name
    if isinstance(payload, Mapping) and isinstance(payload.get("type"), str):
        return _scrub(payload["type"])
    return "collab_core"


# A generic field with no type argument holds a nested envelope (see _converter._Envelope).
_CONVERTER.register_unstructure_hook(_Envelope, lambda v: to_payload(v))  # noqa: PLW0108
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

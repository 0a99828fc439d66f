"""Small attrs validators that raise :class:`DomainValidationError` naming field, rule and value.

attrs' own validators raise ``TypeError``; the domain wants every broken rule to be a
``CollabError`` that says which field and which rule, so these wrap the common checks.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import refuse_nhs_numbers

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _describe(t: type) -> str:
    if isinstance(t, enum.EnumMeta):
        return "one of " + ", ".join(str(m.value) for m in t)  # type: ignore[var-annotated]
    return f"a {t.__name__}"


def is_type(*types: type, sensitive: bool = False) -> Validator:
    """The value is an instance of one of ``types`` (``bool`` is never taken for ``int``)."""
    names = " or ".join(_describe(t) for t in types)

    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        ok = isinstance(value, types)
        if ok and isinstance(value, bool) and bool not in types:
            ok = False
        if ok and type(value) is dt.datetime and dt.date in types and dt.datetime not in types:
            ok = False  # a datetime is a date subclass, but a date field wants a calendar day
        if not ok:
            raise DomainValidationError(attr.name, f"must be {names}", value, sensitive=sensitive)

    return check


def optional_type(*types: type) -> Validator:
    """The value is ``None`` or an instance of one of ``types``."""
    inner = is_type(*types)

    def check(inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(inst, attr, value)

    return check


def non_blank(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    """A non-empty string that is not only whitespace, and carries no NHS number.

    collab_core never stores an NHS number, so no string field may hold one.
    """
    if not isinstance(value, str) or not value.strip():
        raise DomainValidationError(attr.name, "must be a non-blank string", value)
    refuse_nhs_numbers(attr.name, value)


def text(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    """A string, possibly empty, that carries no NHS number."""
    if not isinstance(value, str):
        raise DomainValidationError(attr.name, "must be a str", value)
    refuse_nhs_numbers(attr.name, value)


def optional_non_blank(inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    """``None`` or a non-blank string."""
    if value is not None:
        non_blank(inst, attr, value)


def each_non_blank(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    """A tuple or frozenset of non-blank strings, none carrying an NHS number."""
    if not isinstance(value, tuple | frozenset):
        raise DomainValidationError(attr.name, "must be a tuple or frozenset", value)
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise DomainValidationError(f"{attr.name}[{i}]", "must be a non-blank string", item)
        refuse_nhs_numbers(f"{attr.name}[{i}]", item)


def each(*types: type) -> Validator:
    """Every member of a tuple or frozenset is an instance of one of ``types``."""
    names = " or ".join(t.__name__ for t in types)

    def check(_inst: object, attr: attrs.Attribute[Any], value: Iterable[object]) -> None:
        if not isinstance(value, tuple | frozenset):
            raise DomainValidationError(attr.name, "must be a tuple or frozenset", value)
        for i, item in enumerate(value):
            if not isinstance(item, types):
                raise DomainValidationError(f"{attr.name}[{i}]", f"must be {names}", item)

    return check


def in_range(low: int, high: int) -> Validator:
    """An integer from ``low`` to ``high`` inclusive."""

    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise DomainValidationError(
                attr.name, f"must be an integer from {low} to {high}", value
            )

    return check


def positive(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    """An integer of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DomainValidationError(attr.name, "must be a positive integer", value)


def not_before(other_field: str) -> Validator:
    """A date that, when set, is on or after the date in ``other_field`` (when that is set)."""

    def check(inst: object, attr: attrs.Attribute[Any], value: dt.date | None) -> None:
        other = getattr(inst, other_field)
        if value is not None and other is not None and value < other:
            raise DomainValidationError(
                attr.name, f"must not be before {other_field} ({other})", value
            )

    return check


def to_frozenset(value: object) -> Any:
    """Converter: normalise any iterable (or ``None``) to a frozenset.

    Anything else is passed through untouched so that the field's validator can refuse it with
    a :class:`DomainValidationError` rather than a bare ``TypeError``.
    """
    kind = type(value)
    if kind is frozenset:
        return value  # the common case, without the Iterable ABC's slower isinstance check
    if isinstance(value, tuple | list | set):
        return frozenset(value)
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, Iterable):
        return frozenset(value)
    return value


def to_tuple(value: object) -> Any:
    """Converter: normalise any iterable (or ``None``) to a tuple (see :func:`to_frozenset`)."""
    kind = type(value)
    if kind is tuple:
        return value  # the common case, without the Iterable ABC's slower isinstance check
    if kind is list:
        return tuple(value)  # type: ignore[arg-type]
    if value is None:
        return ()
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return tuple(value)
    return value


def strip(value: object) -> object:
    """Converter: strip surrounding whitespace from strings, leave anything else alone."""
    return value.strip() if isinstance(value, str) else value


def free_text(inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    """Non-blank text that carries no NHS number (free text never holds identifiers)."""
    non_blank(inst, attr, value)


def optional(validator: Validator) -> Validator:
    """Run ``validator`` unless the value is ``None``."""

    def check(inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            validator(inst, attr, value)

    return check

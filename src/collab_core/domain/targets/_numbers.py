"""Exact numbers for the figures and their presentation as percentages.

Counts are ``int`` and proportions are :class:`fractions.Fraction`; a figure is rounded only
when it is presented (:func:`as_percent`).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, overload

import attrs

from collab_core.domain.errors import DomainValidationError


@overload
def as_percent(value: Fraction, places: int = 1) -> Decimal: ...
@overload
def as_percent(value: None, places: int = 1) -> None: ...
@overload
def as_percent(value: Fraction | None, places: int = 1) -> Decimal | None: ...
def as_percent(value: Fraction | None, places: int = 1) -> Decimal | None:
    """``value`` (a proportion) as a percentage rounded to ``places`` decimal places.

    Halves round away from zero (``Fraction(1, 8)`` is ``12.5`` at one place, ``13`` at none),
    computed exactly from the fraction, never through a float. ``None`` (an undefined
    proportion, such as a share of nothing) stays ``None``.
    """
    if value is None:
        return None
    if not _whole(places) or not 0 <= places <= 12:
        raise DomainValidationError("places", "must be an integer from 0 to 12", places)
    scaled = Fraction(value) * 100 * 10**places
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    sign = 1 if scaled < 0 and whole else 0
    return Decimal((sign, tuple(int(c) for c in str(whole)), -places))


def _whole(value: object) -> bool:
    """An int that is not a bool (``True`` is not a count)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _share(part: int, whole: int) -> Fraction | None:
    return None if whole == 0 else Fraction(part, whole)


def _to_fraction(value: object) -> object:
    """Converter: an int, Fraction, Decimal or text such as ``"3/10"`` becomes a Fraction.

    Anything else (a float above all) is left for the validator to refuse: a float cannot
    hold 0.3 exactly, and targets are compared exactly.
    """
    if isinstance(value, bool | float):
        return value
    if isinstance(value, int | Fraction | Decimal | str):
        try:
            return Fraction(value)
        except (ValueError, ZeroDivisionError, OverflowError):
            return value
    return value


def _value(value: object, field: str = "value") -> Fraction:
    """``value`` as an exact Fraction, or :class:`DomainValidationError` (a float, say)."""
    exact = _to_fraction(value)
    if not isinstance(exact, Fraction):
        raise DomainValidationError(
            field, "must be an exact number (an int, Fraction or Decimal), not a float", value
        )
    return exact


def _exact(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Fraction):
        raise DomainValidationError(
            attr.name,
            "must be an exact number (an int, Fraction, Decimal or text like '3/10'), not a float",
            value,
        )


def _count(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainValidationError(attr.name, "must be a whole number of at least 0", value)


def _optional_fraction(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Fraction):
        raise DomainValidationError(attr.name, "must be a Fraction or None", value)


def _derived(field: str, actual: object, expected: object) -> None:
    """Derived figures are stored for serialisation; they must agree with what they derive from."""
    if actual != expected:
        raise DomainValidationError(
            field, f"must agree with the figures it derives from ({expected})", actual
        )

"""Number handling for the measures: exact inputs stay exact (``Fraction``), floats are marked.

Values arrive as ``int``, ``Fraction``, ``Decimal`` or ``float``. Every calculation runs on
``Fraction`` (a float is taken at its exact binary value), and a result is handed back as a
``Fraction`` when every input was exact, or as a ``float`` when any input was a float.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

from collab_core.domain.errors import DomainValidationError

Number: TypeAlias = int | Fraction | Decimal | float
"""What a measure accepts as a value: ``int``, ``Fraction``, ``Decimal`` or ``float``."""

Quantity: TypeAlias = Fraction | float
"""What a measure hands back: a ``Fraction`` when every input was exact, else a ``float``."""

XValue: TypeAlias = int | str | dt.date
"""A point's position on the x axis: a period number, a label or a date."""


def to_fraction(value: object, field: str) -> tuple[Fraction, bool]:
    """``value`` as a Fraction, and whether it was exact (anything but a float)."""
    if isinstance(value, bool) or not isinstance(value, int | Fraction | Decimal | float):
        raise DomainValidationError(field, "must be an int, Fraction, Decimal or float", value)
    # Decimal.is_finite, not math.isfinite: converting a signalling NaN to float raises
    if (isinstance(value, float) and not math.isfinite(value)) or (
        isinstance(value, Decimal) and not value.is_finite()
    ):
        raise DomainValidationError(field, "must be a finite number", value)
    if isinstance(value, float):
        return Fraction(value), False
    return Fraction(value), True


def coerce_values(
    values: Sequence[Number | None], field: str, *, allow_missing: bool = True
) -> tuple[tuple[Fraction | None, ...], bool]:
    """Every value as a Fraction (``None`` kept where allowed), and whether all were exact."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise DomainValidationError(field, "must be a sequence of numbers", type(values).__name__)
    out: list[Fraction | None] = []
    exact = True
    for i, v in enumerate(values):
        if v is None:
            if not allow_missing:
                raise DomainValidationError(f"{field}[{i}]", "must not be missing", v)
            out.append(None)
            continue
        f, was_exact = to_fraction(v, f"{field}[{i}]")
        exact = exact and was_exact
        out.append(f)
    return tuple(out), exact


def scale_values(
    values: Sequence[Number | None], field: str
) -> tuple[list[tuple[int, int] | None], list[int | None], int, bool]:
    """Every value as an exact ratio ``(numerator, denominator)``, and as an integer over one
    common denominator (``None`` kept for a missing value); the denominator; and whether every
    value was exact.

    The same values as :func:`coerce_values`, refused for the same reasons, but ready for
    integer arithmetic: sums, differences and comparisons of the scaled integers are exact and
    far cheaper than the same on Fractions (a float's ratio is exact, with a power-of-two
    denominator, so a chart of floats needs one common power of two).
    """
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise DomainValidationError(field, "must be a sequence of numbers", type(values).__name__)
    if all(type(v) is float for v in values) and all(map(math.isfinite, values)):  # type: ignore[arg-type]
        # The common case of a chart of floats: every denominator a power of two, so the
        # largest is the common one.
        float_ratios = [v.as_integer_ratio() for v in values]  # type: ignore[union-attr]
        common = max(d for _, d in float_ratios) if float_ratios else 1
        scaled: list[int | None] = [n * (common // d) for n, d in float_ratios]
        return list(float_ratios), scaled, common, False
    ratios: list[tuple[int, int] | None] = []
    exact = True
    isfinite = math.isfinite
    for i, v in enumerate(values):
        kind = type(v)
        if kind is float:
            if not isfinite(v):  # type: ignore[arg-type]
                raise DomainValidationError(f"{field}[{i}]", "must be a finite number", v)
            exact = False
            ratios.append(v.as_integer_ratio())  # type: ignore[union-attr]
        elif kind is int:
            ratios.append((v, 1))  # type: ignore[arg-type]
        elif v is None:
            ratios.append(None)
        else:
            f, was_exact = to_fraction(v, f"{field}[{i}]")
            exact = exact and was_exact
            ratios.append((f.numerator, f.denominator))
    denominators = {r[1] for r in ratios if r is not None}
    common = math.lcm(*denominators) if denominators else 1
    return ratios, [None if r is None else r[0] * (common // r[1]) for r in ratios], common, exact


def scale_floats(values: Sequence[Number | None]) -> tuple[list[int], int] | None:
    """A list or tuple of finite floats as integers over one power of two, without taking
    each float apart: None for anything else, or when the floats span too wide a range (the
    callers then take :func:`scale_values`).

    A float of binary exponent ``e`` (``math.frexp``) is a multiple of ``2 ** (e - 53)``, so
    every value times ``2 ** (53 - e)`` for the smallest ``e`` among them is an integer, and
    multiplying a float by a power of two is exact while the product stays a finite float.
    The denominator may be a larger power of two than :func:`scale_values`' (the largest of
    the values' own); every ratio of the integers, and so every result, is the same.
    """
    if (
        type(values) not in (list, tuple)
        or not values
        or not _FLOAT.issuperset(map(type, values))
        or not all(map(math.isfinite, values))  # type: ignore[arg-type]
    ):
        return None
    smallest: float = min(filter(None, map(abs, values)), default=1.0)  # type: ignore[arg-type,type-var,assignment]
    power = max(53 - math.frexp(smallest)[1], 0)
    try:
        scale = 2.0**power
        return list(map(int, map(scale.__mul__, values))), 1 << power  # type: ignore[arg-type]
    except OverflowError:  # a product (or the scale) beyond the largest float
        return None


_FLOAT = frozenset({float})


def present_ratio(numerator: int, denominator: int, exact: bool, field: str = "values") -> Quantity:
    """:func:`present` of ``numerator / denominator`` (``denominator`` > 0), without making a
    Fraction for a float result: integer true division is correctly rounded, as ``float()``
    of the Fraction is."""
    if exact:
        return Fraction(numerator, denominator)
    try:
        return numerator / denominator
    except OverflowError:
        return to_float(Fraction(numerator, denominator), field)


def coerce_x(x: Sequence[XValue] | None, n: int) -> tuple[XValue, ...]:
    """The x positions: 1, 2, ... n when not given; otherwise one unique position per value."""
    if x is None:
        return tuple(range(1, n + 1))
    xs = tuple(x)
    if len(xs) != n:
        raise DomainValidationError("x", f"must have one position per value ({n})", len(xs))
    for i, item in enumerate(xs):
        if isinstance(item, bool) or not isinstance(item, int | str | dt.date):
            raise DomainValidationError(f"x[{i}]", "must be an int, str or date", item)
    seen: set[XValue] = set()
    for item in xs:
        if item in seen:
            raise DomainValidationError("x", "positions must be unique", item)
        seen.add(item)
    return xs


def positions_of(xs: tuple[XValue, ...], wanted: Sequence[XValue], field: str) -> tuple[int, ...]:
    """The 0-based positions of the x values in ``wanted``, sorted, each checked to exist."""
    index = {item: i for i, item in enumerate(xs)}
    out: set[int] = set()
    for item in wanted:
        if item not in index:
            raise DomainValidationError(field, "must name x positions of the series", item)
        out.add(index[item])
    return tuple(sorted(out))


def to_float(value: Fraction, field: str) -> float:
    """``value`` as the nearest float; a value beyond the largest float is refused, naming the
    input ``field`` whose size made it (instead of Python's bare ``OverflowError``)."""
    try:
        return float(value)
    except OverflowError:
        raise DomainValidationError(
            field,
            f"is too large: a result reaches {_magnitude(value)}, beyond the largest float "
            f"({sys.float_info.max:.4g}); use exact numbers (int, Fraction or Decimal) or "
            "smaller units",
            _magnitude(value),
        ) from None


def _magnitude(value: Fraction) -> str:
    digits = len(str(abs(value.numerator))) - len(str(value.denominator))
    return f"{'-' if value < 0 else ''}~1e{digits}"


def present(value: Fraction, exact: bool, field: str = "values") -> Quantity:
    """A Fraction handed back as it is for exact inputs, as a float otherwise (refused, naming
    ``field``, when it is beyond the range of a float)."""
    return value if exact else to_float(value, field)


def present_opt(value: Fraction | None, exact: bool, field: str = "values") -> Quantity | None:
    """:func:`present` that lets ``None`` through."""
    return None if value is None else present(value, exact, field)


def fsqrt(value: Fraction) -> float:
    """The square root of a non-negative Fraction, as a correctly rounded float."""
    # math.sqrt(float(v)) loses precision for huge numerators; the integer square root of a
    # scaled value keeps ~30 significant digits before the final rounding to float.
    if value <= 0:
        return 0.0
    scale = 10**30
    root = math.isqrt(value.numerator * scale * scale // value.denominator)
    return root / scale


def check_int(field: str, value: object, minimum: int | None = None) -> int:
    """An ``int`` (never a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainValidationError(field, "must be an integer", value)
    if minimum is not None and value < minimum:
        raise DomainValidationError(field, f"must be at least {minimum}", value)
    return value

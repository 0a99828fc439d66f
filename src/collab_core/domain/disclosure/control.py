"""Disclosure control of a whole publication body: every :class:`Count`, :class:`Share` and
:class:`Figure` in it controlled by an audience's count policy, and every date coarsened to the
audience's precision, wherever they sit (in attrs classes, tuples, lists and mappings).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

import attrs

from collab_core.domain.calendar import FinancialYear, Month, Quarter
from collab_core.domain.disclosure.counts import (
    Count,
    CountPolicy,
    Figure,
    Share,
    control_count,
    control_figure,
    control_share,
)
from collab_core.domain.disclosure.dates import DatePrecision, coarsen
from collab_core.domain.identifiers import OdsCode, SiteCode

__all__ = ["apply_disclosure", "counts_in"]

T = TypeVar("T")

# Values with nothing inside to control (periods are periods, not dates of someone's death).
_LEAVES = (str, bytes, int, float, Fraction, Decimal, enum.Enum, Month, Quarter, FinancialYear)
_CODES = (OdsCode, SiteCode)


def apply_disclosure(value: T, counts: CountPolicy, dates: DatePrecision) -> T:
    """``value`` with every count controlled by ``counts`` and every date coarsened to
    ``dates``. Attrs objects are rebuilt with :func:`attrs.evolve` (so their validators run
    again); anything without counts or dates comes back as it is."""
    return _control(value, counts, dates)  # type: ignore[no-any-return]


def _control(value: Any, counts: CountPolicy, dates: DatePrecision) -> Any:
    if value is None or isinstance(value, _LEAVES + _CODES):
        return value
    if isinstance(value, Count):
        return control_count(value, counts)
    if isinstance(value, Share):
        return control_share(value, counts)
    if isinstance(value, Figure):
        return control_figure(value, counts)
    if isinstance(value, dt.date):
        return coarsen(value, dates)
    if attrs.has(type(value)):
        changes: dict[str, Any] = {}
        for field in attrs.fields(type(value)):
            if not field.init:
                continue
            old = getattr(value, field.name)
            new = _control(old, counts, dates)
            if new is not old and new != old:
                changes[field.alias or field.name] = new
        return attrs.evolve(value, **changes) if changes else value
    if isinstance(value, tuple | list):
        items = [_control(item, counts, dates) for item in value]
        return type(value)(items) if isinstance(value, list) else tuple(items)
    if isinstance(value, frozenset | set):
        return type(value)(_control(item, counts, dates) for item in value)
    if isinstance(value, Mapping):
        return {key: _control(item, counts, dates) for key, item in value.items()}
    return value


def counts_in(value: Any) -> list[Count]:
    """Every :class:`Count` anywhere inside ``value`` (attrs objects, tuples, lists, sets and
    mappings, a share's or a figure's counts included), depth first: what a publication shows
    of people, for a publisher's summary or a check."""
    if isinstance(value, Count):
        return [value]
    if value is None or isinstance(value, _LEAVES + _CODES):
        return []
    if attrs.has(type(value)):
        return [c for f in attrs.fields(type(value)) for c in counts_in(getattr(value, f.name))]
    if isinstance(value, Mapping):
        return [c for item in value.values() for c in counts_in(item)]
    if isinstance(value, tuple | list | frozenset | set):
        return [c for item in value for c in counts_in(item)]
    return []

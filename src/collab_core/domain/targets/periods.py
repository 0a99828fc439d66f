"""The periods a figure is computed for, and the days of a period on which a trust was a member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeAlias

import attrs

from collab_core.domain._rules import is_type
from collab_core.domain.calendar import FinancialYear, Month, Period, Quarter
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.organisations import Trust

#: The reporting periods a figure may be computed for.
ReportingPeriod: TypeAlias = Month | Quarter | FinancialYear


def _period(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    is_type(Month, Quarter, FinancialYear)(_inst, attr, value)


def _trusts_by_code(trusts: Iterable[Trust]) -> dict[OdsCode, Trust]:
    out: dict[OdsCode, Trust] = {}
    for t in trusts:
        if not isinstance(t, Trust):
            raise DomainValidationError("trusts", "must hold Trust records", type(t).__name__)
        if t.ods_code in out:
            raise DomainValidationError("trusts", "each trust appears once", str(t.ods_code))
        out[t.ods_code] = t
    return out


def _membership_window(trust: Trust, period: Period) -> tuple[dt.date, dt.date] | None:
    """The days of ``period`` on which ``trust`` was a member, or ``None`` if there were none."""
    if not trust.was_member_during(period):
        return None
    first = max(trust.joined, period.start)
    last = period.end if trust.left is None else min(trust.left, period.end)
    return (first, last)

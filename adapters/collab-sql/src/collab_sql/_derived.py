"""The derived columns stored beside a record's payload so that the dashboard figures can be
computed in SQL (ARCHITECTURE rule 8): each is worked out from the domain's own rules at write
time, never re-implemented in SQL.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from collab_core import (
    Assessment,
    Death,
    DomainValidationError,
    FinancialYear,
    Member,
    Quarter,
    Review,
    ScopePolicy,
    ScopeReason,
    SharingEvent,
)

__all__ = ["DERIVED", "contact_months", "decode_quarter", "encode_quarter", "review_scores"]


def encode_quarter(quarter: Quarter) -> int:
    """A quarter as an integer that sorts in time order: 2018/19 Q3 is ``20183``."""
    return quarter.year.start_year * 10 + quarter.number


@functools.lru_cache(maxsize=1024)
def decode_quarter(code: int) -> Quarter:
    """The inverse of :func:`encode_quarter` (cached: every row of the dashboard facts names
    one of a few quarters, and Quarter validates itself; quarters are frozen)."""
    year, number = divmod(code, 10)
    return Quarter(FinancialYear(year), number)


@functools.lru_cache(maxsize=8192)
def _quarter_code(day: dt.date) -> int:
    # Cached: a bulk load of deaths meets each day many times, and Quarter validates itself.
    return encode_quarter(Quarter.of(day))


@functools.lru_cache(maxsize=256)
def _contact_only(months: int) -> ScopePolicy:
    return ScopePolicy(
        inpatient=False,
        community_contact_months=months,
        discharge_days=None,
        route_ld_autism_to_leder=False,
    )


def contact_months(death: Death) -> int | None:
    """The smallest ``community_contact_months`` of a policy that puts ``death`` in scope
    through community contact, or ``None`` without a last contact.

    The domain's rule is monotone in the months (more months back reach an earlier day), so a
    policy of ``m`` months covers the death exactly when ``m >= contact_months(death)``. The
    answer is found by asking the domain rule itself, so month-end clamping stays its concern.
    """
    last = death.last_contact_on
    if last is None:
        return None
    died = death.died_on
    months = max(1, (died.year * 12 + died.month) - (last.year * 12 + last.month))
    # The answer is the calendar-month gap or one more; a few steps guard against surprises.
    for m in range(months, months + 24):
        if ScopeReason.COMMUNITY_CONTACT in death.scope_reasons(_contact_only(m)):
            return m
    raise DomainValidationError(  # pragma: no cover - the domain rule is monotone
        "last_contact_on", "no contact window covers the last contact", last
    )


def death_columns(death: Death) -> dict[str, Any]:
    discharged = death.discharged_on
    band = death.age_band
    return {
        "quarter": _quarter_code(death.died_on),
        "setting": death.setting.value,
        "contact_months": contact_months(death),
        # A death within n days of discharge is in scope when this is at most n.
        "discharge_days": None if discharged is None else (death.died_on - discharged).days,
        "ld_autism": death.ld_or_autism,
        "age_band": None if band is None else band.value,
    }


def review_columns(review: Review) -> dict[str, Any]:
    return {
        "death_key": str(review.death_id),
        "response_type": review.response_type.value,
        "completed_on": review.completed_on,
    }


def review_scores(review: Review) -> list[dict[str, Any]]:
    """The review's scores as rows of the ``review_score`` table, in the review's order."""
    key = str(review.id)
    return [
        {
            "review_key": key,
            "position": i,
            "scale_id": s.scale_id,
            "scale_version": s.scale_version,
            "value": s.value,
        }
        for i, s in enumerate(review.scores)
    ]


def sharing_columns(event: SharingEvent) -> dict[str, Any]:
    return {"audience": event.audience.value}


def member_columns(member: Member) -> dict[str, Any]:
    # The day the member joined is the row's ``day``, their trust its ``trust``.
    return {"kind": member.kind.value, "left_on": member.left}


def assessment_columns(assessment: Assessment) -> dict[str, Any]:
    # The level case-folded in Python, as the domain's Framework.level matches names: SQL's
    # lower() folds fewer characters than str.casefold().
    return {
        "member_key": str(assessment.member_id),
        "framework": assessment.framework,
        "subject": assessment.subject,
        "level_fold": assessment.level.casefold(),
    }


#: The derived columns of each kind of record that has any.
DERIVED: dict[str, Callable[[Any], dict[str, Any]]] = {
    "death": death_columns,
    "review": review_columns,
    "sharing": sharing_columns,
    "member": member_columns,
    "assessment": assessment_columns,
}

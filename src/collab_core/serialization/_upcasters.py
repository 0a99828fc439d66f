"""Upcasters: pure dict-to-dict functions that bring an old payload of a type up to the type's
current version before it is structured. One chain per type, oldest first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "upcast_attribute_phase_v1_v2",
    "upcast_attribute_result_v1_v2",
    "upcast_outbox_entry_v1_v2",
    "upcast_spc_options_v1_v2",
    "upcast_xmr_phase_v1_v2",
    "upcast_xmr_result_v1_v2",
]

# Measure results whose shape changed (the short-group warning of NHSRplotthedots): version 2.
# A version-1 payload was written before the warning was recorded, so its phases read back
# with ``short_group`` None ("not recorded"), its result with no warnings, and its options
# with the default threshold.


def upcast_spc_options_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """SpcOptions gained ``short_group_threshold`` (NHSRplotthedots' 13)."""
    return {**data, "short_group_threshold": 13}


def upcast_xmr_phase_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """XmrPhase gained ``short_group``; a version-1 phase did not record it."""
    return {**data, "short_group": None}


def upcast_attribute_phase_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """AttributePhase gained ``short_group``; a version-1 phase did not record it."""
    return {**data, "short_group": None}


def _upcast_chart_v1_v2(
    data: dict[str, Any], phase: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    return {
        **data,
        "phases": [phase(p) for p in data.get("phases", [])],
        "options": upcast_spc_options_v1_v2(data.get("options", {})),
        "warnings": [],
    }


def upcast_xmr_result_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """XmrResult gained ``warnings``, and its phases and options their new fields."""
    return _upcast_chart_v1_v2(data, upcast_xmr_phase_v1_v2)


def upcast_attribute_result_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """AttributeResult gained ``warnings``, and its phases and options their new fields."""
    return _upcast_chart_v1_v2(data, upcast_attribute_phase_v1_v2)


def upcast_outbox_entry_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """OutboxEntry gained its retry time and claim (none, in version 1) and its idempotency key,
    which a version-1 entry reads back computed from its publication and publisher."""
    return {**data, "next_attempt_at": None, "claimed_by": None, "claimed_until": None}

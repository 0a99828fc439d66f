"""Measure results at schema version 2 (the short-group warning) travel and read back, and their
version-1 payloads still read, brought up to date by the upcasters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collab_core import from_json, from_payload, payload_type, registered_types, to_payload
from collab_core.domain.measures import (
    SHORT_GROUP_THRESHOLD,
    AttributeResult,
    SpcOptions,
    XmrPhase,
    XmrResult,
    p_chart,
    xmr,
)

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
V2 = sorted(p.stem for p in (PAYLOADS / "v2").glob("*.json"))


@pytest.mark.parametrize("name", V2)
def test_version_2_fixture_reads_back_without_loss(name: str) -> None:
    text = (PAYLOADS / "v2" / f"{name}.json").read_text(encoding="utf-8")
    payload = json.loads(text)
    assert payload["type"] == name
    assert payload["schema_version"] == 2
    result = from_payload(None, payload)
    assert payload_type(type(result)).name == name
    assert to_payload(result) == payload
    assert from_json(None, text) == result


def test_every_measure_type_at_version_2_has_a_version_2_fixture() -> None:
    at_two = {e.name for e in registered_types() if e.version == 2}
    assert {"spc_options", "xmr_phase", "xmr_result", "attribute_phase", "attribute_result"} <= (
        at_two
    )
    assert at_two <= set(V2)


def test_a_version_1_xmr_result_reads_with_its_short_groups_not_recorded() -> None:
    payload = json.loads((PAYLOADS / "v1" / "xmr_result.json").read_text(encoding="utf-8"))
    result = from_payload(XmrResult, payload)
    assert all(phase.short_group is None for phase in result.phases)
    assert result.warnings == ()
    assert result.short_groups == ()
    # the options it was made with are kept as written, with the threshold now in force added
    assert result.options.precedence == tuple(
        from_payload(SpcOptions, _v1("spc_options")).precedence
    )
    assert result.options.short_group_threshold == SHORT_GROUP_THRESHOLD
    assert to_payload(result)["schema_version"] == 2


def test_a_version_1_phase_and_attribute_result_read_too() -> None:
    phase = from_payload(XmrPhase, _v1("xmr_phase"))
    assert phase.short_group is None
    attribute = from_payload(AttributeResult, _v1("attribute_result"))
    assert attribute.warnings == ()
    assert all(p.short_group is None for p in attribute.phases)


def test_a_new_result_records_its_short_groups_and_warnings_and_they_travel() -> None:
    result = xmr([10, 12, 11, 13, 10, 12, 11, 13], rebase_at=[5])
    assert [p.short_group for p in result.phases] == [True, True]
    assert result.short_groups == (0, 1)
    assert len(result.warnings) == 2
    assert from_payload(XmrResult, to_payload(result)) == result
    chart = p_chart([3, 4, 5], [10, 10, 10])
    assert chart.warnings
    assert chart.phases[0].short_group
    assert from_payload(AttributeResult, to_payload(chart)) == chart


def _v1(name: str) -> dict[str, object]:
    payload: dict[str, object] = json.loads(
        (PAYLOADS / "v1" / f"{name}.json").read_text(encoding="utf-8")
    )
    return payload

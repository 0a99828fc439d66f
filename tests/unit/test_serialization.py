"""Envelopes, schema versions, upcasters and readable errors of :mod:`collab_core.serialization`."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import attrs
import pytest

from collab_core import (
    CaseReference,
    ConfigurationError,
    Death,
    DeathSetting,
    FinancialYear,
    Month,
    OdsCode,
    PayloadError,
    Quarter,
    ScopePolicy,
    Trust,
    from_json,
    from_payload,
    payload_type,
    register_type,
    registered_types,
    structure,
    to_json,
    to_payload,
    unstructure,
)
from collab_core.domain.calendar import Period
from collab_core.ports import RECORD_SPECS, Versioned

RH8 = OdsCode("RH8")
DEATH_ID = uuid.UUID("0190a1b2-0000-7000-8000-000000000001")


def _death(**changes: Any) -> Death:
    fields: dict[str, Any] = {
        "id": DEATH_ID,
        "trust": RH8,
        "case_ref": CaseReference(RH8, "DX-1"),
        "died_on": dt.date(2019, 5, 1),
        "setting": DeathSetting.INPATIENT,
        "age": 70,
    }
    return Death(**(fields | changes))


def _problems(exc: pytest.ExceptionInfo[PayloadError]) -> list[str]:
    return list(exc.value.problems)


# --- names and envelopes ----------------------------------------------------------------------


def test_record_kinds_are_the_payload_type_names_of_their_classes() -> None:
    for spec in RECORD_SPECS:
        assert payload_type(spec.type).name == spec.kind
        assert payload_type(spec.kind).cls is spec.type


def test_every_registered_name_is_unique_and_maps_back_to_its_class() -> None:
    entries = registered_types()
    assert len({e.name for e in entries}) == len(entries)
    for entry in entries:
        assert payload_type(entry.cls) is entry
        assert payload_type(entry.name) is entry


def test_a_payload_is_an_envelope_of_type_version_and_plain_data() -> None:
    payload = to_payload(_death())
    assert list(payload) == ["type", "schema_version", "data"]
    assert payload["type"] == "death"
    assert payload["schema_version"] == 1
    assert payload["data"]["trust"] == "RH8"
    assert payload["data"]["died_on"] == "2019-05-01"
    assert payload["data"]["case_ref"] == {"trust": "RH8", "local_id": "DX-1"}
    # Plain JSON data: the standard library encodes it as it is.
    assert json.loads(json.dumps(payload)) == payload


def test_json_text_round_trips_and_dispatches_on_the_type_name() -> None:
    death = _death()
    text = to_json(death)
    assert isinstance(text, str)
    assert from_json(Death, text) == death
    assert from_json(None, text) == death
    assert from_json(None, text.encode()) == death


def test_value_classes_have_string_forms() -> None:
    assert unstructure(RH8) == "RH8"
    assert unstructure(FinancialYear(2018)) == "2018/19"
    assert unstructure(Quarter(FinancialYear(2018), 3)) == "2018/19 Q3"
    assert unstructure(Month(2019, 1)) == "2019-01"
    assert structure(Quarter, "2018/19 Q3") == Quarter(FinancialYear(2018), 3)


def test_equal_objects_give_identical_json_whatever_the_insertion_order() -> None:
    a = Trust(RH8, "A trust", dt.date(2018, 4, 1), local_themes=["b", "a", "c"])
    b = Trust(RH8, "A trust", dt.date(2018, 4, 1), local_themes=["c", "b", "a"])
    assert to_json(a) == to_json(b)
    assert unstructure(a)["local_themes"] == ["a", "b", "c"]


def test_an_open_generic_record_carries_a_nested_envelope() -> None:
    stored = Versioned(_death(), 4)
    payload = to_payload(stored)
    assert payload["data"]["record"]["type"] == "death"
    assert payload["data"]["record"]["schema_version"] == 1
    assert from_payload(Versioned, payload) == stored
    assert structure(Versioned, unstructure(stored)) == stored


# --- errors -----------------------------------------------------------------------------------


def test_every_problem_in_a_payload_is_listed_with_its_path() -> None:
    payload = to_payload(_death())
    payload["data"] |= {"id": "not-a-uuid", "died_on": "2019-13-01", "setting": "ward"}
    payload["data"]["surplus"] = 1
    del payload["data"]["case_ref"]
    with pytest.raises(PayloadError) as exc:
        from_payload(Death, payload)
    assert exc.value.type_name == "death"
    assert sorted(_problems(exc)) == sorted(
        [
            "expected a UUID string @ $.data.id",
            "required field missing @ $.data.case_ref",
            "expected a date written YYYY-MM-DD @ $.data.died_on",
            "invalid value for type, expected DeathSetting @ $.data.setting",
            "unknown field(s): surplus @ $.data",
        ]
    )


def test_a_domain_rule_broken_by_a_value_is_reported_at_its_field() -> None:
    payload = to_payload(_death())
    payload["data"]["trust"] = "RH"
    with pytest.raises(PayloadError) as exc:
        from_payload(Death, payload)
    assert _problems(exc) == [
        "trust: a trust ODS code has 3 upper-case letters or digits (got 'RH') @ $.data.trust"
    ]


def test_a_rule_across_fields_is_reported_at_the_field_the_domain_names() -> None:
    payload = to_payload(_death())
    payload["data"]["age"] = 131
    with pytest.raises(PayloadError) as exc:
        from_payload(Death, payload)
    assert _problems(exc) == ["age: must be an integer from 0 to 130 (got 131) @ $.data.age"]


def test_a_sensitive_identifier_is_never_echoed() -> None:
    payload = to_payload(_death())
    payload["data"]["case_ref"]["local_id"] = "9990000018"
    payload["data"]["9990000026"] = "stray"
    with pytest.raises(PayloadError) as exc:
        from_payload(Death, payload)
    text = str(exc.value)
    assert "9990000018" not in text
    assert "9990000026" not in text
    assert any(p.endswith("@ $.data.case_ref.local_id") for p in _problems(exc))


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ([], "expected a JSON object with type, schema_version and data @ $"),
        ("death", "expected a JSON object with type, schema_version and data @ $"),
        ({"schema_version": 1, "data": {}}, "required field missing @ $.type"),
        ({"type": "death", "data": {}}, "required field missing @ $.schema_version"),
        ({"type": "death", "schema_version": 1}, "required field missing @ $.data"),
        (
            {"type": "death", "schema_version": 1, "data": {}, "meta": 1},
            "unknown field(s): meta @ $",
        ),
        (
            {"type": "no_such_type", "schema_version": 1, "data": {}},
            "'no_such_type' is not a known payload type @ $.type",
        ),
        (
            {"type": 7, "schema_version": 1, "data": {}},
            "expected the payload type's name @ $.type",
        ),
        (
            {"type": "death", "schema_version": True, "data": {}},
            "expected a schema version: a positive integer @ $.schema_version",
        ),
        (
            {"type": "death", "schema_version": 0, "data": {}},
            "expected a schema version: a positive integer @ $.schema_version",
        ),
    ],
)
def test_a_malformed_envelope_is_a_clear_payload_error(payload: object, problem: str) -> None:
    with pytest.raises(PayloadError) as exc:
        from_payload(None, payload)
    assert problem in _problems(exc)


def test_a_payload_of_another_type_is_refused() -> None:
    with pytest.raises(PayloadError) as exc:
        from_payload(Trust, to_payload(_death()))
    assert _problems(exc) == ["expected 'trust', got 'death' @ $.type"]


def test_a_schema_version_newer_than_the_library_is_refused() -> None:
    payload = to_payload(_death()) | {"schema_version": 2}
    with pytest.raises(PayloadError) as exc:
        from_payload(Death, payload)
    (problem,) = _problems(exc)
    assert "newer than this collab_core reads (up to 1)" in problem
    assert problem.endswith("@ $.schema_version")


def test_text_that_is_not_json_is_a_payload_error() -> None:
    with pytest.raises(PayloadError) as exc:
        from_json(Death, '{"type": "death", ')
    (problem,) = _problems(exc)
    assert problem.startswith("not valid JSON")


def test_a_nested_envelope_reports_paths_inside_it() -> None:
    payload = to_payload(Versioned(_death(), 1))
    payload["data"]["record"]["data"]["trust"] = "R"
    with pytest.raises(PayloadError) as exc:
        from_payload(None, payload)
    assert _problems(exc) == [
        "trust: a trust ODS code has 3 upper-case letters or digits (got 'R') "
        "@ $.data.record.data.trust"
    ]


def test_primitives_are_strict() -> None:
    data = unstructure(ScopePolicy())
    with pytest.raises(PayloadError) as exc:
        structure(ScopePolicy, data | {"inpatient": 1, "discharge_days": "30"})
    assert sorted(_problems(exc)) == [
        "invalid value for type, expected bool @ $.inpatient",
        "invalid value for type, expected int | None @ $.discharge_days",
    ]


def test_a_naive_datetime_is_not_serialised() -> None:
    @attrs.frozen
    class Stamp:
        at: dt.datetime

    with pytest.raises(PayloadError):
        to_payload(Stamp(dt.datetime(2019, 1, 1, 12, 0)))


def test_an_object_that_is_not_an_attrs_class_is_not_serialised() -> None:
    with pytest.raises(PayloadError):
        to_payload(object())


# --- result classes without registration ------------------------------------------------------


@attrs.frozen
class CoverageByQuarter:
    """The shape a calculation's result may take: nothing registered for it."""

    period: Month | Quarter | FinancialYear
    any_period: Period
    share: Fraction
    unknown_share: Fraction | None
    spend: decimal.Decimal
    by_trust: Mapping[OdsCode, Fraction]
    by_cell: Mapping[tuple[OdsCode, Quarter], int]
    policy_or_trust: ScopePolicy | Trust | None
    computed_at: dt.datetime
    trusts: frozenset[OdsCode] = frozenset()


def _coverage() -> CoverageByQuarter:
    return CoverageByQuarter(
        period=Quarter(FinancialYear(2018), 4),
        any_period=Month(2019, 2),
        share=Fraction(2, 3),
        unknown_share=None,
        spend=decimal.Decimal("1234.50"),
        by_trust={RH8: Fraction(1, 2), OdsCode("RX4"): Fraction(3)},
        by_cell={(RH8, Quarter(FinancialYear(2018), 4)): 5},
        policy_or_trust=ScopePolicy(discharge_days=28),
        computed_at=dt.datetime(2019, 4, 2, 8, 15, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        trusts=frozenset({OdsCode("RX4"), RH8}),
    )


def test_an_unregistered_result_class_round_trips() -> None:
    result = _coverage()
    assert payload_type(CoverageByQuarter).name == "coverage_by_quarter"
    assert from_json(CoverageByQuarter, to_json(result)) == result
    data = unstructure(result)
    assert data["period"] == "2018/19 Q4"
    assert data["any_period"] == "2019-02"
    assert data["share"] == "2/3"
    assert data["spend"] == "1234.50"
    assert data["by_trust"] == {"RH8": "1/2", "RX4": "3/1"}
    assert data["by_cell"] == [[["RH8", "2018/19 Q4"], 5]]
    assert data["policy_or_trust"]["type"] == "scope_policy"
    assert data["computed_at"] == "2019-04-02T08:15:00+01:00"
    assert data["trusts"] == ["RH8", "RX4"]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("share", "2.5", "expected an exact fraction written n/d, with d not 0 @ $.share"),
        ("share", "1/0", "expected an exact fraction written n/d, with d not 0 @ $.share"),
        ("spend", "NaN", "expected a finite decimal number written as a string @ $.spend"),
        ("spend", 1.5, "expected a finite decimal number written as a string @ $.spend"),
        (
            "computed_at",
            "2019-04-02T08:15:00",
            "expected a timezone-aware ISO 8601 date and time @ $.computed_at",
        ),
        ("period", "2018/20", "expected one of Month, Quarter, FinancialYear @ $.period"),
        ("by_cell", {"RH8": 5}, "expected a list of [key, value] pairs @ $.by_cell"),
        (
            "policy_or_trust",
            {"inpatient": True},
            "expected a 'type' naming one of ScopePolicy, Trust @ $.policy_or_trust",
        ),
    ],
)
def test_values_of_result_classes_are_read_strictly(
    field: str, value: object, problem: str
) -> None:
    data = unstructure(_coverage()) | {field: value}
    with pytest.raises(PayloadError) as exc:
        structure(CoverageByQuarter, data)
    assert _problems(exc) == [problem]


# --- schema versions and upcasting ------------------------------------------------------------


@attrs.frozen
class Referral:
    """A test-only payload type at schema version 3.

    v1 held ``trust_code``; v2 renamed it ``trust``; v3 split ``days`` into weeks and days.
    """

    trust: OdsCode
    weeks: int
    days: int


def upcast_referral_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k != "trust_code"}
    out["trust"] = data["trust_code"]
    return out


def upcast_referral_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
    weeks, days = divmod(data["days"], 7)
    return {"trust": data["trust"], "weeks": weeks, "days": days}


REFERRAL = register_type(
    Referral,
    "test_referral",
    version=3,
    upcasters=(upcast_referral_v1_v2, upcast_referral_v2_v3),
)


@pytest.mark.parametrize(
    ("version", "data"),
    [
        (1, {"trust_code": "RH8", "days": 17}),
        (2, {"trust": "RH8", "days": 17}),
        (3, {"trust": "RH8", "weeks": 2, "days": 3}),
    ],
)
def test_old_payloads_are_upcast_through_the_chain(version: int, data: dict[str, Any]) -> None:
    payload = {"type": "test_referral", "schema_version": version, "data": data}
    kept = json.dumps(payload)
    assert from_payload(Referral, payload) == Referral(RH8, 2, 3)
    assert json.dumps(payload) == kept, "upcasting must not change the caller's payload"


def test_new_payloads_are_written_at_the_current_version() -> None:
    assert to_payload(Referral(RH8, 1, 0))["schema_version"] == 3


def test_an_upcaster_that_fails_is_a_payload_error() -> None:
    payload = {"type": "test_referral", "schema_version": 1, "data": {"days": 17}}
    with pytest.raises(PayloadError) as exc:
        from_payload(None, payload)
    assert _problems(exc) == [
        "cannot upgrade 'test_referral' from schema version 1 to 3 (KeyError) @ $.data"
    ]


def test_upcast_data_is_still_checked() -> None:
    payload = {"type": "test_referral", "schema_version": 2, "data": {"trust": "R", "days": 1}}
    with pytest.raises(PayloadError) as exc:
        from_payload(None, payload)
    assert _problems(exc) == [
        "trust: a trust ODS code has 3 upper-case letters or digits (got 'R') @ $.data.trust"
    ]


def test_a_version_needs_one_upcaster_per_older_version() -> None:
    @attrs.frozen
    class Orphan:
        n: int

    with pytest.raises(ConfigurationError, match="needs 1 upcaster"):
        register_type(Orphan, "test_orphan", version=2)


def test_a_name_cannot_be_taken_twice() -> None:
    @attrs.frozen
    class Impostor:
        n: int

    with pytest.raises(ConfigurationError, match="taken by"):
        register_type(Impostor, "death")
    assert register_type(Referral, "test_referral", version=3, upcasters=REFERRAL.upcasters)

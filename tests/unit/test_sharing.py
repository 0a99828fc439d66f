"""The privacy gate: what it controls, what it finds and where, what it refuses, what a preview
shows, and that nothing it finds is ever repeated in a message, a log or the outbox."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

import collab_core
from collab_core import (
    ActionStatus,
    Audience,
    Collaborative,
    ConfigurationError,
    Count,
    DatePrecision,
    DomainValidationError,
    FinancialYear,
    OdsCode,
    PluginError,
    PrivacyError,
    Quarter,
    from_json,
    register_type,
    to_json,
)
from collab_core.domain.disclosure import Figure
from collab_core.ports import DeliveryReceipt, Publication, PublicationBody, PublisherSpec
from collab_core.publications import (
    BulletinAction,
    BulletinItem,
    LearningBulletinBody,
)
from collab_core.serialization import unstructure
from collab_core.sharing import DEFAULT_AUDIENCES, AudienceSpec, PrivacyGate, PrivacyRule

AT = dt.datetime(2019, 7, 1, 9, 0, tzinfo=dt.UTC)
Q3 = Quarter(FinancialYear(2018), 3)
NHS = "999 000 0018"  # a valid number from the test range


def _item(description: str = "Call the family within 72 hours") -> BulletinItem:
    return BulletinItem(
        title="Follow-up after discharge",
        what_was_learnt="The first days after discharge carry the highest risk.",
        trust=OdsCode("RH8"),
        recorded_on=dt.date(2018, 10, 3),
        shared_on=dt.date(2018, 11, 20),
        channels=("learning event",),
        actions=(
            BulletinAction(description, "Ward manager", dt.date(2019, 3, 31), ActionStatus.PLANNED),
        ),
    )


def _bulletin(audience: Audience, *items: BulletinItem) -> Publication:
    body = LearningBulletinBody(audience.value, Q3, audience, None, (), items or (_item(),))
    return Publication(uuid.uuid4(), "learning_bulletin", audience, "Learning, Q3", body, AT)


def _plain(audience: Audience, body: Mapping[str, Any], title: str = "Q3 note") -> Publication:
    return Publication(uuid.uuid4(), "note", audience, title, body, AT)


# -- what passes, and how it is shown -----------------------------------------------------------


def test_a_clean_publication_passes_with_counts_and_dates_controlled_for_its_audience() -> None:
    gate = PrivacyGate()
    public = gate.check(_bulletin(Audience.PUBLIC))
    (item,) = public.body.items  # type: ignore[attr-defined]
    assert item.recorded_on == Quarter(FinancialYear(2018), 3)
    assert item.actions[0].due_on == Quarter(FinancialYear(2018), 4)
    collab = gate.check(_bulletin(Audience.COLLABORATIVE))
    assert collab.body.items[0].shared_on == collab_core.Month(2018, 11)  # type: ignore[attr-defined]
    board = gate.check(_bulletin(Audience.TRUST_BOARD))
    assert board.body.items[0].recorded_on == dt.date(2018, 10, 3)  # type: ignore[attr-defined]


def test_counts_in_a_plain_body_are_controlled_and_written_as_plain_data() -> None:
    body = {"deaths": Count(23), "judged": Count(3), "trusts": 4, "on": dt.date(2018, 10, 3)}
    checked = PrivacyGate().check(_plain(Audience.PUBLIC, body))
    assert checked.body == {
        "deaths": {"value": 25, "disclosure": "rounded"},
        "judged": {"value": None, "disclosure": "suppressed"},
        "trusts": 4,
        "on": "2018/19 Q3",
    }
    assert PrivacyGate().check(_plain(Audience.STAFF, body)).body["judged"] == {
        "value": 3,
        "disclosure": "exact",
    }


def test_counts_in_a_stored_plain_body_are_controlled_again_for_another_audience() -> None:
    body = {"deaths": Count(3), "reviewed": collab_core.Share.of(3, 12)}
    board = PrivacyGate().check(_plain(Audience.TRUST_BOARD, body))
    assert board.body["deaths"] == {"value": 3, "disclosure": "exact"}
    public = PrivacyGate().check(attrs.evolve(board, audience=Audience.PUBLIC))
    assert public.body["deaths"] == {"value": None, "disclosure": "suppressed"}
    assert public.body["reviewed"] == {
        "numerator": {"value": None, "disclosure": "suppressed"},
        "denominator": {"value": 10, "disclosure": "rounded"},
        "value": None,
    }
    odd = {"deaths": {"value": "three", "disclosure": "exact"}}
    assert PrivacyGate().check(_plain(Audience.PUBLIC, odd)).body == odd, "not a count: as it is"


def test_the_trust_rules_are_asked_for_once_per_publication() -> None:
    asked: list[str] = []

    def rules(audience: AudienceSpec) -> list[tuple[str | None, PrivacyRule]]:
        asked.append(audience.name)
        return [("rh8", PrivacyRule("rh8_threshold", threshold=10))]

    PrivacyGate(rules=rules).check(_plain(Audience.STAFF, {"deaths": Count(9)}))
    assert asked == ["staff"]


def test_the_audiences_default_to_nhs_digital_outside_the_trust_and_exact_inside() -> None:
    by_name = {a.name: a for a in DEFAULT_AUDIENCES}
    assert by_name["public"].counts == collab_core.NHS_DIGITAL
    assert by_name["collaborative"].dates is DatePrecision.MONTH
    assert by_name["public"].dates is DatePrecision.QUARTER
    assert by_name["trust_board"].counts == collab_core.EXACT_FIGURES
    assert not by_name["staff"].dates_in_text
    assert by_name["family"].dates_in_text
    assert [a.base.value for a in DEFAULT_AUDIENCES] == [a.name for a in DEFAULT_AUDIENCES]


def test_a_mapping_body_must_be_plain_json() -> None:
    with pytest.raises(DomainValidationError, match="plain JSON data"):
        PrivacyGate().check(_plain(Audience.STAFF, {"x": object()}))
    with pytest.raises(DomainValidationError, match="keys must be strings"):
        PrivacyGate().check(_plain(Audience.STAFF, {1: "x"}))  # type: ignore[dict-item]


# -- what is refused, and how the refusal reads -------------------------------------------------


@pytest.mark.parametrize(
    ("planted", "rule"),
    [
        (NHS, "nhs_number"),
        ("SO17 1BJ", "postcode"),
        ("jane.doe@example.nhs.uk", "email"),
        ("01632 960123", "phone"),
        ("3 October 2018", "date"),
    ],
)
def test_each_identifier_in_any_field_is_refused_naming_path_rule_and_position(
    planted: str, rule: str, caplog: pytest.LogCaptureFixture
) -> None:
    publication = _bulletin(Audience.PUBLIC, _item(), _item(), _item(), _item(f"Ring {planted}"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(PrivacyError) as caught:
        PrivacyGate().check(publication)
    error = caught.value
    assert [(f.field, f.rule, f.start) for f in error.findings] == [
        ("$.items[3].actions[0].description", rule, 5)
    ]
    assert f"{rule} in $.items[3].actions[0].description at character 5" in str(error)
    for text in (str(error), repr(error), caplog.text):
        assert planted not in text
    assert caplog.records, "the refusal is logged"


def test_dates_in_text_are_refused_only_for_audiences_outside_the_trust() -> None:
    note = {"note": "Reviewed on 03/10/2018"}
    for audience in (Audience.TRUST_BOARD, Audience.STAFF):
        assert PrivacyGate().preview(_plain(audience, note)).passed
    for audience in (Audience.COLLABORATIVE, Audience.PUBLIC, Audience.FAMILY):
        (finding,) = PrivacyGate().preview(_plain(audience, note)).findings
        assert (finding.rule, finding.start) == ("date", 12)


def test_the_title_is_scanned_too() -> None:
    with pytest.raises(PrivacyError) as caught:
        PrivacyGate().check(_plain(Audience.STAFF, {}, title=f"Case {NHS}"))
    assert [(f.field, f.rule, f.start) for f in caught.value.findings] == [
        ("title", "nhs_number", 5)
    ]


def test_an_nhs_number_written_as_a_number_is_found() -> None:
    with pytest.raises(PrivacyError) as caught:
        PrivacyGate().check(_plain(Audience.STAFF, {"ref": 9990000018}))
    assert [(f.field, f.rule) for f in caught.value.findings] == [("$.ref", "nhs_number")]


def test_a_key_that_holds_an_identifier_is_refused_and_never_shown_in_a_path() -> None:
    gate = PrivacyGate(deny_lists=lambda _a: [("names", ["Quillfeather"])])
    body = {"by_family": {"Quillfeather": {"note": "ok"}}}
    with pytest.raises(PrivacyError) as caught:
        gate.check(_plain(Audience.STAFF, body))
    assert [(f.field, f.rule, f.plugin) for f in caught.value.findings] == [
        ("$.by_family[key 0]", "name", "names")
    ]
    preview = gate.preview(_plain(Audience.STAFF, body))
    assert preview.publication.body == {"by_family": {"████████████": {"note": "ok"}}}
    assert "Quillfeather" not in str(caught.value)


def test_a_body_built_for_another_audience_is_refused() -> None:
    built_for_board = _bulletin(Audience.TRUST_BOARD)
    sent_to_public = attrs.evolve(built_for_board, audience=Audience.PUBLIC)
    with pytest.raises(PrivacyError) as caught:
        PrivacyGate().check(sent_to_public)
    assert [(f.field, f.rule) for f in caught.value.findings] == [("$.audience", "audience")]
    unknown = attrs.evolve(built_for_board, body=attrs.evolve(built_for_board.body, audience="ics"))
    with pytest.raises(ConfigurationError, match="'ics' is not a known audience"):
        PrivacyGate().check(unknown)


# -- preview ----------------------------------------------------------------------------------


def test_a_preview_masks_every_finding_and_keeps_the_typed_body() -> None:
    publication = _bulletin(Audience.PUBLIC, _item(f"Ring {NHS} or 01632 960123"))
    preview = PrivacyGate().preview(publication)
    assert not preview.passed
    assert preview.audience == "public"
    assert [f.rule for f in preview.findings] == ["nhs_number", "phone"]
    shown = preview.publication.body
    assert isinstance(shown, LearningBulletinBody)
    assert shown.items[0].actions[0].description == "Ring ████████████ or ████████████"
    assert shown.items[0].recorded_on == Quarter(FinancialYear(2018), 3), "and controlled"
    assert preview.publication.title == "Learning, Q3"


def test_a_preview_falls_back_to_plain_data_when_masking_breaks_a_typed_field() -> None:
    rule = PrivacyRule("rh8_codes", patterns=[r"\bRH8\b"])
    gate = PrivacyGate(rules=lambda _a: [("rh8", rule)])
    preview = gate.preview(_bulletin(Audience.STAFF))
    assert [(f.field, f.rule) for f in preview.findings] == [("$.items[0].trust", "rh8_codes")]
    assert isinstance(preview.publication.body, dict)
    assert preview.publication.body["items"][0]["trust"] == "███"


# -- trust rules and their failures -----------------------------------------------------------


def test_a_trust_rule_pattern_name_list_and_function_each_find_their_spans() -> None:
    rules = [
        PrivacyRule("wards", patterns=[r"Oak ward"]),
        PrivacyRule("staff", names=["Marlowe"]),
        PrivacyRule("beds", find=lambda text: [(m, m + 3) for m in [text.find("B12")] if m >= 0]),
    ]
    gate = PrivacyGate(rules=lambda _a: [("rh8", r) for r in rules])
    preview = gate.preview(_plain(Audience.STAFF, {"n": "Oak ward, Dr Marlowe, bed B12"}))
    assert [(f.rule, f.start, f.plugin) for f in preview.findings] == [
        ("wards", 0, "rh8"),
        ("staff", 13, "rh8"),
        ("beds", 26, "rh8"),
    ]


def test_a_rule_that_answers_nonsense_refuses_the_publication() -> None:
    rule = PrivacyRule("wild", find=lambda text: [(0, len(text) + 5)])
    gate = PrivacyGate(rules=lambda _a: [("rh8", rule)])
    with pytest.raises(PluginError, match="returned a span outside the text"):
        gate.check(_plain(Audience.STAFF, {"n": "x"}))


def test_a_privacy_rule_is_validated_without_echoing_its_names() -> None:
    with pytest.raises(DomainValidationError, match="valid regular expression"):
        PrivacyRule("bad", patterns=["("])
    with pytest.raises(DomainValidationError) as caught:
        PrivacyRule("bad", names=["Quillfeather", " "])
    assert "Quillfeather" not in str(caught.value)
    with pytest.raises(DomainValidationError, match="lower_snake_case"):
        PrivacyRule("Bad Name")
    assert PrivacyRule("one", patterns=r"x", names="Smith").names == ("Smith",)


def test_an_audience_spec_is_checked() -> None:
    with pytest.raises(DomainValidationError, match="lower_snake_case"):
        AudienceSpec("ICS partners", Audience.COLLABORATIVE)
    with pytest.raises(DomainValidationError, match="CountPolicy"):
        AudienceSpec("ics", Audience.COLLABORATIVE, counts=8)  # type: ignore[arg-type]
    strict = AudienceSpec("ics", Audience.COLLABORATIVE)
    assert strict.counts == collab_core.NHS_DIGITAL
    assert strict.dates is DatePrecision.QUARTER


# -- through a collaborative, its outbox and its stores ----------------------------------------


class _Loud:
    """A publisher that re-checks what it is handed and refuses, as a careful one might."""

    def __init__(self, _settings: Mapping[str, Any]) -> None:
        self.seen: list[Publication] = []

    @property
    def name(self) -> str:
        return "loud"

    @property
    def idempotent(self) -> bool:
        return False

    def deliver(self, publication: Publication, *, key: str) -> DeliveryReceipt:
        tampered = attrs.evolve(publication, body={"note": f"Ring {NHS}"})
        PrivacyGate().check(tampered)
        raise AssertionError("unreachable")  # pragma: no cover


class _LoudPlugin:
    @collab_core.hookimpl
    def collab_register_publishers(self) -> list[PublisherSpec]:
        return [PublisherSpec("loud", _Loud)]


def test_publish_refuses_before_the_outbox_and_a_stored_error_holds_no_identifier() -> None:
    with Collaborative.open(
        plugins=[_LoudPlugin()], load_entry_points=False, publishers={"loud": {}}
    ) as collab:
        with pytest.raises(PrivacyError):
            collab.publish(_plain(Audience.STAFF, {"note": f"Ring {NHS}"}))
        assert collab.store.outbox(status=None) == []
        (entry,) = collab.publish(_plain(Audience.STAFF, {"note": "clean"}))
        report = collab.deliver_pending()
        ((_, _, error),) = report.failed
        (stored,) = collab.store.outbox(status=None)
        assert stored.last_error is not None
        assert stored.last_error == error
        assert "PrivacyError" in error
        assert "nhs_number in $.note at character 5" in error
        for text in (error, stored.last_error):
            assert NHS not in text
            assert NHS.replace(" ", "") not in text
        assert entry.publication.body == {"note": "clean"}


def test_a_typed_body_survives_every_store_and_json(tmp_path: Path) -> None:
    checked = PrivacyGate().check(_bulletin(Audience.COLLABORATIVE))
    assert from_json(None, to_json(checked)) == checked
    urls = ["memory://", f"sqlite:///{tmp_path}/collab.db", f"jsonl:///{tmp_path}/c.jsonl"]
    for url in urls:
        with Collaborative.open(url, load_entry_points=url.startswith(("sqlite", "jsonl"))) as c:
            c.publish(checked, to=[])
            with c.store.unit_of_work() as uow:
                uow.enqueue([collab_core.ports.OutboxEntry(uuid.uuid4(), "site", checked)])
            (entry,) = c.store.outbox()
            assert entry.publication == checked, url
            assert isinstance(entry.publication.body, LearningBulletinBody), url


def test_a_title_refuses_control_characters_without_echoing_itself() -> None:
    for title in (f"Q3\n{NHS}", "Q3\x00", "Q3\u2028next", " "):
        with pytest.raises(DomainValidationError) as caught:
            Publication(uuid.uuid4(), "note", Audience.STAFF, title, {}, AT)
        assert NHS not in str(caught.value)
    with pytest.raises(DomainValidationError, match=r"U\+000A at character 2"):
        Publication(uuid.uuid4(), "note", Audience.STAFF, "Q3\nmore", {}, AT)


def test_canonical_content_ignores_the_id_and_the_time() -> None:
    one = _plain(Audience.STAFF, {"b": 1, "a": [Fraction(1, 2).numerator]})
    other = attrs.evolve(one, id=uuid.uuid4(), created_at=AT + dt.timedelta(days=1))
    assert one.canonical_content() == other.canonical_content()
    assert one.canonical_content() != attrs.evolve(one, title="Q4 note").canonical_content()
    typed = _bulletin(Audience.STAFF)
    assert '"type":"learning_bulletin_body"' in typed.canonical_content()


@attrs.frozen
class _FigureBody(PublicationBody):
    """A typed body holding computed figures, as the headline targets' trajectory does."""

    expected: Figure
    note: str = ""


register_type(_FigureBody, "test_sharing_figure_body")


def _figures(value: Fraction, note: str = "") -> Publication:
    body = _FigureBody(Figure(value, (Count(1_200),)), note)
    return Publication(uuid.uuid4(), "figures", Audience.PUBLIC, "Trajectory", body, AT)


@pytest.mark.parametrize("numerator", [9990000018, 9990000026, 1234567881])
def test_a_computed_figure_is_a_number_not_text_whatever_the_digits_of_its_numerator(
    numerator: int,
) -> None:
    # 9990000018/7 is written "9990000018/7" in the payload: a trajectory's exact value, not an
    # identifier; refusing it would refuse ordinary headline targets at national scale
    passed = PrivacyGate().check(_figures(Fraction(numerator, 7)))
    assert isinstance(passed.body, _FigureBody)
    assert passed.body.expected.value == Fraction(numerator, 7)


def test_a_whole_figure_that_is_an_nhs_number_is_still_refused() -> None:
    with pytest.raises(PrivacyError) as caught:
        PrivacyGate().check(_figures(Fraction(9990000018)))
    assert [(f.field, f.rule) for f in caught.value.findings] == [
        ("$.expected.value", "nhs_number")
    ]
    assert "9990000018" not in str(caught.value)


def test_a_fraction_written_in_the_text_of_a_typed_body_is_still_text() -> None:
    with pytest.raises(PrivacyError) as caught:
        PrivacyGate().check(_figures(Fraction(1, 2), note="ref 9990000018/7"))
    assert [(f.field, f.rule) for f in caught.value.findings] == [("$.note", "nhs_number")]


def _plain_figures(value: Fraction, note: str = "") -> Publication:
    """The same body as a plain mapping, as it reads back from a store's outbox."""
    body = {"expected": unstructure(Figure(value, (Count(1_200),))), "note": note}
    return Publication(uuid.uuid4(), "figures", Audience.PUBLIC, "Trajectory", body, AT)


@pytest.mark.parametrize("numerator", [9990000018, 2315384])
def test_a_computed_figure_in_a_plain_body_is_a_number_not_text(numerator: int) -> None:
    # "2315384/729" reads as ten digits with a valid check digit once the slash is taken for a
    # separator; as the value of a stored figure it is an exact fraction, never an identifier
    denominator = 729 if numerator == 2315384 else 7
    passed = PrivacyGate().check(_plain_figures(Fraction(numerator, denominator)))
    assert passed.body["expected"]["value"] == f"{numerator}/{denominator}"


def test_a_fraction_in_the_text_of_a_plain_body_is_still_text() -> None:
    with pytest.raises(PrivacyError) as caught:
        PrivacyGate().check(_plain_figures(Fraction(1, 2), note="ref 9990000018/7"))
    assert [(f.field, f.rule) for f in caught.value.findings] == [("$.note", "nhs_number")]


def test_a_whole_figure_in_a_plain_body_that_is_an_nhs_number_is_still_refused() -> None:
    with pytest.raises(PrivacyError) as caught:
        PrivacyGate().check(_plain_figures(Fraction(9990000018)))
    assert [(f.field, f.rule) for f in caught.value.findings] == [
        ("$.expected.value", "nhs_number")
    ]

"""Disclosure control, pure: counts and their policies, shares and figures, date coarsening, the
finders of identifying text, the walk over a payload, findings and PrivacyError."""

from __future__ import annotations

import datetime as dt
import pickle
from fractions import Fraction

import pytest

from collab_core import (
    EXACT_FIGURES,
    NHS_DIGITAL,
    Count,
    DatePrecision,
    Disclosure,
    DomainValidationError,
    Figure,
    FinancialYear,
    Month,
    PercentBasis,
    PrivacyError,
    PrivacyFinding,
    Quarter,
    Share,
    SmallNumbers,
    coarsen,
)
from collab_core.domain.disclosure import (
    apply_disclosure,
    control_figure,
    control_share,
    counts_in,
    find_dates,
    find_emails,
    find_names,
    find_phone_numbers,
    find_postcodes,
    mask,
    merge_spans,
    round_to,
    walk_text,
)


def _found(finder: object, text: str) -> list[str]:
    return [text[s:e] for s, e in finder(text)]  # type: ignore[operator]


# -- counts and policies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exact", "shown"),
    [(0, "0"), (1, "*"), (7, "*"), (8, "10"), (9, "10"), (12, "10"), (13, "15"), (22, "20")],
)
def test_nhs_digital_suppresses_1_to_7_and_rounds_the_rest_to_5(exact: int, shown: str) -> None:
    assert NHS_DIGITAL.control(Count(exact)).shown == shown


def test_a_zero_stays_an_exact_zero_and_exact_figures_change_nothing() -> None:
    assert NHS_DIGITAL.control(Count(0)) == Count(0, Disclosure.EXACT)
    assert EXACT_FIGURES.control(Count(3)) == Count(3)
    assert EXACT_FIGURES.is_exact
    assert not NHS_DIGITAL.is_exact


def test_controlling_twice_changes_nothing() -> None:
    for n in range(60):
        once = NHS_DIGITAL.control(Count(n))
        assert NHS_DIGITAL.control(once) == once
        assert EXACT_FIGURES.control(once) == once, "a rounded count is never made exact again"


def test_a_stricter_threshold_suppresses_more_and_rounds_exact_figures() -> None:
    ten = NHS_DIGITAL.stricter(10)
    assert ten.threshold == 10
    assert ten.rounding == 5
    assert ten.control(Count(9)).is_suppressed
    assert ten.control(Count(5, Disclosure.ROUNDED)).is_suppressed
    assert ten.control(ten.control(Count(12))) == Count(10, Disclosure.ROUNDED)
    assert NHS_DIGITAL.stricter(3) is NHS_DIGITAL
    board = EXACT_FIGURES.stricter(5)
    assert (board.threshold, board.rounding) == (5, 5)
    assert board.control(Count(4)).is_suppressed
    assert board.control(Count(6)) == Count(5, Disclosure.ROUNDED)


def test_a_rounded_count_is_never_below_the_threshold() -> None:
    policy = SmallNumbers(threshold=6, rounding=5)
    assert policy.control(Count(6)) == Count(10, Disclosure.ROUNDED)


def test_a_policy_that_suppresses_must_round() -> None:
    with pytest.raises(DomainValidationError, match="must round the others too"):
        SmallNumbers(threshold=8, rounding=1)
    with pytest.raises(DomainValidationError, match="at least 1"):
        SmallNumbers(threshold=0)


def test_round_to_rounds_halves_up() -> None:
    assert [round_to(n, 10) for n in (4, 5, 14, 15)] == [0, 10, 10, 20]
    with pytest.raises(DomainValidationError):
        round_to(5, 0)


def test_a_count_is_suppressed_exactly_when_it_has_no_value() -> None:
    assert Count.suppressed().shown == "*"
    assert str(Count(12)) == "12"
    with pytest.raises(DomainValidationError, match="exactly when the count is suppressed"):
        Count(3, Disclosure.SUPPRESSED)
    with pytest.raises(DomainValidationError, match="exactly when the count is suppressed"):
        Count(None)
    with pytest.raises(DomainValidationError, match="at least 0"):
        Count(-1)
    with pytest.raises(DomainValidationError):
        Count(True)  # type: ignore[arg-type]


# -- shares and figures ------------------------------------------------------------------------


def test_a_share_of_exact_counts_is_their_ratio() -> None:
    share = Share.of(3, 8)
    assert share.value == Fraction(3, 8)
    assert share.percent() == pytest.approx(37.5)
    assert share.shown() == "37.5%"
    assert Share.of(0, 0).value is None
    assert Share.of(0, 0).shown() == "-"
    with pytest.raises(DomainValidationError, match="numerator / denominator"):
        Share(Count(1), Count(2), Fraction(1, 3))


def test_a_percentage_comes_from_the_exact_counts_and_is_suppressed_with_either() -> None:
    shown = control_share(Share.of(150, 233), NHS_DIGITAL)
    assert (shown.numerator.value, shown.denominator.value) == (150, 235)
    assert shown.value == Fraction(150, 233), "computed from exact values, not rounded ones"
    small = control_share(Share.of(3, 200), NHS_DIGITAL)
    assert small.numerator.is_suppressed
    assert small.value is None
    assert small.shown() == "*"
    tiny = control_share(Share.of(0, 5), NHS_DIGITAL)
    assert tiny.denominator.is_suppressed
    assert tiny.value is None


def test_a_percentage_may_come_from_the_shown_counts_instead() -> None:
    policy = SmallNumbers(percentages=PercentBasis.ROUNDED)
    shown = control_share(Share.of(150, 233), policy)
    assert shown.value == Fraction(150, 235)
    assert control_share(shown, policy) == shown, "and controlling it again changes nothing"


def test_a_figure_is_suppressed_with_any_count_it_is_computed_from() -> None:
    mean = Figure(Fraction(7, 2), (Count(7),))
    assert control_figure(mean, NHS_DIGITAL) == Figure(None, (Count.suppressed(),))
    assert control_figure(mean, EXACT_FIGURES) == mean
    assert control_figure(Figure(Fraction(1, 2)), NHS_DIGITAL).value == Fraction(1, 2)
    with pytest.raises(DomainValidationError, match="suppressed when a count"):
        Figure(Fraction(1), (Count.suppressed(),))


# -- dates -----------------------------------------------------------------------------------


def test_dates_are_coarsened_to_the_precision_asked() -> None:
    day = dt.date(2018, 10, 3)
    assert coarsen(day, DatePrecision.DAY) == day
    assert coarsen(day, DatePrecision.MONTH) == Month(2018, 10)
    assert coarsen(day, DatePrecision.QUARTER) == Quarter(FinancialYear(2018), 3)
    assert coarsen(dt.date(2019, 2, 1), DatePrecision.YEAR) == FinancialYear(2018)
    moment = dt.datetime(2019, 3, 31, 23, 0, tzinfo=dt.UTC)
    assert coarsen(moment, DatePrecision.QUARTER) == Quarter(FinancialYear(2018), 4)


def test_apply_disclosure_reaches_counts_and_dates_in_any_container() -> None:
    body = {
        "rows": [{"deaths": Count(3), "on": dt.date(2018, 10, 3)}],
        "pair": (Count(12), Month(2018, 7)),
        "share": Share.of(9, 40),
    }
    shown = apply_disclosure(body, NHS_DIGITAL, DatePrecision.QUARTER)
    assert shown["rows"][0] == {
        "deaths": Count.suppressed(),
        "on": Quarter(FinancialYear(2018), 3),
    }
    assert shown["pair"] == (Count(10, Disclosure.ROUNDED), Month(2018, 7)), "periods stay"
    assert shown["share"].value == Fraction(9, 40)


def test_counts_in_finds_every_count_of_a_value_in_order() -> None:
    value = {"a": [Count(1), (Share.of(2, 3),)], "b": Figure(None, (Count.suppressed(),))}
    assert counts_in(value) == [Count(1), Count(2), Count(3), Count.suppressed()]
    assert counts_in("text") == []
    assert counts_in(None) == []


# -- finders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode",
    [
        "SO17 1BJ",
        "so171bj",
        "M1 1AE",
        "B33 8TH",
        "CR2 6XH",
        "DN55 1PT",
        "W1A 0AX",
        "EC1A 1BB",
        "GIR 0AA",
    ],
)
def test_uk_postcodes_are_found_with_or_without_the_space(postcode: str) -> None:
    text = f"Seen at {postcode}, then home."
    assert _found(find_postcodes, text) == [postcode]
    squashed = postcode.replace(" ", "")
    assert _found(find_postcodes, f"({squashed})") == [squashed]


def test_text_that_only_looks_like_a_postcode_is_left_alone() -> None:
    for text in ("2018/19 Q3", "RH8 board", "SO17", "the 3rd of them", "AB12CD34"):
        assert find_postcodes(text) == [], text


def test_email_addresses_are_found() -> None:
    text = "Write to jane.doe+lfd@example.nhs.uk or QI-Team@trust.co.uk."
    assert _found(find_emails, text) == ["jane.doe+lfd@example.nhs.uk", "QI-Team@trust.co.uk"]
    assert find_emails("an @ sign, a@b and name@localhost") == []


@pytest.mark.parametrize(
    "phone",
    [
        "01632 960123",
        "01632960123",
        "(01632) 960 123",
        "020 7946 0000",
        "020-7946-0000",
        "+44 20 7946 0000",
        "+44 (0)20 7946 0000",
        "0044 1632 960123",
        "07700 900123",
        "07700-900-123",
        "0800 123 4567",
        "0113 496 0000",
    ],
)
def test_uk_telephone_numbers_are_found_in_their_usual_layouts(phone: str) -> None:
    assert _found(find_phone_numbers, f"Call {phone} today") == [phone]


def test_numbers_that_are_not_telephone_numbers_are_left_alone() -> None:
    for text in ("2018-10-03", "01/02/2019", "0.1234567890", "a ratio of 3/10", "12345678901"):
        assert find_phone_numbers(text) == [], text


@pytest.mark.parametrize(
    "date",
    [
        "03/10/2018",
        "3/10/18",
        "3.10.2018",
        "03-10-2018",
        "2018-10-03",
        "2018/10/03",
        "3 October 2018",
        "3rd October 2018",
        "3rd of October 2018",
        "Wednesday 3 October 2018",
        "3 Oct 2018",
        "3-Oct-18",
        "October 3, 2018",
        "Oct. 3rd 2018",
        "3 October",
        "3 OCTOBER 2018",
    ],
)
def test_exact_dates_are_found_in_the_formats_written_in_the_uk(date: str) -> None:
    assert _found(find_dates, f"Died on {date}.") == [date]


def test_periods_and_numbers_are_not_exact_dates() -> None:
    for text in ("2018/19 Q3", "2018-10", "October 2018", "3/10 of them", "3 may be", "12.5%"):
        assert find_dates(text) == [], text
    assert _found(find_dates, "2018-10-03T09:30:00+00:00") == ["2018-10-03"]


def test_names_are_found_as_whole_words_in_any_case_and_spacing() -> None:
    text = "Jane  SMITH met janet smithers and jane smith."
    assert _found(lambda t: find_names(t, ["Jane Smith"]), text) == ["Jane  SMITH", "jane smith"]
    assert find_names(text, []) == []
    assert _found(lambda t: find_names(t, ["O'Brien"]), "Mrs o'brien's son") == ["o'brien"]


def test_masking_replaces_every_character_of_each_span() -> None:
    assert mask("Call 01632 960123 now", [(5, 17)]) == "Call ████████████ now"
    assert merge_spans([(5, 9), (0, 2), (8, 12)]) == [(0, 2), (5, 12)]
    with pytest.raises(DomainValidationError):
        mask("short", [(2, 9)])


# -- the walk and findings -------------------------------------------------------------------


def test_the_walk_reaches_every_string_key_and_number_with_its_path() -> None:
    data = {"items": [{"actions": [{"description": "x"}]}], "Jane Smith": 9990000018}
    leaves = [(leaf.path, leaf.text, leaf.number, leaf.key) for leaf in walk_text(data)]
    assert leaves == [
        ("$[key 0]", "items", False, True),
        ("$.items[0][key 0]", "actions", False, True),
        ("$.items[0].actions[0][key 0]", "description", False, True),
        ("$.items[0].actions[0].description", "x", False, False),
        ("$[key 1]", "Jane Smith", False, True),
        ("$[value 1]", "9990000018", True, False),
    ]


def test_a_key_that_holds_something_is_never_part_of_a_path() -> None:
    data = {"smith": {"note": "x"}}
    paths = [leaf.path for leaf in walk_text(data, plain_key=lambda k: k != "smith")]
    assert paths == ["$[key 0]", "$[value 0][key 0]", "$[value 0].note"]


def test_a_finding_says_where_and_what_rule_but_holds_no_text() -> None:
    finding = PrivacyFinding("$.items[3].actions[0].description", "nhs_number", 14, 26)
    assert str(finding) == "nhs_number in $.items[3].actions[0].description at character 14"
    by_plugin = PrivacyFinding("title", "name", 0, 4, "collab_rh8")
    assert str(by_plugin) == "name (plugin 'collab_rh8') in title at character 0"
    with pytest.raises(DomainValidationError):
        PrivacyFinding("items", "name", 0, 4)
    with pytest.raises(DomainValidationError):
        PrivacyFinding("title", "name", 5, 4)


def test_a_privacy_error_names_publication_fields_rules_and_positions() -> None:
    findings = [
        PrivacyFinding("$.items[3].actions[0].description", "nhs_number", 14, 26),
        PrivacyFinding("title", "postcode", 0, 8),
    ]
    error = PrivacyError(
        "0190a1b2-0000-7000-8000-000000000005", "learning_bulletin", "public", findings
    )
    assert str(error) == (
        "the privacy gate refused publication 0190a1b2-0000-7000-8000-000000000005 "
        "(learning_bulletin, for the public audience): 2 finding(s): nhs_number in "
        "$.items[3].actions[0].description at character 14; postcode in title at character 0"
    )
    assert error.findings == tuple(findings)
    assert repr(error) == f"PrivacyError({str(error)!r})"
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own error, round-tripped
    assert str(again) == str(error)


def test_a_privacy_error_withholds_a_kind_that_is_not_a_plain_name() -> None:
    error = PrivacyError("id", "Jane Smith's digest", "public", [])
    assert "Jane" not in str(error)
    assert "<kind withheld>" in str(error)
    many = [PrivacyFinding("title", "name", i, i + 1) for i in range(25)]
    assert str(PrivacyError("id", "digest", "staff", many)).endswith("and 5 more")

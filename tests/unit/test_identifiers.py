"""ODS codes, case references and the NHS number check that collab_core uses to refuse
identifiers (NHS Data Dictionary: organisation coding frames; NHS number, Modulus 11)."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from collab_core.domain import (
    CaseReference,
    CollabError,
    DomainValidationError,
    OdsCode,
    Site,
    SiteCode,
    find_nhs_numbers,
    is_valid_nhs_number,
    nhs_check_digit,
    refuse_nhs_numbers,
)

# Valid numbers from the 999 test range only (never a real patient's).
TEST_NUMBERS = ("9990000018", "9990000026", "9990000034")
WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)

ods_chars = st.sampled_from(string.ascii_uppercase + string.digits)
nine_digits = st.text(alphabet=string.digits, min_size=9, max_size=9)
# Text that cannot itself form a number: no digits, and a separator-free edge.
no_digits = st.text(alphabet=string.ascii_letters + " .,;:()'\n", max_size=30)


@st.composite
def valid_test_numbers(draw: st.DrawFn) -> str:
    """A valid NHS number in the 999 test range (prefixes whose check digit would be 10 skipped)."""
    prefix = "999" + draw(st.text(alphabet=string.digits, min_size=6, max_size=6))
    check = nhs_check_digit(prefix)
    assume(check is not None)
    return f"{prefix}{check}"


def three_three_four(number: str, sep: str = " ") -> str:
    return f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"


# ---------------------------------------------------------------- ODS codes


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=3, max_size=3))
def test_a_trust_code_is_three_letters_or_digits_kept_in_upper_case(code: str) -> None:
    assert OdsCode(code).code == code.upper()


@pytest.mark.parametrize("code", ["", "RH", "RH80", "RH802", "R-8", "R 8", "RÉ8"])
def test_a_trust_code_of_any_other_shape_is_refused(code: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        OdsCode(code)
    assert err.value.field == "code"
    assert "3" in err.value.rule


@given(st.lists(ods_chars, min_size=5, max_size=5).map("".join))
def test_a_site_belongs_to_the_trust_named_by_its_first_three_characters(code: str) -> None:
    site = SiteCode(code)
    assert site.trust == OdsCode(code[:3])
    assert site.belongs_to(OdsCode(code[:3]))


@pytest.mark.parametrize("code", ["RH8", "RH8021", "RH8 2", ""])
def test_a_site_code_of_any_other_length_is_refused(code: str) -> None:
    with pytest.raises(DomainValidationError, match="5"):
        SiteCode(code)


def test_a_site_whose_code_starts_with_another_trust_is_refused() -> None:
    assert Site(SiteCode("RH802"), OdsCode("RH8"), "Main site").trust == OdsCode("RH8")
    with pytest.raises(DomainValidationError) as err:
        Site(SiteCode("RX102"), OdsCode("RH8"), "Elsewhere")
    assert err.value.field == "code"


def test_ods_codes_are_upper_cased_and_never_equal_to_plain_strings() -> None:
    assert OdsCode("rh8") == OdsCode("RH8")
    assert str(OdsCode("rh8")) == "RH8"
    plain: object = "RH8"
    assert OdsCode("RH8") != plain


# ---------------------------------------------------------------- case references


def test_a_case_reference_is_local_to_its_trust() -> None:
    a = CaseReference(OdsCode("RH8"), "DX-1042")
    b = CaseReference(OdsCode("RX1"), "DX-1042")
    assert a != b
    assert str(a) == "RH8:DX-1042"


@pytest.mark.parametrize("local_id", ["", " ", "-start", "has space", "x" * 65, "semi;colon"])
def test_a_malformed_case_reference_is_refused_without_echoing_it(local_id: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        CaseReference(OdsCode("RH8"), local_id)
    assert err.value.field == "local_id"
    assert err.value.value is None
    if local_id.strip():
        assert local_id not in str(err.value)


@pytest.mark.parametrize("number", TEST_NUMBERS)
@pytest.mark.parametrize("template", ["{}", "DATIX-{}", "{}/2019", "W.{}"])
def test_a_case_reference_holding_an_nhs_number_is_refused_without_echoing_it(
    number: str, template: str
) -> None:
    with pytest.raises(DomainValidationError) as err:
        CaseReference(OdsCode("RH8"), template.format(number))
    assert number not in str(err.value)
    assert "NHS number" in err.value.rule or "case reference" in err.value.rule


# ---------------------------------------------------------------- the NHS number check


def test_the_published_worked_example_passes_and_the_format_example_fails() -> None:
    # NHS Data Dictionary worked check, and the commonly quoted format example (domain.md §6).
    assert is_valid_nhs_number("943 476 5919")
    assert not is_valid_nhs_number("987 654 4321")
    assert not is_valid_nhs_number("9111111124")


@pytest.mark.parametrize("number", TEST_NUMBERS)
def test_the_fixture_numbers_are_valid_test_range_numbers(number: str) -> None:
    assert number.startswith("999")
    assert is_valid_nhs_number(number)


@given(nine_digits)
def test_the_check_digit_is_eleven_minus_the_weighted_sum_mod_eleven(prefix: str) -> None:
    remainder = sum(int(d) * w for d, w in zip(prefix, WEIGHTS, strict=True)) % 11
    check = nhs_check_digit(prefix)
    if 11 - remainder == 10:
        assert check is None  # "10 -> invalid": no number has this prefix
    elif 11 - remainder == 11:
        assert check == 0  # "11 -> 0"
    else:
        assert check == 11 - remainder


@given(nine_digits)
def test_every_prefix_has_at_most_one_valid_check_digit(prefix: str) -> None:
    valid = [d for d in string.digits if is_valid_nhs_number(prefix + d)]
    check = nhs_check_digit(prefix)
    assert valid == ([] if check is None else [str(check)])


def test_the_ten_and_eleven_cases_of_the_check_digit() -> None:
    # 9*10 + 9*9 + 9*8 + 1*2 = 245 = 22*11 + 3, so the check is 11 - 3 = 8: 999 000 0018.
    assert nhs_check_digit("999000001") == 8
    # Weighted sum 0: 11 - 0 = 11, written as check digit 0.
    assert nhs_check_digit("000000000") == 0
    assert is_valid_nhs_number("0000000000")
    # 6*2 = 12 = 11 + 1: 11 - 1 = 10, so no valid number starts with these nine digits.
    assert nhs_check_digit("000000006") is None
    assert not any(is_valid_nhs_number("000000006" + d) for d in string.digits)


@given(valid_test_numbers(), st.integers(0, 9), st.sampled_from(string.digits))
def test_changing_any_single_digit_of_a_valid_number_makes_it_invalid(
    number: str, position: int, digit: str
) -> None:
    assume(number[position] != digit)
    changed = number[:position] + digit + number[position + 1 :]
    assert not is_valid_nhs_number(changed)


@given(valid_test_numbers(), st.integers(0, 8))
def test_swapping_two_adjacent_different_digits_makes_a_valid_number_invalid(
    number: str, position: int
) -> None:
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    assert not is_valid_nhs_number(swapped)


@pytest.mark.parametrize(
    "bad", ["99900001²", "９９９０００００１", "99900001", "9990000011", "x" * 9]
)
def test_the_check_digit_wants_nine_ascii_digits_and_never_echoes_the_input(bad: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        nhs_check_digit(bad)
    assert bad not in str(err.value)


@pytest.mark.parametrize("text", ["", "999000001", "99900000188", "999000001x", "999 000 0018 1"])
def test_anything_but_ten_digits_is_not_an_nhs_number(text: str) -> None:
    assert not is_valid_nhs_number(text)


@pytest.mark.parametrize("text", ["９９９０００００１８", "999.000.0018", "٩٩٩ ٠٠٠ ٠٠١٨"])
def test_a_number_in_another_script_or_with_other_separators_is_still_one(text: str) -> None:
    assert is_valid_nhs_number(text)


# ---------------------------------------------------------------- finding numbers in text


@given(no_digits, valid_test_numbers(), no_digits, st.sampled_from(["plain", " ", "-"]))
def test_a_valid_number_embedded_in_text_is_found_where_it_is(
    before: str, number: str, after: str, form: str
) -> None:
    written = number if form == "plain" else three_three_four(number, form)
    text = before + written + after
    assert find_nhs_numbers(text) == [(len(before), len(before) + len(written))]


@given(no_digits, st.text(alphabet=string.digits, min_size=10, max_size=10), no_digits)
def test_a_number_failing_the_check_is_never_flagged(before: str, digits: str, after: str) -> None:
    assume(not is_valid_nhs_number(digits))
    for written in (digits, three_three_four(digits), three_three_four(digits, "-")):
        assert find_nhs_numbers(before + written + after) == []


@given(valid_test_numbers(), valid_test_numbers())
def test_every_number_in_a_text_is_found(first: str, second: str) -> None:
    text = f"seen {first} and later {three_three_four(second)}."
    spans = find_nhs_numbers(text)
    assert [text[s:e].replace(" ", "") for s, e in spans] == [first, second]


@given(valid_test_numbers())
def test_a_valid_number_glued_inside_a_longer_run_of_digits_is_not_taken_for_one(
    number: str,
) -> None:
    assert find_nhs_numbers(f"1{number}") == []
    assert find_nhs_numbers(f"{number}0") == []


@given(no_digits, valid_test_numbers(), no_digits)
def test_free_text_holding_a_number_is_refused_naming_the_field_not_the_number(
    before: str, number: str, after: str
) -> None:
    with pytest.raises(DomainValidationError) as err:
        refuse_nhs_numbers("what_was_learnt", before + three_three_four(number) + after)
    assert err.value.field == "what_was_learnt"
    assert err.value.sensitive
    assert number not in str(err.value)
    assert three_three_four(number) not in str(err.value)


@given(no_digits)
def test_free_text_without_a_number_is_returned_unchanged(text: str) -> None:
    assert refuse_nhs_numbers("summary", text) == text


def test_an_identifier_error_is_a_collab_error() -> None:
    with pytest.raises(CollabError):
        OdsCode("not a code")

"""The NHS number scanner: every way of writing a number is found, at the right place in the
original text; a wrong check digit never is; realistic free text gives no false positive."""

from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain import (
    CaseReference,
    DomainValidationError,
    OdsCode,
    find_nhs_numbers,
    is_valid_nhs_number,
    mask_nhs_numbers,
    refuse_nhs_numbers,
)
from collab_core.domain.scanning import normalise
from collab_core.testing.strategies import written_nhs_numbers

DIGITS = string.digits


@given(written_nhs_numbers())
def test_a_number_written_any_way_is_found(text: str) -> None:
    spans = find_nhs_numbers(text)
    assert len(spans) == 1
    start, end = spans[0]
    # The span is of the original text: it holds exactly the number, whatever was folded.
    assert is_valid_nhs_number(text[start:end])
    assert find_nhs_numbers(mask_nhs_numbers(text)) == []


@given(written_nhs_numbers(surrounded=False))
def test_a_number_written_alone_is_one_valid_number(text: str) -> None:
    assert is_valid_nhs_number(text)
    assert find_nhs_numbers(text) == [(0, len(text))]


@given(written_nhs_numbers(valid=False))
def test_ten_digits_with_a_wrong_check_digit_are_never_found(text: str) -> None:
    assert find_nhs_numbers(text) == []
    assert not is_valid_nhs_number(text)


@given(written_nhs_numbers(surrounded=False), st.sampled_from(DIGITS))
def test_ten_digits_inside_a_longer_run_of_digits_are_not_a_number(text: str, extra: str) -> None:
    plain = "".join(c for c in normalise(text)[0] if c.isdigit())
    assert find_nhs_numbers(plain + extra) == []
    assert find_nhs_numbers(extra + plain) == []


@given(written_nhs_numbers())
def test_free_text_holding_a_number_is_refused_without_echoing_it(text: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        refuse_nhs_numbers("summary", text)
    assert find_nhs_numbers(str(err.value)) == []
    assert err.value.sensitive


@given(written_nhs_numbers(surrounded=False))
def test_a_case_reference_refuses_a_number_whatever_its_separators(text: str) -> None:
    with pytest.raises(DomainValidationError) as err:
        CaseReference(OdsCode("RX2"), text)
    assert find_nhs_numbers(str(err.value)) == []
    assert text not in str(err.value)


@pytest.mark.parametrize(
    "local_id", ["999.000.0018", "999/000/0018", "999_000_0018", "99900-00018"]
)
def test_a_case_reference_refuses_the_separators_a_reference_may_hold(local_id: str) -> None:
    with pytest.raises(DomainValidationError, match="pseudonym"):
        CaseReference(OdsCode("RX2"), local_id)


# ------------------------------------------------------------------ realistic free text


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(DIGITS, min_size=n, max_size=n)


_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y-%m-%d",
    "%d %B %Y",
    "%d-%m-%y",
    "%Y%m%d",
    "%d/%m/%y",
    "%d %b %Y",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
)


@st.composite
def dates(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2035, 12, 31)))
    return moment.strftime(draw(st.sampled_from(_DATE_FORMATS)))


@st.composite
def uk_phone_numbers(draw: st.DrawFn) -> str:
    """Eleven-digit UK numbers in the usual groupings, and their +44 forms."""
    kind = draw(st.sampled_from(("london", "city", "town", "mobile", "plain", "intl", "intl0")))
    if kind == "london":
        return f"020 {draw(_digits(4))} {draw(_digits(4))}"
    if kind == "city":
        return f"01{draw(_digits(2))} {draw(_digits(3))} {draw(_digits(4))}"
    if kind == "town":
        return f"(01{draw(_digits(3))}) {draw(_digits(6))}"
    if kind == "mobile":
        sep = draw(st.sampled_from((" ", "")))
        return f"07{draw(_digits(3))} {draw(_digits(3))}{sep}{draw(_digits(3))}"
    if kind == "plain":
        return f"0{draw(_digits(10))}"
    rest = f"{draw(_digits(2))} {draw(_digits(4))} {draw(_digits(4))}"
    if kind == "intl":
        alt = f"7{draw(_digits(3))} {draw(_digits(6))}"
        return "+44 " + draw(st.sampled_from((rest, alt, f"1{draw(_digits(2))} 496 0000")))
    return "+44 (0)" + rest


@st.composite
def ods_codes(draw: st.DrawFn) -> str:
    chars = string.ascii_uppercase + DIGITS
    return (
        "R"
        + draw(st.text(chars, min_size=2, max_size=2))
        + draw(st.sampled_from(("", draw(st.text(chars, min_size=2, max_size=2)))))
    )


@st.composite
def incident_references(draw: st.DrawFn) -> str:
    year = draw(st.integers(2010, 2035))
    return draw(
        st.sampled_from(
            (
                f"INC{draw(_digits(7))}",  # ServiceNow
                f"W{draw(_digits(6))}",  # Datix
                f"DW{draw(_digits(5))}",
                f"{year}/{draw(_digits(5))}",  # StEIS
                f"SI {year}/{draw(_digits(5))}",
                f"IR-{draw(_digits(6))}",
                f"Datix {draw(_digits(6))}",
            )
        )
    )


@st.composite
def times(draw: st.DrawFn) -> str:
    h, m = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    return draw(
        st.sampled_from(
            (
                f"{h:02d}:{m:02d}",
                f"{h}.{m:02d}",
                f"{h:02d}{m:02d}hrs",
                f"{h % 12 + 1}am",
                f"{h:02d}:{m:02d}-{(h + 1) % 24:02d}:{m:02d}",
                f"{h:02d}:{m:02d}:{m:02d}",
            )
        )
    )


@st.composite
def money(draw: st.DrawFn) -> str:
    pounds = draw(st.integers(0, 99_999_999))
    pence = draw(st.integers(0, 99))
    return draw(
        st.sampled_from(
            (
                f"£{pounds:,}.{pence:02d}",
                f"£{pounds:,}",
                f"£{pounds // 1000}k",
                f"£{pounds / 1e6:.1f}m",
                f"{pounds:,}.{pence:02d}",
                f"£{pounds % 1000}",
            )
        )
    )


_TOKENS = st.one_of(
    dates(),
    uk_phone_numbers(),
    ods_codes(),
    incident_references(),
    times(),
    money(),
    st.integers(0, 500).map(lambda n: f"{n} deaths"),
    st.integers(0, 100).map(lambda n: f"{n}%"),
)
_JOINS = (" on ", " at ", ", ", " and ", "; ", " (", ") ", " then ", " called ", " costing ", ". ")


@st.composite
def free_text(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(_TOKENS, min_size=1, max_size=8))
    out = tokens[0]
    for token in tokens[1:]:
        out += draw(st.sampled_from(_JOINS)) + token
    return out


@given(free_text())
def test_realistic_free_text_has_no_false_positive(text: str) -> None:
    assert find_nhs_numbers(text) == []


# The telephone numbers are from Ofcom's ranges kept for drama (0113 496 0xxx, 020 7946 0xxx,
# 01632 960xxx, 07700 900xxx): never a subscriber's, and not NHS numbers.
@pytest.mark.parametrize(
    "text",
    [
        "Reviewed on 12/03/2024 at 10:30, call 0113 496 0000 or +44 (0)20 7946 0018.",
        "Incident INC0012345 (StEIS 2024/12345) at RX201, cost £1,234,567.89.",
        "Seen 2024-03-12T09:30:00; next 01632 960001; mobile 07700 900123.",
        "+44 113 496 0000 and +44 7700 900123",
    ],
)
def test_known_free_text_has_no_false_positive(text: str) -> None:
    assert find_nhs_numbers(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "999 000\n0018",
        "999 000\r\n0018",
        "999\t000\t0018",
        "999\u00a0000\u00a00018",
        "999\u200b000\u200b0018",
        "999.000.0018",
        "999/000/0018",
        "999_000_0018",
        "999\u2013000\u20130018",
        "999%20000%200018",
        "99900 00018",
        "9990 000 018",
        "\uff19\uff19\uff19\uff10\uff10\uff10\uff10\uff10\uff11\uff18",
        "\u0669\u0669\u0669\u0660\u0660\u0660\u0660\u0660\u0661\u0668",
        "\u096f\u096f\u096f\u0966\u0966\u0966\u0966\u0966\u0967\u096e",
    ],
)
def test_the_forms_that_once_slipped_through_are_found(text: str) -> None:
    assert find_nhs_numbers(f"NHS no {text} seen") != []


@given(st.uuids())
def test_the_digits_of_a_uuid_are_never_taken_for_a_number(key: object) -> None:
    assert find_nhs_numbers(str(key)) == []
    assert find_nhs_numbers(f"no death with id {key}; {key!r}") == []

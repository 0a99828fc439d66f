"""Building blocks of the strategies: text, identifiers, dates, and cheap draws."""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections.abc import Iterable
from typing import Literal, TypeVar

from hypothesis import strategies as st

from collab_core.domain.calendar import FinancialYear, Month, Quarter
from collab_core.domain.identifiers import (
    CaseReference,
    OdsCode,
    SiteCode,
    nhs_check_digit,
)
from collab_core.domain.scanning import find_nhs_numbers
from collab_core.domain.themes import default_taxonomy

T = TypeVar("T")

# The default window: from the first Learning from Deaths year (2017/18) into the 2030s.
FIRST_DAY = dt.date(2016, 4, 1)
LAST_DAY = dt.date(2031, 3, 31)

_CODE_CHARS = string.ascii_uppercase + string.digits
_TAXONOMY = default_taxonomy()
_THEME_CODES = tuple(t.code for t in _TAXONOMY)


# --------------------------------------------------------------------------------------------
# Text, identifiers and dates.
# --------------------------------------------------------------------------------------------


def _is_text(value: str) -> bool:
    return bool(value.strip()) and not find_nhs_numbers(value)


@functools.cache
def free_text(*, min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Non-blank text that holds no NHS number: what every text field of the domain accepts."""
    return st.text(min_size=min_size, max_size=max_size).filter(_is_text)


def _words() -> st.SearchStrategy[str]:
    # Readable ASCII words, where a field's text is turned into a code (a theme's slug, say).
    words = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,7}( [A-Za-z0-9]{1,8}){0,2}", fullmatch=True)
    return words.filter(lambda s: not find_nhs_numbers(s))


@functools.cache
def ods_codes() -> st.SearchStrategy[OdsCode]:
    """Trust ODS codes: three upper-case letters or digits."""
    return st.text(_CODE_CHARS, min_size=3, max_size=3).map(OdsCode)


def site_codes(trust: OdsCode | None = None) -> st.SearchStrategy[SiteCode]:
    """Site codes, of ``trust`` when given: the trust's three characters and two more."""
    trust_codes = ods_codes() if trust is None else st.just(trust)
    suffix = st.text(_CODE_CHARS, min_size=2, max_size=2)
    return st.builds(lambda t, s: SiteCode(f"{t}{s}"), trust_codes, suffix)


def case_references(trust: OdsCode | None = None) -> st.SearchStrategy[CaseReference]:
    """Trust-local case references (pseudonyms such as Datix ids), of ``trust`` when given."""
    local_ids = st.from_regex(r"[A-Z0-9][A-Z0-9._/-]{0,15}", fullmatch=True).filter(
        lambda s: not find_nhs_numbers(s)
    )
    trust_codes = ods_codes() if trust is None else st.just(trust)
    return st.builds(CaseReference, trust_codes, local_ids)


NhsLayout = Literal["plain", "spaced", "hyphenated", "any"]


def _nhs_number(first_nine: str) -> str | None:
    check = nhs_check_digit(first_nine)
    return None if check is None else f"{first_nine}{check}"


def nhs_numbers(layout: NhsLayout = "plain") -> st.SearchStrategy[str]:
    """Valid NHS numbers from the 999 test range only, to test that they are found and refused.

    ``layout`` writes them as ten digits (``"plain"``), 3-3-4 with spaces or hyphens, or any.
    collab_core never stores one: use these only as input that must be detected.
    """
    numbers = (
        st.integers(0, 999_999)
        .map(lambda n: _nhs_number(f"999{n:06d}"))
        .filter(lambda n: n is not None)
        .map(str)
    )
    layouts = ("plain", "spaced", "hyphenated") if layout == "any" else (layout,)

    def write(number: str, how: str) -> str:
        sep = {"plain": "", "spaced": " ", "hyphenated": "-"}[how]
        return f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"

    return st.builds(write, numbers, st.sampled_from(layouts))


def days(start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY) -> st.SearchStrategy[dt.date]:
    """Calendar days from ``start`` to ``end``, shrinking towards ``start``."""
    return st.integers(0, (end - start).days).map(lambda n: start + dt.timedelta(days=n))


def _on_or_after(
    day: dt.date, within: int, end: dt.date | None = None
) -> st.SearchStrategy[dt.date]:
    last = day + dt.timedelta(days=within)
    return days(day, last if end is None else max(day, min(end, last)))


def _maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


_BOOLEANS = st.booleans()
_UUIDS = st.uuids()


def _int(draw: st.DrawFn, low: int, high: int) -> int:
    """An integer from ``low`` to ``high``, shrinking towards ``low``."""
    return draw(_integers(low, high))


@functools.lru_cache(maxsize=4096)
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    # One strategy per range, built once: building one per draw costs more than the draw.
    return st.integers(low, high)


def _pick(draw: st.DrawFn, options: Iterable[T]) -> T:
    """One of ``options``, shrinking towards the first."""
    choices = tuple(options)
    return choices[_int(draw, 0, len(choices) - 1)]


def _day(draw: st.DrawFn, start: dt.date, end: dt.date) -> dt.date:
    # Drawing an offset, rather than building a strategy per draw, keeps generation fast.
    return start + dt.timedelta(days=_int(draw, 0, max(0, (end - start).days)))


def _later(draw: st.DrawFn, day: dt.date, within: int) -> dt.date:
    return day + dt.timedelta(days=_int(draw, 0, within))


def _opt(draw: st.DrawFn, strategy: st.SearchStrategy[T]) -> T | None:
    return draw(strategy) if draw(_BOOLEANS) else None


def _maybe_day(draw: st.DrawFn, start: dt.date, end: dt.date) -> dt.date | None:
    return _day(draw, start, end) if draw(_BOOLEANS) else None


def _maybe_later(draw: st.DrawFn, day: dt.date, within: int) -> dt.date | None:
    return _later(draw, day, within) if draw(_BOOLEANS) else None


def aware_datetimes(
    start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware date-times (UTC or a fixed offset), as payloads carry them."""
    offsets = st.just(dt.UTC) | st.integers(-14 * 60, 14 * 60).map(
        lambda m: dt.timezone(dt.timedelta(minutes=m))
    )
    return st.datetimes(
        dt.datetime.combine(start, dt.time()),
        dt.datetime.combine(end, dt.time.max),
        timezones=offsets,
    )


def financial_years(min_year: int = 2016, max_year: int = 2030) -> st.SearchStrategy[FinancialYear]:
    """NHS financial years (April to March) starting from ``min_year`` to ``max_year``."""
    return st.integers(min_year, max_year).map(FinancialYear)


def quarters(years: st.SearchStrategy[FinancialYear] | None = None) -> st.SearchStrategy[Quarter]:
    """Quarters of the financial years drawn from ``years``."""
    return st.builds(Quarter, financial_years() if years is None else years, st.integers(1, 4))


def months(start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY) -> st.SearchStrategy[Month]:
    """Calendar months containing a day from ``start`` to ``end``."""
    return days(start, end).map(Month.of)

"""Properties of the small-number policy: no published count is in 1-7, counts are rounded to the
nearest 5, totals are rounded from their own exact value (never summed from rounded cells), an
exact total never stands beside a suppressed cell for the public, and percentages come from exact
values and are suppressed with either count."""

from __future__ import annotations

import datetime as dt
import uuid
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from collab_core import (
    NHS_DIGITAL,
    Audience,
    Count,
    DatePrecision,
    Disclosure,
    FinancialYear,
    LfdBlock,
    LfdCounts,
    LfdRow,
    Quarter,
    Share,
    SmallNumbers,
)
from collab_core.domain.disclosure import apply_disclosure, control_share, counts_in
from collab_core.ports import Publication
from collab_core.publications import DashboardLearning, DashboardRow, LfdDashboardBody
from collab_core.publications.dashboard import dashboard_row
from collab_core.sharing import PrivacyGate
from collab_core.testing.strategies import (
    exact_counts,
    small_numbers,
    typed_publications,
)

OUTSIDE = (Audience.PUBLIC, Audience.COLLABORATIVE, Audience.FAMILY)


@st.composite
def _counts_of(draw: st.DrawFn, most: int) -> LfdCounts:
    deaths = draw(st.integers(0, most))
    reviewed = draw(st.integers(0, deaths))
    return LfdCounts(deaths, reviewed, draw(st.integers(0, reviewed)))


@st.composite
def lfd_rows(draw: st.DrawFn) -> LfdRow:
    """Dashboard rows of small counts, where suppression bites."""
    blocks = {
        b: draw(_counts_of(40))
        for b in (
            LfdBlock.ADULTS_18_64,
            LfdBlock.ADULTS_65_PLUS,
            LfdBlock.UNDER_18,
            LfdBlock.AGE_UNKNOWN,
        )
    }
    young = blocks[LfdBlock.ADULTS_18_64]
    ld = draw(_counts_of(young.judged))  # part of a block, so part of every age
    blocks[LfdBlock.LD_AUTISM] = LfdCounts(ld.in_scope, ld.reviewed, ld.judged)
    return LfdRow.from_blocks(None, Quarter(FinancialYear(2018), draw(st.integers(1, 4))), blocks)


@given(st.integers(0, 100_000))
def test_nhs_digital_never_shows_1_to_7_and_rounds_to_the_nearest_5(n: int) -> None:
    shown = NHS_DIGITAL.control(Count(n))
    if n == 0:
        assert shown == Count(0)
    elif n <= 7:
        assert shown.is_suppressed
    else:
        assert shown.disclosure is Disclosure.ROUNDED
        assert shown.value is not None
        assert shown.value % 5 == 0
        assert abs(shown.value - n) <= 2, "the nearest multiple of 5"
        assert shown.value >= 10


@given(small_numbers(), st.integers(0, 10_000))
def test_any_small_number_policy_hides_what_is_below_its_threshold(
    policy: SmallNumbers, n: int
) -> None:
    shown = policy.control(Count(n))
    assert policy.control(shown) == shown, "controlling twice changes nothing"
    if shown.value is None:
        assert 0 < n < policy.threshold
        return
    assert shown.value == 0 or shown.value >= policy.threshold
    assert shown.value % policy.rounding == 0
    floor = -(-policy.threshold // policy.rounding) * policy.rounding
    assert shown.value == 0 or abs(shown.value - n) <= policy.rounding // 2 or shown.value == floor


@given(typed_publications(), st.sampled_from(OUTSIDE))
def test_no_published_count_outside_the_trust_is_in_1_to_7(
    publication: Publication, audience: Audience
) -> None:
    body = attrs.evolve(publication.body, audience=audience.value)
    shown = PrivacyGate().control(attrs.evolve(publication, audience=audience, body=body))
    for count in counts_in(shown.body):
        assert count.value is None or count.value == 0 or count.value >= 8
        if count.value is not None and count.value > 0:
            assert count.value % 5 == 0
            assert count.disclosure is Disclosure.ROUNDED


@given(lfd_rows())
def test_totals_are_rounded_from_their_exact_value_not_summed_from_rounded_cells(
    row: Any,
) -> None:
    exact = dashboard_row(row)
    shown = apply_disclosure(exact, NHS_DIGITAL, DatePrecision.QUARTER)
    cells = {c.block.value: c for c in shown.blocks}
    exact_cells = {c.block.value: c for c in exact.blocks}
    for total, parts in (
        ("adults", ("adults_18_64", "adults_65_plus")),
        ("all_ages", ("adults", "under_18", "age_unknown")),
    ):
        for field in ("deaths", "reviewed", "judged"):
            total_exact = getattr(exact_cells[total], field).value
            assert total_exact == sum(getattr(exact_cells[p], field).value for p in parts)
            assert getattr(cells[total], field) == NHS_DIGITAL.control(Count(total_exact))
            beside = [getattr(cells[p], field) for p in parts]
            if any(c.is_suppressed for c in beside):
                assert not getattr(cells[total], field).is_exact or total_exact == 0, (
                    "an exact total beside a suppressed cell would give it away"
                )


def _dashboard(rows: list[DashboardRow]) -> Publication:
    period = rows[0].period
    none = Count(0)
    body = LfdDashboardBody(
        "public", period, None, None, period, tuple(rows), DashboardLearning(none, none, none, none)
    )
    at = dt.datetime(2019, 7, 1, tzinfo=dt.UTC)
    return Publication(uuid.uuid4(), "lfd_dashboard", Audience.PUBLIC, "Dashboard", body, at)


@given(st.lists(lfd_rows(), min_size=1, max_size=4))
def test_an_exact_total_never_stands_beside_a_suppressed_cell_for_the_public(
    rows: list[Any],
) -> None:
    shown = PrivacyGate().control(_dashboard([dashboard_row(r) for r in rows])).body
    assert isinstance(shown, LfdDashboardBody)
    for row in shown.rows:
        cells = [c for cell in row.blocks for c in (cell.deaths, cell.reviewed, cell.judged)]
        if any(c.is_suppressed for c in cells):
            assert all(not c.is_exact or c.value == 0 for c in cells)


@given(exact_counts(500), exact_counts(500))
def test_percentages_come_from_exact_values_and_go_with_their_counts(
    part: Count, whole: Count
) -> None:
    n, d = sorted((part.value or 0, whole.value or 0))
    share = control_share(Share.of(n, d), NHS_DIGITAL)
    if share.numerator.is_suppressed or share.denominator.is_suppressed:
        assert share.value is None
        assert share.shown() == "*"
    else:
        assert share.value == (Fraction(n, d) if d else None)

"""The Learning from Deaths dashboard as a publication: Quality Account items 27.1-27.3 by quarter
with the age and LeDeR blocks, 27.4-27.6 in numbers, and the 27.7-27.9 look-back, for one trust
or the collaborative.
"""

from __future__ import annotations

from collab_core.domain.calendar import FinancialYear, Quarter
from collab_core.domain.deaths import ScaleRegistry
from collab_core.domain.disclosure import Count, Share
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.learning import ActionStatus
from collab_core.domain.targets import LfdBlock, LfdCounts, LfdRow
from collab_core.publications.bodies import (
    DashboardCell,
    DashboardLearning,
    DashboardLookBack,
    DashboardRow,
    LfdDashboardBody,
)
from collab_core.publications.bulletin import trust_option
from collab_core.publications.kinds import PublicationRequest, PublicationSource

__all__ = ["build_lfd_dashboard", "dashboard_row"]

# The blocks in the order a dashboard shows them: the adult total first, its split, the other
# ages, every age together (item 27.1), and the LD and autism block (LeDeR).
_BLOCKS = (
    LfdBlock.ADULTS,
    LfdBlock.ADULTS_18_64,
    LfdBlock.ADULTS_65_PLUS,
    LfdBlock.UNDER_18,
    LfdBlock.AGE_UNKNOWN,
    LfdBlock.ALL_AGES,
    LfdBlock.LD_AUTISM,
)


def _cell(block: LfdBlock, counts: LfdCounts) -> DashboardCell:
    return DashboardCell(
        block=block,
        deaths=Count(counts.in_scope),
        reviewed=Count(counts.reviewed),
        judged=Count(counts.judged),
        reviewed_share=Share.of(counts.reviewed, counts.in_scope),
        judged_share=Share.of(counts.judged, counts.in_scope),
    )


def dashboard_row(row: LfdRow) -> DashboardRow:
    """One row of :class:`~collab_core.LfdDashboard` as exact typed counts, every block."""
    return DashboardRow(row.period, tuple(_cell(b, row.block(b)) for b in _BLOCKS))


def _scales(request: PublicationRequest) -> ScaleRegistry | None:
    scales = request.option("scales")
    if scales is not None and not isinstance(scales, ScaleRegistry):
        raise DomainValidationError("scales", "must be a ScaleRegistry", type(scales).__name__)
    return scales


def build_lfd_dashboard(source: PublicationSource, request: PublicationRequest) -> LfdDashboardBody:
    """Build the dashboard of ``request.period`` (a quarter or a financial year), counted with
    reviews completed by ``request.as_of``.

    Options: ``trust`` (an ODS code; default: the collaborative), ``scales`` (the
    :class:`~collab_core.ScaleRegistry` that judges 27.3).

    :raises DomainValidationError: the period is a month (deaths are counted by quarter), or
        the trust was not a member during the year.
    """
    request.check_options("trust", "scales")
    period = request.period
    if not isinstance(period, Quarter | FinancialYear):
        raise DomainValidationError(
            "period",
            "the dashboard counts deaths by quarter: give a quarter or a financial year",
            period.label,
        )
    trust, scales = trust_option(request), _scales(request)
    year = period if isinstance(period, FinancialYear) else period.year
    board = source.lfd_dashboard([year], request.as_of, scales)
    periods = (*year.quarters, year) if isinstance(period, FinancialYear) else (period,)
    rows = [row for p in periods if (row := board.row(trust, p)) is not None]
    look_back = None
    if isinstance(period, FinancialYear) and request.as_of >= year.end:
        found = source.lfd_look_back(year, scales).row(trust)
        if found is not None:
            look_back = DashboardLookBack(
                year=year,
                reviewed_in_year=Count(found.reviewed_in_year),
                judged_in_year=Count(found.judged_in_year),
                previous_estimate=Count(found.previous_estimate),
                revised_estimate=Count(found.revised_estimate),
            )
    items = actions = completed = assessed = 0
    for item in source.learning_items(trust=trust, start=period.start, end=period.end):
        items += 1
        actions += len(item.actions)
        completed += sum(1 for a in item.actions if a.status is ActionStatus.COMPLETED)
        assessed += sum(1 for a in item.actions if a.impact is not None)
    names = {t.ods_code: t.name for t in source.trusts()} if trust is not None else {}
    return LfdDashboardBody(
        audience=request.audience.name,
        period=period,
        trust=trust,
        trust_name=None if trust is None else names.get(trust, str(trust)),
        as_of=request.as_of,
        rows=tuple(dashboard_row(r) for r in rows),
        learning=DashboardLearning(Count(items), Count(actions), Count(completed), Count(assessed)),
        look_back=look_back,
    )

"""The typed bodies of the built-in publication kinds: frozen attrs classes, registered with the
serialiser at schema version 1, that a publisher renders without guessing.

Every count of people is a :class:`~collab_core.Count` (so the privacy gate can suppress and
round it), every percentage a :class:`~collab_core.Share`, every number computed from counts a
:class:`~collab_core.Figure`, and every date a :data:`~collab_core.Dated` (coarsened to a month
or a quarter for the audiences outside the trust). Counts of trusts are plain integers: they
relate to no individual. Text is checked by the gate, not here, so that a preview can show
where an identifier sits.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs

from collab_core.domain.calendar import FinancialYear, Month, Quarter
from collab_core.domain.disclosure import Count, Dated, Figure, Share
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.learning import ActionStatus, Audience, ImpactRating
from collab_core.domain.measures import (
    AssuranceIcon,
    ImprovementDirection,
    PointLabel,
    Side,
    VariationIcon,
)
from collab_core.domain.targets import LfdBlock, ReportingPeriod
from collab_core.ports import PublicationBody
from collab_core.serialization import register_type

__all__ = [
    "BODY_TYPES",
    "ActionsLine",
    "AssuranceBody",
    "BulletinAction",
    "BulletinImpact",
    "BulletinItem",
    "BulletinTheme",
    "BulletinTrust",
    "CandourLine",
    "CapabilityStatus",
    "CapabilityStep",
    "ChartKind",
    "ChartPoint",
    "CoverageStatus",
    "CoverageStep",
    "DashboardCell",
    "DashboardLearning",
    "DashboardLookBack",
    "DashboardRow",
    "HeadlineTargetsBody",
    "LearningBulletinBody",
    "LfdDashboardBody",
    "MeasureChartBody",
]

_Check = Callable[[object, "attrs.Attribute[Any]", object], None]
_DATED = (dt.date, Month, Quarter, FinancialYear)
_PERIODS = (Month, Quarter, FinancialYear)


def _names(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)


def _is(*types: type, optional: bool = False) -> _Check:
    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            raise DomainValidationError(attr.name, f"must be {_names(types)}", type(value).__name__)

    return check


def _each(*types: type) -> _Check:
    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise DomainValidationError(attr.name, "must be a tuple", type(value).__name__)
        for i, item in enumerate(value):
            if not isinstance(item, types):
                raise DomainValidationError(
                    f"{attr.name}[{i}]", f"must be {_names(types)}", type(item).__name__
                )

    return check


def _tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def _whole(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainValidationError(attr.name, "must be a whole number of at least 0", value)


# -- the learning bulletin ---------------------------------------------------------------------


@attrs.frozen
class BulletinTheme:
    """A theme an item or action is tagged with, word for word from the taxonomy.

    :param parent: the label of the cross-cutting theme it sits under, if any.
    """

    code: str = attrs.field(validator=_is(str))
    label: str = attrs.field(validator=_is(str))
    parent: str | None = attrs.field(default=None, validator=_is(str, optional=True))


@attrs.frozen
class BulletinImpact:
    """The assessed impact of an action (Quality Account item 27.6)."""

    assessed_on: Dated = attrs.field(validator=_is(*_DATED))
    rating: ImpactRating = attrs.field(validator=_is(ImpactRating))
    summary: str = attrs.field(validator=_is(str))
    measure: str | None = attrs.field(default=None, validator=_is(str, optional=True))


@attrs.frozen
class BulletinAction:
    """An action taken or planned in response to learning (item 27.5)."""

    description: str = attrs.field(validator=_is(str))
    owner_role: str = attrs.field(validator=_is(str))
    due_on: Dated = attrs.field(validator=_is(*_DATED))
    status: ActionStatus = attrs.field(validator=_is(ActionStatus))
    completed_on: Dated | None = attrs.field(default=None, validator=_is(*_DATED, optional=True))
    impact: BulletinImpact | None = attrs.field(
        default=None, validator=_is(BulletinImpact, optional=True)
    )
    themes: tuple[BulletinTheme, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(BulletinTheme)
    )


@attrs.frozen
class BulletinItem:
    """A learning item shared with the bulletin's audience in its period (item 27.4).

    :param shared_on: the first day it was shared with the audience in the period.
    :param channels: how it was shared (``"learning event"``), each once, in order.
    """

    title: str = attrs.field(validator=_is(str))
    what_was_learnt: str = attrs.field(validator=_is(str))
    trust: OdsCode = attrs.field(validator=_is(OdsCode))
    recorded_on: Dated = attrs.field(validator=_is(*_DATED))
    shared_on: Dated = attrs.field(validator=_is(*_DATED))
    channels: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_each(str))
    themes: tuple[BulletinTheme, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(BulletinTheme)
    )
    actions: tuple[BulletinAction, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(BulletinAction)
    )


@attrs.frozen
class BulletinTrust:
    """A trust that the bulletin's learning came from."""

    code: OdsCode = attrs.field(validator=_is(OdsCode))
    name: str = attrs.field(validator=_is(str))


@attrs.frozen
class LearningBulletinBody(PublicationBody):
    """The learning bulletin: the learning items shared with an audience in a period, with
    their themes, their actions and the trusts they came from.

    :param audience: the audience it was built for (its name).
    :param shared_with: the audience the items were shared with.
    :param trust: the one trust it covers, or ``None`` for the whole collaborative.
    :param trusts: the trusts the items came from, in ODS-code order.
    :param items: the items, trust by trust, in the order they were first shared.
    """

    audience: str = attrs.field(validator=_is(str))
    period: ReportingPeriod = attrs.field(validator=_is(*_PERIODS))
    shared_with: Audience = attrs.field(validator=_is(Audience))
    trust: OdsCode | None = attrs.field(default=None, validator=_is(OdsCode, optional=True))
    trusts: tuple[BulletinTrust, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(BulletinTrust)
    )
    items: tuple[BulletinItem, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(BulletinItem)
    )


# -- the Learning from Deaths dashboard ---------------------------------------------------------


@attrs.frozen
class DashboardCell:
    """One block of one row: deaths in scope (27.1), reviewed or investigated (27.2), judged
    more likely than not due to problems in care (27.3), and the two shares of deaths."""

    block: LfdBlock = attrs.field(validator=_is(LfdBlock))
    deaths: Count = attrs.field(validator=_is(Count))
    reviewed: Count = attrs.field(validator=_is(Count))
    judged: Count = attrs.field(validator=_is(Count))
    reviewed_share: Share = attrs.field(validator=_is(Share))
    judged_share: Share = attrs.field(validator=_is(Share))


@attrs.frozen
class DashboardRow:
    """The dashboard's blocks for one quarter, or for the financial year."""

    period: Quarter | FinancialYear = attrs.field(validator=_is(Quarter, FinancialYear))
    blocks: tuple[DashboardCell, ...] = attrs.field(
        converter=_tuple, validator=_each(DashboardCell)
    )


@attrs.frozen
class DashboardLookBack:
    """Items 27.7-27.9: last year's deaths, looked at again at the end of this year.

    :param reviewed_in_year: 27.7, last year's deaths first reviewed during this year.
    :param judged_in_year: 27.8, those first judged more likely than not due to problems in
        care during this year.
    :param previous_estimate: last year's 27.3, as known at the end of last year.
    :param revised_estimate: 27.9, the revised estimate for last year.
    """

    year: FinancialYear = attrs.field(validator=_is(FinancialYear))
    reviewed_in_year: Count = attrs.field(validator=_is(Count))
    judged_in_year: Count = attrs.field(validator=_is(Count))
    previous_estimate: Count = attrs.field(validator=_is(Count))
    revised_estimate: Count = attrs.field(validator=_is(Count))


@attrs.frozen
class DashboardLearning:
    """Items 27.4-27.6 in numbers (the bulletin carries the words): learning recorded in the
    period, the actions taken or planned on it, those completed, and those whose impact was
    assessed."""

    learning_items: Count = attrs.field(validator=_is(Count))
    actions: Count = attrs.field(validator=_is(Count))
    actions_completed: Count = attrs.field(validator=_is(Count))
    impact_assessed: Count = attrs.field(validator=_is(Count))


@attrs.frozen
class LfdDashboardBody(PublicationBody):
    """The Learning from Deaths dashboard (Quality Account items 27.1-27.9) for one trust or
    the collaborative, for a quarter or a financial year.

    :param trust: the trust it covers, or ``None`` for the collaborative.
    :param trust_name: the trust's name (``None`` for the collaborative).
    :param as_of: the day reviews were counted to.
    :param rows: for a year, its quarters then the year; for a quarter, that quarter. A trust
        has no row for a quarter it was not a member in.
    :param look_back: items 27.7-27.9 for a year whose end has passed, else ``None``.
    """

    audience: str = attrs.field(validator=_is(str))
    period: Quarter | FinancialYear = attrs.field(validator=_is(Quarter, FinancialYear))
    trust: OdsCode | None = attrs.field(validator=_is(OdsCode, optional=True))
    trust_name: str | None = attrs.field(validator=_is(str, optional=True))
    as_of: Dated = attrs.field(validator=_is(*_DATED))
    rows: tuple[DashboardRow, ...] = attrs.field(converter=_tuple, validator=_each(DashboardRow))
    learning: DashboardLearning = attrs.field(validator=_is(DashboardLearning))
    look_back: DashboardLookBack | None = attrs.field(
        default=None, validator=_is(DashboardLookBack, optional=True)
    )


# -- the headline targets ------------------------------------------------------------------------


def _fraction_or_none(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Fraction):
        raise DomainValidationError(attr.name, "must be a Fraction or None", value)


@attrs.frozen
class CoverageStep:
    """Sharing coverage in one part of the period (a quarter of a year, a month of a quarter).
    Trusts are organisations, so their counts are exact."""

    period: ReportingPeriod = attrs.field(validator=_is(*_PERIODS))
    shared: int = attrs.field(validator=_whole)
    members: int = attrs.field(validator=_whole)
    proportion: Fraction | None = attrs.field(validator=_fraction_or_none)


@attrs.frozen
class CoverageStatus:
    """Sharing coverage against its goal: every member trust shares its learning.

    :param shared_with: the audience the learning was shared with.
    :param members: member trusts in the period; ``shared`` of them shared.
    :param not_shared: the member trusts still to share.
    :param goal: the goal as a proportion (1: every member trust).
    :param trajectory: coverage in each part of the period.
    """

    shared_with: Audience = attrs.field(validator=_is(Audience))
    members: int = attrs.field(validator=_whole)
    shared: int = attrs.field(validator=_whole)
    not_shared: tuple[OdsCode, ...] = attrs.field(converter=_tuple, validator=_each(OdsCode))
    proportion: Fraction | None = attrs.field(validator=_fraction_or_none)
    goal: Fraction = attrs.field(validator=_is(Fraction))
    met: bool | None = attrs.field(validator=_is(bool, optional=True))
    trajectory: tuple[CoverageStep, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(CoverageStep)
    )


@attrs.frozen
class CapabilityStep:
    """The capability target's trajectory on a day, and the count then (``None`` after the day
    the figures are counted to)."""

    on: Dated = attrs.field(validator=_is(*_DATED))
    expected: Figure = attrs.field(validator=_is(Figure))
    actual: Count | None = attrs.field(default=None, validator=_is(Count, optional=True))


@attrs.frozen
class CapabilityStatus:
    """Capability growth against its goal: members who Learn, Live or Lead QI.

    :param goal: the goal, computed from the baseline (``ceil(1.3 x baseline)`` by default).
    :param expected: where the trajectory says the count should be on ``on``.
    :param progress: the fraction of the way from the baseline to the goal.
    :param projected_on: when the goal is reached at the average rate so far.
    """

    measure: str = attrs.field(validator=_is(str))
    baseline_on: Dated = attrs.field(validator=_is(*_DATED))
    baseline: Count = attrs.field(validator=_is(Count))
    goal: Figure = attrs.field(validator=_is(Figure))
    deadline: Dated = attrs.field(validator=_is(*_DATED))
    on: Dated = attrs.field(validator=_is(*_DATED))
    current: Count = attrs.field(validator=_is(Count))
    expected: Figure = attrs.field(validator=_is(Figure))
    progress: Figure = attrs.field(validator=_is(Figure))
    on_track: bool = attrs.field(validator=_is(bool))
    met: bool = attrs.field(validator=_is(bool))
    projected_on: Dated | None = attrs.field(default=None, validator=_is(*_DATED, optional=True))
    trajectory: tuple[CapabilityStep, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(CapabilityStep)
    )


@attrs.frozen
class HeadlineTargetsBody(PublicationBody):
    """The collaborative's headline targets for a period: sharing coverage (100% of member
    trusts) and capability growth (+30% by March 2019), each against its goal, with trajectory.

    :param capability: ``None`` when the period ends before the capability baseline.
    """

    audience: str = attrs.field(validator=_is(str))
    period: ReportingPeriod = attrs.field(validator=_is(*_PERIODS))
    coverage: CoverageStatus = attrs.field(validator=_is(CoverageStatus))
    capability: CapabilityStatus | None = attrs.field(
        default=None, validator=_is(CapabilityStatus, optional=True)
    )


# -- a measure's chart ---------------------------------------------------------------------------


class ChartKind(enum.StrEnum):
    """Which chart a measure is shown on."""

    RUN = "run"
    XMR = "xmr"


@attrs.frozen
class ChartPoint:
    """One point of a measure's chart: its value and the lines and label at it.

    :param x: the point's label on the x axis (``"2018-07"``).
    :param value: a count of people (:class:`~collab_core.Count`), another figure
        (:class:`~collab_core.Figure`), or ``None`` for a period without a value.
    :param centre: the mean (XmR) or median (run chart).
    :param label: common cause, or special cause improvement, concern or neither.
    :param side: the side of a special cause (high or low).
    """

    x: str = attrs.field(validator=_is(str))
    period: Month | Quarter = attrs.field(validator=_is(Month, Quarter))
    value: Count | Figure | None = attrs.field(validator=_is(Count, Figure, optional=True))
    centre: Figure = attrs.field(validator=_is(Figure))
    lower_limit: Figure | None = attrs.field(default=None, validator=_is(Figure, optional=True))
    upper_limit: Figure | None = attrs.field(default=None, validator=_is(Figure, optional=True))
    label: PointLabel | None = attrs.field(default=None, validator=_is(PointLabel, optional=True))
    side: Side | None = attrs.field(default=None, validator=_is(Side, optional=True))


@attrs.frozen
class MeasureChartBody(PublicationBody):
    """A measure on a run chart or an XmR chart (Making Data Count): the figures, not the
    picture; a publisher draws it.

    :param measure: the measure's id; ``name`` and ``unit`` are its words.
    :param variation: the variation icon (XmR charts).
    :param assurance: the assurance icon, when a target is given (XmR charts).
    :param signal: whether Anhøj's rules find non-random variation (run charts).
    """

    audience: str = attrs.field(validator=_is(str))
    period: ReportingPeriod = attrs.field(validator=_is(*_PERIODS))
    measure: str = attrs.field(validator=_is(str))
    name: str = attrs.field(validator=_is(str))
    unit: str = attrs.field(validator=_is(str))
    chart: ChartKind = attrs.field(validator=_is(ChartKind))
    improvement: ImprovementDirection = attrs.field(validator=_is(ImprovementDirection))
    points: tuple[ChartPoint, ...] = attrs.field(converter=_tuple, validator=_each(ChartPoint))
    target: Figure | None = attrs.field(default=None, validator=_is(Figure, optional=True))
    variation: VariationIcon | None = attrs.field(
        default=None, validator=_is(VariationIcon, optional=True)
    )
    assurance: AssuranceIcon | None = attrs.field(
        default=None, validator=_is(AssuranceIcon, optional=True)
    )
    signal: bool | None = attrs.field(default=None, validator=_is(bool, optional=True))


# -- assurance: Duty of Candour and overdue actions ---------------------------------------------


@attrs.frozen
class CandourLine:
    """Duty of Candour timeliness for one trust, or for every trust together (Regulation 20):
    notifiable incidents reported in the period and *due* by the day counted to, each met
    (notified by the deadline), late, or still overdue; those still inside their deadline are
    *pending* and stay out of ``met_share`` (met of due).

    :param trust: the trust, or ``None`` for every trust together.
    """

    trust: OdsCode | None = attrs.field(validator=_is(OdsCode, optional=True))
    due: Count = attrs.field(validator=_is(Count))
    met: Count = attrs.field(validator=_is(Count))
    late: Count = attrs.field(validator=_is(Count))
    overdue: Count = attrs.field(validator=_is(Count))
    pending: Count = attrs.field(validator=_is(Count))
    met_share: Share = attrs.field(validator=_is(Share))


@attrs.frozen
class ActionsLine:
    """Actions taken on learning (Quality Account item 27.5) still open on a day, and those of
    them past their due date, for one trust or for every trust together.

    :param trust: the trust, or ``None`` for every trust together.
    :param overdue_share: overdue of open.
    """

    trust: OdsCode | None = attrs.field(validator=_is(OdsCode, optional=True))
    open: Count = attrs.field(validator=_is(Count))
    overdue: Count = attrs.field(validator=_is(Count))
    overdue_share: Share = attrs.field(validator=_is(Share))


@attrs.frozen
class AssuranceBody(PublicationBody):
    """Assurance for a board: Duty of Candour compliance for incidents reported in the period,
    and overdue actions per trust at the period's end (or on ``as_of``, if that comes first).

    :param trusts: the member trusts, in ODS-code order, with their names.
    :param candour: one line per trust, then ``candour_overall`` for every trust together.
    :param actions_on: the day the actions are counted on.
    :param actions: one line per trust, then ``actions_overall`` for every trust together.
    """

    audience: str = attrs.field(validator=_is(str))
    period: ReportingPeriod = attrs.field(validator=_is(*_PERIODS))
    as_of: Dated = attrs.field(validator=_is(*_DATED))
    trusts: tuple[BulletinTrust, ...] = attrs.field(
        converter=_tuple, validator=_each(BulletinTrust)
    )
    candour: tuple[CandourLine, ...] = attrs.field(converter=_tuple, validator=_each(CandourLine))
    candour_overall: CandourLine = attrs.field(validator=_is(CandourLine))
    actions_on: Dated = attrs.field(validator=_is(*_DATED))
    actions: tuple[ActionsLine, ...] = attrs.field(converter=_tuple, validator=_each(ActionsLine))
    actions_overall: ActionsLine = attrs.field(validator=_is(ActionsLine))


#: Every type of the built-in bodies, with its payload name (all at schema version 1).
BODY_TYPES: tuple[tuple[type[Any], str], ...] = (
    (LearningBulletinBody, "learning_bulletin_body"),
    (BulletinItem, "bulletin_item"),
    (BulletinAction, "bulletin_action"),
    (BulletinImpact, "bulletin_impact"),
    (BulletinTheme, "bulletin_theme"),
    (BulletinTrust, "bulletin_trust"),
    (LfdDashboardBody, "lfd_dashboard_body"),
    (DashboardRow, "dashboard_row"),
    (DashboardCell, "dashboard_cell"),
    (DashboardLookBack, "dashboard_look_back"),
    (DashboardLearning, "dashboard_learning"),
    (HeadlineTargetsBody, "headline_targets_body"),
    (CoverageStatus, "coverage_status"),
    (CoverageStep, "coverage_step"),
    (CapabilityStatus, "capability_status"),
    (CapabilityStep, "capability_step"),
    (MeasureChartBody, "measure_chart_body"),
    (ChartPoint, "chart_point"),
    (AssuranceBody, "assurance_body"),
    (CandourLine, "candour_line"),
    (ActionsLine, "actions_line"),
)
for _cls, _name in BODY_TYPES:
    register_type(_cls, _name)

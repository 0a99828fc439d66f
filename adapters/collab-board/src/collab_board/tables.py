"""The tables of a board pack, one list for each publication kind: what a sheet and its CSV file
hold, as the body's own typed values (a :class:`~collab_core.Count` stays a count until it is
written, so a suppressed one is written as ``*``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from collab_core import (
    SUPPRESSED_MARK,
    AssuranceBody,
    Count,
    DashboardCell,
    DashboardRow,
    Figure,
    FinancialYear,
    HeadlineTargetsBody,
    LearningBulletinBody,
    LfdBlock,
    LfdDashboardBody,
    MeasureChartBody,
    Month,
    OdsCode,
    Quarter,
    Share,
    unstructure,
)
from collab_core.ports import Publication

__all__ = ["Cell", "Chart", "Column", "Table", "cell_value", "tables_of"]

#: What a cell holds once written: text, a whole number, a number, a day, or nothing.
Cell = str | int | float | dt.date | None

# The dashboard's blocks, in the order a trust board reads them.
BLOCKS: tuple[tuple[LfdBlock, str], ...] = (
    (LfdBlock.ALL_AGES, "All ages"),
    (LfdBlock.ADULTS, "Adults (18 and over)"),
    (LfdBlock.ADULTS_18_64, "Adults 18-64"),
    (LfdBlock.ADULTS_65_PLUS, "Adults 65 and over"),
    (LfdBlock.UNDER_18, "Under 18"),
    (LfdBlock.AGE_UNKNOWN, "Age not recorded"),
    (LfdBlock.LD_AUTISM, "Learning disability and autism (LeDeR)"),
)


@attrs.frozen
class Column:
    """A column: its heading and how wide it is drawn (in characters)."""

    heading: str
    width: int = 14


@attrs.frozen
class Chart:
    """A line chart of a table: its first column across, each other column a line."""

    title: str
    y_title: str


@attrs.frozen
class Table:
    """A table of a board pack: a sheet of the workbook and a CSV file beside it.

    :param name: the sheet's name and the CSV file's suffix (``"dashboard"``).
    :param title: the line above the table.
    :param rows: the body's typed values (counts, shares, figures, periods, text).
    :param frozen: how many leading columns stay in view when scrolling across.
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    chart: Chart | None = None
    frozen: int = 1


def cell_value(value: object) -> Cell:
    """What a typed value is written as: a count as its number or ``*``, a share or figure as
    a number (``*`` when suppressed, ``-`` when there is nothing to take it of), a period as its
    label, a day as a date, yes or no for a flag."""
    if value is None:
        return None
    if isinstance(value, Count):
        return value.shown if value.value is None else value.value
    if isinstance(value, Share):
        hidden = value.numerator.is_suppressed or value.denominator.is_suppressed
        return value.shown() if hidden or value.value is None else float(value.value)
    if isinstance(value, Figure):
        if value.value is None:
            return SUPPRESSED_MARK if value.is_suppressed else "-"
        return float(value.value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | str | dt.date):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, Month | Quarter | FinancialYear):
        return value.label
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _c(*headings: str, width: int = 14) -> tuple[Column, ...]:
    return tuple(Column(h, max(width, len(h) + 2)) for h in headings)


def _block(row: DashboardRow, block: LfdBlock) -> DashboardCell | None:
    return next((c for c in row.blocks if c.block is block), None)


def _of(cell: DashboardCell | None, name: str) -> object:
    """A figure of a block, or nothing for a block the row does not have."""
    return None if cell is None else getattr(cell, name)


def _dashboard(body: LfdDashboardBody) -> Iterator[Table]:
    periods = [r.period.label for r in body.rows]
    rows = []
    for block, label in BLOCKS:
        cells = [_block(r, block) for r in body.rows]
        figures = (
            ("27.1", "Deaths in scope", "deaths"),
            ("27.2", "Reviewed or investigated", "reviewed"),
            ("27.2", "% reviewed or investigated", "reviewed_share"),
            ("27.3", "Judged more likely than not due to problems in care", "judged"),
            ("27.3", "% judged due to problems in care", "judged_share"),
        )
        rows += [
            (item, label, words, *(_of(c, name) for c in cells)) for item, words, name in figures
        ]
    columns = (Column("Item", 6), Column("Block", 38), Column("Figure", 50), *_c(*periods))
    yield Table("Dashboard", "Learning from Deaths dashboard", columns, tuple(rows), frozen=3)
    quarters = [r for r in body.rows if isinstance(r.period, Quarter)]
    if quarters:
        trend = []
        for r in quarters:
            cell = _block(r, LfdBlock.ALL_AGES)
            trend.append(
                (r.period.label, *(_of(cell, n) for n in ("deaths", "reviewed", "judged")))
            )
        yield Table(
            "Quarterly trend",
            "Deaths in scope, reviewed and judged, all ages, by quarter",
            _c("Quarter", "Deaths in scope", "Reviewed or investigated", "Judged"),
            tuple(trend),
            Chart("Deaths in scope, reviewed and judged by quarter", "Deaths"),
        )
    learning = body.learning
    yield Table(
        "Learning",
        "Learning and actions in the period (items 27.4-27.6)",
        (Column("Item", 6), Column("Figure", 44), Column(body.period.label, 14)),
        (
            ("27.4", "Learning items recorded", learning.learning_items),
            ("27.5", "Actions taken or planned", learning.actions),
            ("27.5", "Actions completed", learning.actions_completed),
            ("27.6", "Actions whose impact was assessed", learning.impact_assessed),
        ),
    )
    if body.look_back is not None:
        back = body.look_back
        yield Table(
            "Look-back",
            f"Deaths in {back.year.label} looked at again (items 27.7-27.9)",
            (Column("Item", 6), Column("Figure", 60), Column(back.year.label, 14)),
            (
                ("27.7", "Reviewed or investigated during this year", back.reviewed_in_year),
                ("27.8", "Judged due to problems in care during this year", back.judged_in_year),
                ("27.3", "Estimate at the end of last year", back.previous_estimate),
                ("27.9", "Revised estimate", back.revised_estimate),
            ),
        )


def _headline(body: HeadlineTargetsBody) -> Iterator[Table]:
    cov = body.coverage
    yield Table(
        "Sharing coverage",
        f"Member trusts sharing their learning with the {cov.shared_with.value.replace('_', ' ')}",
        (Column("Figure", 36), Column(body.period.label, 16)),
        (
            ("Member trusts", cov.members),
            ("Trusts that shared", cov.shared),
            ("Coverage", cov.proportion),
            ("Goal", cov.goal),
            ("Goal met", cov.met),
            ("Still to share", ", ".join(str(c) for c in cov.not_shared)),
        ),
    )
    if cov.trajectory:
        yield Table(
            "Coverage trajectory",
            "Sharing coverage through the period",
            _c("Period", "Trusts that shared", "Member trusts", "Coverage"),
            tuple((s.period, s.shared, s.members, s.proportion) for s in cov.trajectory),
            Chart("Member trusts sharing their learning", "Trusts"),
        )
    cap = body.capability
    if cap is None:
        return
    yield Table(
        "Capability",
        f"{cap.measure} against its goal",
        (Column("Figure", 36), Column("Value", 16)),
        (
            ("Baseline on", cap.baseline_on),
            ("Baseline", cap.baseline),
            ("Goal", cap.goal),
            ("Deadline", cap.deadline),
            ("Counted on", cap.on),
            ("Current", cap.current),
            ("Expected on the trajectory", cap.expected),
            ("Progress towards the goal", cap.progress),
            ("On track", cap.on_track),
            ("Goal met", cap.met),
            ("Goal reached at this rate on", cap.projected_on),
        ),
    )
    if cap.trajectory:
        yield Table(
            "Capability trajectory",
            "Capability against its trajectory, quarter by quarter",
            _c("Quarter end", "Expected", "Actual"),
            tuple((s.on, s.expected, s.actual) for s in cap.trajectory),
            Chart("Capability against its trajectory", "Members"),
        )


def _assurance(body: AssuranceBody) -> Iterator[Table]:
    names: dict[OdsCode | None, str] = {t.code: t.name for t in body.trusts}
    names[None] = "All trusts"
    yield Table(
        "Candour",
        "Duty of Candour: notifiable incidents notified within the deadline (Regulation 20)",
        (
            Column("Trust", 8),
            Column("Name", 44),
            *_c("Due", "Met", "Late", "Overdue", "Pending", "% met"),
        ),
        tuple(
            (
                line.trust,
                names.get(line.trust, ""),
                line.due,
                line.met,
                line.late,
                line.overdue,
                line.pending,
                line.met_share,
            )
            for line in (*body.candour, body.candour_overall)
        ),
        frozen=2,
    )
    yield Table(
        "Overdue actions",
        "Actions on learning open and overdue (item 27.5)",
        (Column("Trust", 8), Column("Name", 44), *_c("Open", "Overdue", "% overdue")),
        tuple(
            (line.trust, names.get(line.trust, ""), line.open, line.overdue, line.overdue_share)
            for line in (*body.actions, body.actions_overall)
        ),
        frozen=2,
    )


def _bulletin(body: LearningBulletinBody) -> Iterator[Table]:
    yield Table(
        "Learning",
        f"Learning shared with the {body.shared_with.value.replace('_', ' ')}",
        (
            Column("Trust", 8),
            Column("Title", 40),
            Column("What was learnt", 70),
            *_c("Recorded", "Shared", "Channels", "Themes", "Actions"),
        ),
        tuple(
            (
                i.trust,
                i.title,
                i.what_was_learnt,
                i.recorded_on,
                i.shared_on,
                "; ".join(i.channels),
                "; ".join(t.label for t in i.themes),
                len(i.actions),
            )
            for i in body.items
        ),
        frozen=2,
    )
    actions = [
        (i.trust, i.title, a.description, a.owner_role, a.due_on, a.status, a.completed_on)
        for i in body.items
        for a in i.actions
    ]
    yield Table(
        "Actions",
        "Actions taken or planned on the learning",
        (
            Column("Trust", 8),
            Column("Learning", 40),
            Column("Action", 60),
            *_c("Owner", "Due", "Status", "Completed"),
        ),
        tuple(actions),
        frozen=2,
    )


def _measure(body: MeasureChartBody) -> Iterator[Table]:
    yield Table(
        "Measure",
        f"{body.name} ({body.unit}), {body.chart.value.replace('_', ' ')} chart",
        _c("Period", "Value", "Centre", "Lower limit", "Upper limit", "Label"),
        tuple((p.x, p.value, p.centre, p.lower_limit, p.upper_limit, p.label) for p in body.points),
        Chart(body.name, body.unit),
    )


def _flatten(value: object, path: str) -> Iterator[tuple[str, object]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _flatten(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for i, inner in enumerate(value):
            yield from _flatten(inner, f"{path}[{i}]")
    else:
        yield path, value


def tables_of(publication: Publication) -> tuple[Table, ...]:
    """The tables of ``publication``'s board pack, by its kind (a plugin's kind: its fields)."""
    body = publication.body
    if isinstance(body, LfdDashboardBody):
        return tuple(_dashboard(body))
    if isinstance(body, HeadlineTargetsBody):
        return tuple(_headline(body))
    if isinstance(body, AssuranceBody):
        return tuple(_assurance(body))
    if isinstance(body, LearningBulletinBody):
        return tuple(_bulletin(body))
    if isinstance(body, MeasureChartBody):
        return tuple(_measure(body))
    data = unstructure(body) if not isinstance(body, Mapping) else body
    rows = tuple(_flatten(data, ""))
    return (Table("Content", publication.title, (Column("Field", 40), Column("Value", 40)), rows),)

"""The reports: ``collab targets``, ``collab dashboard``, ``collab candour``, ``collab actions``
and ``collab measures``. Each computes one result object through the public API and shows it as
a table, or prints it with ``--json``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import attrs
import typer

from collab_core import (
    Audience,
    CandourCompliance,
    CapabilityGrowth,
    CollabError,
    Collaborative,
    ConfigurationError,
    Death,
    DomainValidationError,
    FinancialYear,
    ImprovementDirection,
    LearningItem,
    LfdCounts,
    LfdDashboard,
    LfdLookBack,
    Month,
    OdsCode,
    OverdueActions,
    Review,
    RunChartResult,
    SharingCoverage,
    SharingEvent,
    TargetProgress,
    XmrResult,
    as_percent,
    capability_growth,
    lfd_dashboard,
    lfd_dashboard_query,
    lfd_look_back,
    lfd_look_back_queries,
    register_type,
    run_chart,
    xmr,
)
from collab_core.cli.app import app, open_collaborative, settings
from collab_core.cli.output import Report, Screen
from collab_core.cli.setup import JSON

__all__ = [
    "BUILT_IN_SERIES",
    "DashboardReport",
    "MeasureReport",
    "TargetsReport",
    "dashboard_report",
]


def _day(text: str | None, option: str, default: dt.date) -> dt.date:
    if text is None:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"{option}: must be a date such as 2019-03-31 (got {text!r})"
        ) from None


def _pct(value: Fraction | None) -> str:
    shown = as_percent(value)
    return "n/a" if shown is None else f"{shown}%"


# -- collab targets -------------------------------------------------------------------------------


@attrs.frozen
class TargetProblem:
    """A target that could not be assessed, and why."""

    target: str
    error: str


@attrs.frozen
class TargetsReport:
    """Where the collaborative stands on ``on``: sharing coverage for each audience over the
    financial year so far, capability growth, and every other target."""

    on: dt.date
    coverage: tuple[SharingCoverage, ...]
    capability: CapabilityGrowth | None
    capability_note: str | None
    targets: tuple[TargetProgress, ...]
    problems: tuple[TargetProblem, ...]


register_type(TargetProblem, "target_problem")
register_type(TargetsReport, "targets_report")


@app.command()
def targets(
    on: Annotated[str | None, typer.Option(help="The day (YYYY-MM-DD; default today).")] = None,
    json: JSON = False,
) -> None:
    """Sharing coverage for each audience, capability growth against its target (trajectory
    and projected date), and the trust-defined targets."""
    config = settings()
    day = _day(on, "--on", dt.date.today())
    year = FinancialYear.of(day)
    with open_collaborative(config) as collab:
        coverage = tuple(collab.sharing_coverage(year, a) for a in config.audiences)
        growth, note = None, None
        baseline = collab.capability_census(config.capability_baseline_on)
        if day < config.capability_baseline_on:
            note = f"the capability baseline is counted on {config.capability_baseline_on}"
        else:
            try:
                growth = capability_growth(
                    baseline,
                    collab.capability_census(day),
                    deadline=config.capability_deadline,
                    growth=config.capability_growth,
                )
            except DomainValidationError as exc:
                note = f"capability growth: {exc.rule}"
        progress, problems = [], []
        chosen = {**collab.targets, **{t.id: t for t in config.targets}}
        for target_id, target in sorted(chosen.items()):
            try:
                progress.append(target.assess(collab.measure_value(target.measure, day), day))
            except CollabError as exc:
                problems.append(TargetProblem(target_id, str(exc)))
    report = TargetsReport(day, coverage, growth, note, tuple(progress), tuple(problems))
    screen = Screen(json=json)
    if json:
        screen.result(report)
        return
    table = Report(
        f"Sharing the learning from deaths, {year.label} to {day} (target: 100% of member trusts)",
        ["audience", "shared", "members", "coverage", "still to share"],
        numeric=(1, 2, 3, 4),
    )
    for c in coverage:
        table.add(
            c.audience.value, c.numerator, c.denominator, _pct(c.proportion), len(c.not_shared)
        )
    screen.show(table)
    if growth is not None:
        p = growth.progress
        cap = Report(
            f"Members who Learn, Live or Lead QI (target: {_pct(config.capability_growth)} more by "
            f"{config.capability_deadline})",
            ["baseline", "goal", "now", "expected now", "progress", "on track", "met", "projected"],
            numeric=(0, 1, 2, 3, 4),
        )
        cap.add(
            f"{growth.baseline.count} on {growth.baseline.on}",
            growth.goal,
            growth.current.count,
            f"{float(p.expected):.1f}",
            f"{p.percent()}%",
            "yes" if p.on_track else "no",
            "yes" if p.met else "no",
            p.projected_on or "-",
        )
        screen.show(cap)
    elif note:
        screen.say(f"Capability: {note}")
    if progress or problems:
        others = Report(
            "Other targets", ["target", "value", "expected", "goal", "on track", "met", "projected"]
        )
        for t in progress:
            others.add(
                t.target.id,
                f"{float(t.value):g}",
                f"{float(t.expected):.1f}",
                f"{float(t.target.goal):g} by {t.target.deadline}",
                "yes" if t.on_track else "no",
                "yes" if t.met else "no",
                t.projected_on or "-",
            )
        for problem in problems:
            others.note(f"{problem.target}: {problem.error}")
        screen.show(others)


# -- collab dashboard -----------------------------------------------------------------------------


@attrs.frozen
class DashboardReport:
    """The Learning from Deaths dashboard of one financial year (of every trust, or of one)
    with the look-back at the year before (Quality Account items 27.1-27.3 and 27.7-27.9)."""

    year: FinancialYear
    trust: OdsCode | None
    dashboard: LfdDashboard
    look_back: LfdLookBack


register_type(DashboardReport, "dashboard_report")


def dashboard_report(
    collab: Collaborative, year: FinancialYear, as_of: dt.date, trust: OdsCode | None = None
) -> DashboardReport:
    """The dashboard and look-back of ``year``, counted with reviews completed by ``as_of``,
    for every recorded trust or only ``trust`` (its own rows are then the totals)."""
    trusts = list(collab.trusts())
    if trust is not None:
        trusts = [t for t in trusts if t.ods_code == trust]
        if not trusts:
            raise ConfigurationError(f"--trust: {trust} is not recorded in the store")
    board = lfd_dashboard(
        collab.lfd_facts(lfd_dashboard_query(trusts, [year], as_of)), trusts, [year], as_of
    )
    earlier, later = lfd_look_back_queries(trusts, year)
    look = lfd_look_back(collab.lfd_facts(earlier), collab.lfd_facts(later), trusts, year)
    return DashboardReport(year, trust, board, look)


def _counts(c: LfdCounts) -> tuple[str, str, str]:
    return (
        f"{c.in_scope:,}",
        f"{c.reviewed:,} ({_pct(c.reviewed_share)})",
        f"{c.judged:,} ({_pct(c.judged_share)})",
    )


@app.command()
def dashboard(
    year: Annotated[str, typer.Option(help="The financial year, e.g. 2018/19.")],
    trust: Annotated[str | None, typer.Option(help="Only this trust (its ODS code).")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Count reviews completed by this day (default today).")
    ] = None,
    json: JSON = False,
) -> None:
    """The Learning from Deaths dashboard of a financial year by quarter (deaths in scope,
    reviewed, judged more likely than not due to problems in care), with the look-back."""
    config = settings()
    try:
        fy = FinancialYear.parse(year)
    except DomainValidationError as exc:
        raise ConfigurationError(f"--year: {exc.rule} (got {year!r})") from None
    code = OdsCode(trust) if trust else None
    day = _day(as_of, "--as-of", dt.date.today())
    with open_collaborative(config) as collab:
        report = dashboard_report(collab, fy, day, code)
    screen = Screen(json=json)
    if json:
        screen.result(report)
        return
    who = str(code) if code else "the collaborative"
    table = Report(
        f"Learning from Deaths dashboard {fy.label}, {who} (reviews completed by {day})",
        ["period", "block", "27.1 in scope", "27.2 reviewed", "27.3 judged"],
        numeric=(2, 3, 4),
    )
    for period in (*fy.quarters, fy):
        row = report.dashboard.row(code, period) if code else report.dashboard.collaborative(period)
        if row is None:
            continue
        for name, counts in (
            ("all ages", row.all_ages),
            ("adults 18-64", row.adults_18_64),
            ("adults 65+", row.adults_65_plus),
            ("LD and autism", row.ld_autism),
        ):
            table.add(period.label, name, *_counts(counts))
    look = report.look_back.row(code) if code else report.look_back.collaborative
    if look is not None:
        table.note(
            f"Look-back at {fy.previous().label}'s deaths: 27.7 {look.reviewed_in_year} reviewed "
            f"in {fy.label}, 27.8 {look.judged_in_year} judged, 27.9 estimate revised from "
            f"{look.previous_estimate} to {look.revised_estimate}"
        )
    screen.show(table)


# -- collab candour and collab actions ------------------------------------------------------------


@app.command()
def candour(
    year: Annotated[
        str | None, typer.Option(help="The financial year (default: this one).")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="As known on this day (default today).")] = None,
    json: JSON = False,
) -> None:
    """Duty of Candour compliance: notifiable incidents notified in person within the deadline
    (Regulation 20), by trust, with the overdue cases."""
    config = settings()
    day = _day(as_of, "--as-of", dt.date.today())
    try:
        fy = FinancialYear.parse(year) if year else FinancialYear.of(day)
    except DomainValidationError as exc:
        raise ConfigurationError(f"--year: {exc.rule} (got {year!r})") from None
    with open_collaborative(config) as collab:
        result: CandourCompliance = collab.candour_compliance(fy, day, config.candour)
    screen = Screen(json=json)
    if json:
        screen.result(result)
        return
    days = "working days" if config.candour.working_days else "days"
    table = Report(
        f"Duty of Candour {fy.label} as known on {day} (notified in person within "
        f"{config.candour.deadline_days} {days})",
        ["trust", "due", "met", "late", "overdue", "pending", "met in time"],
        numeric=(1, 2, 3, 4, 5, 6),
    )
    for row in (*result.trusts, result.overall):
        table.add(
            row.trust or "all trusts",
            row.due,
            row.met,
            row.late,
            len(row.overdue),
            row.pending,
            _pct(row.proportion),
        )
    for row in result.trusts:
        for case_id in row.overdue:
            table.note(f"overdue: {row.trust} case {case_id}")
    screen.show(table)


@app.command()
def actions(
    overdue: Annotated[bool, typer.Option("--overdue", help="List each overdue action.")] = False,
    as_of: Annotated[str | None, typer.Option(help="On this day (default today).")] = None,
    json: JSON = False,
) -> None:
    """Open and overdue actions (Quality Account item 27.5) per member trust."""
    config = settings()
    day = _day(as_of, "--as-of", dt.date.today())
    with open_collaborative(config) as collab:
        result: OverdueActions = collab.overdue_actions(day)
    screen = Screen(json=json)
    if json:
        screen.result(result)
        return
    table = Report(f"Actions on {day}", ["trust", "open", "overdue"], numeric=(1, 2))
    for row in result.trusts:
        table.add(row.trust, row.open, row.overdue_count)
    table.add("all trusts", result.open, result.overdue)
    screen.show(table)
    if overdue:
        late = Report(
            "Overdue actions, oldest first",
            ["trust", "due", "days overdue", "learning item", "action"],
            numeric=(2,),
        )
        for row in result.trusts:
            for a in row.overdue:
                late.add(row.trust, a.due_on, a.days_overdue, a.learning_item_id, a.action_id)
        screen.show(late)


# -- collab measures ------------------------------------------------------------------------------


def _deaths(collab: Collaborative, month: Month) -> int:
    return collab.count(Death, start=month.start, end=month.end)


def _reviews(collab: Collaborative, month: Month) -> int:
    return collab.count(Review, start=month.start, end=month.end)


def _learning(collab: Collaborative, month: Month) -> int:
    return collab.count(LearningItem, start=month.start, end=month.end)


def _shared(collab: Collaborative, month: Month) -> int:
    events = collab.records(SharingEvent, start=month.start, end=month.end)
    return Counter(e.audience for e in events)[Audience.COLLABORATIVE]


#: The monthly series ``collab measures`` counts from the store itself, by name, with what
#: each counts; measures registered by plugins are read with their own readers.
BUILT_IN_SERIES = {
    "deaths": (_deaths, "deaths recorded, by month of death"),
    "reviews-started": (_reviews, "reviews and investigations, by month started"),
    "learning-items": (_learning, "learning items, by month recorded"),
    "shared-with-collaborative": (_shared, "learning shared with the collaborative, by month"),
}


@attrs.frozen
class MeasureReport:
    """A measure month by month and its chart: XmR (Making Data Count) or a run chart."""

    measure: str
    months: tuple[Month, ...]
    values: tuple[Fraction, ...]
    xmr: XmrResult | None = None
    run_chart: RunChartResult | None = None


register_type(MeasureReport, "measure_report")


def _month(text: str, option: str) -> Month:
    try:
        year, month = (int(p) for p in text.split("-"))
        return Month(year, month)
    except (ValueError, DomainValidationError):
        raise ConfigurationError(
            f"{option}: must be a month such as 2018-04 (got {text!r})"
        ) from None


@app.command()
def measures(
    name: Annotated[str, typer.Argument(help="The measure (collab measures --list).")] = "",
    start: Annotated[str | None, typer.Option("--from", help="First month, e.g. 2017-04.")] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last month (default: last month).")
    ] = None,
    run: Annotated[
        bool, typer.Option("--run", help="A run chart instead of an XmR chart.")
    ] = False,
    lower_is_better: Annotated[
        bool, typer.Option("--lower-is-better", help="Improvement is a fall in the measure.")
    ] = False,
    chart: Annotated[
        Path | None, typer.Option(help="Draw the chart to a .svg or .png file.")
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the measures.")] = False,
    json: JSON = False,
) -> None:
    """A measure month by month as an XmR chart (or --run: a run chart) with its rules and
    icons, drawn with --chart."""
    config = settings()
    screen = Screen(json=json)
    with open_collaborative(config) as collab:
        registered = collab.measures
        if list_ or not name:
            table = Report("Measures", ["measure", "what it counts"])
            for key, (_, text) in BUILT_IN_SERIES.items():
                table.add(key, text)
            for key, spec in registered.items():
                table.add(key, spec.measure.name)
            screen.show(table)
            return
        last = _month(end, "--to") if end else Month.of(dt.date.today()).previous()
        first = _month(start, "--from") if start else last
        if not start:
            for _ in range(23):
                first = first.previous()
        if first.start > last.start:
            raise ConfigurationError("--from: must not be after --to")
        months = [first]
        while months[-1] != last:
            months.append(months[-1].next())
        if name in BUILT_IN_SERIES:
            count = BUILT_IN_SERIES[name][0]
            values = [Fraction(count(collab, m)) for m in months]
        elif name in registered:
            values = [collab.measure_value(name, m.end) for m in months]
        else:
            known = ", ".join([*BUILT_IN_SERIES, *registered])
            raise ConfigurationError(f"NAME: no measure {name!r} (measures: {known})")
    improvement = (
        ImprovementDirection.DECREASE if lower_is_better else ImprovementDirection.INCREASE
    )
    labels = [m.label for m in months]
    if run:
        report = MeasureReport(
            name,
            tuple(months),
            tuple(values),
            run_chart=run_chart(values, x=labels, improvement=improvement),
        )
    else:
        report = MeasureReport(
            name, tuple(months), tuple(values), xmr=xmr(values, x=labels, improvement=improvement)
        )
    if chart is not None:
        if chart.suffix.lower() not in (".svg", ".png"):
            raise ConfigurationError(f"--chart: must end .svg or .png (got {chart.name!r})")
        from collab_core import charts  # noqa: PLC0415 - matplotlib is an optional extra

        if report.xmr is not None:
            charts.render_xmr(report.xmr, chart, title=name)
        elif report.run_chart is not None:
            charts.render_run_chart(report.run_chart, chart, title=name)
    if json:
        screen.result(report)
        return
    _show_measure(screen, report, chart)


def _show_measure(screen: Screen, report: MeasureReport, chart: Path | None) -> None:
    kind = "run chart" if report.run_chart is not None else "XmR chart"
    table = Report(f"{report.measure}: {kind}", ["month", "value", "signal"], numeric=(1,))
    if report.xmr is not None:
        for p in report.xmr.points:
            label = "" if p.label is None or p.label.value == "common_cause" else p.label.value
            rule = f" ({p.rule.value})" if p.rule is not None and label else ""
            table.add(p.x, "" if p.value is None else f"{float(p.value):g}", label + rule)
        phase = report.xmr.phases[-1]
        table.note(
            f"mean {float(phase.mean):.2f}, limits {float(phase.lower_limit):.2f} to "
            f"{float(phase.upper_limit):.2f}; variation: {report.xmr.variation.value}"
            + (f"; assurance: {report.xmr.assurance.value}" if report.xmr.assurance else "")
        )
    elif report.run_chart is not None:
        for q in report.run_chart.points:
            label = "" if q.label is None or q.label.value == "common_cause" else q.label.value
            table.add(q.x, "" if q.value is None else f"{float(q.value):g}", label)
        result = report.run_chart
        table.note(
            f"median {float(result.median):g}; non-random variation (Anhøj): "
            f"{'yes' if result.signal else 'no'}"
        )
    if chart is not None:
        table.note(f"chart: {chart}")
    screen.show(table)

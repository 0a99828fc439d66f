"""The demonstration: a synthetic collaborative written to a store (SQLite by default), then its
headline figures computed back from the store and printed, and its publications published
through every publisher installed (the site, the board pack, the feed; e-mail when an SMTP
server is configured) into the demo's folder, through the outbox.

Run it with ``python -m collab_core.demo`` (or ``nox -s demo``); ``--help`` lists the options.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from collab_core.domain.calendar import FinancialYear, Month, Quarter
from collab_core.domain.capability import THREE_LS
from collab_core.domain.errors import CollabError, ConfigurationError
from collab_core.domain.learning import Audience, SharingEvent
from collab_core.domain.measures import ImprovementDirection, PointLabel, XmrResult, xmr
from collab_core.domain.people import MemberKind
from collab_core.domain.targets import (
    LfdCounts,
    as_percent,
    capability_growth,
)
from collab_core.ports import Publisher
from collab_core.service import Collaborative
from collab_core.synthetic import SyntheticCollaborative

__all__ = ["main", "run"]

DEFAULT_STORE = "sqlite:///collab-demo/collab.db"
DEFAULT_OUT = Path("collab-demo")
#: The environment variable naming the SMTP server (``host:port``) the demo e-mails through.
SMTP_VARIABLE = "COLLAB_DEMO_SMTP"


def _pct(value: Fraction | None) -> str:
    shown = as_percent(value)
    return "  n/a" if shown is None else f"{shown:5}%"


def _counts(c: LfdCounts) -> str:
    return (
        f"{c.in_scope:7,}  {c.reviewed:7,} ({_pct(c.reviewed_share)})  "
        f"{c.judged:5,} ({_pct(c.judged_share)})"
    )


def _prepare(url: str) -> None:
    """Make the folder of a relative or absolute SQLite file, so a first run just works."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return  # opening the store says what is wrong with the URL
    if parts.scheme.partition("+")[0] == "sqlite" and parts.path not in ("", "/"):
        Path(parts.path[1:]).parent.mkdir(parents=True, exist_ok=True)


def _load(collab: Collaborative, synthetic: SyntheticCollaborative, out: TextIO) -> None:
    started = time.perf_counter()
    units = records = 0
    for batch in synthetic.batches():
        collab.record(batch.records)  # type: ignore[arg-type]
        units += 1
        records += len(batch.records)
    seconds = time.perf_counter() - started
    print(
        f"Wrote {records:,} records in {units} units of work in {seconds:.1f} s "
        f"(writing them again changes nothing: upserts are idempotent).",
        file=out,
    )


def _sharing(collab: Collaborative, years: Sequence[FinancialYear], out: TextIO) -> None:
    print("\nSharing the learning from deaths (target: 100% of member trusts)", file=out)
    print(f"  {'period':<12} {'audience':<14} {'shared':>6} {'members':>7}  coverage", file=out)
    periods: list[FinancialYear | Quarter] = [*years, *years[-1].quarters]
    for period in periods:
        for audience in (Audience.COLLABORATIVE, Audience.FAMILY):
            cov = collab.sharing_coverage(period, audience)
            print(
                f"  {period.label:<12} {audience.value:<14} {cov.numerator:>6} "
                f"{cov.denominator:>7}  {_pct(cov.proportion)}"
                + ("" if not cov.not_shared else f"  still to share: {len(cov.not_shared)}"),
                file=out,
            )


def _capability(collab: Collaborative, out: TextIO) -> None:
    baseline_on, now = dt.date(2017, 4, 1), dt.date(2019, 3, 31)
    growth = capability_growth(collab.capability_census(baseline_on), collab.capability_census(now))
    progress = growth.progress
    print(
        "\nBuilding capability (target: 30% more members who Learn, Live or Lead QI "
        "by 31 March 2019)",
        file=out,
    )
    print(
        f"  baseline {baseline_on:%d %b %Y}: {growth.baseline.count} members; "
        f"goal ceil(1.3 x {growth.baseline.count}) = {growth.goal}",
        file=out,
    )
    print(
        f"  on {now:%d %b %Y}: {growth.current.count} members "
        f"({'met' if progress.met else 'not met'}; "
        f"{'on track' if progress.on_track else 'off track'})",
        file=out,
    )
    by_level = ", ".join(
        f"{name} {growth.current.for_level(name)}" for name in THREE_LS.level_names
    )
    by_kind = ", ".join(f"{k.value} {growth.current.for_kind(k)}" for k in MemberKind)
    print(f"  highest level: {by_level}", file=out)
    print(f"  kind of member: {by_kind}", file=out)


def _dashboard(collab: Collaborative, years: Sequence[FinancialYear], out: TextIO) -> None:
    as_of = years[-1].end + dt.timedelta(days=90)
    board = collab.lfd_dashboard(years, as_of)
    print(
        f"\nLearning from Deaths dashboard, the collaborative (reviews completed by {as_of}; "
        f"{'counted in the store' if collab.native_aggregates else 'counted in Python'})",
        file=out,
    )
    print(
        f"  {'period':<12} {'block':<16} {'27.1 in scope':>13}  {'27.2 reviewed':>17}  "
        f"{'27.3 judged':>13}",
        file=out,
    )
    for year in years:
        row = board.collaborative(year)
        for name, counts in (
            ("all ages", row.all_ages),
            ("adults 18-64", row.adults_18_64),
            ("adults 65+", row.adults_65_plus),
            ("LD and autism", row.ld_autism),
        ):
            print(f"  {year.label:<12} {name:<16} {_counts(counts)}", file=out)
    look = collab.lfd_look_back(years[-1]).collaborative
    print(
        f"  {years[-1].label} look-back at {years[-2].label}'s deaths: "
        f"27.7 {look.reviewed_in_year} reviewed this year, 27.8 {look.judged_in_year} judged, "
        f"27.9 estimate revised from {look.previous_estimate} to {look.revised_estimate}",
        file=out,
    )


def _candour_and_actions(
    collab: Collaborative, years: Sequence[FinancialYear], out: TextIO
) -> None:
    print("\nDuty of Candour (notified in person within 10 working days)", file=out)
    for year in years:
        c = collab.candour_compliance(year, year.end + dt.timedelta(days=30)).overall
        print(
            f"  {year.label}: {c.met} of {c.due} due cases met ({_pct(c.proportion)}), "
            f"{c.late} late, {len(c.overdue)} overdue",
            file=out,
        )
    actions = collab.overdue_actions(years[-1].end)
    print(
        f"\nActions on {years[-1].end}: {actions.open} open, {actions.overdue} overdue",
        file=out,
    )


def _spc(
    collab: Collaborative, years: Sequence[FinancialYear], out_dir: Path | None, out: TextIO
) -> XmrResult:
    months = [m for y in years for m in y.months]
    per_month: Counter[Month] = Counter()
    for event in collab.records(SharingEvent, start=years[0].start, end=years[-1].end):
        if event.audience is Audience.COLLABORATIVE:
            per_month[Month.of(event.shared_on)] += 1
    result = xmr(
        [per_month[m] for m in months],
        x=[m.label for m in months],
        improvement=ImprovementDirection.INCREASE,
    )
    special = sum(1 for p in result.points if p.label not in (None, PointLabel.COMMON_CAUSE))
    print(
        "\nLearning shared with the collaborative each month, XmR chart (Making Data Count)",
        file=out,
    )
    phase = result.phases[-1]
    print(
        f"  mean {float(phase.mean):.1f}, limits {float(phase.lower_limit):.1f} to "
        f"{float(phase.upper_limit):.1f}; {special} special-cause points; "
        f"variation icon of the last month: {result.variation.value}",
        file=out,
    )
    if out_dir is not None:
        try:
            from collab_core.charts import render_xmr  # noqa: PLC0415 - matplotlib is optional
        except ImportError:  # pragma: no cover - charts.py itself imports only lazily
            return result
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            for suffix in ("svg", "png"):
                render_xmr(
                    result,
                    out_dir / f"shared-with-collaborative.{suffix}",
                    title="Learning shared with the collaborative",
                    ylabel="items per month",
                )
            print(f"  charts: {out_dir}/shared-with-collaborative.svg and .png", file=out)
        except CollabError as exc:
            print(f"  charts not drawn: {exc}", file=out)
    return result


def _publisher_settings(name: str, out_dir: Path, smtp: str | None) -> dict[str, object] | str:
    """The settings the demo gives a publisher, or why it skips it."""
    if name == "site":
        return {"folder": str(out_dir)}
    if name == "mail":
        if not smtp:
            return f"no SMTP server is configured (set {SMTP_VARIABLE}=host:port)"
        host, _, port = smtp.rpartition(":")
        if not host or not port.isdigit():
            return f"{SMTP_VARIABLE} must look like host:port"
        return {
            "host": host,
            "port": int(port),
            "sender": "learning@collab-demo.invalid",
            "recipients": ["board@collab-demo.invalid"],
            "starttls": False,  # a local test server, and no password is sent
        }
    return {"folder": str(out_dir / name)}


def _publishers(
    collab: Collaborative, out_dir: Path, smtp: str | None, out: TextIO
) -> dict[str, Publisher]:
    made: dict[str, Publisher] = {}
    for name, spec in sorted(collab.plugins.publishers.items()):
        settings = _publisher_settings(name, out_dir, smtp)
        if isinstance(settings, str):
            print(f"  {name}: skipped: {settings}", file=out)
            continue
        try:
            made[name] = spec.create(settings)
        except ConfigurationError as exc:
            print(f"  {name}: skipped: {exc}", file=out)
    return made


def _publish(
    collab: Collaborative,
    synthetic: SyntheticCollaborative,
    out_dir: Path,
    smtp: str | None,
    out: TextIO,
) -> None:
    """Publish the last year's publications through every publisher, by way of the outbox."""
    year = synthetic.financial_years[-1]
    as_of = year.end + dt.timedelta(days=90)
    at = dt.datetime.combine(as_of, dt.time(9), tzinfo=dt.UTC)
    print(f"\nPublishing {year.label} through the outbox into {out_dir}/", file=out)
    publishers = _publishers(collab, out_dir, smtp, out)
    if not publishers:
        print("  no publisher is installed (pip install collab-site collab-board ...)", file=out)
        return
    # The same store and plugins, with the demo's publishers.
    publishing = Collaborative(collab.store, collab.plugins, publishers)
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("headline_targets", {}),
        ("lfd_dashboard", {}),
        ("learning_bulletin", {}),
        ("measure_chart", {"measure": "capability.members"}),
        ("assurance", {}),
        *[("lfd_dashboard", {"trust": t.ods_code}) for t in collab.trusts()],
    ]
    for kind, options in kinds:
        built = collab.publication(
            kind, Audience.PUBLIC, year, as_of=as_of, created_at=at, **options
        )
        publishing.publish(built)
    if "board" in publishers:
        for kind in ("lfd_dashboard", "assurance", "headline_targets"):
            built = collab.publication(kind, Audience.TRUST_BOARD, year, as_of=as_of, created_at=at)
            publishing.publish(built, to=["board"])
    report = publishing.deliver_pending()
    delivered = Counter(r.publisher for r in report.delivered)
    for name in publishers:
        where = {
            "site": f"open {out_dir / 'index.html'} in a browser",
            "mail": f"sent through {smtp}",
        }.get(name, f"in {out_dir / name}")
        print(f"  {name}: {delivered[name]} delivered; {where}", file=out)
    for entry_id, name, error in report.failed:
        print(f"  {name}: entry {entry_id} failed ({error}); it stays in the outbox", file=out)


def run(
    store: str = DEFAULT_STORE,
    *,
    trusts: int = 16,
    seed: int = 2018,
    deaths_per_trust_year: int = 250,
    out_dir: Path | None = DEFAULT_OUT,
    out: TextIO = sys.stdout,
    publish: bool = True,
    smtp: str | None = None,
) -> None:
    """Write a synthetic collaborative to ``store``, print its headline figures and, with
    ``publish``, publish them through every installed publisher into ``out_dir``.

    :param smtp: the SMTP server (``host:port``) the mail publisher sends through (default:
        the ``COLLAB_DEMO_SMTP`` environment variable; none: e-mail is skipped).
    """
    synthetic = SyntheticCollaborative(
        seed=seed, trusts=trusts, deaths_per_trust_year=deaths_per_trust_year
    )
    years = synthetic.financial_years
    _prepare(store)
    with Collaborative.open(store) as collab:
        print(
            f"collab_core demo: a synthetic collaborative of {trusts} trusts, "
            f"{years[0].label} to {years[-1].label}, in {collab.url}",
            file=out,
        )
        _load(collab, synthetic, out)
        _sharing(collab, years, out)
        _capability(collab, out)
        _dashboard(collab, years, out)
        _candour_and_actions(collab, years, out)
        _spc(collab, years, out_dir, out)
        if publish and out_dir is not None:
            _publish(collab, synthetic, out_dir, smtp or os.environ.get(SMTP_VARIABLE), out)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m collab_core.demo [--store URL] [--trusts N] ...``."""
    parser = argparse.ArgumentParser(
        prog="python -m collab_core.demo",
        description="Write a synthetic collaborative to a store and print its headline figures.",
    )
    parser.add_argument("--store", default=DEFAULT_STORE, help=f"store URL ({DEFAULT_STORE})")
    parser.add_argument("--trusts", type=int, default=16, help="member trusts (16)")
    parser.add_argument("--seed", type=int, default=2018, help="random seed (2018)")
    parser.add_argument(
        "--deaths", type=int, default=250, help="mean deaths per trust per year (250)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="folder for charts (collab-demo)"
    )
    parser.add_argument(
        "--no-charts", action="store_true", help="draw no charts and publish nothing"
    )
    parser.add_argument(
        "--no-publish", action="store_true", help="do not publish through the publishers"
    )
    parser.add_argument(
        "--smtp", default=None, help=f"SMTP server host:port for e-mail (${SMTP_VARIABLE})"
    )
    args = parser.parse_args(argv)
    if args.trusts < 1 or args.deaths < 1:
        parser.error("--trusts and --deaths must be at least 1")
    try:
        run(
            args.store,
            trusts=args.trusts,
            seed=args.seed,
            deaths_per_trust_year=args.deaths,
            out_dir=None if args.no_charts else args.out,
            publish=not args.no_publish,
            smtp=args.smtp,
        )
    except CollabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

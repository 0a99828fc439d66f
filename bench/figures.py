"""The figures over a stored collaborative (the SQLite store that ``ingest_sqlite`` wrote):
the Learning from Deaths dashboard, sharing coverage and capability growth through the public
API, against one hand-written SQL query per figure over the same tables.

Each is timed warm, the best of three runs.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._common import Stopwatch, sqlite_path, synthetic
from bench.ingest import sqlite_scenario
from collab_core import (
    Audience,
    Collaborative,
    Quarter,
    ResponseType,
    capability_growth,
    lfd_dashboard_query,
)

_ROUNDS = 3


def _best(work: Callable[[], object]) -> Stopwatch:
    rounds = []
    for _ in range(_ROUNDS):
        watch = Stopwatch()
        with watch.timing():
            work()
        rounds.append(watch)
    return min(rounds, key=lambda w: w.seconds)


def _store(size: int, workdir: Path) -> Path:
    path = sqlite_path(workdir, size)
    if not path.exists():
        sqlite_scenario(size, workdir)
    return path


def _quarters(size: int) -> list[Quarter]:
    return [Quarter(year, n) for year in synthetic(size).financial_years for n in (1, 2, 3, 4)]


# -- the Learning from Deaths dashboard -------------------------------------------------------


def dashboard_scenario(size: int, workdir: Path) -> Stopwatch:
    """``Collaborative.lfd_dashboard`` for every year, trust and quarter."""
    collab_ = synthetic(size)
    with Collaborative.open(f"sqlite:///{_store(size, workdir)}?migrate=false") as collab:
        return _best(lambda: collab.lfd_dashboard(collab_.financial_years, collab_.end))


def dashboard_floor(size: int, workdir: Path) -> Stopwatch:
    """One ``GROUP BY`` by trust and quarter: deaths in scope under each trust's policy (27.1),
    those with a case record review or investigation (27.2), and those judged more likely than
    not due to problems in care (27.3). The policies and judged values are given, as constants."""
    collab_ = synthetic(size)
    path = _store(size, workdir)
    with Collaborative.open(f"sqlite:///{path}?migrate=false") as collab:
        query = lfd_dashboard_query(list(collab.trusts()), collab_.financial_years, collab_.end)
    policies = ", ".join(
        f"('{t.code}', {int(p.inpatient)}, {p.community_contact_months or -1}, "
        f"{p.discharge_days or -1}, {int(p.route_ld_autism_to_leder)})"
        for t, p in query.policies.items()
    )
    judged = ", ".join(
        f"('{scale}', {version}, {value})"
        for (scale, version), values in query.judged_values.items()
        for value in values
    )
    counting = ", ".join(
        f"'{t.value}'" for t in ResponseType if t.counts_as_review_or_investigation
    )
    done = f"r.death_key = d.key AND r.response_type IN ({counting}) AND r.completed_on <= :as_of"
    sql = f"""
        WITH policy(trust, inpatient, months, days, leder) AS (VALUES {policies}),
             judged(scale_id, scale_version, value) AS (VALUES {judged})
        SELECT d.trust, d.quarter, count(*),
               sum(EXISTS (SELECT 1 FROM review r WHERE {done})),
               sum(EXISTS (SELECT 1 FROM review r JOIN review_score s ON s.review_key = r.key
                           WHERE {done} AND (s.scale_id, s.scale_version, s.value) IN judged))
        FROM death d JOIN policy p ON p.trust = d.trust
        WHERE d.day BETWEEN :start AND :end
          AND ((p.inpatient AND d.setting = 'inpatient') OR d.contact_months <= p.months
               OR d.discharge_days <= p.days OR (p.leder AND d.ld_autism))
        GROUP BY d.trust, d.quarter
    """
    params = {
        "as_of": query.as_of.isoformat(),
        "start": query.deaths_from.isoformat(),
        "end": query.deaths_to.isoformat(),
    }
    conn = sqlite3.connect(path)
    try:
        return _best(lambda: conn.execute(sql, params).fetchall())
    finally:
        conn.close()


# -- sharing coverage -------------------------------------------------------------------------


def coverage_scenario(size: int, workdir: Path) -> Stopwatch:
    """``Collaborative.sharing_coverage`` with the collaborative, for each of the 12 quarters."""
    quarters = _quarters(size)
    with Collaborative.open(f"sqlite:///{_store(size, workdir)}?migrate=false") as collab:
        return _best(lambda: [collab.sharing_coverage(q, Audience.COLLABORATIVE) for q in quarters])


def coverage_floor(size: int, workdir: Path) -> Stopwatch:
    """The trusts that shared with the collaborative, by month, in one query (the months are
    gathered into quarters in Python)."""
    quarters = _quarters(size)
    sql = (
        "SELECT DISTINCT trust, substr(day, 1, 7) FROM sharing "
        "WHERE audience = 'collaborative' AND day BETWEEN ? AND ?"
    )
    bounds = (quarters[0].start.isoformat(), quarters[-1].end.isoformat())
    conn = sqlite3.connect(_store(size, workdir))

    def count() -> dict[tuple[int, int], int]:
        trusts: dict[tuple[int, int], set[str]] = {}
        for trust, month in conn.execute(sql, bounds):
            year, m = int(month[:4]), int(month[5:])
            slot = (year - 1, 4) if m < 4 else (year, (m - 1) // 3)
            trusts.setdefault(slot, set()).add(trust)
        return {slot: len(codes) for slot, codes in trusts.items()}

    try:
        return _best(count)
    finally:
        conn.close()


# -- capability growth ------------------------------------------------------------------------


def capability_scenario(size: int, workdir: Path) -> Stopwatch:
    """Capability growth: ``capability_census`` at the start (the baseline) and the end, by
    level, trust and kind, and the growth target assessed on them."""
    collab_ = synthetic(size)

    def growth(collab: Collaborative) -> Any:
        baseline = collab.capability_census(collab_.start)
        current = collab.capability_census(collab_.end)
        return capability_growth(baseline, current)

    with Collaborative.open(f"sqlite:///{_store(size, workdir)}?migrate=false") as collab:
        return _best(lambda: growth(collab))


_CENSUS = """
    WITH latest AS (
        SELECT member_key,
               CASE level_fold WHEN 'learn' THEN 1 WHEN 'live' THEN 2 WHEN 'lead' THEN 3 END
                   AS rank,
               row_number() OVER (
                   PARTITION BY member_key, subject ORDER BY day DESC, key DESC) AS rn
        FROM assessment WHERE framework = '3ls' AND day <= :on),
    top AS (SELECT member_key, max(rank) AS rank FROM latest WHERE rn = 1 GROUP BY member_key)
    SELECT top.rank, m.kind, m.trust, count(*)
    FROM top JOIN member m ON m.key = top.member_key
    WHERE m.day <= :on AND (m.left_on IS NULL OR m.left_on >= :on)
    GROUP BY 1, 2, 3
"""


def capability_floor(size: int, workdir: Path) -> Stopwatch:
    """Both censuses in hand-written SQL over the same tables and derived columns: each
    member's latest level per subject on the day, their highest, counted by level, kind and
    trust (the 3 L's level names as constants, no check of the assessments)."""
    collab_ = synthetic(size)
    conn = sqlite3.connect(_store(size, workdir))
    days = (collab_.start.isoformat(), collab_.end.isoformat())
    try:
        return _best(lambda: [conn.execute(_CENSUS, {"on": d}).fetchall() for d in days])
    finally:
        conn.close()


# -- the site ---------------------------------------------------------------------------------


def site_scenario(size: int, workdir: Path) -> Stopwatch:
    """Publishing the last year's headline targets, dashboard, learning bulletin, a measure
    chart and the assurance figures of every trust for the public, through the privacy gate
    and the outbox, to the ``site`` publisher (absolute: there is no raw floor to compare)."""
    year = synthetic(size).financial_years[-1]
    at = dt.datetime(year.end.year, 7, 1, 9, 0, tzinfo=dt.UTC)
    folder = workdir / f"site-{size}"
    publishers = {"site": {"folder": str(folder), "title": "Benchmark collaborative"}}
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("headline_targets", {}),
        ("lfd_dashboard", {}),
        ("learning_bulletin", {}),
        ("measure_chart", {"measure": "capability.members"}),
        ("assurance", {}),
    ]
    watch = Stopwatch()
    url = f"sqlite:///{_store(size, workdir)}?migrate=false"
    with Collaborative.open(url, publishers=publishers) as collab, watch.timing():
        for kind, options in kinds:
            publication = collab.publication(kind, Audience.PUBLIC, year, created_at=at, **options)
            collab.publish(publication)
        report = collab.deliver_pending()
        if report.failed:
            raise RuntimeError(f"the site failed: {report.failed!r}")
    return watch

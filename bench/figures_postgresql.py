"""The Learning from Deaths dashboard on PostgreSQL, with the record tables partitioned by
financial year (the store's newest schema) and without (the newest revision before it), for
the last financial year and for every year, against one hand-written query over the same
tables.

Both stores hold the synthetic collaborative's rows, written by the ingest floor's ``COPY``
(the same rows the store writes: :func:`bench.ingest.rows_of`, and the partitioned kinds' keys
into their key tables), built once per run and analysed; each in a schema of its own in the
``collab_bench_dashboard`` database. Each figure is timed warm, the best of three runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench._common import Stopwatch, payload_batches, pg_url, synthetic
from bench.figures import _best
from bench.ingest import _columns, rows_of, with_keys
from collab_core import Collaborative, FinancialYear, ResponseType, lfd_dashboard_query
from collab_sql import SqlStore
from collab_sql.migrate import OLDEST_SERVED
from collab_sql.schema import PARTITIONED_KINDS

__all__ = ["SCENARIOS"]

Measure = Callable[[int, Path], Stopwatch]

DATABASE = "collab_bench_dashboard"
#: The newest revision without partitioning.
UNPARTITIONED = OLDEST_SERVED


def _schema(size: int, partitioned: bool) -> str:
    return f"{'partitioned' if partitioned else 'unpartitioned'}_{size}"


def _url(size: int, partitioned: bool) -> str:
    url = f"{pg_url(DATABASE)}?options=-csearch_path%3D{_schema(size, partitioned)}"
    return url if partitioned else f"{url}&revision={UNPARTITIONED}"


def _build(size: int, workdir: Path, partitioned: bool) -> str:
    """The store's URL, its schema built once per run (a marker in ``workdir`` says so)."""
    import psycopg

    url = _url(size, partitioned)
    schema = _schema(size, partitioned)
    marker = workdir / f"pg-dashboard-{schema}.built"
    if marker.exists():
        return url
    with psycopg.connect(pg_url("postgres"), autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
        if found.fetchone() is None:
            admin.execute(f"CREATE DATABASE {DATABASE}")
    with psycopg.connect(pg_url(DATABASE), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    with SqlStore.open(url) as store:
        if store.partitioned is not partitioned:
            raise RuntimeError(f"the store at {store.url} is not as asked")
    with psycopg.connect(pg_url(DATABASE), options=f"-csearch_path={schema}") as conn:
        for batch in payload_batches(workdir, size):
            tables = with_keys(rows_of(batch), PARTITIONED_KINDS if partitioned else ())
            with conn.transaction(), conn.cursor() as cur:
                for table, rows in tables.items():
                    columns = ("key",) if table.endswith("_key") else _columns(table)
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    marker.touch()
    return url


def _years(size: int, last_only: bool) -> list[FinancialYear]:
    years = list(synthetic(size).financial_years)
    return years[-1:] if last_only else years


def _scenario(size: int, workdir: Path, *, partitioned: bool, last_only: bool) -> Stopwatch:
    url = _build(size, workdir, partitioned)
    years, end = _years(size, last_only), synthetic(size).end
    with Collaborative.open(f"{url}&migrate=false") as collab:
        return _best(lambda: collab.lfd_dashboard(years, end))


def _floor(size: int, workdir: Path, *, partitioned: bool, last_only: bool) -> Stopwatch:
    """One ``GROUP BY`` by trust and quarter over the same tables: deaths in scope under each
    trust's policy (27.1), those with a case record review or investigation (27.2), and those
    judged more likely than not due to problems in care (27.3)."""
    import psycopg

    url = _build(size, workdir, partitioned)
    years, end = _years(size, last_only), synthetic(size).end
    with Collaborative.open(f"{url}&migrate=false") as collab:
        query = lfd_dashboard_query(list(collab.trusts()), years, end)
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
    # A review starts on or before it is completed: its day is bounded by as_of as well.
    done = (
        f"r.death_key = d.key AND r.response_type IN ({counting}) "
        "AND r.completed_on <= %(as_of)s AND r.day <= %(as_of)s"
    )
    sql = f"""
        WITH policy(trust, inpatient, months, days, leder) AS (VALUES {policies}),
             judged(scale_id, scale_version, value) AS (VALUES {judged})
        SELECT d.trust, d.quarter, count(*),
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM review r WHERE {done})),
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM review r JOIN review_score s ON s.review_key = r.key
                   WHERE {done}
                     AND (s.scale_id, s.scale_version, s.value) IN (SELECT * FROM judged)))
        FROM death d JOIN policy p ON p.trust = d.trust
        WHERE d.day BETWEEN %(start)s AND %(end)s
          AND ((p.inpatient = 1 AND d.setting = 'inpatient') OR d.contact_months <= p.months
               OR d.discharge_days <= p.days OR (p.leder = 1 AND d.ld_autism))
        GROUP BY d.trust, d.quarter
    """
    params = {"as_of": query.as_of, "start": query.deaths_from, "end": query.deaths_to}
    schema = _schema(size, partitioned)
    with psycopg.connect(pg_url(DATABASE), options=f"-csearch_path={schema}") as conn:
        return _best(lambda: conn.execute(sql, params).fetchall())


def _measures(partitioned: bool, last_only: bool) -> tuple[Measure, Measure]:
    def scenario(size: int, workdir: Path) -> Stopwatch:
        return _scenario(size, workdir, partitioned=partitioned, last_only=last_only)

    def floor(size: int, workdir: Path) -> Stopwatch:
        return _floor(size, workdir, partitioned=partitioned, last_only=last_only)

    return scenario, floor


#: Each scenario's name, and its measure and floor.
SCENARIOS: dict[str, tuple[Measure, Measure]] = {
    "dashboard_postgresql_year": _measures(partitioned=True, last_only=True),
    "dashboard_postgresql_year_unpartitioned": _measures(partitioned=False, last_only=True),
    "dashboard_postgresql": _measures(partitioned=True, last_only=False),
    "dashboard_postgresql_unpartitioned": _measures(partitioned=False, last_only=False),
}

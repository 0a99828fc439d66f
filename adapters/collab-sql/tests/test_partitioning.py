"""PostgreSQL's record tables partitioned by financial year (revision 0005): the partitions
exist, rows land in their year's partition and move when their day changes, upgrading from and
downgrading to the unpartitioned revision 0004 keeps every row, a query for one year reads one
partition, and a store can still be opened at revision 0004."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from collab_sql_testkit import a_death, a_review, a_sharing, a_trust, one_of_each_kind
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_core import (
    HOGAN_PREVENTABILITY,
    RCP_AVOIDABILITY,
    ConfigurationError,
    Death,
    Score,
    StoreError,
)
from collab_core.ports import record_key, spec_for
from collab_sql import SqlStore, current, downgrade, head_revision, upgrade
from collab_sql.__main__ import main
from collab_sql.schema import PARTITIONED_KINDS, RECORD_TABLES

pytestmark = pytest.mark.postgres

FIRST_YEAR, LAST_YEAR = 2010, 2039


def _at(url: str, revision: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}revision={revision}"


def _financial_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _partition_of(day: dt.date | None, kind: str = "death") -> str:
    """The partition a row of ``day`` belongs in, by the rule the migration follows."""
    if day is None or not FIRST_YEAR <= _financial_year(day) <= LAST_YEAR:
        return f"{kind}_default"
    return f"{kind}_fy{_financial_year(day)}"


def _where(store: SqlStore, kind: str, key: str) -> list[str]:
    """The partitions holding ``key``'s rows (one, unless something is wrong)."""
    with store.engine.connect() as conn:
        return list(
            conn.scalars(
                sa.text(f"SELECT tableoid::regclass::text FROM {kind} WHERE key = :k"),  # noqa: S608
                {"k": key},
            )
        )


def _everything(store: SqlStore, records: list[Any]) -> dict[str, tuple[Any, int]]:
    found: dict[str, tuple[Any, int]] = {}
    for record in records:
        got = store.get(type(record), record_key(record))
        assert got is not None
        found[record_key(record)] = (got.record, got.version)
    return found


def _records() -> list[Any]:
    death = a_death("RX2", dt.date(2018, 6, 1))
    review = a_review(
        death,
        completed_on=dt.date(2018, 9, 1),
        scores=(Score.on(HOGAN_PREVENTABILITY, 2), Score.on(RCP_AVOIDABILITY, 3)),
    )
    return [
        *one_of_each_kind(),
        a_trust("RX2"),
        death,
        review,
        a_death(died_on=dt.date(2020, 3, 31)),
        a_death(died_on=dt.date(2020, 4, 1)),
        a_sharing("RX2", shared_on=dt.date(2017, 1, 5)),
    ]


def _scores(store: SqlStore) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT review_key, position, scale_id, value FROM review_score ORDER BY 1, 2")
        )
        return [tuple(r) for r in rows]


def test_the_big_tables_are_partitioned_by_financial_year(postgres_url: str) -> None:
    with SqlStore.open(postgres_url) as store:
        assert store.partitioned
        with store.engine.connect() as conn:
            parents = conn.execute(
                sa.text(
                    "SELECT c.relname, p.partstrat FROM pg_partitioned_table p "
                    "JOIN pg_class c ON c.oid = p.partrelid "
                    "WHERE c.relnamespace = current_schema()::regnamespace ORDER BY 1"
                )
            ).all()
            assert [tuple(p) for p in parents] == [(k, "r") for k in sorted(PARTITIONED_KINDS)]
            for kind in PARTITIONED_KINDS:
                children = set(
                    conn.scalars(
                        sa.text(
                            "SELECT inhrelid::regclass::text FROM pg_inherits "
                            "WHERE inhparent = CAST(:t AS regclass)"
                        ),
                        {"t": kind},
                    )
                )
                years = {f"{kind}_fy{y}" for y in range(FIRST_YEAR, LAST_YEAR + 1)}
                assert children == {*years, f"{kind}_default"}
                bounds = conn.scalar(
                    sa.text(
                        "SELECT pg_get_expr(relpartbound, oid) FROM pg_class "
                        "WHERE oid = CAST(:t AS regclass)"
                    ),
                    {"t": f"{kind}_fy2018"},
                )
                assert bounds == "FOR VALUES FROM ('2018-04-01') TO ('2019-04-01')"
            # The partitioned kinds' own tables are not: every other kind is one table.
            kinds = set(RECORD_TABLES) - set(PARTITIONED_KINDS)
            plain = conn.scalars(
                sa.text(
                    "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname = ANY(:names) "
                    "AND relnamespace = current_schema()::regnamespace"
                ),
                {"names": sorted(kinds)},
            )
            assert set(plain) == kinds


def test_each_record_lands_in_its_financial_years_partition(postgres_url: str) -> None:
    records = _records()
    with SqlStore.open(postgres_url) as store:
        with store.unit_of_work() as unit:
            unit.put(records)
        for record in records:
            kind = spec_for(type(record)).kind
            if kind not in PARTITIONED_KINDS:
                continue
            day = RECORD_TABLES[kind]
            with store.engine.connect() as conn:
                stored_day = conn.scalar(
                    sa.select(day.c.day).where(day.c.key == record_key(record))
                )
            assert _where(store, kind, record_key(record)) == [_partition_of(stored_day, kind)]
        deaths = [r for r in records if isinstance(r, Death)]
        assert {_where(store, "death", str(d.id))[0] for d in deaths} >= {
            "death_fy2018",
            "death_fy2019",
            "death_fy2020",
        }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    day=st.one_of(
        st.none(), st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31))
    )
)
def test_any_day_or_none_is_stored_in_the_partition_of_its_financial_year(
    postgres_url: str, day: dt.date | None
) -> None:
    """Rows with no day, or a day outside the years made, go to the DEFAULT partition."""
    with (
        SqlStore.open(postgres_url) as store,
        store.engine.connect() as conn,
        conn.begin() as transaction,
    ):
        where = conn.scalar(
            sa.text(
                "INSERT INTO sharing (key, day, version, payload) "
                "VALUES ('k', :day, 1, '{}') RETURNING tableoid::regclass::text"
            ),
            {"day": day},
        )
        transaction.rollback()
    assert where == _partition_of(day, "sharing")


def test_a_record_whose_day_changes_moves_to_its_new_years_partition(postgres_url: str) -> None:
    death = a_death(died_on=dt.date(2018, 5, 1))
    review = a_review(
        death, completed_on=dt.date(2018, 6, 1), scores=(Score.on(RCP_AVOIDABILITY, 2),)
    )
    with SqlStore.open(postgres_url) as store:
        with store.unit_of_work() as unit:
            unit.put([a_trust(), death, review])
        assert _where(store, "death", str(death.id)) == ["death_fy2018"]
        later = attrs.evolve(death, died_on=dt.date(2021, 2, 1))
        moved = attrs.evolve(review, started_on=dt.date(2021, 2, 2), completed_on=None)
        with store.unit_of_work() as unit:
            assert unit.put([later, moved], expected_versions=[1, 1]) == (2, 2)
        assert _where(store, "death", str(death.id)) == ["death_fy2020"]
        assert _where(store, "review", str(review.id)) == ["review_fy2020"]
        got = store.get(Death, death.id)
        assert got is not None
        assert (got.record, got.version) == (later, 2)
        assert store.count(Death) == 1
        # The moved review's scores follow it, held by its key.
        assert _scores(store) == [(str(review.id), 0, RCP_AVOIDABILITY.id, 2)]


def test_upgrading_from_the_unpartitioned_revision_keeps_every_row_and_version(
    postgres_url: str,
) -> None:
    records = _records()
    with SqlStore.open(_at(postgres_url, "0004")) as store:
        assert not store.partitioned
        assert current(postgres_url) == "0004"
        with store.unit_of_work() as unit:
            unit.put(records)
        changed = attrs.evolve(records[-1], shared_on=dt.date(2019, 1, 5))
        with store.unit_of_work() as unit:
            unit.put([changed])
        records[-1] = changed
        before = _everything(store, records)
        scores = _scores(store)
    assert before[record_key(changed)][1] == 2
    assert upgrade(postgres_url).after == head_revision()
    with SqlStore.open(postgres_url) as store:
        assert store.partitioned
        assert _everything(store, records) == before
        assert _scores(store) == scores
        assert _where(store, "sharing", record_key(changed)) == ["sharing_fy2018"]
        with store.engine.connect() as conn:
            keys = conn.scalar(sa.text("SELECT count(*) FROM death_key"))
            assert keys == store.count(Death) == 4
        # Ids go on from where they were: the sequence was kept.
        new = a_death(died_on=dt.date(2019, 1, 1))
        with store.unit_of_work() as unit:
            unit.put([new])
        with store.engine.connect() as conn:
            ids = list(conn.scalars(sa.text("SELECT row_id FROM death ORDER BY row_id")))
        assert ids == sorted(set(ids))
        assert ids[-1] == max(ids[:-1]) + 1


def test_downgrading_to_the_unpartitioned_revision_restores_ordinary_tables_with_every_row(
    postgres_url: str,
) -> None:
    records = _records()
    with SqlStore.open(postgres_url) as store:
        with store.unit_of_work() as unit:
            unit.put(records)
        before = _everything(store, records)
        scores = _scores(store)
    result = downgrade(postgres_url, "0004")
    assert (result.before, result.after) == (head_revision(), "0004")
    with SqlStore.open(_at(postgres_url, "0004")) as store:
        assert not store.partitioned
        assert _everything(store, records) == before
        assert _scores(store) == scores
        with store.engine.connect() as conn:
            kinds = conn.execute(
                sa.text(
                    "SELECT relname, relkind FROM pg_class WHERE relname = ANY(:names) "
                    "AND relnamespace = current_schema()::regnamespace ORDER BY 1"
                ),
                {"names": [*PARTITIONED_KINDS, *(f"{k}_key" for k in PARTITIONED_KINDS)]},
            ).all()
            assert [tuple(k) for k in kinds] == [(k, "r") for k in sorted(PARTITIONED_KINDS)]
            unique = conn.scalar(
                sa.text(
                    "SELECT indisunique FROM pg_index WHERE indexrelid = 'uq_death_key'::regclass"
                )
            )
            assert unique is True
        # An unpartitioned store still writes and refuses a second row per key.
        with store.unit_of_work() as unit:
            assert unit.put([attrs.evolve(records[-2], age=71)]) == (2,)
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO death (key, version, payload) "
                    "SELECT key, 1, '{}' FROM death LIMIT 1"
                )
            )
    assert upgrade(postgres_url).after == head_revision()
    with SqlStore.open(postgres_url) as store:
        assert store.partitioned
        assert set(_everything(store, records)) == {record_key(r) for r in records}


def _plan(store: SqlStore, start: dt.date, end: dt.date) -> str:
    table = RECORD_TABLES["death"]
    stmt = sa.select(sa.func.count()).select_from(table).where(table.c.day.between(start, end))
    compiled = stmt.compile(store.engine, compile_kwargs={"literal_binds": True})
    with store.engine.connect() as conn:
        return "\n".join(conn.scalars(sa.text(f"EXPLAIN {compiled}")))


def test_a_query_for_one_financial_year_reads_only_that_years_partition(postgres_url: str) -> None:
    with SqlStore.open(postgres_url) as store:
        with store.unit_of_work() as unit:
            unit.put([a_death(died_on=dt.date(y, 6, 1)) for y in range(2016, 2022)])
        plan = _plan(store, dt.date(2019, 4, 1), dt.date(2020, 3, 31))
        assert "death_fy2019" in plan
        others = {f"death_fy{y}" for y in range(FIRST_YEAR, LAST_YEAR + 1)} - {"death_fy2019"}
        assert not [name for name in [*others, "death_default"] if name in plan], plan
        both = _plan(store, dt.date(2018, 4, 1), dt.date(2020, 3, 31))
        assert "death_fy2018" in both
        assert "death_fy2019" in both
        assert "death_fy2020" not in both


def test_opening_at_a_revision_it_cannot_serve_or_older_than_the_database_is_refused(
    postgres_url: str,
) -> None:
    with pytest.raises(ConfigurationError, match="revision is one of 0004, 0005"):
        SqlStore.open(_at(postgres_url, "0002"))
    upgrade(postgres_url)
    with pytest.raises(StoreError, match=r"newer than the '0004' asked for.*downgrade"):
        SqlStore.open(_at(postgres_url, "0004"))
    downgrade(postgres_url, "0004")
    with pytest.raises(StoreError, match="older than '0005': upgrade it"):
        downgrade(postgres_url, "0005")
    with SqlStore.open(_at(postgres_url, "0004"), migrate=False) as store:
        assert not store.partitioned
    with pytest.raises(StoreError, match="revision '0004'"):
        SqlStore.open(postgres_url, migrate=False)


def test_the_downgrade_command_migrates_back_to_the_unpartitioned_revision(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["upgrade", postgres_url]) == 0
    capsys.readouterr()
    assert main(["downgrade", postgres_url, "--to", "0004"]) == 0
    assert "downgraded from 0005 to 0004" in capsys.readouterr().out
    assert main(["downgrade", postgres_url, "--to", "0004"]) == 0
    assert "already at 0004" in capsys.readouterr().out
    assert main(["downgrade", postgres_url, "--to", "0099"]) == 1
    assert "'0099' is not a schema revision" in capsys.readouterr().err
    assert current(postgres_url) == "0004"


def test_the_key_look_up_probes_the_key_index_and_leaves_the_session_setting_as_it_was(
    postgres_url: str,
) -> None:
    """Looking up a batch's keys in a key table turns whole scans off for that statement only
    (a narrow table with statistics lagging a bulk load would otherwise be scanned per batch),
    then puts the planner setting back as the unit found it."""
    from collab_sql import _rows
    from collab_sql.schema import KEY_TABLES

    death = a_death(died_on=dt.date(2018, 5, 1))
    with SqlStore.open(postgres_url) as store:
        with store.unit_of_work() as unit:
            unit.put([a_trust(), death])
        with store.engine.begin() as conn:
            for setting in ("on", "off"):
                conn.exec_driver_sql(f"SET LOCAL enable_seqscan = {setting}")
                found = _rows._stored(
                    conn, RECORD_TABLES["death"], [str(death.id)], KEY_TABLES["death"]
                )
                assert list(found) == [str(death.id)]
                assert conn.exec_driver_sql("SHOW enable_seqscan").scalar() == setting

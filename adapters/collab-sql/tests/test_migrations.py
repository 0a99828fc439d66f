"""Migrations: a new database is built at the head revision, an older one is upgraded on open
with its rows intact and its derived columns backfilled, and the command line upgrades and
reports revisions."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import uuid
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from collab_sql_testkit import a_death, a_review, a_sharing, one_of_each_kind

import collab_core
from collab_core import (
    HOGAN_PREVENTABILITY,
    RCP_AVOIDABILITY,
    THREE_LS,
    Audience,
    DeathSetting,
    OdsCode,
    ScopePolicy,
    Score,
    StoreError,
)
from collab_core.ports import (
    CapabilityQuery,
    LfdQuery,
    OutboxEntry,
    OutboxStatus,
    Publication,
    capability_facts,
    lfd_facts,
    record_key,
    spec_for,
)
from collab_sql import SqlStore, current, head_revision, upgrade
from collab_sql.__main__ import main
from collab_sql._derived import DERIVED
from collab_sql.migrate import known_revisions
from collab_sql.schema import (
    KEY_TABLES,
    PARTITIONED_KINDS,
    RECORD_TABLES,
    REVIEW_SCORE,
    VERSION_TABLE,
    key_metadata,
    metadata,
)

KEY_TABLE_NAMES = [t.name for t in KEY_TABLES.values()]


def _engine(url: str) -> sa.Engine:
    from collab_sql._engine import create_engine
    from collab_sql._url import parse_store_url

    return create_engine(parse_store_url(url))


def test_a_new_database_is_built_at_the_newest_revision(store_url: str) -> None:
    assert current(store_url) is None
    with SqlStore.open(store_url):
        pass
    assert current(store_url) == head_revision()
    assert known_revisions() == ["0001", "0002", "0003", "0004", "0005"]


def _partition_name(name: str | None, type_: str, _parent: object) -> bool:
    """Leave out each partition of a partitioned table (``death_fy2018``, ``death_default``):
    the tables the code uses are their parents."""
    return not (type_ == "table" and re.fullmatch(r"[a-z_]+_(fy\d{4}|default)", name or ""))


def _differences(url: str) -> list[tuple[str, str]]:
    """What Alembic finds between the database at ``url`` and the code's tables, as
    (operation, name) pairs; on PostgreSQL the key tables count among the code's tables."""
    engine = _engine(url)
    wanted = [metadata, key_metadata] if engine.dialect.name == "postgresql" else metadata
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "version_table": VERSION_TABLE,
                    "compare_type": True,
                    "include_name": _partition_name,
                },
            )
            differences = compare_metadata(context, wanted)
    finally:
        engine.dispose()
    found = []
    for diff in differences:
        op, thing = diff[0], diff[1]
        found.append((op, str(getattr(thing, "name", thing))))
    return sorted(found)


def test_the_migrations_build_exactly_the_schema_the_code_uses(store_url: str) -> None:
    upgrade(store_url)
    expected: list[tuple[str, str]] = []
    if store_url.startswith("postgresql"):
        # Partitioned by year: each table's unique key is (key, day) and its key table holds
        # the one-row-per-key rule; the review scores' foreign key points at review_key.
        expected = sorted(
            [
                *(
                    (op, f"uq_{kind}_{cols}")
                    for kind in PARTITIONED_KINDS
                    for op, cols in (("add_index", "key"), ("remove_index", "key_day"))
                ),
                ("add_fk", "fk_review_score_review"),
                ("remove_fk", "fk_review_score_review"),
            ]
        )
    assert _differences(store_url) == expected


@pytest.mark.postgres
def test_an_unpartitioned_postgresql_schema_is_exactly_the_schema_the_code_uses(
    postgres_url: str,
) -> None:
    upgrade(postgres_url, "0004")
    assert [d for d in _differences(postgres_url) if d[1] not in KEY_TABLE_NAMES] == []
    assert _differences(postgres_url) == sorted(("add_table", n) for n in KEY_TABLE_NAMES)


def _insert_at_revision_one(url: str, records: list[Any]) -> None:
    """Write rows as collab-sql at revision 0001 did: key, trust, day, version, payload."""
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            for record in records:
                spec = spec_for(type(record))
                trust = spec.trust(record)
                table = sa.table(
                    spec.kind,
                    sa.column("key", sa.String),
                    sa.column("trust", sa.String),
                    sa.column("day", sa.Date),
                    sa.column("version", sa.Integer),
                    sa.column("payload", sa.Text),
                )
                conn.execute(
                    sa.insert(table).values(
                        key=record_key(record),
                        trust=None if trust is None else trust.code,
                        day=spec.day(record),
                        version=3,
                        payload=collab_core.to_json(record),
                    )
                )
    finally:
        engine.dispose()


def test_a_database_at_the_previous_revision_is_upgraded_on_open_with_rows_intact_and_backfilled(
    store_url: str,
) -> None:
    assert upgrade(store_url, "0001").after == "0001"
    community = a_death(
        "RX2",
        dt.date(2019, 8, 31),
        setting=DeathSetting.COMMUNITY,
        age=70,
        last_contact_on=dt.date(2019, 3, 1),
        learning_disability=True,
    )
    review = a_review(
        community,
        completed_on=dt.date(2019, 10, 1),
        scores=(Score.on(HOGAN_PREVENTABILITY, 2), Score.on(RCP_AVOIDABILITY, 3)),
    )
    records = [*one_of_each_kind(), community, review, a_sharing("RX2")]
    _insert_at_revision_one(store_url, records)

    with SqlStore.open(store_url) as store:
        assert current(store_url) == head_revision()
        for record in records:
            got = store.get(type(record), record_key(record))
            assert got is not None
            assert (got.record, got.version) == (record, 3)
        with store.engine.connect() as conn:
            for record in records:
                kind = spec_for(type(record)).kind
                if kind not in DERIVED:
                    continue
                table = RECORD_TABLES[kind]
                row = conn.execute(sa.select(table).where(table.c.key == record_key(record))).one()
                for name, value in DERIVED[kind](record).items():
                    assert row._mapping[name] == value, (kind, name)
            scores = conn.execute(
                sa.select(REVIEW_SCORE.c.scale_id, REVIEW_SCORE.c.value)
                .where(REVIEW_SCORE.c.review_key == str(review.id))
                .order_by(REVIEW_SCORE.c.position)
            ).all()
        assert [tuple(s) for s in scores] == [
            (HOGAN_PREVENTABILITY.id, 2),
            (RCP_AVOIDABILITY.id, 3),
        ]
        query = LfdQuery(
            as_of=dt.date(2020, 3, 31),
            deaths_from=dt.date(2019, 4, 1),
            deaths_to=dt.date(2020, 3, 31),
            policies={OdsCode("RH8"): ScopePolicy(), OdsCode("RX2"): ScopePolicy()},
        )
        deaths = [r for r in records if spec_for(type(r)).kind == "death"]
        reviews = [r for r in records if spec_for(type(r)).kind == "review"]
        assert store.lfd_facts(query) == lfd_facts(deaths, reviews, query)
        assert any(f.judged for f in store.lfd_facts(query))
        members = [r for r in records if spec_for(type(r)).kind == "member"]
        assessments = [r for r in records if spec_for(type(r)).kind == "assessment"]
        assert members
        assert assessments
        for on in (dt.date(2016, 4, 1), dt.date(2019, 3, 31), dt.date(2030, 1, 1)):
            census = CapabilityQuery(on, THREE_LS)
            assert store.capability_facts(census) == capability_facts(members, assessments, census)


def _outbox_row_at_revision_two(entry: OutboxEntry) -> dict[str, Any]:
    p = entry.publication
    return {
        "id": str(entry.id),
        "publisher": entry.publisher,
        "status": entry.status.value,
        "attempts": entry.attempts,
        "last_error": entry.last_error,
        "updated_at": None,
        "publication_id": str(p.id),
        "publication_kind": p.kind,
        "audience": p.audience.value,
        "title": p.title,
        "body": json.dumps(dict(p.body)),
        # As revision 0002 stored it on SQLite (PostgreSQL takes the datetime itself).
        "created_at": p.created_at.isoformat(timespec="microseconds"),
    }


def test_outbox_rows_queued_before_keys_read_back_keyed_and_are_not_queued_again(
    store_url: str,
) -> None:
    upgrade(store_url, "0002")
    made = dt.datetime(2019, 1, 15, 9, 30, tzinfo=dt.UTC)
    publication = Publication(
        uuid.uuid4(), "note", Audience.TRUST_BOARD, "Board note", {"n": 1}, made
    )
    other = attrs.evolve(publication, id=uuid.uuid4(), title="Another note")
    first = OutboxEntry(uuid.uuid4(), "site", publication, OutboxStatus.FAILED, 2, "refused")
    again = OutboxEntry(uuid.uuid4(), "site", attrs.evolve(publication, id=uuid.uuid4()))
    third = OutboxEntry(uuid.uuid4(), "site", other)
    engine = _engine(store_url)
    outbox = sa.table("outbox", *(sa.column(c) for c in _outbox_row_at_revision_two(first)))
    with engine.begin() as conn:
        for entry in (first, again, third):
            row = _outbox_row_at_revision_two(entry)
            if engine.dialect.name == "postgresql":
                row["created_at"] = made
            conn.execute(outbox.insert().values(**row))
    engine.dispose()
    with SqlStore.open(store_url) as store:
        assert current(store_url) == head_revision()
        held = store.outbox(status=None)
        # Every row reads back, the duplicate too, each keyed by its content and publisher.
        assert [e.id for e in held] == [first.id, again.id, third.id]
        assert [e.key for e in held] == [first.key, first.key, third.key]
        assert (held[0].status, held[0].attempts, held[0].last_error) == (
            OutboxStatus.FAILED,
            2,
            "refused",
        )
        with store.unit_of_work() as unit:
            unit.enqueue([OutboxEntry(uuid.uuid4(), "site", publication)])
        assert len(store.outbox(status=None)) == 3


def test_a_row_that_does_not_decode_survives_the_backfill_and_is_reported_when_read(
    store_url: str,
) -> None:
    upgrade(store_url, "0001")
    death = a_death()
    _insert_at_revision_one(store_url, [death])
    engine = _engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE death SET payload = '{\"garbled\": true}'"))
    engine.dispose()
    with SqlStore.open(store_url) as store:
        with pytest.raises(collab_core.CorruptRecordError, match="death"):
            store.get(type(death), death.id)
        query = LfdQuery(
            as_of=dt.date(2020, 3, 31),
            deaths_from=dt.date(2019, 4, 1),
            deaths_to=dt.date(2020, 3, 31),
            policies={OdsCode("RH8"): ScopePolicy()},
        )
        with pytest.raises(collab_core.CorruptRecordError, match=str(death.id)):
            store.lfd_facts(query)


def test_opening_without_migrations_refuses_a_database_that_is_behind(store_url: str) -> None:
    with pytest.raises(StoreError, match=r"no collab-sql schema.*upgrade"):
        SqlStore.open(store_url, migrate=False)
    upgrade(store_url, "0001")
    separator = "&" if "?" in store_url else "?"
    with pytest.raises(StoreError, match="revision '0001'"):
        SqlStore.open(f"{store_url}{separator}migrate=false")
    assert current(store_url) == "0001"
    upgrade(store_url)
    with SqlStore.open(store_url, migrate=False) as store:
        assert store.count(type(a_death())) == 0


def test_a_database_from_a_newer_collab_sql_is_refused_clearly(store_url: str) -> None:
    upgrade(store_url)
    engine = _engine(store_url)
    with engine.begin() as conn:
        conn.execute(
            sa.table(VERSION_TABLE, sa.column("version_num")).update().values(version_num="0099")
        )
    engine.dispose()
    with pytest.raises(StoreError, match=r"'0099'.*newer collab-sql"):
        SqlStore.open(store_url)
    with pytest.raises(StoreError, match="newer collab-sql"):
        upgrade(store_url)


def test_downgrading_to_the_first_revision_and_back_keeps_the_rows(store_url: str) -> None:
    from alembic import command

    from collab_sql.migrate import _config

    death = a_death()
    with SqlStore.open(store_url) as store, store.unit_of_work() as unit:
        unit.put([death])
    engine = _engine(store_url)
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0001")
    engine.dispose()
    assert current(store_url) == "0001"
    with SqlStore.open(store_url) as store:
        got = store.get(type(death), death.id)
        assert got is not None
        assert got.record == death


def test_the_upgrade_command_upgrades_and_current_shows_the_revision(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["current", store_url]) == 0
    assert "none" in capsys.readouterr().out
    assert main(["upgrade", store_url, "--to", "0001"]) == 0
    assert "upgraded from none to 0001" in capsys.readouterr().out
    assert main(["upgrade", store_url]) == 0
    assert "upgraded from 0001 to 0005" in capsys.readouterr().out
    assert main(["upgrade", store_url]) == 0
    assert "already at 0005" in capsys.readouterr().out
    assert main(["current", store_url]) == 0
    assert capsys.readouterr().out.strip() == "0005 (head)"
    assert main(["heads"]) == 0
    assert capsys.readouterr().out.split() == ["0001", "0002", "0003", "0004", "0005"]


def test_the_command_reports_a_bad_url_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["upgrade", "mysql://someone:hunter2@db/collab"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: url:")
    assert "hunter2" not in err


def test_python_dash_m_collab_sql_runs_the_command(sqlite_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "collab_sql", "upgrade", sqlite_url],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "to 0005" in done.stdout


def test_the_plugin_offers_its_migrations_to_collab_upgrade(sqlite_url: str) -> None:
    with collab_core.Collaborative.open("memory://") as collab:
        spec = collab.plugins.store_spec("sqlite")
    assert spec is not None
    assert spec.upgrade is not None
    first = spec.upgrade(sqlite_url)
    assert (first.before, first.after, first.changed) == (None, head_revision(), True)
    again = spec.upgrade(sqlite_url)
    assert (again.before, again.after, again.changed) == (head_revision(), head_revision(), False)
    assert current(sqlite_url) == head_revision()

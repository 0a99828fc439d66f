"""The SQL store's own behaviour on both engines: round trips, versions, units of work,
streaming, batching, the outbox, and corrupt rows."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from collab_sql_testkit import a_death, a_review, a_trust, one_of_each_kind
from sqlalchemy import event

from collab_core import (
    Audience,
    ConcurrencyError,
    CorruptRecordError,
    Death,
    DomainValidationError,
    OdsCode,
    RecordNotFoundError,
    Review,
    StoreError,
    Trust,
)
from collab_core.ports import (
    Capability,
    OutboxEntry,
    OutboxStatus,
    Publication,
    Store,
    record_key,
    spec_for,
)
from collab_sql import SqlStore
from collab_sql.schema import RECORD_TABLES, REVIEW_SCORE


@contextmanager
def statements(store: SqlStore) -> Iterator[list[tuple[str, bool]]]:
    """Every SQL statement the store sends while the block runs, with its executemany flag."""
    seen: list[tuple[str, bool]] = []

    def _record(_conn: Any, _cursor: Any, sql: str, _params: Any, _ctx: Any, many: bool) -> None:
        seen.append((sql, many))

    event.listen(store.engine, "before_cursor_execute", _record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", _record)


def test_the_store_meets_the_store_protocol(store: SqlStore) -> None:
    assert isinstance(store, Store)
    assert {Capability.PERSISTENT, Capability.NATIVE_AGGREGATES, Capability.OUTBOX} <= (
        store.capabilities
    )
    assert (Capability.CONCURRENT_WRITERS in store.capabilities) == (store.backend == "postgresql")


def test_every_kind_of_record_comes_back_equal_at_version_one(store: SqlStore) -> None:
    records = one_of_each_kind()
    with store.unit_of_work() as unit:
        assert unit.put(records) == (1,) * len(records)
    for record in records:
        got = store.get(type(record), record_key(record))
        assert got is not None
        assert got.record == record
        assert got.version == 1


def test_putting_an_equal_record_keeps_its_version_and_a_changed_one_goes_up_by_one(
    store: SqlStore,
) -> None:
    death = a_death()
    with store.unit_of_work() as unit:
        unit.put([death])
    with store.unit_of_work() as unit:
        assert unit.put([death]) == (1,)
        assert unit.put([attrs.evolve(death, age=41)]) == (2,)
        assert unit.put([attrs.evolve(death, age=41)]) == (2,)
    got = store.get(Death, death.id)
    assert got is not None
    assert (got.record.age, got.version) == (41, 2)


def test_a_record_put_twice_in_one_call_ends_at_its_last_state(store: SqlStore) -> None:
    death = a_death()
    older = attrs.evolve(death, age=30)
    with store.unit_of_work() as unit:
        assert unit.put([older, death, death]) == (1, 2, 2)
    got = store.get(Death, death.id)
    assert got is not None
    assert (got.record, got.version) == (death, 2)


def test_a_stale_expected_version_fails_the_whole_unit(store: SqlStore) -> None:
    death, other = a_death(), a_death()
    with store.unit_of_work() as unit:
        unit.put([death])

    def stale_unit() -> None:
        with store.unit_of_work() as unit:
            unit.put([other])
            unit.put([attrs.evolve(death, age=50)], expected_versions=[3])

    with pytest.raises(ConcurrencyError) as caught:
        stale_unit()
    assert (caught.value.expected, caught.value.actual) == (3, 1)
    assert store.get(Death, other.id) is None
    got = store.get(Death, death.id)
    assert got is not None
    assert got.version == 1


def test_expected_version_zero_means_the_record_must_be_new(store: SqlStore) -> None:
    death = a_death()
    with store.unit_of_work() as unit:
        assert unit.put([death], expected_versions=[0]) == (1,)
    with pytest.raises(ConcurrencyError), store.unit_of_work() as unit:
        unit.put([death], expected_versions=[0])
    with store.unit_of_work() as unit:
        assert unit.put([attrs.evolve(death, age=3)], expected_versions=[1]) == (2,)


def test_expected_versions_need_one_entry_per_record(store: SqlStore) -> None:
    with pytest.raises(DomainValidationError, match="expected_versions"), store.unit_of_work() as u:
        u.put([a_death(), a_death()], expected_versions=[None])


def test_an_exception_inside_a_unit_rolls_everything_back(store: SqlStore) -> None:
    death = a_death()

    def failing_unit() -> None:
        with store.unit_of_work() as unit:
            unit.put([death])
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_unit()
    assert store.get(Death, death.id) is None


def test_rollback_discards_the_writes_so_far_and_the_unit_goes_on(store: SqlStore) -> None:
    dropped, kept = a_death(), a_death()
    with store.unit_of_work() as unit:
        unit.put([dropped])
        unit.rollback()
        assert unit.get(Death, dropped.id) is None
        unit.put([kept])
    assert store.get(Death, dropped.id) is None
    assert store.get(Death, kept.id) is not None


def test_a_unit_sees_its_own_writes_and_others_see_them_only_after_commit(
    store: SqlStore,
) -> None:
    death = a_death()
    with store.unit_of_work() as unit:
        unit.put([death])
        mine = unit.get(Death, death.id)
        assert mine is not None
        assert mine.record == death
        assert store.get(Death, death.id) is None
    assert store.get(Death, death.id) is not None


def test_a_finished_unit_refuses_more_work(store: SqlStore) -> None:
    with store.unit_of_work() as unit:
        pass
    with pytest.raises(StoreError, match="unit of work is over"):
        unit.put([a_death()])


def test_data_survives_closing_and_reopening(open_sql_store: Callable[[], SqlStore]) -> None:
    first = open_sql_store()
    records = one_of_each_kind()
    with first.unit_of_work() as unit:
        unit.put(records)
    first.close()
    first.close()  # closing twice is harmless
    with pytest.raises(StoreError, match="closed"):
        first.get(Death, records[2].id)
    again = open_sql_store()
    back = [again.get(type(r), record_key(r)) for r in records]
    assert [(v.record, v.version) if v else None for v in back] == [(r, 1) for r in records]


def test_keys_are_stored_as_canonical_uuid_text_and_ods_codes(store: SqlStore) -> None:
    death, trust = a_death(), a_trust("R1L")
    with store.unit_of_work() as unit:
        unit.put([death, trust])
    with store.engine.connect() as conn:
        keys = set(conn.scalars(sa.select(RECORD_TABLES["death"].c.key)))
        codes = set(conn.scalars(sa.select(RECORD_TABLES["trust"].c.key)))
    assert keys == {str(death.id)}
    assert codes == {"R1L"}
    assert store.get(Trust, OdsCode("R1L")) is not None
    assert store.get(Trust, "R1L") is not None
    assert store.get(Death, str(death.id)) is not None


def test_scan_streams_in_key_order_in_batches_of_the_asked_size(store: SqlStore) -> None:
    deaths = [a_death(died_on=dt.date(2019, 4, 1) + dt.timedelta(days=i)) for i in range(10)]
    with store.unit_of_work() as unit:
        unit.put(deaths[::-1])
    with statements(store) as seen:
        scanned = [v.record for v in store.scan(Death, batch_size=3)]
    assert scanned == sorted(deaths, key=lambda d: str(d.id))
    selects = [sql for sql, _ in seen if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4  # 3 + 3 + 3 + 1, each with its own LIMIT
    assert all("LIMIT" in sql.upper() for sql in selects)


def test_scan_filters_by_trust_and_inclusive_days_and_count_agrees(store: SqlStore) -> None:
    days = [dt.date(2019, 4, 1) + dt.timedelta(days=i) for i in range(6)]
    deaths = [a_death(trust, day) for trust in ("RH8", "RX2") for day in days]
    with store.unit_of_work() as unit:
        unit.put(deaths)
    start, end = days[1], days[4]
    want = {d.id for d in deaths if d.trust == OdsCode("RX2") and start <= d.died_on <= end}
    got = {v.record.id for v in store.scan(Death, trust=OdsCode("RX2"), start=start, end=end)}
    assert got == want
    assert store.count(Death, trust=OdsCode("RX2"), start=start, end=end) == len(want)
    assert store.count(Death) == len(deaths)
    assert store.count(Death, start=days[5]) == 2
    assert store.count(Review) == 0


def test_scan_refuses_a_batch_size_below_one(store: SqlStore) -> None:
    with pytest.raises(DomainValidationError, match="batch_size"):
        store.scan(Death, batch_size=0)


def test_bulk_writes_go_through_executemany_not_a_statement_per_record(store: SqlStore) -> None:
    deaths = [a_death() for _ in range(300)]
    reviews = [a_review(d) for d in deaths]
    with store.unit_of_work() as unit:
        unit.put(deaths)
    changed = [attrs.evolve(d, age=70) for d in deaths]
    with statements(store) as seen, store.unit_of_work() as unit:
        unit.put([*changed, *reviews])
    writes = [
        (sql, many) for sql, many in seen if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    # A statement per kind and kind of write, never one per record.
    assert len(writes) < 10
    assert store.count(Review) == 300
    got = store.get(Death, deaths[-1].id)
    assert got is not None
    assert got.version == 2


def test_review_scores_follow_the_review_through_changes(store: SqlStore) -> None:
    from collab_core import HOGAN_PREVENTABILITY, RCP_AVOIDABILITY, Score

    death = a_death()
    review = a_review(
        death, scores=(Score.on(RCP_AVOIDABILITY, 2), Score.on(HOGAN_PREVENTABILITY, 5))
    )
    with store.unit_of_work() as unit:
        unit.put([review])
        unit.put([attrs.evolve(review, scores=(Score.on(HOGAN_PREVENTABILITY, 1),))])
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(REVIEW_SCORE.c.position, REVIEW_SCORE.c.scale_id, REVIEW_SCORE.c.value)
        ).all()
    assert [tuple(r) for r in rows] == [(0, HOGAN_PREVENTABILITY.id, 1)]


def _publication(title: str, created_at: dt.datetime) -> Publication:
    return Publication(uuid.uuid4(), "learning", Audience.STAFF, title, {"n": [1, 2]}, created_at)


def test_the_outbox_keeps_entries_oldest_first_until_delivered(store: SqlStore) -> None:
    # Aware datetimes in two zones come back equal (and in UTC) on both engines.
    bst = dt.timezone(dt.timedelta(hours=1))
    created = dt.datetime(2019, 7, 1, 9, 30, 15, 123456, tzinfo=bst)
    entries = [
        OutboxEntry(uuid.uuid4(), publisher, _publication(f"t{i}", created))
        for i, publisher in enumerate(["site", "board", "site"])
    ]
    with store.unit_of_work() as unit:
        unit.enqueue(entries)
    assert store.outbox() == entries
    assert store.outbox(publisher="site") == [entries[0], entries[2]]
    at = dt.datetime(2019, 7, 2, 8, 0, tzinfo=dt.UTC)
    with store.unit_of_work() as unit:
        unit.mark_delivered([entries[0].id], at)
        unit.mark_failed(entries[1].id, "SMTP 451", at)
    assert store.outbox() == [entries[2]]
    (delivered,) = store.outbox(status=OutboxStatus.DELIVERED)
    assert delivered == attrs.evolve(entries[0], status=OutboxStatus.DELIVERED, updated_at=at)
    assert delivered.updated_at is not None
    assert delivered.updated_at.utcoffset() == dt.timedelta(0)
    assert delivered.publication.created_at == created
    (failed,) = store.outbox(status=OutboxStatus.FAILED)
    assert (failed.attempts, failed.last_error) == (1, "SMTP 451")
    assert len(store.outbox(status=None)) == 3


def test_the_outbox_refuses_unknown_entries_and_keeps_the_first_of_a_duplicate(
    store: SqlStore,
) -> None:
    at = dt.datetime(2019, 7, 2, tzinfo=dt.UTC)
    entry = OutboxEntry(uuid.uuid4(), "site", _publication("t", at))
    with pytest.raises(RecordNotFoundError), store.unit_of_work() as unit:
        unit.mark_delivered([uuid.uuid4()], at)
    with store.unit_of_work() as unit:
        unit.enqueue([entry])
    with store.unit_of_work() as unit:
        unit.enqueue([attrs.evolve(entry, publisher="board"), entry])
    assert store.outbox() == [entry]
    with pytest.raises(DomainValidationError, match="timezone-aware"), store.unit_of_work() as u:
        u.mark_failed(entry.id, "x", dt.datetime(2019, 7, 2))


def _overwrite_payload(store: SqlStore, kind: str, key: str, payload: str) -> None:
    table = RECORD_TABLES[kind]
    with store.engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.key == key).values(payload=payload))


@pytest.mark.parametrize(
    "payload",
    [
        "{not json",
        '{"id": "not-a-uuid"}',
        '{"schema_version": 999, "written_by": "another tool"}',
        "[]",
    ],
    ids=["not-json", "bad-field", "foreign", "wrong-shape"],
)
def test_a_row_that_does_not_structure_is_reported_as_corrupt_with_table_and_id(
    store: SqlStore, payload: str
) -> None:
    death = a_death()
    with store.unit_of_work() as unit:
        unit.put([death, a_death()])
    _overwrite_payload(store, "death", str(death.id), payload)
    with pytest.raises(CorruptRecordError) as caught:
        store.get(Death, death.id)
    assert caught.value.table == "death"
    assert caught.value.record_id == str(death.id)
    assert caught.value.problems
    assert str(death.id) in str(caught.value)
    with pytest.raises(CorruptRecordError):
        list(store.scan(Death))


def test_a_row_filed_under_another_key_is_corrupt(store: SqlStore) -> None:
    import collab_core

    death, other = a_death(), a_death()
    with store.unit_of_work() as unit:
        unit.put([death])
    _overwrite_payload(store, "death", str(death.id), collab_core.to_json(other))
    with pytest.raises(CorruptRecordError, match="another key"):
        store.get(Death, death.id)


def test_a_corrupt_row_can_be_repaired_by_putting_the_record_again(store: SqlStore) -> None:
    death = a_death()
    with store.unit_of_work() as unit:
        unit.put([death])
    _overwrite_payload(store, "death", str(death.id), "{}")
    with store.unit_of_work() as unit:
        assert unit.put([death]) == (2,)
    got = store.get(Death, death.id)
    assert got is not None
    assert got.record == death


def test_records_of_kinds_without_a_trust_never_match_a_trust_filter(store: SqlStore) -> None:
    records = one_of_each_kind()
    with store.unit_of_work() as unit:
        unit.put(records)
    for record in records:
        spec = spec_for(type(record))
        expected = 1 if spec.trust(record) == OdsCode("RH8") else 0
        assert store.count(type(record), trust=OdsCode("RH8")) == expected

"""What the memory store adds to the kit's rules: names and URLs, threads, commit-time
conflicts between units, and private copies of outbox bodies."""

from __future__ import annotations

import datetime as dt
import string
import threading
import uuid
from collections.abc import Iterator

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core import (
    Audience,
    ConcurrencyError,
    ConfigurationError,
    MemoryStore,
    OdsCode,
    StoreError,
    Trust,
)
from collab_core.ports import (
    Capability,
    OutboxEntry,
    Publication,
    redact_url,
    scrub_url_secrets,
)


def _trust(code: str = "RH8", name: str = "Trust") -> Trust:
    return Trust(OdsCode(code), name, dt.date(2018, 4, 1))


@pytest.fixture
def name() -> Iterator[str]:
    unique = f"unit-{uuid.uuid4()}"
    yield unique
    MemoryStore.drop(unique)


def test_a_named_store_is_shared_within_the_process(name: str) -> None:
    one = MemoryStore(name)
    with one.unit_of_work() as uow:
        uow.put([_trust()])
    other = MemoryStore.open(f"memory://{name}")
    assert other.get(Trust, "RH8") is not None
    assert other.url == f"memory://{name}"
    assert Capability.REOPENABLE in other.capabilities
    assert Capability.PERSISTENT not in other.capabilities


def test_dropping_a_name_forgets_its_data_for_later_openings(name: str) -> None:
    with MemoryStore(name).unit_of_work() as uow:
        uow.put([_trust()])
    MemoryStore.drop(name)
    assert MemoryStore(name).count(Trust) == 0


def test_a_private_store_is_new_at_every_opening() -> None:
    first = MemoryStore.open("memory://")
    with first.unit_of_work() as uow:
        uow.put([_trust()])
    assert MemoryStore.open("memory://").count(Trust) == 0
    assert first.url == "memory://"
    assert Capability.REOPENABLE not in first.capabilities


@pytest.mark.parametrize("url", ["sqlite:///x.db", "memory:x", "memory://a/b"])
def test_a_url_that_is_not_a_memory_url_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        MemoryStore.open(url)


def test_a_closed_store_refuses_to_work() -> None:
    store = MemoryStore()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count(Trust)
    with pytest.raises(StoreError, match="closed"):
        store.unit_of_work()


def test_a_unit_of_work_is_used_only_inside_its_block() -> None:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        pass
    with pytest.raises(StoreError, match="not open"):
        uow.put([_trust()])


def test_a_commit_over_a_record_changed_meanwhile_is_refused() -> None:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        uow.put([_trust()])
    late = store.unit_of_work().__enter__()
    late.put([_trust(name="Late"), _trust("RV5")])
    with store.unit_of_work() as early:
        early.put([_trust(name="Early")])
    with pytest.raises(ConcurrencyError) as caught:
        late.__exit__(None, None, None)  # the late unit commits after the early one
    assert (caught.value.kind, caught.value.expected, caught.value.actual) == ("trust", 1, 2)
    assert store.get(Trust, "RH8") is not None
    assert store.get(Trust, "RH8").record.name == "Early"  # type: ignore[union-attr]
    assert store.get(Trust, "RV5") is None, "the refused unit wrote nothing"


def test_threads_writing_different_records_all_commit() -> None:
    store = MemoryStore()
    codes = [f"R{i:02d}" for i in range(40)]

    def write(code: str) -> None:
        with store.unit_of_work() as uow:
            uow.put([_trust(code)])

    threads = [threading.Thread(target=write, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [v.record.ods_code.code for v in store.scan(Trust)] == sorted(codes)


def test_threads_racing_to_create_one_record_leave_exactly_one_winner() -> None:
    store = MemoryStore()
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def create(i: int) -> None:
        start.wait()
        try:
            with store.unit_of_work() as uow:
                uow.put([_trust(name=f"Writer {i}")], expected_versions=[0])
        except ConcurrencyError:
            outcomes.append("refused")
        else:
            outcomes.append("won")

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["won"]
    stored = store.get(Trust, "RH8")
    assert stored is not None
    assert stored.version == 1


def test_an_outbox_entry_keeps_its_own_copy_of_the_body() -> None:
    store = MemoryStore()
    body = {"items": [1, 2]}
    publication = Publication(
        uuid.uuid4(), "learning", Audience.STAFF, "Q1", body, dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    entry = OutboxEntry(uuid.uuid4(), "site", publication)
    with store.unit_of_work() as uow:
        uow.enqueue([entry])
    body["items"].append(3)
    (stored,) = store.outbox()
    assert stored.publication.body == {"items": [1, 2]}
    assert stored == attrs.evolve(
        entry, publication=attrs.evolve(publication, body={"items": [1, 2]})
    )


@given(
    user=st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8),
    password=st.text(string.printable, min_size=1, max_size=16),
)
def test_redact_url_never_shows_anything_between_the_scheme_and_the_last_at(
    user: str, password: str
) -> None:
    url = f"postgresql://{user}:Zq9{password}Kx7@db.example:5432/collab"
    shown = redact_url(url)
    assert "Zq9" not in shown
    assert shown.startswith("postgresql://***@")
    assert redact_url(shown) == shown


@pytest.mark.parametrize("password", ["s3/cret", "s3#cret", "s3?cret", "s3@cret", "s3:cret"])
def test_redact_url_hides_the_passwords_that_confuse_url_parsers(password: str) -> None:
    shown = redact_url(f"postgresql://collab:{password}@db.example/collab")
    assert shown == "postgresql://***@db.example/collab"


@given(st.text(string.printable, min_size=3, max_size=16))
def test_no_piece_of_a_url_authority_survives_scrubbing(password: str) -> None:
    url = f"postgresql://collab:Zq9{password}Kx7@db.example:5432/collab"
    text = f"failed for Zq9{password}Kx7 at {url}"
    assert f"Zq9{password}Kx7" not in scrub_url_secrets(text, url)

"""The outbox's use cases: idempotency keys, the publisher API, scrubbed failures that never stop
the other deliveries, backoff and dead entries, re-queueing, claims, and the floor check."""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

import collab_core
from collab_core import (
    Audience,
    Collaborative,
    DomainValidationError,
    MemoryStore,
    PrivacyError,
    RecordNotFoundError,
    RetryPolicy,
    from_json,
    scrub_error_text,
)
from collab_core.plugins.manager import Plugins
from collab_core.ports import (
    DeliveryReceipt,
    OutboxEntry,
    OutboxStatus,
    Publication,
    PublisherSpec,
    outbox_key,
)
from collab_core.service.delivery import deliver_pending, enqueue

NO_ENV: dict[str, str] = {}
NHS = "999 000 0018"  # a valid NHS number from the test range
_AT = dt.datetime(2025, 4, 2, 12, 0, tzinfo=dt.UTC)


class _Recorder:
    """A publisher that keeps each (key, publication) it is handed, or raises what it is told."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self._name = str(settings.get("name", "site"))
        self.raising: Exception | None = None
        self.handed: list[tuple[str, Publication]] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def idempotent(self) -> bool:
        return True

    def deliver(self, publication: Publication, *, key: str) -> DeliveryReceipt:
        if self.raising is not None:
            raise self.raising
        self.handed.append((key, publication))
        return DeliveryReceipt(self.name, publication.id, _AT, location=f"{key}.json")


class _Plugin:
    @collab_core.hookimpl
    def collab_register_publishers(self) -> list[PublisherSpec]:
        return [
            PublisherSpec("site", lambda s: _Recorder({"name": "site", **s})),
            PublisherSpec("board", lambda s: _Recorder({"name": "board", **s})),
        ]


@pytest.fixture
def collab() -> Iterator[Collaborative]:
    with Collaborative.open(
        "memory://",
        load_entry_points=False,
        environ=NO_ENV,
        plugins=[_Plugin()],
        publishers={"site": {}, "board": {}},
    ) as opened:
        yield opened


def _recorder(collab: Collaborative, name: str) -> _Recorder:
    publisher = collab.publishers[name]
    assert isinstance(publisher, _Recorder)
    return publisher


def _publication(title: str = "Learning, Q1", body: Mapping[str, Any] | None = None) -> Publication:
    return Publication(
        uuid.uuid4(), "learning", Audience.TRUST_BOARD, title, dict(body or {"items": 2}), _AT
    )


# -- idempotency keys ---------------------------------------------------------------------------


def test_the_key_hashes_content_audience_and_publisher_but_not_id_or_time() -> None:
    publication = _publication()
    same = attrs.evolve(publication, id=uuid.uuid4(), created_at=_AT + dt.timedelta(days=1))
    assert outbox_key(publication, "site") == outbox_key(same, "site")
    assert outbox_key(publication, "site") != outbox_key(publication, "board")
    assert outbox_key(publication, "site") != outbox_key(
        attrs.evolve(publication, audience=Audience.STAFF), "site"
    )
    assert outbox_key(publication, "site") != outbox_key(
        attrs.evolve(publication, title="Learning, Q2"), "site"
    )
    entry = OutboxEntry(uuid.uuid4(), "site", publication)
    assert entry.key == outbox_key(publication, "site")


def test_publishing_the_same_content_twice_makes_no_second_entry(collab: Collaborative) -> None:
    first = collab.publish(_publication())
    again = collab.publish(_publication())  # another id, the same content
    assert again == first
    assert len(collab.store.outbox(status=None)) == 2  # one per publisher
    collab.deliver_pending(now=lambda: _AT)
    site = _recorder(collab, "site")
    assert [key for key, _ in site.handed] == [first[0].key]


def test_publishers_receive_the_entry_key(collab: Collaborative) -> None:
    entries = collab.publish(_publication())
    report = collab.deliver_pending(now=lambda: _AT)
    assert {r.location for r in report.delivered} == {f"{e.key}.json" for e in entries}


# -- failures: scrubbed, isolated, backed off, dead ---------------------------------------------


def test_a_publishers_error_is_scrubbed_before_it_is_stored_or_logged(
    collab: Collaborative, caplog: pytest.LogCaptureFixture
) -> None:
    _recorder(collab, "site").raising = RuntimeError(
        f"mailbox jo@example.org refused\x00 patient {NHS} at SO16 6YD"
    )
    collab.publish(_publication())
    with caplog.at_level(logging.DEBUG):
        report = collab.deliver_pending(now=lambda: _AT)
    (failed,) = collab.store.outbox(status=OutboxStatus.FAILED)
    stored = failed.last_error or ""
    ((_, _, reported),) = report.failed
    for text in (stored, reported, caplog.text):
        for planted in ("jo@example.org", NHS, "SO16 6YD", "\x00"):
            assert planted not in text
    assert stored.startswith("RuntimeError: mailbox ")
    assert "█" in stored


def test_scrubbing_never_raises_and_keeps_one_line_of_bounded_length() -> None:
    class Hostile:
        def __str__(self) -> str:
            raise ValueError(NHS)

    assert NHS not in scrub_error_text(Hostile())
    assert scrub_error_text("half \udc80 a pair") == "half \ufffd a pair"
    long = scrub_error_text("x\n" * 5000)
    assert len(long) <= collab_core.sharing.scrub.ERROR_TEXT_LIMIT
    assert "\n" not in long


class _FailingMarks(MemoryStore):
    """A store whose unit of work refuses to record failures."""

    def unit_of_work(self) -> Any:
        unit = super().unit_of_work()

        def refuse(*_args: Any, **_kwargs: Any) -> None:
            raise collab_core.StoreError(f"cannot record {NHS}")

        unit.mark_failed = refuse  # type: ignore[method-assign]
        return unit


def test_a_failing_mark_failed_never_stops_the_other_deliveries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = _FailingMarks()
    site, board = _Recorder({"name": "site"}), _Recorder({"name": "board"})
    site.raising = ConnectionError("down")
    publishers = {"site": site, "board": board}
    plugins = Plugins(load_entry_points=False, environ=NO_ENV)
    for n in range(3):
        enqueue(store, publishers, _publication(f"Learning {n}"))
    with caplog.at_level(logging.WARNING):
        report = deliver_pending(store, publishers, plugins, lambda: _AT)
    assert len(report.delivered) == 3
    assert len(report.failed) == 3
    assert len(board.handed) == 3
    assert NHS not in caplog.text
    assert "recording the failure" in caplog.text


def test_backoff_is_exponential_with_jitter_and_repeatable_with_a_seed(
    collab: Collaborative,
) -> None:
    _recorder(collab, "site").raising = ConnectionError("down")
    collab.publish(_publication(), to=["site"])
    policy = RetryPolicy(base=dt.timedelta(seconds=10), factor=3, jitter=0.5, max_attempts=4)
    rng = random.Random(7)
    expected = random.Random(7)
    clock = _AT
    waits: list[dt.timedelta] = []
    for attempt in range(1, 4):
        collab.deliver_pending(now=lambda at=clock: at, policy=policy, rng=rng)
        (entry,) = collab.store.outbox(status=OutboxStatus.FAILED)
        assert entry.attempts == attempt
        assert entry.next_attempt_at is not None
        wait = entry.next_attempt_at - clock
        assert wait == policy.delay(attempt, expected)
        ceiling = dt.timedelta(seconds=10 * 3 ** (attempt - 1))
        assert ceiling / 2 <= wait <= ceiling
        # Not tried again before its time...
        assert collab.deliver_pending(now=lambda at=clock: at, policy=policy, rng=rng).failed == ()
        waits.append(wait)
        clock = entry.next_attempt_at  # ...and tried at it.
    report = collab.deliver_pending(now=lambda at=clock: at, policy=policy, rng=rng)
    (dead,) = collab.dead_entries()
    assert report.dead == (dead.id,)
    assert (dead.status, dead.attempts, dead.next_attempt_at) == (OutboxStatus.DEAD, 4, None)
    later = clock + dt.timedelta(days=365)
    assert collab.deliver_pending(now=lambda: later, policy=policy).failed == ()


def test_the_default_policy_gives_up_after_eight_attempts(collab: Collaborative) -> None:
    _recorder(collab, "site").raising = ConnectionError("down")
    collab.publish(_publication(), to=["site"])
    clock = _AT
    for _ in range(8):
        collab.deliver_pending(now=lambda at=clock: at)
        clock += dt.timedelta(days=1)
    (dead,) = collab.dead_entries(publisher="site")
    assert dead.attempts == 8
    assert collab.dead_entries(publisher="board") == []


def test_a_dead_entry_is_requeued_by_id_and_delivered(collab: Collaborative) -> None:
    site = _recorder(collab, "site")
    site.raising = ConnectionError("down")
    (entry,) = collab.publish(_publication(), to=["site"])
    collab.deliver_pending(now=lambda: _AT, policy=RetryPolicy(max_attempts=1))
    assert [e.id for e in collab.dead_entries()] == [entry.id]
    requeued = collab.requeue(str(entry.id))
    assert (requeued.status, requeued.attempts) == (OutboxStatus.PENDING, 0)
    assert requeued.last_error == "ConnectionError: down"
    site.raising = None
    report = collab.deliver_pending(now=lambda: _AT)
    assert [r.publisher for r in report.delivered] == ["site"]
    assert collab.dead_entries() == []


def test_requeueing_refuses_unknown_ids_and_entries_that_are_not_dead(
    collab: Collaborative,
) -> None:
    (entry,) = collab.publish(_publication(), to=["site"])
    with pytest.raises(RecordNotFoundError):
        collab.requeue(uuid.uuid4())
    with pytest.raises(DomainValidationError, match="pending, not dead"):
        collab.requeue(entry.id)
    with pytest.raises(DomainValidationError, match="UUID"):
        collab.requeue("not-an-id")


def test_the_retry_policy_refuses_nonsense() -> None:
    with pytest.raises(DomainValidationError, match="base"):
        RetryPolicy(base=dt.timedelta(0))
    with pytest.raises(DomainValidationError, match="jitter"):
        RetryPolicy(jitter=1.5)
    with pytest.raises(DomainValidationError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(DomainValidationError, match="cap"):
        RetryPolicy(base=dt.timedelta(hours=2), cap=dt.timedelta(hours=1))


# -- claims ---------------------------------------------------------------------------------------


def test_an_entry_claimed_by_another_deliverer_is_skipped_until_its_claim_lapses(
    collab: Collaborative,
) -> None:
    (entry,) = collab.publish(_publication(), to=["site"])
    lease = dt.timedelta(minutes=10)
    (held,) = collab.store.claim_outbox(
        [entry.id], claimant="elsewhere", now=_AT, until=_AT + lease
    )
    assert (held.claimed_by, held.claimed_until) == ("elsewhere", _AT + lease)
    assert collab.deliver_pending(now=lambda: _AT).delivered == ()
    assert _recorder(collab, "site").handed == []
    report = collab.deliver_pending(now=lambda: _AT + lease)
    assert [r.publisher for r in report.delivered] == ["site"]
    (done,) = collab.store.outbox(status=OutboxStatus.DELIVERED)
    assert (done.claimed_by, done.claimed_until) == (None, None)


# -- the floor ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "publication",
    [
        _publication(body={"note": f"call about {NHS}"}),
        _publication(body={"rows": [{"who": "jo@example.org"}]}),
        _publication(title=f"Learning for {NHS.replace(' ', '-')}"),
        attrs.evolve(_publication(), kind="learning SO16 6YD"),
    ],
)
def test_an_enqueue_that_bypasses_the_gate_still_refuses_identifiers(
    publication: Publication,
) -> None:
    store = MemoryStore()
    with pytest.raises(PrivacyError) as caught:
        enqueue(store, {"site": _Recorder({})}, publication)
    assert NHS not in str(caught.value)
    assert "jo@example.org" not in str(caught.value)
    assert store.outbox(status=None) == []


def test_an_enqueue_refuses_a_nul_in_the_body_and_a_control_character_in_the_kind() -> None:
    store = MemoryStore()
    with pytest.raises(DomainValidationError, match=r"\$\.note: must hold no NUL"):
        enqueue(store, {"site": _Recorder({})}, _publication(body={"note": "a\x00b"}))
    with pytest.raises(DomainValidationError, match="kind"):
        enqueue(store, {"site": _Recorder({})}, attrs.evolve(_publication(), kind="a\nb"))
    assert store.outbox(status=None) == []


# -- stored entries stay readable ---------------------------------------------------------------


def test_version_1_and_2_entries_read_back_with_their_keys() -> None:
    payloads = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
    old = from_json(OutboxEntry, (payloads / "v1" / "outbox_entry.json").read_text("utf-8"))
    new = from_json(OutboxEntry, (payloads / "v2" / "outbox_entry.json").read_text("utf-8"))
    # A version-1 entry had no key: it reads back keyed by its publication and publisher.
    assert old.key == outbox_key(old.publication, old.publisher) == new.key
    assert (old.next_attempt_at, old.claimed_by, old.claimed_until) == (None, None, None)
    assert new == attrs.evolve(
        old,
        next_attempt_at=dt.datetime(2019, 1, 15, 10, 1, tzinfo=dt.UTC),
        claimed_by="deliverer-1",
        claimed_until=dt.datetime(2019, 1, 15, 10, 10, tzinfo=dt.UTC),
    )

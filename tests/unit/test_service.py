"""The application object: recording batches, the cross-record rules, sharing, reads, the
dashboard facts (native or reference), and the outbox."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collab_core
from collab_core import (
    Assessment,
    Audience,
    CaseReference,
    Collaborative,
    ConcurrencyError,
    ConfigurationError,
    Death,
    DeathSetting,
    DomainValidationError,
    LearningItem,
    Member,
    MemberKind,
    OdsCode,
    RecordNotFoundError,
    ResponseType,
    Review,
    ScopePolicy,
    SharingEvent,
    StoreError,
    TransitionError,
    Trust,
)
from collab_core.domain.facts import LfdQuery, SharingQuery, lfd_facts, sharing_trusts
from collab_core.plugins.manager import Plugins
from collab_core.plugins.memory import MemoryStore
from collab_core.ports import (
    Capability,
    DeliveryReceipt,
    Publication,
    PublisherSpec,
    StoreSpec,
)
from collab_core.testing import _records as recs

NO_ENV: dict[str, str] = {}
RH8, RV5 = OdsCode("RH8"), OdsCode("RV5")
Q1 = dt.date(2025, 4, 1)


def _open(url: str = "memory://", **kwargs: Any) -> Collaborative:
    return Collaborative.open(url, load_entry_points=False, environ=NO_ENV, **kwargs)


def _trust(code: OdsCode = RH8) -> Trust:
    return Trust(code, f"Trust {code}", dt.date(2018, 4, 1))


def _death(trust: OdsCode = RH8, on: dt.date = Q1) -> Death:
    return Death(
        uuid.uuid4(), trust, CaseReference(trust, "D-1"), on, DeathSetting.INPATIENT, age=70
    )


def _review(death: Death, completed: dt.date | None = None) -> Review:
    return Review(
        uuid.uuid4(),
        death.id,
        death.trust,
        ResponseType.STRUCTURED_JUDGEMENT_REVIEW,
        death.died_on,
        completed_on=completed,
    )


def _item(trust: OdsCode = RH8, signed_off: dt.date | None = None) -> LearningItem:
    return LearningItem(
        uuid.uuid4(),
        trust,
        "Observation at night",
        "Night-time observations were missed on two wards.",
        Q1,
        signed_off_on=signed_off,
    )


@pytest.fixture
def collab() -> Collaborative:
    opened = _open()
    opened.record([_trust(RH8), _trust(RV5)])
    return opened


# -- recording -----------------------------------------------------------------------------


def test_record_returns_each_record_with_its_version(collab: Collaborative) -> None:
    death = _death()
    first = collab.record([death, _review(death)])
    assert [v.version for v in first] == [1, 1]
    again = collab.record([attrs.evolve(death, age=71)])
    assert [v.version for v in again] == [2]
    assert collab.get(Death, death.id).age == 71


def test_a_batch_may_refer_to_records_in_the_same_batch(collab: Collaborative) -> None:
    death = _death()
    review = _review(death, completed=Q1)
    item = attrs.evolve(_item(), review_ids={review.id})
    collab.record([item, review, death])
    assert collab.count(Review) == 1


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: _death(OdsCode("ZZZ")), "records[0].trust"),
        (lambda: _review(_death()), "records[0].death_id"),
        (lambda: attrs.evolve(_item(), review_ids={uuid.uuid4()}), "records[0].review_ids"),
        (
            lambda: SharingEvent(uuid.uuid4(), uuid.uuid4(), RH8, Audience.STAFF, Q1, "huddle"),
            "records[0].learning_item_id",
        ),
        (
            lambda: Assessment(uuid.uuid4(), uuid.uuid4(), "3ls", "measurement", "Learn", Q1),
            "records[0].member_id",
        ),
    ],
)
def test_a_record_naming_a_missing_record_refuses_the_whole_batch(
    collab: Collaborative, make: Any, field: str
) -> None:
    bystander = _death()
    with pytest.raises(DomainValidationError) as caught:
        collab.record([make(), bystander])
    assert caught.value.field == field
    assert collab.count(Death) == 0, "nothing of a refused batch is written"


def test_a_review_belongs_to_the_trust_of_its_death(collab: Collaborative) -> None:
    death = _death(RH8)
    collab.record([death])
    with pytest.raises(DomainValidationError, match="trust of the death"):
        collab.record([attrs.evolve(_review(death), trust=RV5)])


def test_a_batch_holds_each_record_once(collab: Collaborative) -> None:
    death = _death()
    with pytest.raises(DomainValidationError, match="a batch holds each death once"):
        collab.record([death, attrs.evolve(death, age=1)])


def test_a_stale_version_refuses_the_batch(collab: Collaborative) -> None:
    death = _death()
    collab.record([death])
    collab.record([attrs.evolve(death, age=71)])
    with pytest.raises(ConcurrencyError):
        collab.record([attrs.evolve(death, age=72), _death()], expected_versions=[1, 0])
    assert collab.get(Death, death.id).age == 71
    assert collab.count(Death) == 1


def test_members_and_their_assessments(collab: Collaborative) -> None:
    member = Member(uuid.uuid4(), "qi-lead-7", MemberKind.STAFF, RH8, Q1)
    assessment = Assessment(uuid.uuid4(), member.id, "3ls", "measurement", "Learn", Q1)
    collab.record([member, assessment])
    assert collab.get(Assessment, assessment.id) == assessment


# -- sharing ---------------------------------------------------------------------------------


def test_sharing_with_the_collaborative_is_refused_before_sign_off(
    collab: Collaborative,
) -> None:
    item = _item()
    collab.record([item])
    with pytest.raises(TransitionError, match="sign-off"):
        collab.share(item.id, Audience.COLLABORATIVE, Q1, "learning event")
    assert collab.count(SharingEvent) == 0
    staff = collab.share(item.id, Audience.STAFF, Q1, "safety huddle")
    assert list(collab.sharing_events()) == [staff]


def test_sharing_after_sign_off_is_recorded(collab: Collaborative) -> None:
    item = _item(signed_off=Q1)
    collab.record([item])
    event = collab.share(item.id, Audience.PUBLIC, Q1 + dt.timedelta(days=3), "annual report")
    assert collab.get(SharingEvent, event.id) == event


def test_sharing_an_unknown_item_names_it(collab: Collaborative) -> None:
    missing = uuid.uuid4()
    with pytest.raises(RecordNotFoundError, match=str(missing)):
        collab.share(missing, Audience.STAFF, Q1, "huddle")


def test_recording_a_sharing_event_directly_obeys_sign_off_too(collab: Collaborative) -> None:
    item = _item()
    event = SharingEvent(uuid.uuid4(), item.id, RH8, Audience.PUBLIC, Q1, "website")
    with pytest.raises(TransitionError) as caught:
        collab.record([item, event])
    assert caught.value.field == "records[1].audience"


# -- reading ---------------------------------------------------------------------------------


def test_reads_filter_by_trust_and_inclusive_period(collab: Collaborative) -> None:
    days = [dt.date(2025, 3, 31), Q1, dt.date(2025, 6, 30), dt.date(2025, 7, 1)]
    deaths = [_death(RH8, d) for d in days] + [_death(RV5, Q1)]
    collab.record(deaths)
    in_q1 = list(collab.deaths(trust="RH8", start=Q1, end=dt.date(2025, 6, 30)))
    assert sorted(d.died_on for d in in_q1) == [Q1, dt.date(2025, 6, 30)]
    assert collab.count(Death, trust=RV5) == 1
    assert [t.ods_code for t in collab.trusts()] == [RH8, RV5]
    assert list(collab.reviews()) == []
    assert list(collab.learning_items(trust=RH8)) == []


def test_get_of_a_missing_record_names_kind_and_key(collab: Collaborative) -> None:
    with pytest.raises(RecordNotFoundError, match="no trust with id ZZZ"):
        collab.get(Trust, "ZZZ")


# -- the dashboard facts ---------------------------------------------------------------------


class _NativeMemoryStore(MemoryStore):
    """Declares the reference answers native, so the service takes the native path."""

    answered: int = 0

    @property
    def capabilities(self) -> frozenset[Capability]:
        return super().capabilities | {Capability.NATIVE_AGGREGATES}

    def lfd_facts(self, query: LfdQuery) -> list[collab_core.domain.facts.LfdFact]:
        type(self).answered += 1
        return super().lfd_facts(query)


class _NativePlugin:
    @collab_core.hookimpl
    def collab_register_stores(self) -> list[StoreSpec]:
        return [StoreSpec("native", lambda url: _NativeMemoryStore())]


_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def _collaboratives(draw: st.DrawFn) -> tuple[list[Any], LfdQuery]:
    deaths = draw(st.lists(recs.deaths(), max_size=10, unique_by=lambda d: d.id))
    reviews = [r for d in deaths for r in draw(st.lists(recs.reviews(d), max_size=2))]
    first = draw(recs.days())
    query = LfdQuery(
        as_of=draw(recs.days()),
        deaths_from=first,
        deaths_to=first + dt.timedelta(days=draw(st.integers(0, 1200))),
        policies=draw(
            st.dictionaries(st.sampled_from(recs.TRUST_CODES), st.builds(ScopePolicy), max_size=4)
        ),
    )
    trusts = [Trust(code, f"Trust {code}", dt.date(2015, 1, 1)) for code in recs.TRUST_CODES]
    return [*trusts, *deaths, *reviews], query


@_SETTINGS
@given(scenario=_collaboratives())
def test_lfd_facts_agree_with_the_reference_natively_or_not(
    scenario: tuple[list[Any], LfdQuery],
) -> None:
    records, query = scenario
    expected = lfd_facts(
        (r for r in records if isinstance(r, Death)),
        (r for r in records if isinstance(r, Review)),
        query,
    )
    with _open() as streamed, _open("native://", plugins=[_NativePlugin()]) as native:
        streamed.record(records)
        native.record(records)
        assert not streamed.native_aggregates
        assert native.native_aggregates
        assert streamed.lfd_facts(query) == expected
        before = _NativeMemoryStore.answered
        assert native.lfd_facts(query) == expected
        assert _NativeMemoryStore.answered == before + 1


@_SETTINGS
@given(
    events=st.lists(recs.sharing_events(), max_size=10),
    audience=st.sampled_from(Audience),
    windows=st.dictionaries(
        st.sampled_from(recs.TRUST_CODES),
        st.tuples(recs.days(), st.integers(0, 800)).map(
            lambda t: (t[0], t[0] + dt.timedelta(days=t[1]))
        ),
    ),
)
def test_sharing_trusts_agree_with_the_reference(
    events: list[SharingEvent],
    audience: Audience,
    windows: Mapping[OdsCode, tuple[dt.date, dt.date]],
) -> None:
    query = SharingQuery(audience, windows)
    store = MemoryStore()
    with store.unit_of_work() as uow:  # straight to the store: these events name no items
        uow.put(events)
    collab = Collaborative(store, Plugins(load_entry_points=False, environ=NO_ENV))
    assert collab.sharing_trusts(query) == sharing_trusts(events, query)


# -- the outbox ------------------------------------------------------------------------------


class _Board:
    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.down = bool(settings.get("down"))
        self.delivered: list[Publication] = []

    @property
    def name(self) -> str:
        return "board"

    @property
    def idempotent(self) -> bool:
        return False

    def deliver(self, publication: Publication, *, key: str) -> DeliveryReceipt:
        if self.down:
            raise ConnectionError("the board pack share is offline")
        self.delivered.append(publication)
        return DeliveryReceipt(self.name, publication.id, _AT, location=f"{self.name}/q1")


class _Site(_Board):
    @property
    def name(self) -> str:
        return "site"

    @property
    def idempotent(self) -> bool:
        return False


class _Publishers:
    @collab_core.hookimpl
    def collab_register_publishers(self) -> list[PublisherSpec]:
        return [PublisherSpec("board", _Board), PublisherSpec("site", _Site)]


_AT = dt.datetime(2025, 4, 2, 12, 0, tzinfo=dt.UTC)


def _publication() -> Publication:
    return Publication(
        uuid.uuid4(), "learning", Audience.TRUST_BOARD, "Learning, Q1", {"items": 2}, _AT
    )


def test_a_failing_publisher_does_not_stop_the_others() -> None:
    publishers = {"board": {"down": True}, "site": {}}
    with _open(plugins=[_Publishers()], publishers=publishers) as collab:
        publication = _publication()
        entries = collab.publish(publication)
        assert [e.publisher for e in entries] == ["board", "site"]
        report = collab.deliver_pending(now=lambda: _AT)
        assert [r.publisher for r in report.delivered] == ["site"]
        ((_, name, error),) = report.failed
        assert (name, error) == ("board", "ConnectionError: the board pack share is offline")
        (waiting,) = collab.store.outbox(status=collab_core.ports.OutboxStatus.FAILED)
        assert (waiting.publisher, waiting.attempts) == ("board", 1)
        board = collab.publishers["board"]
        assert isinstance(board, _Board)
        board.down = False
        # Not before its backoff (30 s, less jitter) has passed:
        assert collab.deliver_pending(now=lambda: _AT).delivered == ()
        retried = collab.deliver_pending(now=lambda: _AT + dt.timedelta(minutes=1))
        assert [r.publisher for r in retried.delivered] == ["board"]
        assert board.delivered == [publication]


def test_publishing_to_an_unknown_publisher_is_refused() -> None:
    with _open(plugins=[_Publishers()], publishers={"site": {}}) as collab:
        with pytest.raises(ConfigurationError, match="'board' is not a publisher here"):
            collab.publish(_publication(), to=["board"])
        assert collab.store.outbox() == []


class _NoOutbox(MemoryStore):
    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset()


def test_publishing_needs_a_store_with_an_outbox() -> None:
    collab = Collaborative(_NoOutbox(), Plugins(load_entry_points=False, environ=NO_ENV))
    with pytest.raises(StoreError, match="OUTBOX"):
        collab.publish(_publication(), to=[])


# -- lifecycle -------------------------------------------------------------------------------


def test_closing_closes_the_store_and_is_safe_twice() -> None:
    collab = _open("memory://service-close")
    collab.record([_trust()])
    collab.close()
    collab.close()
    with pytest.raises(StoreError, match="closed"):
        collab.store.get(Trust, "RH8")
    with _open("memory://service-close") as again:
        assert again.get(Trust, "RH8") == _trust()
    MemoryStore.drop("service-close")


def test_the_default_url_is_a_private_memory_store() -> None:
    with _open() as one, _open() as other:
        one.record([_trust()])
        assert other.count(Trust) == 0
        assert one.url == "memory://"
        assert repr(one) == "Collaborative('memory://')"

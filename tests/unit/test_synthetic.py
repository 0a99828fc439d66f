"""The synthetic collaborative is deterministic, consistent and realistic enough to demonstrate."""

from __future__ import annotations

import collections
import datetime as dt

import pytest

from collab_core import (
    Assessment,
    Audience,
    CandourCase,
    Death,
    LearningItem,
    Member,
    Review,
    SharingEvent,
    Trust,
)
from collab_core.synthetic import SyntheticCollaborative

SMALL = SyntheticCollaborative(seed=7, trusts=6, years=2, deaths_per_trust_year=60)


@pytest.fixture(scope="module")
def records() -> list[object]:
    return [r for batch in SMALL.batches() for r in batch.records]


def test_the_same_seed_gives_the_same_collaborative(records: list[object]) -> None:
    again = [r for batch in SMALL.batches() for r in batch.records]
    assert again == records


def test_another_seed_gives_another_collaborative(records: list[object]) -> None:
    other = SyntheticCollaborative(seed=8, trusts=6, years=2, deaths_per_trust_year=60)
    assert [r for b in other.batches() for r in b.records] != records


def test_every_kind_of_record_is_made(records: list[object]) -> None:
    kinds = collections.Counter(type(r) for r in records)
    for kind in (Trust, Member, Assessment, Death, Review, LearningItem, SharingEvent, CandourCase):
        assert kinds[kind] > 0, kind.__name__
    assert kinds[Trust] == 6


def test_records_refer_only_to_records_made_before_them(records: list[object]) -> None:
    trusts = {r.ods_code for r in records if isinstance(r, Trust)}
    deaths: dict[object, Death] = {}
    reviews: set[object] = set()
    members: set[object] = set()
    items: dict[object, LearningItem] = {}
    for r in records:
        if isinstance(r, Member):
            assert r.trust in trusts
            members.add(r.id)
        elif isinstance(r, Assessment):
            assert r.member_id in members
        elif isinstance(r, Death):
            assert r.trust in trusts
            deaths[r.id] = r
        elif isinstance(r, Review):
            death = deaths[r.death_id]
            assert r.trust == death.trust
            assert r.started_on >= death.died_on
            reviews.add(r.id)
        elif isinstance(r, LearningItem):
            assert r.review_ids <= reviews
            items[r.id] = r
        elif isinstance(r, SharingEvent):
            r.check_allowed(items[r.learning_item_id])


def test_learning_reaches_the_collaborative_only_after_sign_off(records: list[object]) -> None:
    items = {r.id: r for r in records if isinstance(r, LearningItem)}
    shared = [
        r for r in records if isinstance(r, SharingEvent) and r.audience is Audience.COLLABORATIVE
    ]
    assert shared
    for event in shared:
        assert items[event.learning_item_id].is_signed_off_by(event.shared_on)


def test_deaths_happen_only_while_their_trust_is_a_member(records: list[object]) -> None:
    trusts = {r.ods_code: r for r in records if isinstance(r, Trust)}
    for r in records:
        if isinstance(r, Death):
            assert trusts[r.trust].is_member_on(r.died_on)
            assert SMALL.start <= r.died_on <= SMALL.end


def test_one_trust_leaves_and_some_join_during_the_period() -> None:
    trusts = SyntheticCollaborative(trusts=16).trust_records()
    assert sum(t.left is not None for t in trusts) == 1
    assert sum(t.joined > dt.date(2016, 4, 1) for t in trusts) == 4


def test_batches_stream_one_trust_year_at_a_time() -> None:
    batches = SMALL.batches()
    first = next(batches)
    assert first.label == "trusts"
    sizes = [len(b.records) for b in batches]
    assert max(sizes) < sum(sizes) / 4

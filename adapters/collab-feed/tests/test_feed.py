"""The feed publisher writes a valid Atom feed (read back with feedparser), one entry per learning
item shared with the audience, and delivering again, or a rebuilt publication, adds no entry."""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings

from collab_core import (
    Audience,
    BulletinItem,
    Collaborative,
    ConfigurationError,
    LearningBulletinBody,
    OdsCode,
)
from collab_core.ports import Publication
from collab_core.synthetic import SyntheticCollaborative
from collab_core.testing.strategies import typed_publications
from collab_feed import FeedPublisher, entry_id, xml_text

SYNTHETIC = SyntheticCollaborative(seed=11, trusts=4, years=2, deaths_per_trust_year=40)
YEAR = SYNTHETIC.financial_years[-1]
AT = dt.datetime.combine(YEAR.end + dt.timedelta(days=90), dt.time(9), tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def collab() -> Iterator[Collaborative]:
    with Collaborative.open(load_entry_points=False, environ={}) as opened:
        for batch in SYNTHETIC.batches():
            opened.record(batch.records)  # type: ignore[arg-type]
        yield opened


def _gated(collab: Collaborative, kind: str, audience: Audience, **options: object) -> Publication:
    built = collab.publication(kind, audience, YEAR, created_at=AT, **options)
    return collab.privacy_gate.check(built)


def _key(item: object) -> str:
    trust, recorded, title = (getattr(item, n) for n in ("trust", "recorded_on", "title"))
    day = recorded if isinstance(recorded, dt.date) else recorded.start
    return f"{trust}|{day.isoformat()}|{title}"


def test_every_learning_item_shared_is_one_entry_of_a_valid_feed(
    collab: Collaborative, tmp_path: Path
) -> None:
    bulletin = _gated(collab, "learning_bulletin", Audience.PUBLIC)
    body = bulletin.body
    assert isinstance(body, LearningBulletinBody)
    assert body.items, "the synthetic trusts share learning with the public"
    publisher = FeedPublisher.from_settings({"folder": str(tmp_path)})
    receipt = publisher.deliver(bulletin, key="k1")
    assert receipt.location == str(tmp_path / "public.atom")
    parsed = feedparser.parse(receipt.location)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    by_id = {e.id: e for e in parsed.entries}
    assert len(by_id) == len(parsed.entries) == len({_key(i) for i in body.items})
    names = {t.code: t.name for t in body.trusts}
    for item in body.items:
        entry = by_id[entry_id(bulletin, _key(item))]
        assert entry.title == item.title
        assert entry.content[0].value == item.what_was_learnt
        assert entry.author == names[item.trust]
        assert [t.term for t in entry.tags] == [t.code for t in item.themes]
        shared = item.shared_on if isinstance(item.shared_on, dt.date) else item.shared_on.start
        assert dt.date(*entry.updated_parsed[:3]) == shared


def test_delivering_again_or_rebuilding_changes_nothing(
    collab: Collaborative, tmp_path: Path
) -> None:
    publisher = FeedPublisher.from_settings({"folder": str(tmp_path), "title": "Learning"})
    first = _gated(collab, "learning_bulletin", Audience.PUBLIC)
    path = Path(str(publisher.deliver(first).location))
    written = path.read_bytes()
    publisher.deliver(first)
    assert path.read_bytes() == written, "an idempotent publisher: same key, one copy"
    rebuilt = _gated(collab, "learning_bulletin", Audience.PUBLIC)
    assert rebuilt.id != first.id
    publisher.deliver(rebuilt)
    assert path.read_bytes() == written, "a rebuilt bulletin updates its entries in place"
    assert publisher.idempotent is True
    assert publisher.name == "feed"


def test_other_kinds_are_one_entry_each_in_their_audiences_feed(
    collab: Collaborative, tmp_path: Path
) -> None:
    publisher = FeedPublisher.from_settings({"folder": str(tmp_path)})
    kinds = {
        "lfd_dashboard": {},
        "headline_targets": {},
        "measure_chart": {"measure": "capability.members"},
    }
    published = [_gated(collab, k, Audience.COLLABORATIVE, **o) for k, o in kinds.items()]
    for publication in published:
        publisher.deliver(publication)
    parsed = feedparser.parse(str(publisher.feed_path("collaborative")))
    assert not parsed.bozo
    assert sorted(e.id for e in parsed.entries) == sorted(entry_id(p) for p in published)
    titles = {e.id: e.title for e in parsed.entries}
    assert all(titles[entry_id(p)] == p.title for p in published)
    dashboard = next(e for e in parsed.entries if e.id == entry_id(published[0]))
    assert "deaths in scope" in dashboard.content[0].value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed_publications())
def test_any_publication_makes_a_valid_feed_with_one_entry_per_item(
    publication: Publication,
) -> None:
    body = publication.body
    if isinstance(body, LearningBulletinBody):
        expected = {entry_id(publication, _key(i)) for i in body.items}
    else:
        expected = {entry_id(publication)}
    with tempfile.TemporaryDirectory() as folder:
        publisher = FeedPublisher.from_settings({"folder": folder})
        location = str(publisher.deliver(publication).location)
        parsed = feedparser.parse(location)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert {e.id for e in parsed.entries} == expected
        first = Path(location).read_bytes()
        publisher.deliver(publication)
        assert Path(location).read_bytes() == first


def test_xml_text_keeps_what_xml_can_hold() -> None:
    assert xml_text("a\x00b\x1fc\td\ne") == "abc\td\ne"


def test_an_item_titled_with_control_characters_only_still_makes_a_valid_entry(
    tmp_path: Path,
) -> None:
    item = BulletinItem(
        title="\x01",
        what_was_learnt="Follow-up calls within 72 hours.",
        trust=OdsCode("RH8"),
        recorded_on=dt.date(2018, 5, 1),
        shared_on=dt.date(2018, 6, 1),
    )
    body = LearningBulletinBody(
        audience="staff", period=YEAR, shared_with=Audience.STAFF, items=(item,)
    )
    bulletin = Publication(uuid.uuid4(), "learning_bulletin", Audience.STAFF, "Bulletin", body, AT)
    publisher = FeedPublisher.from_settings({"folder": str(tmp_path)})
    parsed = feedparser.parse(str(publisher.deliver(bulletin).location))
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == ["Untitled"]


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="folder"):
        FeedPublisher.from_settings({})
    with pytest.raises(ConfigurationError, match="colour"):
        FeedPublisher.from_settings({"folder": "x", "colour": "blue"})
    with pytest.raises(ConfigurationError, match="title"):
        FeedPublisher.from_settings({"folder": "x", "title": " "})


def test_the_feed_is_found_through_the_entry_point(tmp_path: Path) -> None:
    with Collaborative.open(environ={}, publishers={"feed": {"folder": str(tmp_path)}}) as c:
        assert c.publishers["feed"].name == "feed"

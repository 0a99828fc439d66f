"""The site publisher: a page for each publication and the pages drawn from them all, written
idempotently, escaped, with withheld numbers marked and explained."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import uuid
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_core import (
    Audience,
    BulletinItem,
    BulletinTheme,
    BulletinTrust,
    Collaborative,
    ConfigurationError,
    LearningBulletinBody,
    LfdDashboardBody,
    OdsCode,
)
from collab_core.ports import Publication
from collab_site import SitePublisher
from collab_site.manifest import FOLDER, ManifestError
from collab_site.pages import own_page

from .conftest import AT, YEAR


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def _publish(folder: Path, publications: list[Publication]) -> SitePublisher:
    site = SitePublisher.from_settings({"folder": str(folder)})
    for publication in publications:
        site.deliver(publication)
    return site


def test_the_site_is_found_through_its_entry_point(tmp_path: Path) -> None:
    with Collaborative.open(environ={}, publishers={"site": {"folder": str(tmp_path)}}) as c:
        site = c.publishers["site"]
        assert isinstance(site, SitePublisher)
        assert site.name == "site"
        assert site.idempotent is True


def test_every_kind_has_its_page_and_the_site_its_sections(
    tmp_path: Path, public: list[Publication]
) -> None:
    site = SitePublisher.from_settings({"folder": str(tmp_path), "title": "South collaborative"})
    for publication in public:
        receipt = site.deliver(publication, key=f"k-{publication.id}")
        assert receipt.publisher == "site"
        assert receipt.publication_id == publication.id
        assert receipt.location == str(tmp_path / own_page(publication))
        assert Path(receipt.location).is_file()
    expected = {
        "index.html",
        "trusts/index.html",
        "learning/index.html",
        "dashboards/index.html",
        "measures.html",
        "assurance/index.html",
        "assets/nhsuk-frontend/nhsuk-frontend.min.css",
        "assets/nhsuk-frontend/LICENSE",
        "assets/nhsuk-frontend/VERSION",
        "assets/collab-site.css",
    } | {own_page(p) for p in public}
    written = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert expected <= written
    themes = [w for w in written if w.startswith("learning/themes/")]
    assert themes, "one page per theme"
    trusts = [w for w in written if w.startswith("trusts/") and w != "trusts/index.html"]
    assert len(trusts) >= 2
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "South collaborative" in index
    assert "Sharing coverage" in index
    assert "Quality-improvement capability" in index


def test_republishing_changes_no_byte_and_rewrites_no_file(
    tmp_path: Path, public: list[Publication]
) -> None:
    site = _publish(tmp_path, public)
    before = _snapshot(tmp_path)
    for publication in reversed(public):
        site.deliver(publication)
    assert _snapshot(tmp_path) == before
    # A fresh publisher over the same folder, as after a restart, agrees.
    _publish(tmp_path, public)
    assert _snapshot(tmp_path) == before


def test_the_order_of_delivery_does_not_change_the_site(
    tmp_path: Path, public: list[Publication]
) -> None:
    _publish(tmp_path / "a", public)
    _publish(tmp_path / "b", list(reversed(public)))
    a = {k: v[0] for k, v in _snapshot(tmp_path / "a").items()}
    b = {k: v[0] for k, v in _snapshot(tmp_path / "b").items()}
    assert a == b


def test_the_later_publication_keeps_a_page_whatever_the_order(
    tmp_path: Path, public: list[Publication]
) -> None:
    dashboard = next(p for p in public if p.kind == "lfd_dashboard")
    later = attrs.evolve(
        dashboard,
        id=uuid.uuid4(),
        title="Learning from Deaths dashboard, revised",
        created_at=AT + dt.timedelta(days=1),
    )
    site = _publish(tmp_path, [later, dashboard])
    page = (tmp_path / own_page(dashboard)).read_text(encoding="utf-8")
    assert "revised" in page
    site.deliver(dashboard)
    assert "revised" in (tmp_path / own_page(dashboard)).read_text(encoding="utf-8")


def test_withheld_numbers_show_as_a_star_with_a_footnote_for_the_public(
    tmp_path: Path, public: list[Publication], board: list[Publication]
) -> None:
    dashboard = next(p for p in public if isinstance(p.body, LfdDashboardBody))
    _publish(tmp_path / "public", [dashboard])
    page = (tmp_path / "public" / own_page(dashboard)).read_text(encoding="utf-8")
    assert '*<span class="nhsuk-u-visually-hidden"> (withheld)</span>' in page
    assert "withheld under disclosure control" in page
    assert 'id="disclosure-control"' in page
    exact = next(p for p in board if isinstance(p.body, LfdDashboardBody))
    _publish(tmp_path / "board", [exact])
    board_page = (tmp_path / "board" / own_page(exact)).read_text(encoding="utf-8")
    assert "(withheld)" not in board_page
    assert 'id="disclosure-control"' not in board_page


def _bulletin(what: str, themes: tuple[BulletinTheme, ...]) -> Publication:
    trust = OdsCode("RX1")
    item = BulletinItem(
        title="Follow-up after discharge",
        what_was_learnt=what,
        trust=trust,
        recorded_on=dt.date(2018, 5, 1),
        shared_on=dt.date(2018, 6, 1),
        channels=("learning event",),
        themes=themes,
    )
    body = LearningBulletinBody(
        audience="collaborative",
        period=YEAR,
        shared_with=Audience.COLLABORATIVE,
        trusts=(BulletinTrust(trust, "Example Trust"),),
        items=(item,),
    )
    return Publication(
        id=uuid.uuid4(),
        kind="learning_bulletin",
        audience=Audience.COLLABORATIVE,
        title="Learning bulletin <b>2017/18</b>",
        body=body,
        created_at=AT,
    )


def test_text_from_a_publication_is_escaped(tmp_path: Path) -> None:
    publication = _bulletin(
        "<script>alert('x')</script> & more", (BulletinTheme("T<1>", "Care & <b>risk</b>"),)
    )
    _publish(tmp_path, [publication])
    for path in tmp_path.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script>" not in html
        assert "<b>" not in html
    page = (tmp_path / own_page(publication)).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in page
    assert "Learning bulletin &lt;b&gt;2017/18&lt;/b&gt;" in page


def test_each_theme_page_lists_exactly_the_items_with_that_theme(
    tmp_path: Path, public: list[Publication]
) -> None:
    bulletin = next(p for p in public if isinstance(p.body, LearningBulletinBody))
    assert isinstance(bulletin.body, LearningBulletinBody)
    _publish(tmp_path, [bulletin])
    themes: dict[str, set[str]] = {}
    for item in bulletin.body.items:
        codes = {t.code for t in item.themes} | {t.code for a in item.actions for t in a.themes}
        for code in codes:
            themes.setdefault(code, set()).add(item.title)
    pages = sorted((tmp_path / "learning" / "themes").glob("*.html"))
    assert len(pages) == len(themes)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        count = html.count('<div class="nhsuk-card">')
        assert f"Learning on this theme ({count})" in html


def test_a_page_no_publication_holds_any_more_is_removed(tmp_path: Path) -> None:
    first = _bulletin("Seven-day follow-up", (BulletinTheme("T1", "Discharge"),))
    second = attrs.evolve(
        _bulletin("Seven-day follow-up", (BulletinTheme("T2", "Family involvement"),)),
        created_at=AT + dt.timedelta(hours=1),
    )
    _publish(tmp_path, [first])
    assert (tmp_path / "learning/themes/t1.html").is_file()
    _publish(tmp_path, [second])
    assert not (tmp_path / "learning/themes/t1.html").exists()
    assert (tmp_path / "learning/themes/t2.html").is_file()


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="folder"):
        SitePublisher.from_settings({})
    with pytest.raises(ConfigurationError, match="colour"):
        SitePublisher.from_settings({"folder": "x", "colour": "blue"})
    with pytest.raises(ConfigurationError, match="title"):
        SitePublisher.from_settings({"folder": "x", "title": " "})


def test_a_damaged_manifest_is_reported_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / FOLDER).mkdir()
    (tmp_path / FOLDER / "manifest.json").write_text("{not json", encoding="utf-8")
    site = SitePublisher(tmp_path)
    with pytest.raises(ManifestError, match=r"manifest\.json"):
        site.deliver(_bulletin("x", ()))
    assert (tmp_path / FOLDER / "manifest.json").read_text(encoding="utf-8") == "{not json"


@settings(max_examples=15, deadline=None)
@given(
    hours=st.lists(st.integers(0, 5), min_size=1, max_size=4),
    order=st.randoms(use_true_random=False),
)
def test_whatever_the_order_the_newest_publication_holds_its_page(
    hours: list[int], order: random.Random
) -> None:
    publications = [
        attrs.evolve(_bulletin(f"Learning number {i}", ()), created_at=AT + dt.timedelta(hours=h))
        for i, h in enumerate(hours)
    ]
    newest = max(publications, key=lambda p: (p.created_at, str(p.id)))
    shuffled = list(publications)
    order.shuffle(shuffled)
    with tempfile.TemporaryDirectory() as folder:
        site = SitePublisher(Path(folder))
        for publication in shuffled:
            site.deliver(publication)
        page = (Path(folder) / own_page(newest)).read_text(encoding="utf-8")
        shown = [i for i, _ in enumerate(hours) if f"Learning number {i}<" in page]
    assert shown == [publications.index(newest)]


def test_the_same_publication_under_another_key_changes_nothing(tmp_path: Path) -> None:
    publication = _bulletin("Seven-day follow-up", (BulletinTheme("T1", "Discharge"),))
    site = _publish(tmp_path, [publication])
    before = _snapshot(tmp_path)
    site.deliver(publication, key="outbox-entry-1")
    site.deliver(publication, key="outbox-entry-2")
    assert _snapshot(tmp_path) == before


def test_every_built_in_kind_has_a_page_of_its_own(collab: Collaborative) -> None:
    options = {"measure_chart": {"measure": "capability.members"}}
    kinds = sorted(collab.publication_kinds)
    assert {"headline_targets", "lfd_dashboard", "learning_bulletin", "measure_chart"} <= set(kinds)
    for kind in kinds:
        publication = collab.publication(
            kind, Audience.PUBLIC, YEAR, created_at=AT, **options.get(kind, {})
        )
        assert not own_page(publication).startswith("other/"), kind

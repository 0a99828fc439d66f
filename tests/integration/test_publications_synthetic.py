"""Publications of every kind, built from a synthetic collaborative, pass the privacy gate for
every audience and reach a publisher; the public's show suppressed and rounded numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pytest

import collab_core
from collab_core import (
    Audience,
    Collaborative,
    Count,
    Disclosure,
    Quarter,
)
from collab_core.domain.disclosure import counts_in
from collab_core.ports import DeliveryReceipt, Publication, PublisherSpec
from collab_core.publications import (
    HeadlineTargetsBody,
    LearningBulletinBody,
    LfdDashboardBody,
    MeasureChartBody,
)
from collab_core.synthetic import SyntheticCollaborative

SYNTHETIC = SyntheticCollaborative(seed=7, trusts=6, years=2, deaths_per_trust_year=60)
YEAR = SYNTHETIC.financial_years[-1]
AS_OF = YEAR.end + dt.timedelta(days=90)
AT = dt.datetime.combine(AS_OF, dt.time(9), tzinfo=dt.UTC)
KINDS: dict[str, dict[str, Any]] = {
    "learning_bulletin": {},
    "lfd_dashboard": {},
    "headline_targets": {},
    "measure_chart": {"measure": "capability.members"},
    "assurance": {},
}


class _Kept:
    """A publisher that keeps what it is handed."""

    kept: ClassVar[list[Publication]] = []

    def __init__(self, _settings: Mapping[str, Any]) -> None:
        pass

    @property
    def name(self) -> str:
        return "kept"

    @property
    def idempotent(self) -> bool:
        return False

    def deliver(self, publication: Publication, *, key: str) -> DeliveryReceipt:
        _Kept.kept.append(publication)
        return DeliveryReceipt("kept", publication.id, AT, location=publication.kind)


class _KeptPlugin:
    @collab_core.hookimpl
    def collab_register_publishers(self) -> list[PublisherSpec]:
        return [PublisherSpec("kept", _Kept)]


@pytest.fixture(scope="module")
def collab() -> Iterator[Collaborative]:
    with Collaborative.open(
        plugins=[_KeptPlugin()], load_entry_points=False, environ={}, publishers={"kept": {}}
    ) as opened:
        for batch in SYNTHETIC.batches():
            opened.record(batch.records)  # type: ignore[arg-type]
        yield opened


@pytest.mark.parametrize("audience", list(Audience), ids=lambda a: a.value)
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_passes_the_gate_for_every_audience_and_is_delivered(
    collab: Collaborative, kind: str, audience: Audience
) -> None:
    for period in (YEAR, Quarter(YEAR, 3)):
        built = collab.publication(kind, audience, period, created_at=AT, **KINDS[kind])
        preview = collab.preview(built)
        assert preview.passed, [str(f) for f in preview.findings]
        (entry,) = collab.publish(built)
        assert entry.publication == built, "what was built is what the gate passes"
    report = collab.deliver_pending(now=lambda: AT)
    assert report.failed == ()
    delivered = [p for p in _Kept.kept if p.kind == kind and p.audience is audience]
    assert len(delivered) >= 2
    for publication in delivered:
        for count in counts_in(publication.body):
            if audience in (Audience.TRUST_BOARD, Audience.STAFF):
                assert count.is_exact
            else:
                assert count.value is None or count.value == 0 or count.value >= 8


def test_the_public_sees_suppressed_and_rounded_numbers(collab: Collaborative) -> None:
    public = collab.publication("lfd_dashboard", Audience.PUBLIC, YEAR, created_at=AT).body
    board = collab.publication("lfd_dashboard", Audience.TRUST_BOARD, YEAR, created_at=AT).body
    assert isinstance(public, LfdDashboardBody)
    assert isinstance(board, LfdDashboardBody)
    shown = counts_in(public)
    assert any(c.is_suppressed for c in shown), "small counts are suppressed"
    assert any(c.disclosure is Disclosure.ROUNDED for c in shown), "the rest are rounded"
    assert all(c.value is None or c.value % 5 == 0 for c in shown)
    exact = counts_in(board)
    assert all(c.is_exact for c in exact)
    assert any(c.value is not None and 0 < c.value < 8 for c in exact), "the board sees them"
    year_row = public.rows[-1].blocks[0]
    board_row = board.rows[-1].blocks[0]
    assert year_row.deaths == collab_core.NHS_DIGITAL.control(board_row.deaths)
    assert year_row.reviewed_share.value == board_row.reviewed_share.value, "from exact values"
    assert public.as_of == Quarter.of(AS_OF)


def test_the_public_bulletin_and_headline_figures_are_built_from_the_store(
    collab: Collaborative,
) -> None:
    bulletin = collab.publication("learning_bulletin", Audience.COLLABORATIVE, YEAR, created_at=AT)
    assert isinstance(bulletin.body, LearningBulletinBody)
    assert bulletin.body.items, "the synthetic trusts share learning with the collaborative"
    assert {i.trust for i in bulletin.body.items} <= {t.code for t in bulletin.body.trusts}
    assert all(isinstance(i.shared_on, collab_core.Month) for i in bulletin.body.items)
    headline = collab.publication("headline_targets", Audience.PUBLIC, YEAR, created_at=AT).body
    assert isinstance(headline, HeadlineTargetsBody)
    coverage = collab.sharing_coverage(YEAR, Audience.COLLABORATIVE)
    assert headline.coverage.proportion == coverage.proportion, "trusts are not people"
    assert headline.capability is not None
    assert headline.capability.current.disclosure is Disclosure.ROUNDED
    chart = collab.publication(
        "measure_chart", Audience.PUBLIC, YEAR, created_at=AT, measure="capability.members"
    ).body
    assert isinstance(chart, MeasureChartBody)
    assert len(chart.points) == 24
    assert all(isinstance(p.value, Count) and not p.value.is_exact for p in chart.points)
    assert chart.variation is not None

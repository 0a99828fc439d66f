"""Publications of every built-in kind, built from a synthetic collaborative and passed by its
privacy gate, for the site's tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from collab_core import Audience, Collaborative
from collab_core.ports import Publication
from collab_core.synthetic import SyntheticCollaborative

SYNTHETIC = SyntheticCollaborative(seed=7, trusts=6, years=2, deaths_per_trust_year=60)
YEAR = SYNTHETIC.financial_years[-1]
AS_OF = YEAR.end + dt.timedelta(days=90)
AT = dt.datetime.combine(AS_OF, dt.time(9), tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def collab() -> Iterator[Collaborative]:
    with Collaborative.open(load_entry_points=False, environ={}) as opened:
        for batch in SYNTHETIC.batches():
            opened.record(batch.records)  # type: ignore[arg-type]
        yield opened


def build(collab: Collaborative, audience: Audience) -> list[Publication]:
    """One publication of each kind for ``audience``, and the dashboards of two trusts."""
    trusts = sorted(t.ods_code for t in collab.trusts())[:2]
    publications = [
        collab.publication("headline_targets", audience, YEAR, created_at=AT),
        collab.publication("lfd_dashboard", audience, YEAR, created_at=AT),
        collab.publication("learning_bulletin", audience, YEAR, created_at=AT),
        collab.publication(
            "measure_chart", audience, YEAR, created_at=AT, measure="capability.members"
        ),
        collab.publication("assurance", audience, YEAR, created_at=AT),
        *(
            collab.publication("lfd_dashboard", audience, YEAR, created_at=AT, trust=code)
            for code in trusts
        ),
    ]
    for publication in publications:
        assert collab.preview(publication).passed
    return publications


@pytest.fixture(scope="session")
def public(collab: Collaborative) -> list[Publication]:
    """What the public may see: small counts withheld, the rest rounded."""
    return build(collab, Audience.PUBLIC)


@pytest.fixture(scope="session")
def board(collab: Collaborative) -> list[Publication]:
    """What a trust board sees: exact counts."""
    return build(collab, Audience.TRUST_BOARD)

"""The plugin: collab_core finds the SQL store by the scheme of a URL, through the entry point
this distribution declares."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import tomllib
from pathlib import Path

import pytest
from collab_sql_testkit import a_death, a_review, a_trust

import collab_sql.plugin
from collab_core import RCP_AVOIDABILITY, Collaborative, OdsCode, ScopePolicy, Score
from collab_core.ports import LfdQuery, lfd_facts
from collab_sql import SqlStore

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"


def test_the_distribution_declares_its_plugin_in_the_collab_core_entry_point_group() -> None:
    declared = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    assert declared["project"]["entry-points"]["collab_core"] == {"sql": "collab_sql.plugin"}
    try:
        installed = importlib.metadata.distribution("collab-sql").entry_points
    except importlib.metadata.PackageNotFoundError:
        return  # running from a source checkout: nothing installed to compare with
    assert [(e.name, e.value) for e in installed if e.group == "collab_core"] == [
        ("sql", "collab_sql.plugin")
    ]


def test_the_plugin_registers_the_sqlite_and_postgresql_schemes() -> None:
    specs = collab_sql.plugin.collab_register_stores()
    assert {s.scheme for s in specs} == {"sqlite", "postgresql", "postgres"}
    assert all(s.description for s in specs)


def test_a_collaborative_opens_the_sql_store_by_its_url_and_counts_in_sql(
    store_url: str,
) -> None:
    with Collaborative.open(
        store_url, plugins=[collab_sql.plugin], load_entry_points=False
    ) as collab:
        assert isinstance(collab.store, SqlStore)
        death = a_death()
        review = a_review(
            death, completed_on=dt.date(2019, 6, 1), scores=(Score.on(RCP_AVOIDABILITY, 2),)
        )
        collab.record([a_trust(), death, review])
        query = LfdQuery(
            as_of=dt.date(2020, 3, 31),
            deaths_from=dt.date(2019, 4, 1),
            deaths_to=dt.date(2020, 3, 31),
            policies={OdsCode("RH8"): ScopePolicy()},
        )
        assert collab.lfd_facts(query) == lfd_facts([death], [review], query)


@pytest.mark.parametrize("scheme", ["sqlite+pysqlite", "postgresql+psycopg"])
def test_driver_qualified_schemes_find_the_same_store(scheme: str) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011 - only the store's own refusal matters
        Collaborative.open(
            f"{scheme}://nobody:hunter2@127.0.0.1:1/none"
            if scheme.startswith("postgresql")
            else f"{scheme}:////nonexistent-dir/x/collab.db",
            plugins=[collab_sql.plugin],
            load_entry_points=False,
        )
    assert "cannot open" in str(caught.value)
    assert "hunter2" not in str(caught.value)

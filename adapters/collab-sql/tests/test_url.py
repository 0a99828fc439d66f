"""Store URLs: the schemes served, paths relative and absolute, options, and errors that are
clear and never show a password."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_core import ConfigurationError, StoreError
from collab_core.ports import redact_url
from collab_sql import SqlStore
from collab_sql._url import parse_store_url


@pytest.mark.parametrize(
    ("url", "backend", "driver"),
    [
        ("sqlite:///collab.db", "sqlite", "sqlite+pysqlite"),
        ("sqlite+pysqlite:////srv/collab/collab.db", "sqlite", "sqlite+pysqlite"),
        ("postgresql://collab@db.example/collab", "postgresql", "postgresql+psycopg"),
        ("postgresql+psycopg://collab@db.example/collab", "postgresql", "postgresql+psycopg"),
        ("postgres://collab@db.example/collab", "postgresql", "postgresql+psycopg"),
    ],
)
def test_each_served_scheme_names_its_engine_and_driver(
    url: str, backend: str, driver: str
) -> None:
    parsed = parse_store_url(url)
    assert (parsed.backend, parsed.engine_url.drivername) == (backend, driver)
    assert parsed.shown == redact_url(url)
    assert parsed.migrate


def test_relative_and_absolute_sqlite_paths_keep_their_meaning() -> None:
    assert parse_store_url("sqlite:///data/collab.db").engine_url.database == "data/collab.db"
    assert parse_store_url("sqlite:////srv/collab.db").engine_url.database == "/srv/collab.db"


@pytest.mark.parametrize(("option", "migrate"), [("false", False), ("0", False), ("TRUE", True)])
def test_the_migrate_option_is_read_and_removed_from_the_engine_url(
    option: str, migrate: bool
) -> None:
    parsed = parse_store_url(f"sqlite:///collab.db?migrate={option}&timeout=5")
    assert parsed.migrate is migrate
    assert dict(parsed.engine_url.query) == {"timeout": "5"}
    assert parse_store_url("sqlite:///collab.db?migrate=true", migrate=False).migrate is False


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "a store URL is needed"),
        ("not a url", "is not a database URL"),
        ("mysql://u@h/db", "serves the schemes"),
        ("sqlite://", "lives in a file"),
        ("sqlite:///:memory:", "lives in a file"),
        ("postgresql://u@h", "names its database"),
        ("sqlite:///collab.db?migrate=perhaps", "true or false"),
    ],
)
def test_a_url_collab_sql_cannot_serve_is_a_configuration_error(url: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        parse_store_url(url)


@given(secret=st.text(st.characters(codec="ascii", categories=["L", "N"]), max_size=12))
def test_a_password_never_appears_in_the_shown_url_or_in_errors(secret: str) -> None:
    password = f"Zq9{secret}"  # a prefix found nowhere else in the URL
    parsed = parse_store_url(f"postgresql://collab:{password}@db.example/collab")
    assert password not in parsed.shown
    assert parsed.shown == "postgresql://***@db.example/collab"
    with pytest.raises(ConfigurationError) as caught:
        parse_store_url(f"oracle://collab:{password}@db.example/collab")
    assert password not in str(caught.value)


def test_a_relative_sqlite_path_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=r"cannot open sqlite:///missing/collab\.db"):
        SqlStore.open("sqlite:///missing/collab.db")
    (tmp_path / "data").mkdir()
    with SqlStore.open("sqlite:///data/collab.db") as store:
        assert store.url == "sqlite:///data/collab.db"
    assert (tmp_path / "data" / "collab.db").is_file()


@pytest.mark.postgres
def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError, match="cannot open") as caught:
        SqlStore.open("postgresql://collab:s3cret-pw@127.0.0.1:1/collab?connect_timeout=3")
    assert "s3cret-pw" not in str(caught.value)
    assert "***" in str(caught.value)


@pytest.mark.postgres
def test_the_store_url_hides_the_password_it_was_opened_with(postgres_url: str) -> None:
    with_password = postgres_url.replace("postgresql://postgres@", "postgresql://postgres:pw123@")
    assert with_password != postgres_url
    with SqlStore.open(with_password) as store:
        assert "pw123" not in store.url
        assert store.url.startswith("postgresql://***@")
        assert repr(store) == f"SqlStore({store.url!r})"

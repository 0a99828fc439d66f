"""Malformed URLs are configuration errors wherever a URL is read; no shape of password ever
shows; a PostgreSQL server that accepts and never answers makes opening fail, not hang."""

from __future__ import annotations

import logging
import socket
import string
import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from collab_core import CollabError, Collaborative, ConfigurationError, StoreError
from collab_core.ports import redact_url
from collab_sql import SqlStore, open_store
from collab_sql.__main__ import main as collab_sql_main
from collab_sql._engine import CONNECT_TIMEOUT_S, create_engine
from collab_sql._url import parse_store_url

MALFORMED = [
    ("postgresql://u:pw-secret@127.0.0.1:notaport/db", "port that is not a number"),
    ("postgresql://u:pw-secret@[::1/db", "IPv6 host without its closing bracket"),
    ("postgresql://db.example:pw-secret/db", "port that is not a number"),
    ("postgresql://u:pw@secret@db.example/db", "an @ in its host"),
    ("postgresql://u:pw-secret@db.example:99999/db", "port outside 1-65535"),
]


def _shows_nothing_of(text: str, url: str) -> None:
    assert "secret" not in text
    assert "pw@" not in text


@pytest.mark.parametrize(("url", "says"), MALFORMED)
def test_a_malformed_url_is_a_configuration_error_naming_the_setting(url: str, says: str) -> None:
    for open_ in (parse_store_url, open_store, SqlStore.open):
        with pytest.raises(ConfigurationError, match=says) as caught:
            open_(url)
        assert str(caught.value).startswith("url: postgresql://… ")
        _shows_nothing_of(str(caught.value), url)
        assert caught.value.__context__ is None


@pytest.mark.parametrize(("url", "says"), MALFORMED)
def test_a_malformed_url_opened_through_the_collaborative_is_a_configuration_error(
    url: str, says: str
) -> None:
    with pytest.raises(ConfigurationError, match=says) as caught:
        Collaborative.open(url)
    _shows_nothing_of(str(caught.value), url)


@pytest.mark.parametrize("command", ["upgrade", "current"])
@pytest.mark.parametrize(("url", "says"), MALFORMED)
def test_the_migration_command_refuses_a_malformed_url_as_bad_usage(
    command: str, url: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert collab_sql_main([command, url]) == 2
    out, err = capsys.readouterr()
    assert says in err
    assert "Traceback" not in err
    _shows_nothing_of(out + err, url)


# Every printable character, the ones that confuse URL parsers above all.
_PASSWORDS = st.text(string.printable.strip() + " ", min_size=1, max_size=16).map(
    lambda s: f"Zq9{s}Kx7"  # found nowhere else in the URL or in any message
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(password=_PASSWORDS, port=st.sampled_from(["5432", "notaport", ""]))
def test_no_password_shape_shows_in_any_error_repr_url_or_log_line(
    password: str, port: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    url = f"postgresql://collab:{password}@127.0.0.1{':' if port else ''}{port}/db"
    shown: list[str] = [redact_url(url)]
    with caplog.at_level(logging.DEBUG):
        try:
            parsed = parse_store_url(url)
        except CollabError as exc:
            shown += [str(exc), repr(exc)]
        else:
            shown += [parsed.shown, repr(parsed)]
        # A password where the port goes.
        try:
            parse_store_url(f"postgresql://127.0.0.1:{password}/db")
        except CollabError as exc:
            shown += [str(exc), repr(exc)]
    shown += [r.getMessage() for r in caplog.records]
    for text in shown:
        assert password not in text
        assert password.strip() not in text


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A local server that accepts connections and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_server_that_never_answers_fails_the_opening_with_a_store_error(
    silent_server: int,
) -> None:
    url = f"postgresql://collab:pw-secret@127.0.0.1:{silent_server}/db?connect_timeout=2"
    with pytest.raises(StoreError, match="cannot open") as caught:
        SqlStore.open(url)
    _shows_nothing_of(str(caught.value), url)


class _StopConnectingError(Exception):
    pass


@pytest.mark.parametrize(
    ("query", "timeout"), [("", CONNECT_TIMEOUT_S), ("?connect_timeout=3", "3")]
)
def test_postgresql_connections_time_out_by_default_or_as_the_url_says(
    query: str, timeout: object
) -> None:
    engine = create_engine(parse_store_url(f"postgresql://collab@127.0.0.1:1/db{query}"))
    seen: dict[str, object] = {}

    @event.listens_for(engine, "do_connect")
    def _capture(
        _dialect: object, _record: object, _args: object, params: dict[str, object]
    ) -> None:
        seen.update(params)
        raise _StopConnectingError

    try:
        with pytest.raises(_StopConnectingError):
            engine.connect()
    finally:
        engine.dispose()
    assert seen["connect_timeout"] == timeout

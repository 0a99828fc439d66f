"""Store URLs: which engine and driver a URL names, the options collab-sql reads from its query
string, and the form of the URL that is safe to show (never with a password).

A URL is parsed the way the driver will see it, with SQLAlchemy's ``make_url``, and shown the
way SQLAlchemy renders it with the password hidden, then through
:func:`collab_core.ports.redact_url`, so no shape of password leaks. A URL that does not parse
is named by its scheme alone.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from collab_core import ConfigurationError
from collab_core.ports import redact_url, scrub_url_secrets

__all__ = ["StoreUrl", "parse_store_url", "redact", "scrub"]

Backend = Literal["sqlite", "postgresql"]

# The URL schemes collab-sql serves, and the SQLAlchemy driver each one is opened with.
_DRIVERS: dict[str, tuple[Backend, str]] = {
    "sqlite": ("sqlite", "sqlite+pysqlite"),
    "sqlite+pysqlite": ("sqlite", "sqlite+pysqlite"),
    "postgresql": ("postgresql", "postgresql+psycopg"),
    "postgresql+psycopg": ("postgresql", "postgresql+psycopg"),
    # Hosting services still hand out postgres:// URLs, which SQLAlchemy no longer accepts.
    "postgres": ("postgresql", "postgresql+psycopg"),
}
SCHEMES: tuple[str, ...] = tuple(_DRIVERS)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def redact(url: str) -> str:
    """``url`` with its user and password replaced by ``***``, even when it does not parse."""
    return redact_url(url)


def scrub(text: str, url: str) -> str:
    """``text`` with every piece of ``url``'s authority (user, password, host, port) removed."""
    return scrub_url_secrets(text, url)


def _scheme_only(url: str) -> str:
    scheme, sep, _ = url.partition(":")
    return f"{scheme}://…" if sep and scheme.replace("+", "").isalnum() else "the URL"


def _parse(url: str) -> URL:
    """``url`` as SQLAlchemy reads it, or a :class:`ConfigurationError` that names what is
    wrong without quoting any of the authority (where a password may be)."""
    shown = _scheme_only(url)
    reason = None
    try:
        parsed = make_url(url)
    except ArgumentError:
        reason = "is not a database URL like sqlite:///collab.db or postgresql://user@host/db"
    except (ValueError, TypeError):
        _, _, rest = url.partition("://")
        if "[" in rest.split("/", 1)[0] and "]" not in rest:
            reason = "has an IPv6 host without its closing bracket, as in postgresql://[::1]/db"
        else:
            reason = "has a port that is not a number (is a password where the port goes?)"
    if reason is not None:
        raise ConfigurationError(f"url: {shown} {reason}")
    if parsed.host is not None and "@" in parsed.host:
        raise ConfigurationError(
            f"url: {shown} has an @ in its host; an @ in a user name or password is written %40"
        )
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ConfigurationError(f"url: {shown} has a port outside 1-65535")
    return parsed


@dataclass(frozen=True)
class StoreUrl:
    """A parsed store URL.

    :param engine_url: what SQLAlchemy opens (driver made explicit, collab-sql options removed).
    :param shown: the URL as given, with any password hidden; safe for errors and logs.
    :param backend: ``"sqlite"`` or ``"postgresql"``.
    :param migrate: whether opening the store applies pending migrations.
    :param read_only: whether the store was opened for reading only (SQLite's ``?mode=ro``).
    :param revision: the schema revision asked for (``?revision=0004``), or ``None`` for the
        newest; the store checks that it is one it can serve.
    """

    engine_url: URL
    shown: str
    backend: Backend
    migrate: bool
    read_only: bool = False
    revision: str | None = None


def _flag(name: str, text: str, shown: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"url: the option {name} is true or false (got {text!r} in {shown})")


def parse_store_url(url: str, *, migrate: bool | None = None) -> StoreUrl:
    """Parse ``url``; ``migrate``, when given, overrides the URL's ``?migrate=`` option.

    :raises ConfigurationError: the URL does not parse, or names a scheme collab-sql does not
        serve, or carries an option with a bad value.
    """
    if not url.strip():
        raise ConfigurationError("url: a store URL is needed, like sqlite:///collab.db")
    parsed = _parse(url.strip())
    shown = redact(parsed.render_as_string(hide_password=True))
    try:
        backend, driver = _DRIVERS[parsed.drivername]
    except KeyError:
        raise ConfigurationError(
            f"url: collab-sql serves the schemes {', '.join(SCHEMES)} "
            f"(got {parsed.drivername!r} in {shown})"
        ) from None
    query = dict(parsed.query)
    option = query.pop("migrate", None)
    if isinstance(option, tuple):
        raise ConfigurationError(f"url: the option migrate is given more than once in {shown}")
    do_migrate = True if option is None else _flag("migrate", option, shown)
    if migrate is not None:
        do_migrate = migrate
    revision = query.pop("revision", None)
    if isinstance(revision, tuple):
        raise ConfigurationError(f"url: the option revision is given more than once in {shown}")
    read_only = False
    if backend == "sqlite" and "mode" in query:
        mode = query.pop("mode")
        if mode != "ro":
            raise ConfigurationError(
                f"url: the SQLite option mode is ro, to open the store read-only (got {shown})"
            )
        read_only, do_migrate = True, False  # a read-only store is never upgraded
    engine_url = parsed.set(drivername=driver, query=query)
    if read_only and parsed.database not in (None, "", ":memory:"):
        # SQLite reads open flags only from a file: URI; the path is written as one.
        path = urllib.parse.quote(str(parsed.database), safe="/")
        engine_url = engine_url.set(
            database=f"file:{path}", query={**query, "mode": "ro", "uri": "true"}
        )
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        # Units of work and reads need connections of their own to one database: a file.
        raise ConfigurationError(
            f"url: an SQLite store lives in a file, as in sqlite:///collab.db; for a store in "
            f"memory use memory:// (got {shown})"
        )
    if backend == "postgresql" and not parsed.database:
        raise ConfigurationError(
            f"url: a PostgreSQL URL names its database, as in postgresql://user@host/db "
            f"(got {shown})"
        )
    return StoreUrl(engine_url, shown, backend, do_migrate, read_only, revision)

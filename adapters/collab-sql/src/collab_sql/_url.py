"""Store URLs: which engine and driver a URL names, the options collab-sql reads from its query
string, and the form of the URL that is safe to show (never with a password).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from collab_core import ConfigurationError
from collab_core.ports import redact_url

__all__ = ["StoreUrl", "parse_store_url", "redact"]

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
    """``url`` with any password replaced by ``***``, even when the URL does not parse."""
    return redact_url(url)


@dataclass(frozen=True)
class StoreUrl:
    """A parsed store URL.

    :param engine_url: what SQLAlchemy opens (driver made explicit, collab-sql options removed).
    :param shown: the URL as given, with any password hidden; safe for errors and logs.
    :param backend: ``"sqlite"`` or ``"postgresql"``.
    :param migrate: whether opening the store applies pending migrations.
    """

    engine_url: URL
    shown: str
    backend: Backend
    migrate: bool


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
    shown = redact(url.strip())
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        raise ConfigurationError(
            f"url: is not a database URL like sqlite:///collab.db or "
            f"postgresql://user@host/db (got {shown})"
        ) from None
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
    engine_url = parsed.set(drivername=driver, query=query)
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
    return StoreUrl(engine_url, shown, backend, do_migrate)

"""Column types that round-trip on both engines: aware datetimes (SQLAlchemy's own
``DateTime(timezone=True)`` drops the offset on SQLite) and record keys compared bytewise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Dialect, Integer, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator, TypeEngine

from collab_core import DomainValidationError

__all__ = ["KEY", "ROW_ID", "UtcDateTime"]

#: The integer primary key: SQLite's rowid alias (exactly ``INTEGER``), a BIGINT elsewhere.
ROW_ID: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")

#: Record keys (canonical UUID text or an ODS code). On PostgreSQL the "C" collation makes
#: ``ORDER BY key`` the same bytewise order as Python's, whatever the database's locale.
KEY: TypeEngine[str] = String(64).with_variant(String(64, collation="C"), "postgresql")


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime: ``timestamptz`` on PostgreSQL, UTC ISO 8601 text on SQLite.

    Naive datetimes are refused rather than guessed at. Values come back in UTC, equal to what
    was stored.
    """

    impl = String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True))
        return dialect.type_descriptor(String(32))

    def process_bind_param(self, value: object, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            raise DomainValidationError("datetime", "must be timezone-aware", value)
        utc = value.astimezone(dt.UTC)
        if dialect.name == "postgresql":
            return utc
        # Fixed width, so that text order is time order.
        return utc.isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC)
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC)

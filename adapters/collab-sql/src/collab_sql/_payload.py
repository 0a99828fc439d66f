"""Payloads in and out of the database through the core's serialiser, with every failure to
read a row turned into a :class:`~collab_core.CorruptRecordError` that names the table and key.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from collab_core import CorruptRecordError, PayloadError, from_json, to_json
from collab_core.ports import Record, RecordSpec

__all__ = ["decode", "encode", "relaxed_gc"]

# ARCHITECTURE rule 10: the cyclic GC dominates bulk decodes that keep their results.
_BULK_THRESHOLD = (50_000, 20, 100)
_gc_lock = threading.Lock()
_gc_depth = 0
_gc_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Raise the GC thresholds for the duration of a bulk decode or encode, then restore them."""
    global _gc_depth, _gc_saved  # noqa: PLW0603 - the GC thresholds are process state
    with _gc_lock:
        if _gc_depth == 0:
            _gc_saved = gc.get_threshold()
            if _gc_saved[0] < _BULK_THRESHOLD[0]:
                gc.set_threshold(*_BULK_THRESHOLD)
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0:
                gc.set_threshold(*_gc_saved)


def encode(record: Record) -> str:
    """The record's payload: JSON text with its schema version, from the core's serialiser."""
    text: str = to_json(record)
    return text


def decode(spec: RecordSpec[Any], table: str, key: str, payload: object) -> Any:
    """The record stored under ``key`` in ``table``.

    :raises CorruptRecordError: the payload is not JSON, does not structure into the kind's
        class, or holds a record filed under another key.
    """
    if not isinstance(payload, str):
        raise CorruptRecordError(table, key, ["the payload is not JSON text"])
    try:
        record = from_json(spec.type, payload)
    except PayloadError as exc:
        raise CorruptRecordError(table, key, exc.problems) from None
    except Exception as exc:  # whatever a foreign payload trips over inside the serialiser
        raise CorruptRecordError(table, key, [f"{type(exc).__name__}: {exc}"]) from None
    if not isinstance(record, spec.type):
        raise CorruptRecordError(table, key, [f"the payload is not a {spec.type.__name__}"])
    if spec.key(record) != key:
        raise CorruptRecordError(table, key, ["the payload holds a record with another key"])
    return record

"""The one error hierarchy of collab_core, rooted at :class:`CollabError`.

Every error says which field, which rule and (unless the value is an identifier) which value.
Every value an error quotes goes through :func:`redact`, and every message through the NHS
number scanner, so no error repeats an identifier it was given. Nothing here does I/O; the
hierarchy lives in the domain so that the pure model can raise it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from collab_core.domain.scanning import find_nhs_numbers, mask_nhs_numbers

__all__ = [
    "CandourStepError",
    "CollabError",
    "ConcurrencyError",
    "ConfigurationError",
    "CorruptRecordError",
    "DomainValidationError",
    "PayloadError",
    "PluginError",
    "PrivacyError",
    "RecordNotFoundError",
    "StoreBusyError",
    "StoreError",
    "TransitionError",
    "redact",
]

_REDACTED = "<redacted>"


_LIMIT = 60


def _scrub(text: str) -> str:
    """``text`` with every valid NHS number in it replaced, so no message can echo one."""
    return mask_nhs_numbers(text, _REDACTED)


def _repr(value: object) -> str:
    try:
        return repr(value)
    except Exception:  # a broken __repr__ must not hide the error being reported
        return f"<{type(value).__name__}>"


def _holds_identifier(value: object) -> bool:
    return not isinstance(value, uuid.UUID) and bool(find_nhs_numbers(_repr(value)))


def redact(value: object, *, limit: int = _LIMIT) -> str:
    """``value`` as an error may quote it: its ``repr()``, with every NHS number the scanner
    finds replaced by ``<redacted>`` (escapes such as ``\\n`` in the ``repr`` included), and
    shortened to ``limit`` characters.

    >>> redact("999 000\\n0018, seen")
    "'<redacted>, seen'"
    >>> redact("x" * 100, limit=12)
    "'xxxxxxxxxx…"
    """
    text = _scrub(_repr(value))
    if len(text) > limit:
        # Cutting a longer run of digits short could leave ten that read as a number.
        text = _scrub(text[: limit - 1]) + "…"
    return text


def _key(record_id: object) -> str:
    """A record's key as an error names it: a UUID, or short printable text, as it is (NHS
    numbers masked); anything else through :func:`redact`."""
    if isinstance(record_id, uuid.UUID):
        return str(record_id)
    if isinstance(record_id, str) and record_id.isprintable() and len(record_id) <= _LIMIT:
        return _scrub(record_id)
    return redact(record_id)


class CollabError(Exception):
    r"""Base class of every error collab_core raises on purpose.

    Catch this to handle any user mistake, bad payload, plugin fault or storage conflict
    without catching programming errors (``TypeError`` from a wrong call, say).

    Whatever a subclass or a plugin passes in, the arguments kept hold no NHS number: text is
    scrubbed, and any other argument whose ``repr()`` holds one is replaced by its
    :func:`redact`\ ed form.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(
            *(
                _scrub(a)
                if isinstance(a, str)
                else redact(a, limit=1_000)
                if _holds_identifier(a)
                else a
                for a in args
            )
        )


class DomainValidationError(CollabError, ValueError):
    """A value broke a rule of the domain model.

    :param field: the attribute or input field that is wrong, e.g. ``"ods_code"``.
    :param rule: the rule in words, e.g. ``"a trust ODS code has 3 characters"``.
    :param value: the offending value; omitted from the message when ``sensitive`` is true.
    :param sensitive: true when the value is an identifier that must never be echoed.

    Whatever ``sensitive`` says, a valid NHS number is never part of the message: a value that
    contains one is withheld, and any left in the field or rule text is redacted.
    """

    def __init__(
        self, field: str, rule: str, value: object = None, *, sensitive: bool = False
    ) -> None:
        if not sensitive and _holds_identifier(value):
            # An NHS number where none was expected is still an identifier: never echo it.
            sensitive = True
        shown = _REDACTED if sensitive else redact(value)
        self.field = field
        self.rule = rule
        self.sensitive = sensitive
        self.value = None if sensitive else value
        super().__init__(_scrub(f"{field}: {rule} (got {shown})"))


class TransitionError(DomainValidationError):
    """A state machine was asked to take a step that its current state does not allow."""


class CandourStepError(TransitionError):
    """A Duty of Candour step was taken out of order (Regulation 20, HSCA 2008 Regs 2014)."""


class ConfigurationError(CollabError):
    """Configuration (a URL, an environment variable, a setting) is wrong or missing."""


class PayloadError(CollabError, ValueError):
    """A serialised payload could not be turned into domain objects.

    ``problems`` lists every problem found, each as ``message @ $.path``.
    """

    def __init__(self, type_name: str, problems: Sequence[str]) -> None:
        type_name = _scrub(type_name)
        if len(type_name) > _LIMIT:
            type_name = type_name[: _LIMIT - 1] + "…"
        self.type_name = type_name
        self.problems = tuple(_scrub(p) for p in problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid {type_name} payload ({len(self.problems)} problem(s)):\n{lines}")


class PluginError(CollabError):
    """A plugin failed to load, registered a duplicate name, or implements an unknown hook."""


class PrivacyError(CollabError):
    """The privacy gate refused a publication: something in it must not reach its audience.

    :param publication: the publication's id.
    :param kind: its kind (``"learning_bulletin"``); a kind that is not a plain name is
        withheld from the message.
    :param audience: the audience it was for.
    :param findings: what was found, each naming a field, a rule and a character position
        (:class:`~collab_core.PrivacyFinding`); never the text found.

    ``str()``, ``repr()`` and the findings hold no identifier: they may be logged and stored.
    """

    _SHOWN = 20

    def __init__(
        self, publication: object, kind: str, audience: str, findings: Sequence[Any]
    ) -> None:
        self.publication = publication
        self.kind = kind if _plain_name(kind) else "<kind withheld>"
        self.audience = audience if _plain_name(audience) else "<audience withheld>"
        self.findings = tuple(findings)
        shown = "; ".join(str(f) for f in self.findings[: self._SHOWN])
        more = len(self.findings) - self._SHOWN
        if more > 0:
            shown += f"; and {more} more"
        super().__init__(
            _scrub(
                f"the privacy gate refused publication {publication} ({self.kind}, for the "
                f"{self.audience} audience): {len(self.findings)} finding(s): {shown}"
            )
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.publication, self.kind, self.audience, self.findings))


def _plain_name(text: object) -> bool:
    """A lower-case name of letters, digits, ``_``, ``-`` and ``.``, as kinds and audiences are."""
    return (
        isinstance(text, str)
        and 0 < len(text) <= 64
        and text.isascii()
        and all(c.islower() or c.isdigit() or c in "_-." for c in text)
    )


class StoreError(CollabError):
    """A store could not do what was asked of it."""


class StoreBusyError(StoreError):
    """The store was busy and gave up waiting: another writer held a lock past the store's
    timeout ("database is locked" on SQLite; a lock timeout, a serialization failure or a
    deadlock on PostgreSQL).

    **Retryable**: nothing was written, and the same call may succeed once the other writer is
    done. Catch it to retry (after a pause), and let any other :class:`StoreError` through.
    """


class RecordNotFoundError(StoreError, KeyError):
    """No record of that kind has that id.

    The message names the kind and the key, masked: a UUID in full, anything else through
    :func:`redact`. ``record_id`` is the key as given, or ``None`` when it holds an NHS number.
    """

    def __init__(self, kind: str, record_id: object) -> None:
        self.kind = kind
        self.record_id = None if _holds_identifier(record_id) else record_id
        super().__init__(f"no {kind} with id {_key(record_id)}")

    def __str__(self) -> str:
        return str(self.args[0])


class ConcurrencyError(StoreError):
    """A write was based on a stale version of a record (optimistic concurrency)."""

    def __init__(self, kind: str, record_id: object, expected: int | None, actual: int | None):
        self.kind = kind
        self.record_id = None if _holds_identifier(record_id) else record_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"stale write to {kind} {_key(record_id)}: expected version {expected}, "
            f"the store holds version {actual}"
        )


class CorruptRecordError(StoreError):
    """A stored record cannot be read back into a domain object.

    Names the table (or collection) and the record id; lists the problems found.
    """

    def __init__(self, table: str, record_id: object, problems: Iterable[str]) -> None:
        self.table = table
        self.record_id = None if _holds_identifier(record_id) else record_id
        self.problems = tuple(_scrub(p) for p in problems)
        detail = "; ".join(self.problems)
        super().__init__(f"corrupt record in {table} id {_key(record_id)}: {detail}")

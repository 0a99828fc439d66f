"""Problems found while reading a payload, and how they are reported: one ``message @ $.path``
line each, with any NHS number scrubbed.
"""

from __future__ import annotations

from typing import Any, Final

import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)
from cattrs.v import format_exception as _cattrs_format_exception
from cattrs.v import transform_error

from collab_core.domain.errors import DomainValidationError, redact
from collab_core.domain.scanning import find_nhs_numbers

_ENVELOPE_KEYS: Final = ("type", "schema_version", "data")
_REDACTED: Final = "<redacted>"


# --------------------------------------------------------------------------------------------
# Problems, and how they are reported.
# --------------------------------------------------------------------------------------------


class _ReadError(ValueError):
    """A problem whose message is already in words for the user."""


def _scrub(text: str) -> str:
    # A payload may hold an NHS number where none belongs: no message ever repeats one.
    for start, end in reversed(find_nhs_numbers(text)):
        text = text[:start] + _REDACTED + text[end:]
    return text


def _field_name(name: str) -> str:
    """An unknown key as a problem names it: as it is when short and printable, else redacted."""
    return name if name.isprintable() and len(name) <= 60 else redact(name)


def _last_note(exc: BaseException) -> AttributeValidationNote | IterableValidationNote | None:
    for note in reversed(getattr(exc, "__notes__", ())):
        if note.__class__ in (AttributeValidationNote, IterableValidationNote):
            return note
    return None


def _describe(exc: BaseException, type_: type[Any] | None) -> str:
    """One problem in words (``transform_error`` adds the ``@ $.path``)."""
    if isinstance(exc, DomainValidationError):
        # The domain's own message names its field; in a payload the path says where it is,
        # so the field shown is the attribute the value was given for.
        text = str(exc)
        prefix = f"{exc.field}: "
        rule = text[len(prefix) :] if text.startswith(prefix) else text
        note = _last_note(exc)
        if isinstance(note, AttributeValidationNote) and note != _ENVELOPE_NOTE:
            return f"{note.name}: {rule}"
        return rule
    if isinstance(exc, _ReadError):
        return str(exc)
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown field(s): {', '.join(_field_name(k) for k in sorted(exc.extra_fields))}"
    if isinstance(exc, cattrs.StructureHandlerNotFoundError):
        return f"collab_core cannot read this type ({exc.message})"
    return _cattrs_format_exception(exc, type_)


def _place_domain_errors(exc: BaseException) -> None:
    """Give every domain error raised by a class's own validation the path of its field.

    cattrs notes which attribute a value was structured for, but an error from ``__init__``
    (an attrs validator, or a rule across fields) carries only the field named by the domain.
    """
    if isinstance(exc, BaseValidationError):
        for sub in exc.exceptions:
            if (
                isinstance(exc, ClassValidationError)
                and isinstance(sub, DomainValidationError)
                and _last_note(sub) is None
            ):
                sub.add_note(AttributeValidationNote(f"raised for {sub.field}", sub.field, None))
            _place_domain_errors(sub)


def _problems(exc: BaseException, path: str = "$") -> list[str]:
    _place_domain_errors(exc)
    return [_scrub(p) for p in transform_error(exc, path, _describe)]


def _group(message: str, errors: list[Exception], cls: type[Any]) -> ClassValidationError:
    return ClassValidationError(message, errors, cls)


_ENVELOPE_NOTE: Final = "envelope field"


def _noted(exc: Exception, name: str) -> Exception:
    """``exc`` marked as raised for the envelope's field ``name`` (so its path ends ``.name``)."""
    exc.add_note(AttributeValidationNote(_ENVELOPE_NOTE, name, None))
    return exc

"""What the outbox and the log are protected by, beneath the full gate: scrubbing a
publisher's error text before it is stored or logged, and the floor check that every
publication put in an outbox passes, whatever path put it there.

Both use the gate's own finders (NHS numbers with the one normalising scanner, postcodes,
e-mail addresses, telephone numbers, exact dates and deny-listed names), and neither ever
repeats what it found.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence

from collab_core.domain.disclosure import (
    TITLE_FIELD,
    PrivacyFinding,
    Span,
    find_dates,
    find_emails,
    find_names,
    find_phone_numbers,
    find_postcodes,
    mask,
    merge_spans,
    walk_text,
)
from collab_core.domain.errors import DomainValidationError, PrivacyError
from collab_core.domain.scanning import find_nhs_numbers
from collab_core.ports import Publication, PublicationBody
from collab_core.serialization import unstructure

__all__ = ["ERROR_TEXT_LIMIT", "check_outbox_floor", "scrub_error_text"]

#: How much of a publisher's error text the outbox keeps, in characters.
ERROR_TEXT_LIMIT = 2000

_WITHHELD = "(the error text was withheld: it could not be scrubbed)"

_FINDERS: tuple[tuple[str, Callable[[str], list[Span]]], ...] = (
    ("nhs_number", find_nhs_numbers),
    ("postcode", find_postcodes),
    ("email", find_emails),
    ("phone", find_phone_numbers),
)


def _printable(text: str) -> str:
    """``text`` on one line: every control character (NUL included), line or paragraph
    separator becomes a space; format characters (zero-width and the like) are dropped, and a
    lone surrogate becomes U+FFFD."""
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif category == "Cs":  # a lone surrogate: no UTF-8 text can hold it
            out.append("\ufffd")
        elif category != "Cf":
            out.append(char)
    return "".join(out)


def scrub_error_text(text: object, names: Iterable[str] = ()) -> str:
    """A publisher's error ``text`` as the outbox may store and log it: every span the gate's
    finders find (NHS numbers, postcodes, e-mail addresses, telephone numbers, exact dates, and
    ``names``) masked with ``█``, control characters replaced by spaces, and at most
    :data:`ERROR_TEXT_LIMIT` characters. Never raises.

    >>> scrub_error_text("SMTP 550: no mailbox jo@example.org\\x00")
    'SMTP 550: no mailbox ██████████████ '
    """
    try:
        # Scanned before it is cut or cleaned, so that neither can split an identifier.
        raw = str(text)
        spans = [span for _, find in _FINDERS for span in find(raw)]
        spans += find_dates(raw)
        listed = tuple(n for n in names if str(n).strip())
        if listed:
            spans += find_names(raw, listed)
        masked = mask(raw, merge_spans(spans))
        return _printable(masked)[:ERROR_TEXT_LIMIT]
    except Exception:
        return _WITHHELD


def _kind_problem(kind: str) -> str | None:
    if not kind.strip():
        return "must be a non-blank string"
    for i, char in enumerate(kind):
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return f"must hold no control characters (U+{ord(char):04X} at character {i})"
    return None


def check_outbox_floor(publication: Publication) -> Publication:
    """Refuse a publication whose kind, title or any string of its body holds an identifier
    the gate's finders know for every audience (NHS number, postcode, e-mail address,
    telephone number) or a NUL: the floor every publication passes when it is put in an
    outbox, whichever way it came. The full gate, with each audience's rules, is
    :meth:`PrivacyGate.check <collab_core.sharing.PrivacyGate.check>`.

    :raises PrivacyError: an identifier was found; the error names the field, the rule and
        the position, never the text.
    :raises DomainValidationError: the kind is blank or holds a control character, or a
        string of the body holds a NUL.
    """
    problem = _kind_problem(publication.kind)
    if problem is not None:
        raise DomainValidationError("kind", problem, sensitive=True)
    body = publication.body
    data = unstructure(body) if isinstance(body, PublicationBody) else unstructure(dict(body))
    findings: list[PrivacyFinding] = []

    def scan(
        field: str, text: str, finders: Sequence[tuple[str, Callable[[str], list[Span]]]]
    ) -> None:
        for rule, find in finders:
            findings.extend(PrivacyFinding(field, rule, s, e) for s, e in find(text))

    scan("$.kind", publication.kind, _FINDERS)
    scan(TITLE_FIELD, publication.title, _FINDERS)
    for leaf in walk_text(data):
        if "\x00" in leaf.text:
            raise DomainValidationError(
                leaf.path,
                f"must hold no NUL (at character {leaf.text.index(chr(0))})",
                sensitive=True,
            )
        scan(leaf.path, leaf.text, _FINDERS[:1] if leaf.number else _FINDERS)
    if findings:
        raise PrivacyError(publication.id, publication.kind, publication.audience.value, findings)
    return publication

"""What publishing exchanges: a publication, its typed body, its outbox entry and the delivery
receipt."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

import attrs
import orjson

from collab_core.domain.errors import DomainValidationError, PayloadError
from collab_core.domain.learning import Audience
from collab_core.serialization import (
    ObjectData,
    from_payload,
    payload_type,
    register_type,
    to_payload,
    unstructure,
)
from collab_core.serialization._upcasters import upcast_outbox_entry_v1_v2


class OutboxStatus(enum.StrEnum):
    """Where an outbox entry stands. A ``FAILED`` entry is still waiting to be retried (at its
    ``next_attempt_at``); a ``DEAD`` one failed too often and waits to be re-queued by hand."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD = "dead"


_ENVELOPE_KEYS = frozenset({"type", "schema_version", "data"})


class PublicationBody:
    """The base of the typed body of a publication kind: a frozen attrs class, registered with
    the serialiser (:func:`~collab_core.register_type`), that a publisher can render without
    guessing (:mod:`collab_core.publications` has the built-in ones).

    ``dict(body)`` is the body's payload envelope (``{"type": ..., "schema_version": ...,
    "data": ...}``): that is what a store keeping plain JSON keeps, and :class:`Publication`
    turns such an envelope back into the typed body. (A body is not a ``Mapping``: a field may
    be called ``items``.)
    """

    __slots__ = ()

    def keys(self) -> tuple[str, ...]:
        """The keys of the body's envelope: ``type``, ``schema_version`` and ``data``."""
        return ("type", "schema_version", "data")

    def __getitem__(self, key: str) -> Any:
        return to_payload(self)[key]


def _typed_body(value: object) -> object:
    """Converter: the envelope of a registered :class:`PublicationBody` becomes the typed body
    (upgraded from an older schema version if need be); any other mapping stays as it is."""
    if isinstance(value, PublicationBody) or not isinstance(value, Mapping):
        return value
    if set(value) != _ENVELOPE_KEYS or not isinstance(value["type"], str):
        return value
    try:
        entry = payload_type(value["type"])
    except PayloadError:
        return value
    if not issubclass(entry.cls, PublicationBody):
        return value
    return from_payload(entry.cls, value)


def _body(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping | PublicationBody):
        raise DomainValidationError(
            attr.name, "must be a typed publication body or a mapping", type(value).__name__
        )


def _control_char(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def _title(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    # A title is one line of text: it goes into subject lines, headings and database columns
    # (PostgreSQL text cannot hold NUL), so control characters are refused.
    if not isinstance(value, str) or not value.strip():
        raise DomainValidationError(attr.name, "must be a non-blank string", sensitive=True)
    for i, char in enumerate(value):
        if _control_char(char):
            raise DomainValidationError(
                attr.name,
                f"must hold no control characters (U+{ord(char):04X} at character {i})",
                sensitive=True,
            )


@attrs.frozen
class Publication:
    """Something to publish: learning, a figure, a board pack, handed to publishers by name.

    :param kind: the publication kind, e.g. ``"learning_bulletin"`` (see
        :attr:`~collab_core.service.Collaborative.publication_kinds`).
    :param audience: who it is for; the privacy gate has passed it for this audience before any
        outbox or publisher sees it.
    :param title: one line, without control characters.
    :param body: the typed body of a built-in kind (a :class:`PublicationBody`), or plain
        JSON-compatible data for a kind a plugin defines. An envelope of a registered body type
        is read back as that type.
    """

    id: uuid.UUID
    kind: str
    audience: Audience
    title: str = attrs.field(validator=_title)
    body: ObjectData = attrs.field(converter=_typed_body, validator=_body)
    created_at: dt.datetime = attrs.field()

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.created_at, dt.datetime):
            raise DomainValidationError("created_at", "must be a datetime", self.created_at)
        if self.created_at.tzinfo is None:
            raise DomainValidationError("created_at", "must be timezone-aware", self.created_at)

    def canonical_content(self) -> str:
        """The content as canonical JSON text: kind, audience, title and body, but not the id or
        the creation time. Equal content always gives identical text, so it can be hashed."""
        data = unstructure(self)
        content = {k: data[k] for k in ("kind", "audience", "title", "body")}
        return orjson.dumps(content, option=orjson.OPT_SORT_KEYS).decode()


def outbox_key(publication: Publication, publisher: str) -> str:
    """The idempotency key of ``publication`` for ``publisher``: a SHA-256 of its canonical
    content (:meth:`Publication.canonical_content`), its audience and the publisher's name, in
    hex. Equal content for the same audience and publisher always has the same key, so the
    outbox holds it once, and a publisher can deliver by key without making a second copy."""
    text = orjson.dumps(
        [publisher, Audience(publication.audience).value, publication.canonical_content()]
    )
    return hashlib.sha256(text).hexdigest()


def _entry_key(entry: OutboxEntry) -> str:
    return outbox_key(entry.publication, entry.publisher)


def _key(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value or len(value) > 200 or not value.isprintable():
        raise DomainValidationError(
            attr.name, "must be 1 to 200 printable characters", sensitive=True
        )


def _aware_or_none(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
        raise DomainValidationError(attr.name, "must be a timezone-aware datetime or None", value)


@attrs.frozen
class OutboxEntry:
    """A publication waiting for one publisher to confirm delivery (ARCHITECTURE rule 4).

    :param key: the idempotency key, by default :func:`outbox_key` of the publication and the
        publisher; an outbox holds one entry per key, and publishers receive it.
    :param attempts: the failed delivery attempts so far.
    :param last_error: the last failure, as the outbox stored it (scrubbed of identifiers).
    :param next_attempt_at: when a ``FAILED`` entry may be tried again (``None``: at once).
    :param claimed_by: the deliverer holding the entry's claim, while it delivers it.
    :param claimed_until: when that claim lapses (a deliverer that died leaves it to lapse).
    """

    id: uuid.UUID
    publisher: str
    publication: Publication
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    updated_at: dt.datetime | None = None
    key: str = attrs.field(
        default=attrs.Factory(_entry_key, takes_self=True), validator=_key, kw_only=True
    )
    next_attempt_at: dt.datetime | None = attrs.field(
        default=None, validator=_aware_or_none, kw_only=True
    )
    claimed_by: str | None = attrs.field(default=None, kw_only=True)
    claimed_until: dt.datetime | None = attrs.field(
        default=None, validator=_aware_or_none, kw_only=True
    )

    def due(self, now: dt.datetime) -> bool:
        """Whether a deliverer may take the entry at ``now``: it waits (``PENDING``, or
        ``FAILED`` and past its ``next_attempt_at``) and no live claim holds it."""
        if self.status not in (OutboxStatus.PENDING, OutboxStatus.FAILED):
            return False
        if self.next_attempt_at is not None and self.next_attempt_at > now:
            return False
        return self.claimed_until is None or self.claimed_until <= now


@attrs.frozen
class DeliveryReceipt:
    """What a publisher reports after delivering a publication."""

    publisher: str
    publication_id: uuid.UUID
    delivered_at: dt.datetime
    location: str | None = None


register_type(Publication, "publication")
register_type(OutboxEntry, "outbox_entry", version=2, upcasters=[upcast_outbox_entry_v1_v2])
register_type(DeliveryReceipt, "delivery_receipt")

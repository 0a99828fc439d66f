"""The ports: typed Protocols that storage and publishing adapters implement, and the small
records they exchange with the core. Nothing here does I/O itself.

A :class:`Store` holds every kind of record in :data:`RECORD_SPECS`, each under a key and a
version. Writes go through a :class:`UnitOfWork` that commits all or nothing; a write that names
a stale version is refused with :class:`~collab_core.ConcurrencyError`. Reads stream in batches.
A store may declare optional :class:`Capability` flags, such as native aggregation.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import operator
import re
import unicodedata
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from fractions import Fraction
from typing import Any, Generic, Protocol, TypeAlias, TypeVar, runtime_checkable

import attrs
import orjson

from collab_core.domain.candour import CandourCase
from collab_core.domain.capability import Assessment, LearningJourney
from collab_core.domain.deaths import Death, Review
from collab_core.domain.errors import CorruptRecordError, DomainValidationError, PayloadError
from collab_core.domain.facts import LfdFact, LfdQuery, SharingQuery, lfd_facts, sharing_trusts
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.improvement import Concern
from collab_core.domain.learning import Audience, FamilyInvolvement, LearningItem, SharingEvent
from collab_core.domain.organisations import Trust
from collab_core.domain.people import Member
from collab_core.domain.targets import Measure
from collab_core.serialization import (
    ObjectData,
    from_payload,
    payload_type,
    register_type,
    to_payload,
    unstructure,
)
from collab_core.serialization._upcasters import upcast_outbox_entry_v1_v2

__all__ = [
    "RECORD_SPECS",
    "Capability",
    "DeliveryReceipt",
    "LfdFact",
    "LfdQuery",
    "MeasureSpec",
    "OnCorrupt",
    "OutboxEntry",
    "OutboxStatus",
    "Publication",
    "PublicationBody",
    "Publisher",
    "PublisherSpec",
    "Record",
    "RecordSpec",
    "SharingQuery",
    "Store",
    "StoreSpec",
    "StoreUpgrade",
    "UnitOfWork",
    "Versioned",
    "key_text",
    "lfd_facts",
    "outbox_key",
    "record_key",
    "redact_url",
    "scrub_url_secrets",
    "sharing_trusts",
    "spec_for",
]

Record: TypeAlias = (
    Trust
    | Member
    | Death
    | Review
    | LearningItem
    | SharingEvent
    | Assessment
    | LearningJourney
    | FamilyInvolvement
    | CandourCase
    | Concern
)
R = TypeVar("R", bound=Record)

#: What :meth:`Store.scan` calls with each record it skips because it cannot be read back.
OnCorrupt = Callable[[CorruptRecordError], object]
R_co = TypeVar("R_co", covariant=True)


@attrs.frozen
class RecordSpec(Generic[R]):
    """How a store files one kind of record.

    :param kind: the stable name of the kind (``"death"``), used for tables and payload tags.
    :param type: the domain class.
    :param key: the record's key as text (a UUID's canonical form, or a trust's ODS code).
    :param trust: the trust a record belongs to, for queries by trust (``None`` if it has none).
    :param day: the date that queries by period filter on (``None`` if it has none).

    A record whose ``trust`` is ``None`` never matches a query by trust, and one whose ``day``
    is ``None`` never matches a query by period (as SQL's ``NULL`` never compares equal).
    """

    kind: str
    type: type[R]
    key: Callable[[R], str]
    trust: Callable[[R], OdsCode | None]
    day: Callable[[R], dt.date | None]


def _spec(
    kind: str, cls: type[Any], key: str, trust: str | None, day: str | None
) -> RecordSpec[Any]:
    get_key = operator.attrgetter(key)

    def key_of(r: Any) -> str:
        k = get_key(r)
        return k.code if isinstance(k, OdsCode) else str(k)

    def trust_of(r: Any) -> OdsCode | None:
        return None if trust is None else getattr(r, trust)

    def day_of(r: Any) -> dt.date | None:
        return None if day is None else getattr(r, day)

    return RecordSpec(kind, cls, key_of, trust_of, day_of)


RECORD_SPECS: tuple[RecordSpec[Any], ...] = (
    _spec("trust", Trust, "ods_code", "ods_code", "joined"),
    _spec("member", Member, "id", "trust", "joined"),
    _spec("death", Death, "id", "trust", "died_on"),
    _spec("review", Review, "id", "trust", "started_on"),
    _spec("learning_item", LearningItem, "id", "trust", "recorded_on"),
    _spec("sharing", SharingEvent, "id", "trust", "shared_on"),
    _spec("assessment", Assessment, "id", None, "assessed_on"),
    _spec("learning_journey", LearningJourney, "id", None, "planned_on"),
    _spec("family_involvement", FamilyInvolvement, "death_id", "trust", "offered_on"),
    _spec("candour_case", CandourCase, "id", "trust", "reported_on"),
    _spec("concern", Concern, "id", "trust", "raised_on"),
)
_BY_TYPE: dict[type[Any], RecordSpec[Any]] = {s.type: s for s in RECORD_SPECS}
_BY_KIND: dict[str, RecordSpec[Any]] = {s.kind: s for s in RECORD_SPECS}


def spec_for(kind: type[R] | str) -> RecordSpec[R]:
    """The :class:`RecordSpec` of a domain class or kind name."""
    spec = _BY_KIND.get(kind) if isinstance(kind, str) else _BY_TYPE.get(kind)
    if spec is None:
        raise DomainValidationError("kind", "is not a kind of record a store holds", str(kind))
    return spec


def record_key(record: Record) -> str:
    """The key a store files ``record`` under."""
    return spec_for(type(record)).key(record)


def key_text(key: uuid.UUID | OdsCode | str) -> str:
    """Normalise a key given as a UUID, an ODS code or text."""
    if isinstance(key, OdsCode):
        return key.code
    return str(key)


def redact_url(url: str) -> str:
    """``url`` with everything between ``://`` and the last ``@`` replaced by ``***``, for
    ``Store.url``, logs and errors.

    Nothing of the user and password part shows, whatever the password holds (``/``, ``#``,
    ``?`` or ``@`` all confuse URL parsers, which then find no password to hide):

    >>> redact_url("postgresql://collab:s3cret@db.example/collab")
    'postgresql://***@db.example/collab'
    >>> redact_url("postgresql://collab:s3/c#r?e@t@db.example/collab")
    'postgresql://***@db.example/collab'
    >>> redact_url("sqlite:///collab.db")
    'sqlite:///collab.db'
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, sep, rest = url.partition(":")
    at = rest.rfind("@")
    if not sep or at < 0:
        return url
    return f"{scheme}{sep}***{rest[at:]}"


def url_secrets(url: str) -> list[str]:
    """The pieces of ``url``'s authority (user, password, host, port; as written and decoded)
    that text quoting it must not repeat, longest first: what :func:`scrub_url_secrets`
    removes."""
    _, sep, rest = url.partition("://")
    if not sep:
        return []
    at = rest.rfind("@")
    end = rest.find("/", at + 1)
    authority = rest[: end if end >= 0 else len(rest)]
    pieces = {p for p in re.split(r"[:@]", authority) if len(p) >= 2}
    pieces |= {urllib.parse.unquote(p) for p in pieces}
    if at >= 0:
        # The whole credential part, whatever a parser made of it.
        credentials = rest[:at]
        pieces |= {credentials, urllib.parse.unquote(credentials)}
        pieces |= {p for p in credentials.split(":", 1) if len(p) >= 2}
    return sorted(pieces, key=len, reverse=True)


def scrub_url_secrets(text: str, url: str) -> str:
    """``text`` (a driver's message, say) with every piece of ``url``'s authority replaced by
    ``***``, so that a password typed where a port or a host goes is not repeated either."""
    for piece in url_secrets(url):
        text = text.replace(piece, "***")
    return text


@attrs.frozen
class Versioned(Generic[R_co]):
    """A record as stored, with its version (1 for a new record, +1 on every change)."""

    record: R_co
    version: int


class Capability(enum.StrEnum):
    """Optional features a store may declare; the conformance kit skips what is not declared."""

    #: Committed data survives closing and re-opening the store at the same URL, in this
    #: process or another (a file or a server). Implies :attr:`REOPENABLE`.
    PERSISTENT = "persistent"
    #: Committed data survives closing and re-opening the store at the same URL within this
    #: process (a named in-memory store), though not the end of the process.
    REOPENABLE = "reopenable"
    #: Several processes may write at once (a server database).
    CONCURRENT_WRITERS = "concurrent_writers"
    #: ``lfd_facts`` and ``sharing_trusts`` are answered natively (e.g. in SQL).
    NATIVE_AGGREGATES = "native_aggregates"
    #: The publication outbox is kept.
    OUTBOX = "outbox"
    #: Outbox entries are claimed before delivery (:meth:`Store.claim_outbox`), so that
    #: deliverers in several processes at once never hand one entry to a publisher twice.
    OUTBOX_CLAIMS = "outbox_claims"


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


class UnitOfWork(Protocol):
    """One all-or-nothing batch of writes. Leaving the ``with`` block normally commits; an
    exception rolls everything back and propagates. Reads inside see the batch's own writes;
    nothing is visible to :meth:`Store.get` or :meth:`Store.scan` before the commit.

    A commit that finds a record changed by another unit since this unit first read or wrote
    it raises :class:`~collab_core.ConcurrencyError` and writes nothing; a record the unit only
    reads never makes it fail. Outbox marks apply, at commit, to
    the entry as it then stands, so that failures marked by two units at once both count.
    """

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        """The record of ``kind`` under ``key``, or ``None``."""
        ...

    def put(
        self, records: Sequence[Record], *, expected_versions: Sequence[int | None] | None = None
    ) -> tuple[int, ...]:
        """Upsert ``records`` by key; return each one's version after the write.

        Idempotent: putting a record equal to the stored one keeps its version. A changed
        record's version goes up by one. Records are applied in order, so a key given twice in
        one call ends at the later record. ``expected_versions``, when given, holds one entry
        per record: ``None`` means "any", ``0`` "must not exist yet", ``n`` "must be at version
        n" (as this unit sees it); a mismatch raises :class:`~collab_core.ConcurrencyError`
        naming the kind and key before anything of this call is written, and, left uncaught,
        rolls the whole unit back. ``expected_versions`` of another length than ``records``
        raises :class:`~collab_core.DomainValidationError`.
        """
        ...

    def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        """Add publications to the outbox (a store with the OUTBOX capability).

        Entries keep the order they were enqueued in. An entry whose id is already in the
        outbox is left as it is (enqueueing is idempotent). So is one whose
        :attr:`~OutboxEntry.key` is: equal content for a publisher is queued once.
        """
        ...

    def mark_delivered(self, entry_ids: Sequence[uuid.UUID], at: dt.datetime) -> None:
        """Mark outbox entries delivered at ``at`` and release their claims; ``attempts`` and
        ``last_error`` are kept. An unknown id raises :class:`~collab_core.RecordNotFoundError`
        (kind ``"outbox entry"``)."""
        ...

    def mark_failed(
        self,
        entry_id: uuid.UUID,
        error: str,
        at: dt.datetime,
        *,
        next_attempt_at: dt.datetime | None = None,
        dead: bool = False,
    ) -> None:
        """Record a failed attempt: the status becomes ``FAILED`` (``DEAD`` when ``dead``),
        ``attempts`` goes up by one, ``last_error`` holds ``error``, ``next_attempt_at`` says
        when to try again, and the claim is released. A ``FAILED`` entry stays to be retried,
        and a later :meth:`mark_delivered` still delivers it; a failure reported after a
        delivery (a bounce) is recorded as a failure too. Any text is stored as given, NUL
        included: it never makes this raise. An unknown id raises
        :class:`~collab_core.RecordNotFoundError`."""
        ...

    def requeue(self, entry_id: uuid.UUID, at: dt.datetime) -> None:
        """Put a ``DEAD`` or ``FAILED`` entry back to ``PENDING`` with no attempts, to be tried
        at once (its ``last_error`` is kept); an entry in another state is left as it is. An
        unknown id raises :class:`~collab_core.RecordNotFoundError`."""
        ...

    def rollback(self) -> None:
        """Discard every write made so far in this unit; the unit stays open and empty."""
        ...


@runtime_checkable
class Store(Protocol):
    """Where a collaborative's records live. Chosen by the scheme of its URL."""

    @property
    def url(self) -> str:
        """The URL the store was opened with (without any password)."""
        ...

    @property
    def capabilities(self) -> frozenset[Capability]:
        """The optional features this store provides."""
        ...

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """Begin an all-or-nothing unit of work."""
        ...

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> Versioned[R] | None:
        """The committed record of ``kind`` under ``key``, or ``None``.

        A stored record that cannot be read back raises :class:`~collab_core.CorruptRecordError`
        naming the table (containing the kind's name) and the key.
        """
        ...

    def scan(
        self,
        kind: type[R],
        *,
        trust: OdsCode | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        batch_size: int = 1000,
        on_corrupt: OnCorrupt | None = None,
    ) -> Iterator[Versioned[R]]:
        """Stream committed records of ``kind`` in key order, optionally only one trust's and
        only those whose :attr:`RecordSpec.day` lies in ``[start, end]`` (both inclusive). Key
        order is the order of the key text (a UUIDv7's text sorts by time). Never loads a whole
        table: it fetches ``batch_size`` (at least 1) records at a time.

        A stored record that cannot be read back is handled as ``on_corrupt`` says:

        - ``None`` (the default): the scan stops with the
          :class:`~collab_core.CorruptRecordError`, naming the table and the (masked) key;
        - a callable: the record is skipped, the callable is called with that
          :class:`~collab_core.CorruptRecordError`, and the scan goes on. To collect the
          problems, pass ``problems.append``; to stop after all, raise from the callable.
        """
        ...

    def count(
        self,
        kind: type[R],
        *,
        trust: OdsCode | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> int:
        """How many records :meth:`scan` would yield with the same filters."""
        ...

    def outbox(
        self, *, publisher: str | None = None, status: OutboxStatus | None = OutboxStatus.PENDING
    ) -> list[OutboxEntry]:
        """Outbox entries in the order they were enqueued, optionally for one publisher and one
        status (``status=None``: every status)."""
        ...

    def claim_outbox(
        self,
        entry_ids: Sequence[uuid.UUID],
        *,
        claimant: str,
        now: dt.datetime,
        until: dt.datetime,
    ) -> list[OutboxEntry]:
        """Claim those of ``entry_ids`` that are :meth:`due <OutboxEntry.due>` at ``now`` for
        ``claimant`` until ``until``, atomically, and return them as claimed (in enqueue
        order); the others are skipped (OUTBOX_CLAIMS). Two claimants at once never both get
        an entry: the second sees the first's live claim. :meth:`UnitOfWork.mark_delivered`
        and :meth:`UnitOfWork.mark_failed` release the claim; a claim left by a deliverer that
        died lapses at ``until``, and the entry is claimable again."""
        ...

    def lfd_facts(self, query: LfdQuery) -> list[LfdFact]:
        """Native answer to :func:`collab_core.domain.facts.lfd_facts` (NATIVE_AGGREGATES)."""
        ...

    def sharing_trusts(self, query: SharingQuery) -> frozenset[OdsCode]:
        """Native answer to :func:`collab_core.domain.facts.sharing_trusts` (NATIVE_AGGREGATES)."""
        ...

    def close(self) -> None:
        """Release connections and files. Safe to call twice; the store is unusable after (its
        reads and units of work raise :class:`~collab_core.StoreError`)."""
        ...


class Publisher(Protocol):
    """Delivers publications somewhere: a site, a board pack, a bulletin, a feed.

    The outbox delivers at least once: after a crash mid-delivery, an entry is handed over
    again with the same ``key``. A publisher that writes or upserts by that key (a file named
    after it, a page keyed on it) keeps one copy and declares :attr:`idempotent`; one that
    cannot (an e-mail) receives an entry at most once more after each crash.
    """

    @property
    def name(self) -> str:
        """The publisher's name, as configuration refers to it."""
        ...

    @property
    def idempotent(self) -> bool:
        """Whether delivering the same ``key`` twice leaves one copy (a file or page keyed by
        it) rather than two (an e-mail sent twice)."""
        ...

    def deliver(self, publication: Publication, *, key: str) -> DeliveryReceipt:
        """Deliver one publication, or raise; the outbox retries failures.

        :param key: the outbox entry's idempotency key (:func:`outbox_key`): the same for
            every attempt at the same content for this publisher.
        """
        ...


@attrs.frozen
class StoreUpgrade:
    """What upgrading a store's schema did (``collab upgrade``).

    :param url: the store's URL, without any password.
    :param before: the schema revision before the upgrade (``None``: no schema yet).
    :param after: the revision after it.
    """

    url: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        """Whether any migration ran."""
        return self.before != self.after


@attrs.frozen
class StoreSpec:
    """A store implementation handed to the host by a plugin's ``collab_register_stores``.

    :param scheme: the URL scheme it serves, e.g. ``"sqlite"``, ``"postgresql"``, ``"memory"``.
    :param open: opens a store for a URL (``open("sqlite:///collab.db")``).
    :param description: one line for ``collab plugins`` and the docs.
    :param upgrade: applies the store's pending schema migrations to the store at a URL without
        opening it for use, and says what it did (``collab upgrade``); ``None`` for a store
        with no schema to migrate.
    """

    scheme: str
    open: Callable[[str], Store]
    description: str = ""
    upgrade: Callable[[str], StoreUpgrade] | None = None


@attrs.frozen
class PublisherSpec:
    """A publisher implementation handed to the host by ``collab_register_publishers``.

    :param name: the name configuration uses, e.g. ``"site"``.
    :param create: makes the publisher from its settings.
    """

    name: str
    create: Callable[[Mapping[str, Any]], Publisher]
    description: str = ""


@attrs.frozen
class MeasureSpec:
    """A measure handed to the host by a plugin's ``collab_register_targets``, with how to read
    its value, so that targets set on it can be assessed.

    :param measure: the measure; targets name it by :attr:`~collab_core.Measure.id`.
    :param read: the measure's value on a day, read from a store: ``read(store, day)`` returns an
        ``int`` or a :class:`~fractions.Fraction`. ``None`` when values are supplied by hand.
    """

    measure: Measure
    read: Callable[[Store, dt.date], int | Fraction] | None = None


# The payload names of the records the ports exchange, so that an envelope of any of them can be
# read back by name alone (the domain's own names are pinned in collab_core.serialization).
register_type(Versioned, "versioned")
register_type(Publication, "publication")
register_type(OutboxEntry, "outbox_entry", version=2, upcasters=[upcast_outbox_entry_v1_v2])
register_type(DeliveryReceipt, "delivery_receipt")
register_type(StoreUpgrade, "store_upgrade")

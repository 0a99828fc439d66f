"""The outbox use cases: putting a publication in the outbox for its publishers, handing due
entries to their publishers (each claimed first, each isolated from the others: ARCHITECTURE
rule 4), retrying failures with backoff until they are dead, and re-queueing dead entries.

The guarantees (docs/sharing.md, "The outbox"): every entry is delivered at least once; at a
publisher that declares itself idempotent, exactly once in effect (it receives the same key
again after a crash and keeps one copy); at one that does not, at most once more after each
crash. Deliverers in several processes at once never hand one entry over twice, when the store
claims entries (:attr:`~collab_core.ports.Capability.OUTBOX_CLAIMS`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from collab_core.domain.errors import (
    ConfigurationError,
    DomainValidationError,
    RecordNotFoundError,
    StoreError,
)
from collab_core.domain.ids import new_id
from collab_core.plugins.manager import Plugins
from collab_core.ports import (
    Capability,
    DeliveryReceipt,
    OutboxEntry,
    OutboxStatus,
    Publication,
    Publisher,
    Store,
)
from collab_core.service.retry import RetryPolicy
from collab_core.sharing.scrub import check_outbox_floor, scrub_error_text

__all__ = [
    "DEFAULT_LEASE",
    "DeliveryReport",
    "dead_entries",
    "deliver_pending",
    "enqueue",
    "requeue",
    "require_outbox",
]

logger = logging.getLogger("collab_core.service")

#: How long a deliverer holds an entry it claimed: longer than any one delivery takes. A
#: deliverer that dies leaves its claims to lapse after this, and the entries are tried again.
DEFAULT_LEASE = dt.timedelta(minutes=10)


@attrs.frozen
class DeliveryReport:
    """What one round of :meth:`Collaborative.deliver_pending
    <collab_core.service.Collaborative.deliver_pending>` did.

    :param delivered: the receipts of the publications delivered.
    :param failed: ``(entry id, publisher, error)`` for each delivery that failed, the error
        scrubbed as the outbox stored it; the entry is retried after its backoff, unless it is
        also in ``dead``.
    :param dead: the entries that failed for the last time this round: they are not tried
        again until re-queued (:meth:`Collaborative.requeue
        <collab_core.service.Collaborative.requeue>`).
    """

    delivered: tuple[DeliveryReceipt, ...] = ()
    failed: tuple[tuple[uuid.UUID, str, str], ...] = ()
    dead: tuple[uuid.UUID, ...] = ()


def require_outbox(store: Store) -> None:
    """Refuse a store that keeps no outbox.

    :raises StoreError: the store does not declare :attr:`~collab_core.ports.Capability.OUTBOX`.
    """
    if Capability.OUTBOX not in store.capabilities:
        raise StoreError(f"the store {store.url} keeps no outbox (Capability.OUTBOX)")


def enqueue(
    store: Store,
    publishers: Mapping[str, Publisher],
    publication: Publication,
    to: Sequence[str] | None = None,
) -> tuple[OutboxEntry, ...]:
    """Put ``publication`` in ``store``'s outbox once for each publisher in ``to`` (default:
    every one of ``publishers``), in one unit of work, and return each publisher's entry.

    Whatever path a publication came by, it passes the floor check here
    (:func:`~collab_core.sharing.scrub.check_outbox_floor`). Content already in the outbox for
    a publisher (the same idempotency key) is not queued again: its entry is returned.

    :raises PrivacyError: the floor check found an identifier; nothing is queued.
    """
    names = list(publishers) if to is None else list(to)
    unknown = [n for n in names if n not in publishers]
    if unknown:
        known = ", ".join(publishers) or "none"
        raise ConfigurationError(
            f"to: {', '.join(map(repr, unknown))} is not a publisher here (known: {known})"
        )
    require_outbox(store)
    check_outbox_floor(publication)
    entries = tuple(OutboxEntry(new_id(), name, publication) for name in names)
    with store.unit_of_work() as uow:
        uow.enqueue(entries)
    return tuple(_as_queued(store, entry) for entry in entries)


def _as_queued(store: Store, entry: OutboxEntry) -> OutboxEntry:
    """The entry the outbox holds for ``entry``'s key (``entry`` itself unless the same content
    was queued for the publisher before)."""
    for held in store.outbox(publisher=entry.publisher, status=None):
        if held.key == entry.key:
            return held
    return entry


def _check_lease(lease: object) -> None:
    if not isinstance(lease, dt.timedelta) or lease <= dt.timedelta(0):
        raise DomainValidationError("lease", "must be a timedelta above zero", lease)


def _default_claimant() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def deliver_pending(
    store: Store,
    publishers: Mapping[str, Publisher],
    plugins: Plugins,
    now: Callable[[], dt.datetime] | None = None,
    *,
    policy: RetryPolicy | None = None,
    rng: random.Random | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
    claimant: str | None = None,
) -> DeliveryReport:
    """Hand every due outbox entry of ``store`` to its publisher, one at a time, with its key.

    The entries due when the round starts are taken in enqueue order. Each is claimed first
    (when the store declares OUTBOX_CLAIMS), so an entry another deliverer holds is skipped. A
    publisher that raises is recorded as failed, its error scrubbed (see
    :func:`~collab_core.sharing.scrub.scrub_error_text`), with the next attempt after
    ``policy``'s backoff, or as dead after its last attempt, while the others still deliver; a
    failure to record either is logged and never stops the round.

    :param now: the clock (default: the system's, in UTC).
    :param policy: the backoff and attempts (default :class:`RetryPolicy()`).
    :param rng: the random numbers for the jitter (seed one for repeatable tests).
    :param lease: how long a claim holds an entry (default :data:`DEFAULT_LEASE`).
    :param claimant: this deliverer's name in claims (default: host, process and a random
        part).
    """
    require_outbox(store)
    _check_lease(lease)
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    retry = policy or RetryPolicy()
    jitter = rng or random.Random()  # noqa: S311 - jitter, not a secret
    who = claimant or _default_claimant()
    claims = Capability.OUTBOX_CLAIMS in store.capabilities
    start = clock()
    due = [
        e
        for status in (OutboxStatus.PENDING, OutboxStatus.FAILED)
        for e in store.outbox(status=status)
        if e.due(start)
    ]
    delivered: list[DeliveryReceipt] = []
    failed: list[tuple[uuid.UUID, str, str]] = []
    dead: list[uuid.UUID] = []
    for waiting in due:
        entry: OutboxEntry | None = waiting
        if claims:
            at = clock()
            claimed = store.claim_outbox([waiting.id], claimant=who, now=at, until=at + lease)
            entry = claimed[0] if claimed else None
        if entry is None:
            continue  # another deliverer holds it, or has delivered it meanwhile
        publisher = publishers.get(entry.publisher)
        try:
            if publisher is None:
                raise ConfigurationError(
                    f"publisher: {entry.publisher!r} is not configured in this collaborative"
                )
            if waiting.claimed_by is not None and not publisher.idempotent:
                # A claim that lapsed: a deliverer died, maybe after delivering.
                logger.info(
                    "outbox entry %s goes to %s again after a deliverer stopped; it may be "
                    "delivered twice",
                    entry.id,
                    entry.publisher,
                )
            receipt = publisher.deliver(entry.publication, key=entry.key)
        except Exception as exc:  # one failing publisher must not stop the others
            error = _failed(store, entry, exc, clock(), retry, jitter, _names(plugins))
            failed.append((entry.id, entry.publisher, error))
            if retry.dead_after(entry.attempts + 1):
                dead.append(entry.id)
            continue
        if _delivered(store, entry, receipt, clock):
            plugins.publication_delivered(receipt)
            delivered.append(receipt)
        else:
            failed.append((entry.id, entry.publisher, "delivered, but not recorded as delivered"))
    return DeliveryReport(tuple(delivered), tuple(failed), tuple(dead))


def _names(plugins: Plugins) -> tuple[str, ...]:
    """Every deny-listed name of every audience, for scrubbing error text; a plugin that
    raises here is left out (the scrub must never fail)."""
    names: list[str] = []
    try:
        for spec in plugins.audiences.values():
            for _plugin, listed in plugins.deny_lists(spec):
                names.extend(listed)
    except Exception:
        logger.warning("a deny-list could not be read while scrubbing a delivery error")
    return tuple(names)


def _failed(
    store: Store,
    entry: OutboxEntry,
    exc: Exception,
    at: dt.datetime,
    retry: RetryPolicy,
    rng: random.Random,
    names: Iterable[str],
) -> str:
    """Record a failed delivery (scrubbed), or log that recording it failed; the error text."""
    error = scrub_error_text(f"{type(exc).__name__}: {exc}", names)
    attempts = entry.attempts + 1
    is_dead = retry.dead_after(attempts)
    next_at = None if is_dead else at + retry.delay(attempts, rng)
    state = "dead" if is_dead else f"retried from {next_at:%Y-%m-%dT%H:%M:%SZ}"
    logger.warning("delivery of outbox entry %s failed (%s): %s", entry.id, state, error)
    try:
        with store.unit_of_work() as uow:
            uow.mark_failed(entry.id, error, at, next_attempt_at=next_at, dead=is_dead)
    except Exception as mark:
        logger.error(
            "recording the failure of outbox entry %s failed: %s",
            entry.id,
            scrub_error_text(f"{type(mark).__name__}: {mark}"),
        )
    return error


def _delivered(
    store: Store, entry: OutboxEntry, receipt: DeliveryReceipt, clock: Callable[[], dt.datetime]
) -> bool:
    """Record a delivery; whether that worked (if not, the entry is delivered again later)."""
    try:
        with store.unit_of_work() as uow:
            uow.mark_delivered([entry.id], receipt.delivered_at)
    except Exception as mark:
        logger.error(
            "recording the delivery of outbox entry %s failed at %s: %s",
            entry.id,
            clock().isoformat(),
            scrub_error_text(f"{type(mark).__name__}: {mark}"),
        )
        return False
    return True


def dead_entries(store: Store, publisher: str | None = None) -> list[OutboxEntry]:
    """The dead entries of ``store``'s outbox (failed too often; not tried again until
    re-queued), in enqueue order, optionally only one publisher's."""
    require_outbox(store)
    return store.outbox(publisher=publisher, status=OutboxStatus.DEAD)


def requeue(
    store: Store, entry_id: uuid.UUID | str, now: Callable[[], dt.datetime] | None = None
) -> OutboxEntry:
    """Put the dead (or failed) entry ``entry_id`` back in the outbox to be tried at the next
    :func:`deliver_pending`, with no attempts counted; return it as it now stands.

    :raises RecordNotFoundError: no outbox entry has that id.
    :raises DomainValidationError: the entry is neither dead nor failed (pending or delivered).
    """
    require_outbox(store)
    try:
        wanted = entry_id if isinstance(entry_id, uuid.UUID) else uuid.UUID(str(entry_id))
    except ValueError:
        raise DomainValidationError(
            "entry_id", "must be an outbox entry's UUID", entry_id
        ) from None
    held = next((e for e in store.outbox(status=None) if e.id == wanted), None)
    if held is None:
        raise RecordNotFoundError("outbox entry", wanted)
    if held.status not in (OutboxStatus.DEAD, OutboxStatus.FAILED):
        raise DomainValidationError(
            "entry_id", f"names an entry that is {held.status.value}, not dead or failed", wanted
        )
    at = (now or (lambda: dt.datetime.now(dt.UTC)))()
    with store.unit_of_work() as uow:
        uow.requeue(wanted, at)
    return next(e for e in store.outbox(status=None) if e.id == wanted)

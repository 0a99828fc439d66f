"""The outbox use cases: putting a publication in the outbox for its publishers, and handing
waiting entries to their publishers, each isolated from the others (ARCHITECTURE rule 4)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence

import attrs

from collab_core.domain.errors import ConfigurationError, StoreError
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

__all__ = ["DeliveryReport", "deliver_pending", "enqueue", "require_outbox"]

logger = logging.getLogger("collab_core.service")


@attrs.frozen
class DeliveryReport:
    """What one round of :meth:`Collaborative.deliver_pending
    <collab_core.service.Collaborative.deliver_pending>` did.

    :param delivered: the receipts of the publications delivered.
    :param failed: ``(entry id, publisher, error)`` for each delivery that failed; the entry
        stays in the outbox to be retried.
    """

    delivered: tuple[DeliveryReceipt, ...] = ()
    failed: tuple[tuple[uuid.UUID, str, str], ...] = ()


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
    every one of ``publishers``), in one unit of work."""
    names = list(publishers) if to is None else list(to)
    unknown = [n for n in names if n not in publishers]
    if unknown:
        known = ", ".join(publishers) or "none"
        raise ConfigurationError(
            f"to: {', '.join(map(repr, unknown))} is not a publisher here (known: {known})"
        )
    require_outbox(store)
    entries = tuple(OutboxEntry(new_id(), name, publication) for name in names)
    with store.unit_of_work() as uow:
        uow.enqueue(entries)
    return entries


def deliver_pending(
    store: Store,
    publishers: Mapping[str, Publisher],
    plugins: Plugins,
    now: Callable[[], dt.datetime] | None = None,
) -> DeliveryReport:
    """Hand every waiting outbox entry of ``store`` to its publisher, one at a time; a
    publisher that raises is recorded as failed while the others still deliver."""
    require_outbox(store)
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    waiting = [
        *store.outbox(status=OutboxStatus.PENDING),
        *store.outbox(status=OutboxStatus.FAILED),
    ]
    delivered: list[DeliveryReceipt] = []
    failed: list[tuple[uuid.UUID, str, str]] = []
    for entry in waiting:
        publisher = publishers.get(entry.publisher)
        try:
            if publisher is None:
                raise ConfigurationError(
                    f"publisher: {entry.publisher!r} is not configured in this collaborative"
                )
            receipt = publisher.deliver(entry.publication)
        except Exception as exc:  # one failing publisher must not stop the others
            error = f"{type(exc).__name__}: {exc}"
            logger.warning("delivery of outbox entry %s failed: %s", entry.id, error)
            with store.unit_of_work() as uow:
                uow.mark_failed(entry.id, error, clock())
            failed.append((entry.id, entry.publisher, error))
            continue
        with store.unit_of_work() as uow:
            uow.mark_delivered([entry.id], receipt.delivered_at)
        plugins.publication_delivered(receipt)
        delivered.append(receipt)
    return DeliveryReport(tuple(delivered), tuple(failed))

"""The publishing port: a publisher, and how a plugin hands one to the host."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import attrs

from collab_core.ports.publications import DeliveryReceipt, Publication


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
class PublisherSpec:
    """A publisher implementation handed to the host by ``collab_register_publishers``.

    :param name: the name configuration uses, e.g. ``"site"``.
    :param create: makes the publisher from its settings.
    """

    name: str
    create: Callable[[Mapping[str, Any]], Publisher]
    description: str = ""

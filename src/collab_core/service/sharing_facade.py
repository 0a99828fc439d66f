"""The sharing part of :class:`~collab_core.service.Collaborative`: building publications,
the privacy gate, publishing to the outbox, delivering, and the outbox's dead entries. Thin:
each method hands its work to :mod:`~collab_core.service.publishing` or
:mod:`~collab_core.service.delivery`.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from collab_core.domain.learning import Audience
from collab_core.domain.targets import ReportingPeriod
from collab_core.plugins.manager import Plugins
from collab_core.ports import OutboxEntry, Publication, Publisher, Store
from collab_core.publications.kinds import PublicationKind, PublicationSource
from collab_core.service.delivery import (
    DEFAULT_LEASE,
    DeliveryReport,
    dead_entries,
    deliver_pending,
    enqueue,
    requeue,
)
from collab_core.service.publishing import build_publication, privacy_gate
from collab_core.service.retry import RetryPolicy
from collab_core.sharing import AudienceSpec, Preview, PrivacyGate

__all__ = ["Sharing"]


class Sharing:
    """Publishing and delivering, for a collaborative with a store, plugins and publishers."""

    _store: Store
    _plugins: Plugins
    _publishers: dict[str, Publisher]

    @property
    def publication_kinds(self) -> Mapping[str, PublicationKind]:
        """The kinds of publication this collaborative builds, by name (built-in and plugins')."""
        return self._plugins.publication_kinds

    @property
    def audiences(self) -> Mapping[str, AudienceSpec]:
        """The audiences publications are built for, with what each may see, by name."""
        return self._plugins.audiences

    @property
    def privacy_gate(self) -> PrivacyGate:
        """The privacy gate: these audiences, with the plugins' deny-lists and trust rules."""
        return privacy_gate(self._plugins)

    def publication(
        self,
        kind: str,
        audience: Audience | str,
        period: ReportingPeriod,
        *,
        title: str | None = None,
        as_of: dt.date | None = None,
        created_at: dt.datetime | None = None,
        **options: Any,
    ) -> Publication:
        """Build a publication of ``kind`` (``"learning_bulletin"``, ``"lfd_dashboard"``,
        ``"headline_targets"``, ``"measure_chart"``, ``"assurance"`` or a plugin's) from the
        store, for ``audience`` and ``period`` (:mod:`collab_core.publications`). Its counts and
        dates are already controlled for the audience; :meth:`preview` shows what the gate
        finds.

        :param as_of: the day figures are counted to (default: the day of ``created_at``).
        :param options: the kind's own options (``trust="RH8"``, ``measure=...``).
        :raises ConfigurationError: an unknown kind, audience or option.
        """
        source: PublicationSource = self  # type: ignore[assignment]
        return build_publication(
            source,
            self._plugins,
            kind,
            audience,
            period,
            title=title,
            as_of=as_of,
            created_at=created_at,
            options=options,
        )

    def preview(self, publication: Publication) -> Preview:
        """What the privacy gate would find in ``publication``, with each finding masked."""
        return self.privacy_gate.preview(publication)

    def publish(
        self, publication: Publication, to: Sequence[str] | None = None
    ) -> tuple[OutboxEntry, ...]:
        """Pass ``publication`` through the privacy gate for its audience, then put it in the
        outbox once for each publisher in ``to`` (default: every publisher of this
        collaborative), in one unit of work. Nothing is delivered until :meth:`deliver_pending`.

        :return: the entries, holding the publication as the gate passed it (counts controlled,
            dates coarsened).
        :raises PrivacyError: the gate refused it; nothing reaches the outbox.
        :raises PluginError: a plugin's deny-list or trust rule failed; nothing is enqueued.
        :raises ConfigurationError: a name in ``to`` is not a publisher of this collaborative.
        :raises StoreError: the store keeps no outbox.
        """
        checked = self.privacy_gate.check(publication)
        return enqueue(self._store, self._publishers, checked, to)

    def deliver_pending(
        self,
        now: Callable[[], dt.datetime] | None = None,
        *,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        lease: dt.timedelta = DEFAULT_LEASE,
    ) -> DeliveryReport:
        """Hand every due outbox entry (pending, or failed and past its backoff) to its
        publisher with its idempotency key, each claimed first so that another deliverer
        never hands it over too (:func:`~collab_core.service.delivery.deliver_pending`).

        Each publisher is isolated: one that raises is recorded as failed, its error scrubbed,
        to be retried after ``policy``'s backoff (dead after its last attempt), while the
        others still deliver. Each delivery is recorded in its own unit of work, then
        :func:`~collab_core.plugins.hookspecs.collab_publication_delivered` is called with its
        receipt.

        :param now: the clock (default: the current UTC time).
        :param policy: the backoff and attempts (default :class:`RetryPolicy()
            <collab_core.RetryPolicy>`: 8 attempts).
        :param rng: random numbers for the backoff's jitter (seed one for repeatable runs).
        :param lease: how long a claim holds an entry.
        """
        return deliver_pending(
            self._store, self._publishers, self._plugins, now, policy=policy, rng=rng, lease=lease
        )

    def dead_entries(self, publisher: str | None = None) -> list[OutboxEntry]:
        """The outbox entries that failed on every attempt and are not tried again until
        re-queued, optionally only ``publisher``'s."""
        return dead_entries(self._store, publisher)

    def requeue(self, entry_id: uuid.UUID | str) -> OutboxEntry:
        """Put the dead (or failed) outbox entry ``entry_id`` back to be delivered at the next
        :meth:`deliver_pending`, with no attempts counted.

        :raises RecordNotFoundError: no outbox entry has that id.
        :raises DomainValidationError: the entry is pending or delivered.
        """
        return requeue(self._store, entry_id)

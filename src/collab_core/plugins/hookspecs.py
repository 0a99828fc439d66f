"""The hook specifications of collab_core: what a plugin may implement, and when each is called.

Registration hooks hand the host named store and publisher implementations; notification hooks
tell plugins about real events, once per batch. Each docstring is the reference documentation of
its hook (see ``docs/plugin_hooks.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pluggy

from collab_core.domain.targets import Target
from collab_core.ports import (
    DeliveryReceipt,
    MeasureSpec,
    PublisherSpec,
    Store,
    StoreSpec,
    Versioned,
)

__all__ = [
    "PROJECT_NAME",
    "collab_publication_delivered",
    "collab_records_committed",
    "collab_register_publishers",
    "collab_register_stores",
    "collab_register_targets",
    "hookimpl",
    "hookspec",
]

#: The pluggy project name, which is also the entry-point group plugins are found in.
PROJECT_NAME = "collab_core"

#: Marks a hook specification (used only here).
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Marks a plugin's implementation of a hook: ``@collab_core.hookimpl``.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def collab_register_stores() -> list[StoreSpec]:  # type: ignore[empty-body]
    """Register store implementations, each chosen by the scheme of a store URL.

    Called once for each :class:`~collab_core.service.Collaborative` (each plugin host), right
    after the plugins are loaded and before any store is opened. Two plugins that register the
    same scheme are refused with :class:`~collab_core.PluginError` naming both.

    :return: the :class:`~collab_core.ports.StoreSpec` of every store the plugin provides;
        ``spec.open(url)`` must return an object implementing :class:`~collab_core.ports.Store`.

    Example::

        @collab_core.hookimpl
        def collab_register_stores() -> list[StoreSpec]:
            return [StoreSpec("jsonl", JsonLinesStore.open, "records in JSON-lines files")]
    """


@hookspec
def collab_register_publishers() -> list[PublisherSpec]:  # type: ignore[empty-body]
    """Register publishers, each chosen by its name in configuration.

    Called once for each :class:`~collab_core.service.Collaborative`, after the plugins are
    loaded. Two plugins that register the same name are refused with
    :class:`~collab_core.PluginError` naming both.

    :return: the :class:`~collab_core.ports.PublisherSpec` of every publisher the plugin
        provides; ``spec.create(settings)`` must return a :class:`~collab_core.ports.Publisher`.

    Example::

        @collab_core.hookimpl
        def collab_register_publishers() -> list[PublisherSpec]:
            return [PublisherSpec("bulletin", BulletinPublisher.from_settings, "e-mail bulletin")]
    """


@hookspec
def collab_register_targets() -> list[MeasureSpec | Target]:  # type: ignore[empty-body]
    """Register measures, and targets set on them, that a trust or the collaborative tracks.

    Called once for each :class:`~collab_core.service.Collaborative`, after the plugins are
    loaded, together with the other registration hooks. Measures are keyed by
    :attr:`~collab_core.Measure.id` and targets by :attr:`~collab_core.Target.id`; two plugins
    that register the same id are refused with :class:`~collab_core.PluginError` naming both,
    as is a target whose measure no plugin registers. The built-in plugin registers
    :data:`~collab_core.CAPABILITY_MEASURE` (members who Learn, Live or Lead QI), so a plugin
    may set its own target on it.

    :return: :class:`~collab_core.ports.MeasureSpec` records (a measure and how to read it from
        a store on a day) and :class:`~collab_core.Target` records, in any order.

    Example::

        @collab_core.hookimpl
        def collab_register_targets() -> list[MeasureSpec | Target]:
            days = Measure("rw1.days-to-review", "Median days from death to review", "days")
            return [
                MeasureSpec(days, read=median_days_to_review),
                Target(
                    "rw1.days-to-review.2019",
                    days.id,
                    baseline=90,
                    baseline_on=dt.date(2018, 4, 1),
                    goal=60,
                    deadline=dt.date(2019, 3, 31),
                    direction=Direction.DOWN,
                ),
            ]
    """


@hookspec
def collab_records_committed(store: Store, records: Sequence[Versioned[Any]]) -> None:
    """React to a batch of records having been committed.

    Called once for each unit of work that :class:`~collab_core.service.Collaborative` commits
    (:meth:`~collab_core.service.Collaborative.record`,
    :meth:`~collab_core.service.Collaborative.share`), after the commit, never once per record.
    An exception raised here propagates to the caller, but the records stay committed.

    :param store: the store the records were committed to.
    :param records: every record of the batch, in the order given, with its version after the
        commit (a record equal to the one already stored keeps its version).
    :return: nothing; return values are ignored.

    Example::

        @collab_core.hookimpl
        def collab_records_committed(store: Store, records: Sequence[Versioned[Any]]) -> None:
            learning = [v.record for v in records if isinstance(v.record, LearningItem)]
            if learning:
                notify_governance_team(len(learning))
    """


@hookspec
def collab_publication_delivered(receipt: DeliveryReceipt) -> None:
    """React to a publisher having delivered a publication.

    Called by :meth:`~collab_core.service.Collaborative.deliver_pending` once for each outbox
    entry a publisher delivered, after the outbox has recorded the delivery.

    :param receipt: the publisher's :class:`~collab_core.ports.DeliveryReceipt`: the
        publisher's name, the publication's id, when and where it was delivered.
    :return: nothing; return values are ignored.

    Example::

        @collab_core.hookimpl
        def collab_publication_delivered(receipt: DeliveryReceipt) -> None:
            audit_log.append((receipt.publisher, receipt.publication_id, receipt.location))
    """

"""The hook specifications of collab_core: what a plugin may implement, and when each is called.

Registration hooks hand the host named store and publisher implementations, measures, publication
kinds and audiences; privacy hooks hand the privacy gate a trust's deny-list and rules for an
audience; notification hooks tell plugins about real events, once per batch. Each docstring is
the reference documentation of its hook (see ``docs/plugin_hooks.md``).
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
from collab_core.publications.kinds import PublicationKind
from collab_core.sharing import AudienceSpec, PrivacyRule

__all__ = [
    "PROJECT_NAME",
    "collab_deny_list",
    "collab_privacy_rules",
    "collab_publication_delivered",
    "collab_records_committed",
    "collab_register_audiences",
    "collab_register_publication_kinds",
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
def collab_register_publication_kinds() -> list[PublicationKind]:  # type: ignore[empty-body]
    """Register kinds of publication that a collaborative builds from its store.

    Called once for each :class:`~collab_core.service.Collaborative`, after the plugins are
    loaded, with the other registration hooks. Kinds are keyed by name; two plugins that
    register the same name are refused with :class:`~collab_core.PluginError` naming both. The
    built-in plugin registers ``learning_bulletin``, ``lfd_dashboard``, ``headline_targets``,
    ``measure_chart`` and ``assurance``.

    :return: :class:`~collab_core.publications.PublicationKind` records, each with a builder
        called as ``build(collab, request)`` that returns the body: a typed
        :class:`~collab_core.ports.PublicationBody` registered with the serialiser, or plain
        JSON data (wrap each count of people in :class:`~collab_core.Count` so that the privacy
        gate can control it).

    Example::

        @collab_core.hookimpl
        def collab_register_publication_kinds() -> list[PublicationKind]:
            return [PublicationKind("ward_digest", "Ward digest", build_ward_digest)]
    """


@hookspec
def collab_register_audiences() -> list[AudienceSpec]:  # type: ignore[empty-body]
    """Register audiences that publications are built for, each with what it may see.

    Called once for each :class:`~collab_core.service.Collaborative`, after the plugins are
    loaded, with the other registration hooks. The built-in plugin registers the five
    audiences of :class:`~collab_core.Audience` (``trylast``); a plugin may replace one of
    them (keeping its base audience) to change its policy, or add new ones delivered as one of
    the five. Two plugins that register the same name are refused, naming both.

    :return: :class:`~collab_core.sharing.AudienceSpec` records: a name, the base
        :class:`~collab_core.Audience`, the count policy, the date precision and whether
        exact dates in text are refused.

    Example::

        @collab_core.hookimpl
        def collab_register_audiences() -> list[AudienceSpec]:
            return [
                AudienceSpec("ics_partners", Audience.COLLABORATIVE, SmallNumbers(threshold=10))
            ]
    """


@hookspec
def collab_deny_list(audience: AudienceSpec) -> list[str]:  # type: ignore[empty-body]
    """Give the privacy gate names that must never reach ``audience``: patients, family
    members, staff.

    Called by the privacy gate each time it checks or previews a publication (once per
    publication, never per field), with the audience the publication is for. Each name is
    refused as a whole word, in any case, with any spacing between its words. A hook that
    raises refuses the publication with :class:`~collab_core.PluginError` naming the plugin.

    :param audience: the :class:`~collab_core.sharing.AudienceSpec` being checked for.
    :return: the names to refuse (none: an empty list).

    Example::

        @collab_core.hookimpl
        def collab_deny_list(audience: AudienceSpec) -> list[str]:
            return names_from_the_incident_system()
    """


@hookspec
def collab_privacy_rules(audience: AudienceSpec) -> list[PrivacyRule]:  # type: ignore[empty-body]
    """Give the privacy gate a trust's own rules for ``audience``: extra patterns, local name
    lists, a stricter small-number threshold, or a function that finds what to refuse.

    Called by the privacy gate each time it checks or previews a publication, with the
    audience the publication is for. A hook, or a rule's ``find``, that raises refuses the
    publication with :class:`~collab_core.PluginError` naming the plugin: a rule that cannot
    run is never taken as passed.

    :param audience: the :class:`~collab_core.sharing.AudienceSpec` being checked for.
    :return: :class:`~collab_core.sharing.PrivacyRule` records (none: an empty list).

    Example::

        @collab_core.hookimpl
        def collab_privacy_rules(audience: AudienceSpec) -> list[PrivacyRule]:
            return [PrivacyRule("rh8_wards", patterns=[r"\b(?:Elm|Oak) ward\b"], threshold=10)]
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

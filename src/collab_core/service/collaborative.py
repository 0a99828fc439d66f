"""The application object: :class:`Collaborative`, a thin facade over the use cases of the
collaborative (record, share, read, count, figures, publish), with its own plugins, store and
publishers.

Everything here is batch-shaped: one call, one unit of work, one notification to plugins.
Reads stream from the store; the dashboard facts use the store's own engine when it declares
:attr:`~collab_core.ports.Capability.NATIVE_AGGREGATES`, and the pure reference otherwise.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from types import TracebackType
from typing import Any, Self

from collab_core.domain.calendar import FinancialYear
from collab_core.domain.candour import CandourCase, CandourPolicy
from collab_core.domain.capability import THREE_LS, Assessment, Framework
from collab_core.domain.deaths import Death, Review, ScaleRegistry
from collab_core.domain.errors import (
    ConfigurationError,
    PluginError,
    RecordNotFoundError,
    StoreError,
)
from collab_core.domain.facts import (
    CapabilityFact,
    CapabilityQuery,
    LfdFact,
    LfdQuery,
    SharingQuery,
    capability_facts,
    lfd_facts,
    sharing_trusts,
)
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.ids import new_id
from collab_core.domain.learning import Audience, LearningItem, SharingEvent
from collab_core.domain.organisations import Trust
from collab_core.domain.people import Member
from collab_core.domain.targets import (
    CandourCompliance,
    CapabilityCensus,
    LfdDashboard,
    LfdLookBack,
    OverdueActions,
    ReportingPeriod,
    SharingCoverage,
    Target,
    TargetProgress,
    candour_compliance,
    capability_census_of,
    lfd_dashboard,
    lfd_dashboard_query,
    lfd_look_back,
    lfd_look_back_queries,
    overdue_actions,
    sharing_query,
)
from collab_core.plugins.manager import Plugins
from collab_core.ports import (
    Capability,
    MeasureSpec,
    NativeCapabilityFacts,
    Publisher,
    R,
    Record,
    Store,
    Versioned,
    key_text,
    redact_url,
    spec_for,
)
from collab_core.service.opening import open_store, scheme_of
from collab_core.service.recording import check_batch, check_unique
from collab_core.service.sharing_facade import Sharing

__all__ = ["Collaborative"]

DEFAULT_URL = "memory://"


def _trust_code(trust: OdsCode | str | None) -> OdsCode | None:
    return trust if trust is None or isinstance(trust, OdsCode) else OdsCode(trust)


class Collaborative(Sharing):
    """A collaborative's records, in one store, with its plugins and publishers.

    Make one with :meth:`open`; use it as a context manager, or call :meth:`close`::

        with Collaborative.open("memory://") as collab:
            collab.record([trust, death])
            facts = collab.lfd_facts(query)

    :param store: the open store.
    :param plugins: this collaborative's own plugin host.
    :param publishers: the publishers to deliver to, by name.
    """

    def __init__(
        self, store: Store, plugins: Plugins, publishers: Mapping[str, Publisher] | None = None
    ) -> None:
        self._store = store
        self._plugins = plugins
        self._publishers = dict(publishers or {})
        self._closed = False

    @classmethod
    def open(
        cls,
        url: str = DEFAULT_URL,
        *,
        plugins: Iterable[object] = (),
        load_entry_points: bool = True,
        publishers: Mapping[str, Mapping[str, Any]] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Collaborative:
        """Load the plugins, then open the store that serves ``url``'s scheme.

        :param url: the store URL: ``memory://`` (the default, private to this object),
            ``memory://name``, ``sqlite:///collab.db``, ``postgresql://host/db``, or any
            scheme a plugin registers.
        :param plugins: plugin objects to register by hand (modules or instances with
            ``@collab_core.hookimpl`` functions), after the installed ones.
        :param load_entry_points: load the plugins installed in the ``collab_core``
            entry-point group.
        :param publishers: the publishers to create, by registered name, with their settings.
        :param environ: where to read ``COLLAB_CORE_*`` variables (default ``os.environ``).
        :raises ConfigurationError: for a URL whose scheme no plugin serves (the message lists
            those that are served) or an unknown publisher name. The URL's password never
            appears in a message.
        :raises PluginError: for a plugin that cannot be loaded in strict mode, a misspelt
            hook, or two plugins registering one scheme or publisher name.
        """
        host = Plugins(plugins, load_entry_points=load_entry_points, environ=environ)
        try:
            scheme = scheme_of(url)
            spec = host.store_spec(scheme) or host.store_spec(scheme.partition("+")[0])
            if spec is None:
                known = ", ".join(host.stores) or "none"
                raise ConfigurationError(
                    f"url: no store serves the scheme {scheme!r} of {redact_url(url)!r} "
                    f"(known schemes: {known}; a plugin adds more){host.failures_note()}"
                )
            made: dict[str, Publisher] = {}
            for name, settings in (publishers or {}).items():
                pspec = host.publisher_spec(name)
                if pspec is None:
                    known = ", ".join(host.publishers) or "none"
                    raise ConfigurationError(
                        f"publishers: no publisher is called {name!r} (known: {known})"
                        f"{host.failures_note()}"
                    )
                made[name] = pspec.create(settings)
            store = open_store(spec.open, url)
        except BaseException:
            host.close()
            raise
        return cls(store, host, made)

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The open store."""
        return self._store

    @property
    def plugins(self) -> Plugins:
        """This collaborative's plugins: what loaded, what failed, which stores and publishers."""
        return self._plugins

    @property
    def publishers(self) -> Mapping[str, Publisher]:
        """The publishers this collaborative delivers to, by name."""
        return dict(self._publishers)

    @property
    def url(self) -> str:
        """The store's URL, without any password."""
        return self._store.url

    def close(self) -> None:
        """Close the store and stop any plugin tracing. Safe to call twice."""
        if not self._closed:
            self._closed = True
            try:
                self._store.close()
            finally:
                self._plugins.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Collaborative({self.url!r})"

    # -- writing ----------------------------------------------------------------------------

    def record(
        self,
        records: Iterable[Record],
        *,
        expected_versions: Sequence[int | None] | None = None,
    ) -> tuple[Versioned[Any], ...]:
        """Record a batch of records in one unit of work: all of them, or none.

        Before writing, the batch is checked against the cross-record rules: a record's trust
        is recorded, and a review, family involvement or candour case names a recorded death
        of its own trust; a learning item's reviews, a sharing event's learning item (which
        must be signed off before reaching the collaborative or the public), a concern's
        learning item, and an assessment's or journey's member exist. Records may refer to
        others in the same batch. A batch holds each record once.

        Fires :func:`~collab_core.plugins.hookspecs.collab_records_committed` once, after the
        commit.

        :param records: the records, of any kinds.
        :param expected_versions: optimistic concurrency, one entry per record (see
            :meth:`~collab_core.ports.UnitOfWork.put`).
        :return: each record with its version after the commit, in the order given.
        :raises DomainValidationError: a cross-record rule is broken (the field is named
            ``records[i].field``); nothing is written.
        :raises ConcurrencyError: a record is not at its expected version; nothing is written.
        """
        batch = list(records)
        if not batch:
            return ()
        index = check_unique(batch)
        with self._store.unit_of_work() as uow:
            check_batch(batch, uow, index)
            versions = uow.put(batch, expected_versions=expected_versions)
        committed = tuple(Versioned(r, v) for r, v in zip(batch, versions, strict=True))
        self._plugins.records_committed(self._store, committed)
        return committed

    def share(
        self,
        item_id: uuid.UUID,
        audience: Audience,
        on: dt.date,
        channel: str,
        *,
        sharing_id: uuid.UUID | None = None,
    ) -> SharingEvent:
        """Record that a learning item was shared with ``audience`` on ``on`` through
        ``channel`` (``"board paper"``, ``"learning event"``...).

        :raises RecordNotFoundError: no learning item has that id.
        :raises TransitionError: the item is not signed off yet and the audience is the
            collaborative or the public.
        """
        found = self._store.get(LearningItem, item_id)
        if found is None:
            raise RecordNotFoundError("learning_item", item_id)
        event = found.record.share(sharing_id or new_id(), audience, on, channel)
        self.record([event])
        return event

    # -- reading ----------------------------------------------------------------------------

    def get(self, kind: type[R], key: uuid.UUID | OdsCode | str) -> R:
        """The record of ``kind`` under ``key``.

        :raises RecordNotFoundError: there is none.
        """
        found = self._store.get(kind, key)
        if found is None:
            raise RecordNotFoundError(spec_for(kind).kind, key_text(key))
        return found.record

    def records(
        self,
        kind: type[R],
        *,
        trust: OdsCode | str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Iterator[R]:
        """Stream the records of ``kind`` in key order, optionally of one trust and with their
        date (:attr:`~collab_core.ports.RecordSpec.day`) in ``[start, end]``."""
        for v in self._store.scan(kind, trust=_trust_code(trust), start=start, end=end):
            yield v.record

    def count(
        self,
        kind: type[R],
        *,
        trust: OdsCode | str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> int:
        """How many records :meth:`records` would yield."""
        return self._store.count(kind, trust=_trust_code(trust), start=start, end=end)

    def trusts(self) -> Iterator[Trust]:
        """Every trust, by ODS code."""
        return self.records(Trust)

    def deaths(
        self,
        *,
        trust: OdsCode | str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Iterator[Death]:
        """Deaths, optionally of one trust and with the date of death in ``[start, end]``."""
        return self.records(Death, trust=trust, start=start, end=end)

    def reviews(
        self,
        *,
        trust: OdsCode | str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Iterator[Review]:
        """Reviews, optionally of one trust and started in ``[start, end]``."""
        return self.records(Review, trust=trust, start=start, end=end)

    def learning_items(
        self,
        *,
        trust: OdsCode | str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Iterator[LearningItem]:
        """Learning items, optionally of one trust and recorded in ``[start, end]``."""
        return self.records(LearningItem, trust=trust, start=start, end=end)

    def sharing_events(
        self,
        *,
        trust: OdsCode | str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Iterator[SharingEvent]:
        """Sharing events, optionally of one trust and shared in ``[start, end]``."""
        return self.records(SharingEvent, trust=trust, start=start, end=end)

    # -- the dashboard facts ----------------------------------------------------------------

    @property
    def native_aggregates(self) -> bool:
        """Whether the store answers the dashboard facts in its own engine."""
        return Capability.NATIVE_AGGREGATES in self._store.capabilities

    def lfd_facts(self, query: LfdQuery) -> list[LfdFact]:
        """The Learning from Deaths dashboard facts (:func:`collab_core.domain.facts.lfd_facts`).

        Native when the store declares it; otherwise the reference computation streams the
        deaths of each trust in the query's window and the reviews started by ``as_of``.
        """
        if self.native_aggregates:
            return self._store.lfd_facts(query)
        deaths = itertools.chain.from_iterable(
            self.records(Death, trust=code, start=query.deaths_from, end=query.deaths_to)
            for code in sorted(query.policies)
        )
        # A review completed by as_of started by then too (completed_on >= started_on).
        reviews = self.records(Review, end=query.as_of)
        return lfd_facts(deaths, reviews, query)

    def sharing_trusts(self, query: SharingQuery) -> frozenset[OdsCode]:
        """The trusts that shared learning with the query's audience inside their window
        (:func:`collab_core.domain.facts.sharing_trusts`), natively when the store can."""
        if self.native_aggregates:
            return self._store.sharing_trusts(query)
        events = itertools.chain.from_iterable(
            self.records(SharingEvent, trust=code, start=window[0], end=window[1])
            for code, window in sorted(query.windows.items())
        )
        return sharing_trusts(events, query)

    # -- the collaborative's figures --------------------------------------------------------

    def sharing_coverage(self, period: ReportingPeriod, audience: Audience) -> SharingCoverage:
        """Sharing coverage (:func:`~collab_core.sharing_coverage`) of the recorded trusts, with
        the numerator counted by the store when it can (:meth:`sharing_trusts`)."""
        trusts = list(self.trusts())
        answer = self.sharing_trusts(sharing_query(trusts, period, audience))
        return SharingCoverage.of(trusts, period, audience, answer)

    def lfd_dashboard(
        self,
        years: Iterable[FinancialYear],
        as_of: dt.date,
        scales: ScaleRegistry | None = None,
    ) -> LfdDashboard:
        """The Learning from Deaths dashboard (:func:`~collab_core.lfd_dashboard`) of the
        recorded trusts, from facts the store answers natively when it can (:meth:`lfd_facts`)."""
        years = list(years)
        trusts = list(self.trusts())
        query = lfd_dashboard_query(trusts, years, as_of, scales)
        return lfd_dashboard(self.lfd_facts(query), trusts, years, as_of)

    def lfd_look_back(
        self, year: FinancialYear, scales: ScaleRegistry | None = None
    ) -> LfdLookBack:
        """Quality Account items 27.7-27.9 for ``year`` (:func:`~collab_core.lfd_look_back`)."""
        trusts = list(self.trusts())
        earlier, later = lfd_look_back_queries(trusts, year, scales)
        return lfd_look_back(self.lfd_facts(earlier), self.lfd_facts(later), trusts, year)

    def capability_facts(self, query: CapabilityQuery) -> list[CapabilityFact]:
        """The capability census facts (:func:`collab_core.domain.facts.capability_facts`).

        Native when the store declares
        :attr:`~collab_core.ports.Capability.NATIVE_CAPABILITY_FACTS`; otherwise the reference
        computation reads the members who had joined by ``query.on`` and the assessments made
        by then.
        """
        store = self._store
        if Capability.NATIVE_CAPABILITY_FACTS in store.capabilities:
            if not isinstance(store, NativeCapabilityFacts):
                raise StoreError(
                    f"the store {store.url} declares {Capability.NATIVE_CAPABILITY_FACTS.value} "
                    "but has no capability_facts method"
                )
            return store.capability_facts(query)
        return capability_facts(
            self.records(Member, end=query.on), self.records(Assessment, end=query.on), query
        )

    def capability_census(
        self,
        on: dt.date,
        framework: Framework = THREE_LS,
        *,
        minimum_level: str | None = None,
    ) -> CapabilityCensus:
        """Members who Learn, Live or Lead QI on ``on`` (:func:`~collab_core.capability_census`),
        from facts the store answers natively when it can (:meth:`capability_facts`)."""
        query = (
            CapabilityQuery(on, framework)
            if minimum_level is None
            else CapabilityQuery(on, framework, minimum_level)
        )
        return capability_census_of(
            self.capability_facts(query),
            query,
            trusts=(t.ods_code for t in self.trusts() if t.is_member_on(on)),
        )

    def candour_compliance(
        self,
        period: ReportingPeriod,
        as_of: dt.date,
        policy: CandourPolicy | None = None,
        policies: Mapping[OdsCode, CandourPolicy] | None = None,
    ) -> CandourCompliance:
        """Duty of Candour compliance for incidents reported in ``period``
        (:func:`~collab_core.candour_compliance`)."""
        return candour_compliance(
            list(self.trusts()),
            self.records(CandourCase, start=period.start, end=period.end),
            period,
            as_of,
            policy,
            policies,
        )

    def overdue_actions(self, as_of: dt.date) -> OverdueActions:
        """Open and overdue actions per member trust on ``as_of``
        (:func:`~collab_core.overdue_actions`)."""
        return overdue_actions(list(self.trusts()), self.records(LearningItem, end=as_of), as_of)

    # -- measures and targets ---------------------------------------------------------------

    @property
    def measures(self) -> Mapping[str, MeasureSpec]:
        """The measures plugins registered (``collab_register_targets``), by measure id."""
        return self._plugins.measures

    @property
    def targets(self) -> Mapping[str, Target]:
        """The targets plugins registered (``collab_register_targets``), by target id."""
        return self._plugins.targets

    def measure_value(self, measure_id: str, on: dt.date) -> Fraction:
        """The value of a registered measure on ``on``, read from the store by its plugin.

        :raises ConfigurationError: no plugin registers the measure, or it has no reader.
        :raises PluginError: the reader returned something other than an int or a Fraction.
        """
        spec = self._plugins.measure_spec(measure_id)
        if spec is None:
            known = ", ".join(self._plugins.measures) or "none"
            raise ConfigurationError(
                f"measure: no plugin registers {measure_id!r} (known measures: {known})"
                f"{self._plugins.failures_note()}"
            )
        if spec.read is None:
            raise ConfigurationError(
                f"measure: {measure_id!r} has no reader; pass its value to target_progress"
            )
        value = spec.read(self._store, on)
        if isinstance(value, bool) or not isinstance(value, int | Fraction):
            raise PluginError(
                f"measure {measure_id!r}: its reader must return an int or a Fraction, "
                f"not {type(value).__name__}"
            )
        return Fraction(value)

    def target_progress(
        self, target_id: str, on: dt.date, value: int | Fraction | None = None
    ) -> TargetProgress:
        """Where a registered target stands on ``on``: its measure read from the store (or
        ``value`` when given) against the target's trajectory.

        :raises ConfigurationError: no plugin registers the target, or its measure cannot be
            read and no ``value`` is given.
        """
        target = self._plugins.target(target_id)
        if target is None:
            known = ", ".join(self._plugins.targets) or "none"
            raise ConfigurationError(
                f"target: no plugin registers {target_id!r} (known targets: {known})"
                f"{self._plugins.failures_note()}"
            )
        measured = self.measure_value(target.measure, on) if value is None else value
        return target.assess(measured, on)

"""What a publication kind is: a name, a heading for titles, and a builder that reads a
collaborative's store through :class:`PublicationSource` and returns the kind's body for a
:class:`PublicationRequest` (an audience, a period, the day the figures are counted to, and the
kind's own options). Plugins register more kinds with ``collab_register_publication_kinds``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any, Protocol

import attrs

from collab_core.domain.calendar import FinancialYear, Month, Quarter
from collab_core.domain.capability import THREE_LS, Framework
from collab_core.domain.deaths import ScaleRegistry
from collab_core.domain.errors import ConfigurationError, DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.learning import Audience, LearningItem, SharingEvent
from collab_core.domain.organisations import Trust
from collab_core.domain.targets import (
    CandourCompliance,
    CapabilityCensus,
    LfdDashboard,
    LfdLookBack,
    OverdueActions,
    ReportingPeriod,
    SharingCoverage,
)
from collab_core.ports import MeasureSpec, PublicationBody
from collab_core.sharing import AudienceSpec

__all__ = ["PublicationBuilder", "PublicationKind", "PublicationRequest", "PublicationSource"]

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


class PublicationSource(Protocol):
    """What a builder reads: the figures and records of a collaborative.
    :class:`~collab_core.service.Collaborative` is one."""

    def trusts(self) -> Iterator[Trust]: ...

    def learning_items(
        self,
        *,
        trust: OdsCode | str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Iterator[LearningItem]: ...

    def sharing_events(
        self,
        *,
        trust: OdsCode | str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Iterator[SharingEvent]: ...

    def sharing_coverage(self, period: ReportingPeriod, audience: Audience) -> SharingCoverage: ...

    def lfd_dashboard(
        self,
        years: Iterable[FinancialYear],
        as_of: dt.date,
        scales: ScaleRegistry | None = None,
    ) -> LfdDashboard: ...

    def lfd_look_back(
        self, year: FinancialYear, scales: ScaleRegistry | None = None
    ) -> LfdLookBack: ...

    def capability_census(
        self,
        on: dt.date,
        framework: Framework = THREE_LS,
        *,
        minimum_level: str | None = None,
    ) -> CapabilityCensus: ...

    def candour_compliance(self, period: ReportingPeriod, as_of: dt.date) -> CandourCompliance: ...

    def overdue_actions(self, as_of: dt.date) -> OverdueActions: ...

    @property
    def measures(self) -> Mapping[str, MeasureSpec]: ...

    def measure_value(self, measure_id: str, on: dt.date) -> Fraction: ...


def _period(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Month | Quarter | FinancialYear):
        raise DomainValidationError(
            attr.name, "must be a Month, a Quarter or a FinancialYear", type(value).__name__
        )


def _day(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not dt.date:
        raise DomainValidationError(attr.name, "must be a date", value)


def _audience(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, AudienceSpec):
        raise DomainValidationError(attr.name, "must be an AudienceSpec", type(value).__name__)


@attrs.frozen
class PublicationRequest:
    """What a builder is asked for.

    :param kind: the kind's name.
    :param audience: the audience it is for (the body records its name).
    :param period: the month, quarter or financial year it covers.
    :param as_of: the day its figures are counted to (reviews completed by then, say).
    :param options: the kind's own options (``trust="RH8"``, ``measure="capability.members"``).
    """

    kind: str
    audience: AudienceSpec = attrs.field(validator=_audience)
    period: ReportingPeriod = attrs.field(validator=_period)
    as_of: dt.date = attrs.field(validator=_day)
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=dict)

    def check_options(self, *known: str) -> None:
        """Refuse an option the kind does not take, naming it and the ones it does."""
        unknown = sorted(set(self.options) - set(known))
        if unknown:
            raise ConfigurationError(
                f"{self.kind}: unknown option(s) {', '.join(unknown)} "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )

    def option(self, name: str, default: Any = None) -> Any:
        """The option ``name``, or ``default`` when it was not given."""
        return self.options.get(name, default)


#: A builder: from a source and a request, the body of the kind (a typed
#: :class:`~collab_core.ports.PublicationBody`, or plain JSON data for a plugin's kind).
PublicationBuilder = Callable[
    [PublicationSource, PublicationRequest], PublicationBody | Mapping[str, Any]
]


def _name(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise DomainValidationError(attr.name, "is a lower_snake_case name", value)


def _option_names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _heading(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise DomainValidationError(attr.name, "must be a non-blank string", value)


def _builder(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise DomainValidationError(attr.name, "must be callable", type(value).__name__)


@attrs.frozen
class PublicationKind:
    """A kind of publication, built from a collaborative's store.

    :param name: the kind's name, as :attr:`Publication.kind <collab_core.ports.Publication>`
        records it (``"learning_bulletin"``).
    :param heading: the words a title starts with (``"Learning bulletin"``).
    :param build: the builder, called as ``build(collab, request)``.
    :param options: the options the builder takes, for the docs and error messages.
    :param description: one line for the docs and ``collab plugins``.
    """

    name: str = attrs.field(validator=_name)
    heading: str = attrs.field(validator=_heading)
    build: PublicationBuilder = attrs.field(validator=_builder)
    options: tuple[str, ...] = attrs.field(default=(), converter=_option_names)
    description: str = ""

    def title_for(self, request: PublicationRequest) -> str:
        """The default title: the heading, the trust (if the request names one) and the period:
        ``"Learning from Deaths dashboard, RH8, 2018/19"``."""
        parts = [self.heading]
        trust = request.option("trust")
        if trust is not None:
            parts.append(str(trust))
        parts.append(request.period.label)
        return ", ".join(parts)

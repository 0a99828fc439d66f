"""The registry of payload types: each class's stable name, its current schema version, and the
upcasters that bring older data up to date.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import threading
import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs

from collab_core.domain.calendar import FinancialYear, Month, Quarter
from collab_core.domain.candour import CandourCase, CandourPolicy, ContactAttempt
from collab_core.domain.capability import (
    Assessment,
    Framework,
    JourneyStep,
    LearningJourney,
    Level,
    SubjectArea,
)
from collab_core.domain.deaths import Death, Review, ReviewScale, ScaleRegistry, Score
from collab_core.domain.errors import ConfigurationError, PayloadError, redact
from collab_core.domain.facts import LfdFact, LfdQuery, SharingQuery
from collab_core.domain.identifiers import CaseReference, OdsCode, SiteCode
from collab_core.domain.improvement import Concern, PdsaCycle
from collab_core.domain.learning import (
    Action,
    FamilyInvolvement,
    FamilyQuestion,
    ImpactAssessment,
    LearningItem,
    SharingEvent,
)
from collab_core.domain.measures import (
    AttributePhase,
    AttributeResult,
    SpcOptions,
    XmrPhase,
    XmrResult,
)
from collab_core.domain.organisations import ScopePolicy, Site, Trust
from collab_core.domain.people import Member
from collab_core.domain.themes import Theme, ThemeTaxonomy
from collab_core.serialization._upcasters import (
    upcast_attribute_phase_v1_v2,
    upcast_attribute_result_v1_v2,
    upcast_spc_options_v1_v2,
    upcast_xmr_phase_v1_v2,
    upcast_xmr_result_v1_v2,
)

T = TypeVar("T")

Upcaster = Callable[[Any], Any]
"""A pure function from one schema version's ``data`` to the next version's ``data``."""

_NAME = re.compile(r"[a-z][a-z0-9_]*")


# --------------------------------------------------------------------------------------------
# The registry of payload types: a stable name, the current schema version, and the upcasters.
# --------------------------------------------------------------------------------------------


@attrs.frozen
class PayloadType:
    """A class that travels in envelopes: its stable ``name``, its current schema ``version``,
    and the ``upcasters`` that bring older data up to date.

    ``upcasters[0]`` turns version 1 data into version 2 data, ``upcasters[1]`` version 2 into
    version 3, and so on, so there are always ``version - 1`` of them.
    """

    name: str
    cls: type[Any]
    version: int = 1
    upcasters: tuple[Upcaster, ...] = ()

    def upcast(self, data: Any, from_version: int) -> Any:
        """``data`` written at ``from_version``, brought up to :attr:`version`."""
        for step in self.upcasters[from_version - 1 :]:
            data = step(data)
        return data


_lock = threading.RLock()
_BY_CLASS: dict[type[Any], PayloadType] = {}
_BY_NAME: dict[str, PayloadType] = {}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1\2", name).lower()


def register_type(
    cls: type[Any],
    name: str | None = None,
    *,
    version: int = 1,
    upcasters: Sequence[Upcaster] = (),
) -> PayloadType:
    """Give ``cls`` a stable payload ``name`` and a schema ``version``, with the upcasters from
    every older version.

    Any attrs class can be serialised without this: it is named after the class in snake case
    (``SharingCoverage`` becomes ``"sharing_coverage"``) the first time it is used. Register a
    class to pin its name, to raise its version, or so that :func:`from_payload` can dispatch
    on its name before the class has been seen.

    Registering the same class again with the same settings is harmless; anything else that
    clashes raises :class:`~collab_core.ConfigurationError`.
    """
    name = _snake(cls.__name__) if name is None else name
    if not _NAME.fullmatch(name):
        raise ConfigurationError(f"payload type name {name!r} must be lower_snake_case")
    if type(version) is not int or version < 1:
        raise ConfigurationError(f"schema version of {name!r} must be a positive integer")
    entry = PayloadType(name, cls, version, tuple(upcasters))
    if len(entry.upcasters) != version - 1:
        raise ConfigurationError(
            f"payload type {name!r} at version {version} needs {version - 1} upcaster(s) "
            f"(one per older version), got {len(entry.upcasters)}"
        )
    with _lock:
        held = _BY_CLASS.get(cls)
        if held is not None and held != entry:
            raise ConfigurationError(
                f"{cls.__qualname__} is already registered as {held.name!r} v{held.version}"
            )
        other = _BY_NAME.get(name)
        if other is not None and other.cls is not cls:
            raise ConfigurationError(
                f"payload type name {name!r} is taken by {other.cls.__qualname__}"
            )
        _BY_CLASS[cls] = entry
        _BY_NAME[name] = entry
    return entry


def payload_type(cls_or_name: type[Any] | str) -> PayloadType:
    """The :class:`PayloadType` of a class (registering an attrs class on first use) or name."""
    if isinstance(cls_or_name, str):
        entry = _BY_NAME.get(cls_or_name)
        if entry is None:
            shown = redact(cls_or_name)
            raise PayloadError(shown, [f"{shown} is not a known payload type @ $"])
        return entry
    cls = typing.get_origin(cls_or_name) or cls_or_name
    entry = _BY_CLASS.get(cls)
    if entry is not None:
        return entry
    if not (isinstance(cls, type) and attrs.has(cls)):
        name = getattr(cls, "__qualname__", repr(cls))
        raise PayloadError(name, [f"{name} is not a type collab_core serialises @ $"])
    return register_type(cls)


def registered_types() -> tuple[PayloadType, ...]:
    """Every payload type registered so far, sorted by name."""
    with _lock:
        return tuple(sorted(_BY_NAME.values(), key=lambda e: e.name))


# The record kinds are those of collab_core.ports.RECORD_SPECS (a test holds the two together);
# the other names are pinned here so that renaming a class never renames its stored payloads.
_DOMAIN_TYPES: tuple[tuple[type[Any], str], ...] = (
    (Trust, "trust"),
    (Member, "member"),
    (Death, "death"),
    (Review, "review"),
    (LearningItem, "learning_item"),
    (SharingEvent, "sharing"),
    (Assessment, "assessment"),
    (LearningJourney, "learning_journey"),
    (FamilyInvolvement, "family_involvement"),
    (CandourCase, "candour_case"),
    (Concern, "concern"),
    (Action, "action"),
    (ImpactAssessment, "impact_assessment"),
    (FamilyQuestion, "family_question"),
    (CandourPolicy, "candour_policy"),
    (ContactAttempt, "contact_attempt"),
    (Framework, "framework"),
    (Level, "level"),
    (SubjectArea, "subject_area"),
    (JourneyStep, "journey_step"),
    (PdsaCycle, "pdsa_cycle"),
    (ReviewScale, "review_scale"),
    (ScaleRegistry, "scale_registry"),
    (Score, "score"),
    (ScopePolicy, "scope_policy"),
    (Site, "site"),
    (Theme, "theme"),
    (ThemeTaxonomy, "theme_taxonomy"),
    (OdsCode, "ods_code"),
    (SiteCode, "site_code"),
    (CaseReference, "case_reference"),
    (FinancialYear, "financial_year"),
    (Quarter, "quarter"),
    (Month, "month"),
    (LfdQuery, "lfd_query"),
    (LfdFact, "lfd_fact"),
    (SharingQuery, "sharing_query"),
)
for _cls, _name in _DOMAIN_TYPES:
    register_type(_cls, _name)

# Types at a later version, with the chain of upcasters that brings version 1 up to date.
register_type(SpcOptions, "spc_options", version=2, upcasters=[upcast_spc_options_v1_v2])
register_type(XmrPhase, "xmr_phase", version=2, upcasters=[upcast_xmr_phase_v1_v2])
register_type(XmrResult, "xmr_result", version=2, upcasters=[upcast_xmr_result_v1_v2])
register_type(
    AttributePhase, "attribute_phase", version=2, upcasters=[upcast_attribute_phase_v1_v2]
)
register_type(
    AttributeResult, "attribute_result", version=2, upcasters=[upcast_attribute_result_v1_v2]
)


def _register_domain_results() -> None:
    """Name every other attrs class the domain exports (the results of measures and targets,
    say) after its class, so that :func:`from_payload` can dispatch on it from the start."""
    import collab_core.domain  # noqa: PLC0415 - the package, to walk its modules

    modules = [collab_core.domain]
    for info in pkgutil.walk_packages(collab_core.domain.__path__, "collab_core.domain."):
        modules.append(importlib.import_module(info.name))
    for module in modules:
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name, None)
            if isinstance(value, type) and attrs.has(value) and value not in _BY_CLASS:
                register_type(value)


_register_domain_results()

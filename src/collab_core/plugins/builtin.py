"""The built-in plugin: the in-memory reference store under the ``memory`` scheme, the
collaborative's own measure of members who Learn, Live or Lead QI, the built-in publication
kinds, and the five audiences with their default privacy policies.

The host registers it after every installed plugin, and its hook implementation is marked
``trylast``, so that defaults are plugins like any other (pluggy's eggsample shape).
"""

from __future__ import annotations

import datetime as dt

from collab_core.domain.capability import Assessment
from collab_core.domain.people import Member
from collab_core.domain.targets import CAPABILITY_MEASURE, Target, capability_census
from collab_core.plugins.hookspecs import hookimpl
from collab_core.plugins.memory import SCHEME, MemoryStore
from collab_core.ports import MeasureSpec, Store, StoreSpec
from collab_core.publications.builtin import BUILTIN_KINDS
from collab_core.publications.kinds import PublicationKind
from collab_core.sharing import DEFAULT_AUDIENCES, AudienceSpec

__all__ = [
    "capability_members",
    "collab_register_audiences",
    "collab_register_publication_kinds",
    "collab_register_stores",
    "collab_register_targets",
]


@hookimpl(trylast=True)
def collab_register_stores() -> list[StoreSpec]:
    """The ``memory`` scheme: ``memory://`` (private) and ``memory://name`` (shared by name)."""
    return [
        StoreSpec(
            SCHEME,
            MemoryStore.open,
            "in-process memory: memory:// is private, memory://name is shared by name",
        )
    ]


def capability_members(store: Store, day: dt.date) -> int:
    """Members who Learn, Live or Lead QI on ``day`` (the 3 L's), streamed from ``store``: only
    members who had joined and assessments made by then are read."""
    members = (v.record for v in store.scan(Member, end=day))
    assessments = (v.record for v in store.scan(Assessment, end=day))
    return capability_census(members, assessments, day).count


@hookimpl(trylast=True)
def collab_register_targets() -> list[MeasureSpec | Target]:
    """The capability measure, so that a trust's plugin can set its own targets on it."""
    return [MeasureSpec(CAPABILITY_MEASURE, read=capability_members)]


@hookimpl(trylast=True)
def collab_register_publication_kinds() -> list[PublicationKind]:
    """The learning bulletin, the Learning from Deaths dashboard, the headline targets and a
    measure's chart."""
    return list(BUILTIN_KINDS)


@hookimpl(trylast=True)
def collab_register_audiences() -> list[AudienceSpec]:
    """The five audiences of :class:`~collab_core.Audience` with their default policies; a
    plugin's audience of the same name replaces one."""
    return list(DEFAULT_AUDIENCES)

"""The publishing use cases: building a publication of a registered kind for an audience and a
period, and the privacy gate of a collaborative (its audiences, and its plugins' deny-lists and
trust rules), which every publication passes before the outbox sees it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from collab_core.domain.errors import ConfigurationError, PluginError
from collab_core.domain.ids import new_id
from collab_core.domain.learning import Audience
from collab_core.domain.targets import ReportingPeriod
from collab_core.plugins.manager import Plugins
from collab_core.ports import Publication, PublicationBody
from collab_core.publications.kinds import PublicationRequest, PublicationSource
from collab_core.sharing import AudienceSpec, PrivacyGate

__all__ = ["build_publication", "privacy_gate", "resolve_audience"]


def privacy_gate(plugins: Plugins) -> PrivacyGate:
    """The privacy gate of a collaborative: its registered audiences, with its plugins'
    deny-lists and trust rules."""
    return PrivacyGate(
        plugins.audiences, rules=plugins.privacy_rules, deny_lists=plugins.deny_lists
    )


def resolve_audience(plugins: Plugins, audience: Audience | str) -> AudienceSpec:
    """The registered audience named by ``audience`` (an :class:`~collab_core.Audience` or the
    name of one a plugin registered).

    :raises ConfigurationError: no audience has that name.
    """
    name = audience.value if isinstance(audience, Audience) else audience
    spec = plugins.audiences.get(name)
    if spec is None:
        known = ", ".join(sorted(plugins.audiences)) or "none"
        raise ConfigurationError(
            f"audience: {name!r} is not a known audience (known: {known}){plugins.failures_note()}"
        )
    return spec


def build_publication(
    source: PublicationSource,
    plugins: Plugins,
    kind: str,
    audience: Audience | str,
    period: ReportingPeriod,
    *,
    title: str | None = None,
    as_of: dt.date | None = None,
    created_at: dt.datetime | None = None,
    publication_id: uuid.UUID | None = None,
    options: Mapping[str, Any] | None = None,
) -> Publication:
    """Build a publication of the registered ``kind`` from ``source`` for ``audience`` and
    ``period``, controlled for its audience (counts suppressed and rounded, dates coarsened)
    but not yet scanned: :meth:`PrivacyGate.check <collab_core.sharing.PrivacyGate.check>` or
    :meth:`~collab_core.sharing.PrivacyGate.preview` does that.

    :raises ConfigurationError: an unknown kind, audience or option.
    :raises PluginError: a plugin's builder returned something other than a body.
    """
    spec = plugins.publication_kind(kind)
    if spec is None:
        known = ", ".join(sorted(plugins.publication_kinds)) or "none"
        raise ConfigurationError(
            f"kind: {kind!r} is not a publication kind (known: {known}){plugins.failures_note()}"
        )
    target = resolve_audience(plugins, audience)
    created = created_at or dt.datetime.now(dt.UTC)
    request = PublicationRequest(
        kind=spec.name,
        audience=target,
        period=period,
        as_of=created.date() if as_of is None else as_of,
        options=dict(options or {}),
    )
    body = spec.build(source, request)
    if not isinstance(body, PublicationBody | Mapping):
        raise PluginError(
            f"publication kind {kind!r}: its builder returned a {type(body).__name__}, not a "
            "publication body or a mapping"
        )
    publication = Publication(
        id=publication_id or new_id(),
        kind=spec.name,
        audience=target.base,
        title=title if title is not None else spec.title_for(request),
        body=body,
        created_at=created,
    )
    return privacy_gate(plugins).control(publication)

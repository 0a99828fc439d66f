"""The learning bulletin: the learning items shared with an audience in a period, with their
themes (word for word from the taxonomy), their actions and the trusts they came from.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.learning import Action, LearningItem, SharingEvent
from collab_core.domain.organisations import Trust
from collab_core.domain.themes import ThemeTaxonomy, default_taxonomy
from collab_core.publications.bodies import (
    BulletinAction,
    BulletinImpact,
    BulletinItem,
    BulletinTheme,
    BulletinTrust,
    LearningBulletinBody,
)
from collab_core.publications.kinds import PublicationRequest, PublicationSource

__all__ = ["build_learning_bulletin", "taxonomy_of", "trust_option"]


def trust_option(request: PublicationRequest) -> OdsCode | None:
    """The ``trust`` option of a request as an ODS code (``None``: the whole collaborative)."""
    value = request.option("trust")
    if value is None or isinstance(value, OdsCode):
        return value
    if isinstance(value, str):
        return OdsCode(value)
    raise DomainValidationError("trust", "must be an ODS code", type(value).__name__)


def taxonomy_of(trusts: Iterable[Trust]) -> ThemeTaxonomy:
    """The collaborative's themes with each trust's local themes added."""
    taxonomy = default_taxonomy()
    for trust in trusts:
        for label in sorted(trust.local_themes):
            taxonomy = taxonomy.with_local(trust.ods_code, label)
    return taxonomy


def _themes(codes: Iterable[str], taxonomy: ThemeTaxonomy) -> tuple[BulletinTheme, ...]:
    out = []
    for code in sorted(codes):
        if code in taxonomy:
            theme = taxonomy.get(code)
            parent = None if theme.parent is None else taxonomy.get(theme.parent).label
            out.append(BulletinTheme(code, theme.label, parent))
        else:  # a tag the taxonomy no longer holds: shown by its code
            out.append(BulletinTheme(code, code))
    return tuple(out)


def _action(action: Action, taxonomy: ThemeTaxonomy) -> BulletinAction:
    impact = None
    if action.impact is not None:
        i = action.impact
        impact = BulletinImpact(i.assessed_on, i.rating, i.summary, i.measure)
    return BulletinAction(
        description=action.description,
        owner_role=action.owner_role,
        due_on=action.due_on,
        status=action.status,
        completed_on=action.completed_on,
        impact=impact,
        themes=_themes(action.themes, taxonomy),
    )


def build_learning_bulletin(
    source: PublicationSource, request: PublicationRequest
) -> LearningBulletinBody:
    """Build the bulletin of ``request.period`` for ``request.audience``.

    An item is in the bulletin when it was shared with the audience (its base
    :class:`~collab_core.Audience`) on a day of the period. Options: ``trust`` (an ODS code)
    keeps to one trust's learning.
    """
    request.check_options("trust")
    trust = trust_option(request)
    period, shared_with = request.period, request.audience.base
    first: dict[uuid.UUID, SharingEvent] = {}
    channels: dict[uuid.UUID, list[str]] = {}
    for event in source.sharing_events(trust=trust, start=period.start, end=period.end):
        if event.audience is not shared_with:
            continue
        held = first.get(event.learning_item_id)
        if held is None or event.shared_on < held.shared_on:
            first[event.learning_item_id] = event
        seen = channels.setdefault(event.learning_item_id, [])
        if event.channel not in seen:
            seen.append(event.channel)
    items: dict[uuid.UUID, LearningItem] = {}
    if first:
        for item in source.learning_items(trust=trust, end=period.end):
            if item.id in first:
                items[item.id] = item
    trusts = {t.ods_code: t for t in source.trusts()}
    taxonomy = taxonomy_of(trusts.values())

    def order(item: LearningItem) -> tuple[OdsCode, dt.date, str]:
        return (item.trust, first[item.id].shared_on, item.title)

    shown = [
        BulletinItem(
            title=item.title,
            what_was_learnt=item.what_was_learnt,
            trust=item.trust,
            recorded_on=item.recorded_on,
            shared_on=first[item.id].shared_on,
            channels=tuple(sorted(channels[item.id])),
            themes=_themes(item.themes, taxonomy),
            actions=tuple(_action(a, taxonomy) for a in item.actions),
        )
        for item in sorted(items.values(), key=order)
    ]
    codes = sorted({item.trust for item in items.values()})
    return LearningBulletinBody(
        audience=request.audience.name,
        period=period,
        shared_with=shared_with,
        trust=trust,
        trusts=tuple(
            BulletinTrust(code, trusts[code].name if code in trusts else str(code))
            for code in codes
        ),
        items=tuple(shown),
    )

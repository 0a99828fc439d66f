"""Assurance as a publication: Duty of Candour compliance (Regulation 20) for the incidents
reported in a period, and the actions on learning (Quality Account item 27.5) overdue per trust
at its end, each per trust and for every trust together.
"""

from __future__ import annotations

from collab_core.domain.disclosure import Count, Share
from collab_core.domain.identifiers import OdsCode
from collab_core.domain.targets import CandourRow
from collab_core.publications.bodies import (
    ActionsLine,
    AssuranceBody,
    BulletinTrust,
    CandourLine,
)
from collab_core.publications.bulletin import trust_option
from collab_core.publications.kinds import PublicationRequest, PublicationSource

__all__ = ["build_assurance", "candour_line"]


def candour_line(row: CandourRow) -> CandourLine:
    """One row of :class:`~collab_core.CandourCompliance` as exact typed counts."""
    overdue = len(row.overdue)
    return CandourLine(
        trust=row.trust,
        due=Count(row.due),
        met=Count(row.met),
        late=Count(row.late),
        overdue=Count(overdue),
        pending=Count(row.pending),
        met_share=Share.of(row.met, row.due),
    )


def _actions_line(trust: OdsCode | None, open_: int, overdue: int) -> ActionsLine:
    return ActionsLine(trust, Count(open_), Count(overdue), Share.of(overdue, open_))


def build_assurance(source: PublicationSource, request: PublicationRequest) -> AssuranceBody:
    """Build the assurance of ``request.period``: candour for the incidents reported in it, as
    known on ``request.as_of``, and actions counted on the period's last day (or on ``as_of``,
    if that comes first).

    Options: ``trust`` (an ODS code) keeps to one trust; the lines for every trust together are
    then that trust's.
    """
    request.check_options("trust")
    trust, period = trust_option(request), request.period
    candour = source.candour_compliance(period, request.as_of)
    candour_rows = [r for r in candour.trusts if trust is None or r.trust == trust]
    overall = CandourRow.of(None, 0, 0, (), 0)
    for row in candour_rows:
        overall = overall + row
    on = min(period.end, request.as_of)
    actions = source.overdue_actions(on)
    action_rows = [r for r in actions.trusts if trust is None or r.trust == trust]
    codes = sorted(
        {r.trust for r in candour_rows if r.trust is not None} | {r.trust for r in action_rows}
    )
    names = {t.ods_code: t.name for t in source.trusts()}
    return AssuranceBody(
        audience=request.audience.name,
        period=period,
        as_of=request.as_of,
        trusts=tuple(BulletinTrust(c, names.get(c, str(c))) for c in codes),
        candour=tuple(candour_line(r) for r in candour_rows),
        candour_overall=candour_line(overall),
        actions_on=on,
        actions=tuple(_actions_line(r.trust, r.open, r.overdue_count) for r in action_rows),
        actions_overall=_actions_line(
            None, sum(r.open for r in action_rows), sum(r.overdue_count for r in action_rows)
        ),
    )

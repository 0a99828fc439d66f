"""The capability census facts computed in SQL (ARCHITECTURE rule 8), answering exactly what
the pure reference :func:`collab_core.domain.facts.capability_facts` answers.

The framework's level names (case-folded, as the domain matches them) and ranks travel as
bound parameters of a ``VALUES`` list; the stored, indexed derived columns of members and
assessments carry the rest. Each member's latest assessment per subject area is found by a
window over the covering index ``ix_assessment_census``; memory grows with the answer's
levels x kinds x trusts, not with members.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from collab_core import (
    Assessment,
    CapabilityFact,
    CapabilityQuery,
    CorruptRecordError,
    MemberKind,
    OdsCode,
)
from collab_core.ports import spec_for
from collab_sql._payload import decode
from collab_sql.schema import RECORD_TABLES

__all__ = ["capability_facts"]

_MEMBER = RECORD_TABLES["member"]
_ASSESSMENT = RECORD_TABLES["assessment"]


def _check_filled(conn: Connection) -> None:
    """Refuse to count around rows whose derived columns are empty: their payloads did not
    decode when the columns were filled, and the reference would fail reading them too."""
    for table, column in ((_MEMBER, _MEMBER.c.kind), (_ASSESSMENT, _ASSESSMENT.c.framework)):
        key = conn.scalar(sa.select(table.c.key).where(column.is_(None)).limit(1))
        if key is not None:
            raise CorruptRecordError(
                table.name, key, ["its derived columns are empty: the payload did not decode"]
            )


def _check_assessments(conn: Connection, query: CapabilityQuery) -> None:
    """Fail as the reference does on an assessment its framework cannot read.

    The reference checks every assessment of the framework made by the census day against it
    and raises on a subject area or level the framework lacks. So does this: the first such
    assessment is replayed through the domain's own check, which raises the same error.
    """
    a = _ASSESSMENT
    subjects = query.subject_codes
    unknown = sa.or_(
        a.c.level_fold.not_in(sorted(query.level_ranks)),
        a.c.subject.not_in(subjects) if subjects else sa.true(),
    )
    stmt = (
        sa.select(a.c.key, a.c.payload)
        .where(a.c.framework == query.framework.id, a.c.day <= query.on, unknown)
        .order_by(a.c.key)
        .limit(1)
    )
    row = conn.execute(stmt).first()
    if row is not None:
        assessment: Assessment = decode(spec_for(Assessment), "assessment", row.key, row.payload)
        assessment.check_against(query.framework)  # raises the domain's own error


def _census_sql(conn: Connection, levels: int) -> Any:
    quote = conn.dialect.identifier_preparer.quote
    rank_rows = ", ".join(f"(:fold{i}, :rank{i})" for i in range(levels))
    member, assessment = quote(_MEMBER.name), quote(_ASSESSMENT.name)
    # The latest assessment of each member and subject on the day (ties: the greatest key,
    # which is time-ordered), then each member's highest level, then the members that count.
    return sa.text(
        f"""
        WITH ranks(level_fold, level_rank) AS (VALUES {rank_rows}),
        latest AS (
            SELECT a.member_key AS member_key, r.level_rank AS level_rank,
                   row_number() OVER (
                       PARTITION BY a.member_key, a.subject
                       ORDER BY a.day DESC, a.{quote("key")} DESC) AS rn
            FROM {assessment} a JOIN ranks r ON r.level_fold = a.level_fold
            WHERE a.framework = :framework AND a.day <= :on),
        top AS (
            SELECT member_key, max(level_rank) AS level_rank
            FROM latest WHERE rn = 1 GROUP BY member_key)
        SELECT top.level_rank AS level_rank, m.kind AS kind, m.trust AS trust, count(*) AS n
        FROM top JOIN {member} m ON m.{quote("key")} = top.member_key
        WHERE top.level_rank >= :minimum AND m.day <= :on
          AND (m.left_on IS NULL OR m.left_on >= :on)
        GROUP BY top.level_rank, m.kind, m.trust
        """  # noqa: S608 - only quoted table names are formatted in; values are bound
    ).bindparams(
        sa.bindparam("on", type_=sa.Date),
        *(sa.bindparam(f"rank{i}", type_=sa.Integer) for i in range(levels)),
    )


def capability_facts(conn: Connection, query: CapabilityQuery) -> list[CapabilityFact]:
    """The native :func:`collab_core.domain.facts.capability_facts` over the stored members
    and assessments."""
    _check_filled(conn)
    _check_assessments(conn, query)
    levels = query.framework.levels
    params: dict[str, Any] = {
        "framework": query.framework.id,
        "on": query.on,
        "minimum": query.lowest.rank,
    }
    for i, level in enumerate(levels):
        params[f"fold{i}"] = level.name.casefold()
        params[f"rank{i}"] = level.rank
    names = {level.rank: level.name for level in levels}
    facts = [
        CapabilityFact(
            rank=int(row.level_rank),
            level=names[int(row.level_rank)],
            kind=MemberKind(row.kind),
            trust=None if row.trust is None else OdsCode(row.trust),
            count=int(row.n),
        )
        for row in conn.execute(_census_sql(conn, len(levels)), params)
    ]
    return sorted(facts)

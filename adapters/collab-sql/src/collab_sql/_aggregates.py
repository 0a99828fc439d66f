"""The dashboard facts computed in SQL (ARCHITECTURE rule 8), answering exactly what the pure
reference functions :func:`collab_core.domain.facts.lfd_facts` and ``sharing_trusts`` answer.

Each trust's scope policy, the scales' judged values and the sharing windows travel as
``VALUES`` lists in common table expressions; the stored, indexed derived columns carry the
rest. Memory grows with trusts x quarters, never with deaths.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from collab_core import (
    AgeBand,
    CorruptRecordError,
    DeathSetting,
    OdsCode,
    ResponseType,
    Review,
)
from collab_core.ports import LfdFact, LfdQuery, SharingQuery, spec_for
from collab_sql._derived import decode_quarter
from collab_sql._payload import decode
from collab_sql.schema import RECORD_TABLES, REVIEW_SCORE

__all__ = ["lfd_facts", "sharing_trusts"]

_DEATH = RECORD_TABLES["death"]
_REVIEW = RECORD_TABLES["review"]
_SHARING = RECORD_TABLES["sharing"]
_SCORE = REVIEW_SCORE

# A switched-off month or day window: the stored counts are never negative.
_OFF = -1

#: The responses that count as a case record review or investigation (item 27.2).
_COUNTING = sorted(t.value for t in ResponseType if t.counts_as_review_or_investigation)


def _policy_cte(query: LfdQuery) -> Any:
    rows = [
        (
            trust.code,
            int(policy.inpatient),
            _OFF if policy.community_contact_months is None else policy.community_contact_months,
            _OFF if policy.discharge_days is None else policy.discharge_days,
            int(policy.route_ld_autism_to_leder),
        )
        for trust, policy in sorted(query.policies.items())
    ]
    return (
        sa.values(
            sa.column("trust", sa.String),
            sa.column("inpatient", sa.Integer),
            sa.column("months", sa.Integer),
            sa.column("days", sa.Integer),
            sa.column("leder", sa.Integer),
            name="policy",
        )
        .data(rows)
        .cte("policy")
    )


def _judged_cte(query: LfdQuery) -> Any | None:
    rows = sorted(
        (scale_id, version, value)
        for (scale_id, version), values in query.judged_values.items()
        for value in values
    )
    if not rows:
        return None
    return _scale_values_cte("judged", rows)


def _valid_cte(query: LfdQuery) -> Any:
    """Every value of every scale the query knows: a score outside these cannot be judged."""
    rows = sorted(
        (scale.id, scale.version, value)
        for scale in query.scales.scales.values()
        for value in range(scale.minimum, scale.maximum + 1)
    )
    if not rows:
        rows = [("", 0, 0)]  # no scale id is blank, so this matches no score
    return _scale_values_cte("valid", rows)


def _scale_values_cte(name: str, rows: list[tuple[str, int, int]]) -> Any:
    """A ``VALUES`` list of (scale id, scale version, value) rows, as a named CTE."""
    return (
        sa.values(
            sa.column("scale_id", sa.String),
            sa.column("scale_version", sa.Integer),
            sa.column("value", sa.Integer),
            name=name,
        )
        .data(rows)
        .cte(name)
    )


def _done_reviews(query: LfdQuery) -> Any:
    """Reviews that count for item 27.2, completed by ``as_of``."""
    return sa.and_(
        _REVIEW.c.response_type.in_(_COUNTING),
        _REVIEW.c.completed_on.is_not(None),
        _REVIEW.c.completed_on <= query.as_of,
        # Implied (a review starts on or before it is completed), and lets PostgreSQL skip
        # the partitions of later financial years.
        _REVIEW.c.day <= query.as_of,
    )


def _judged_score(score: Any, judged: Any) -> Any:
    # A row-value IN: each score is looked up in the judged values, not the other way round.
    return sa.tuple_(score.c.scale_id, score.c.scale_version, score.c.value).in_(
        sa.select(judged.c.scale_id, judged.c.scale_version, judged.c.value)
    )


def _check_scores(conn: Connection, query: LfdQuery, judged: Any | None) -> None:
    """Fail as the reference does on a score it cannot judge.

    The reference judges each counting review's scores in order and stops at the first one that
    means a problem in care; a score on a scale the query does not know, or outside its scale's
    range, raises when reached. So does this: the offending review is replayed through the
    domain's own rule, which raises the same error.
    """
    valid = _valid_cte(query)
    score = _SCORE.alias("s")
    earlier = _SCORE.alias("e")
    unknown = sa.tuple_(score.c.scale_id, score.c.scale_version, score.c.value).not_in(
        sa.select(valid.c.scale_id, valid.c.scale_version, valid.c.value)
    )
    # First, whether any stored score at all is one the query cannot judge: one pass over the
    # narrow scores table, and in the common case (none) the end of the check.
    if (
        conn.execute(sa.select(sa.literal(1)).select_from(score).where(unknown).limit(1)).first()
        is None
    ):
        return
    conditions = [_done_reviews(query), unknown]
    if judged is not None:
        conditions.append(
            ~sa.exists()
            .where(
                earlier.c.review_key == score.c.review_key,
                earlier.c.position < score.c.position,
                _judged_score(earlier, judged),
            )
            .correlate(score)
        )
    stmt = (
        sa.select(_REVIEW.c.key, _REVIEW.c.payload)
        .select_from(score.join(_REVIEW, _REVIEW.c.key == score.c.review_key))
        .where(*conditions)
        .order_by(_REVIEW.c.key)
        .limit(1)
    )
    row = conn.execute(stmt).first()
    if row is not None:
        review: Review = decode(spec_for(Review), "review", row.key, row.payload)
        review.problem_in_care(query.scales)  # raises the domain's own error


def _check_filled(conn: Connection) -> None:
    """Refuse to count around rows whose derived columns are empty: their payloads did not
    decode when the columns were filled, and the reference would fail reading them too."""
    for table, column in ((_DEATH, _DEATH.c.quarter), (_REVIEW, _REVIEW.c.response_type)):
        key = conn.scalar(sa.select(table.c.key).where(column.is_(None)).limit(1))
        if key is not None:
            raise CorruptRecordError(
                table.name, key, ["its derived columns are empty: the payload did not decode"]
            )


def lfd_facts(conn: Connection, query: LfdQuery) -> list[LfdFact]:
    """The native :func:`collab_core.domain.facts.lfd_facts` over the stored deaths and reviews."""
    _check_filled(conn)
    judged = _judged_cte(query)
    _check_scores(conn, query, judged)
    if not query.policies:
        return []
    policy = _policy_cte(query)
    death = _DEATH
    # Per death, index probes into its reviews (and their scores): the plan stays an index
    # lookup per death whatever the planner believes about table sizes, which a join of
    # grouped reviews does not (PostgreSQL, before it has analysed a fresh bulk load, picks
    # a nested loop over both sides).
    review = _REVIEW.alias("r")
    its_done_reviews = [
        review.c.death_key == death.c.key,
        review.c.response_type.in_(_COUNTING),
        review.c.completed_on.is_not(None),
        review.c.completed_on <= query.as_of,
        review.c.day <= query.as_of,  # implied, as in _done_reviews
    ]
    reviewed = sa.exists().where(*its_done_reviews).correlate(death)
    if judged is None:
        judged_death: Any = sa.false()
    else:
        score = _SCORE.alias("js")
        judged_death = (
            sa.exists()
            .where(*its_done_reviews, score.c.review_key == review.c.key)
            .where(_judged_score(score, judged))
            .correlate(death)
        )
    in_scope = sa.or_(
        sa.and_(policy.c.inpatient == 1, death.c.setting == DeathSetting.INPATIENT.value),
        death.c.contact_months <= policy.c.months,
        death.c.discharge_days <= policy.c.days,
        sa.and_(policy.c.leder == 1, death.c.ld_autism.is_(sa.true())),
    )
    stmt = (
        sa.select(
            death.c.trust,
            death.c.quarter,
            death.c.age_band,
            death.c.ld_autism,
            sa.func.count().label("in_scope"),
            sa.func.sum(sa.case((reviewed, 1), else_=0)).label("reviewed"),
            sa.func.sum(sa.case((judged_death, 1), else_=0)).label("judged"),
        )
        .select_from(death.join(policy, policy.c.trust == death.c.trust))
        .where(death.c.day.between(query.deaths_from, query.deaths_to), in_scope)
        .group_by(death.c.trust, death.c.quarter, death.c.age_band, death.c.ld_autism)
    )
    facts = [
        LfdFact(
            OdsCode(row.trust),
            decode_quarter(row.quarter),
            None if row.age_band is None else AgeBand(row.age_band),
            bool(row.ld_autism),
            int(row.in_scope),
            int(row.reviewed),
            int(row.judged),
        )
        for row in conn.execute(stmt)
    ]
    return sorted(facts)


def sharing_trusts(conn: Connection, query: SharingQuery) -> frozenset[OdsCode]:
    """The native :func:`collab_core.domain.facts.sharing_trusts` over stored sharing events.

    The windows travel as bound parameters of a ``VALUES`` list in plain SQL: SQLAlchemy
    cannot cache the compiled form of a ``VALUES`` construct of literal rows, and compiling it
    afresh cost far more than the query.
    """
    rows = [
        (trust.code, start, end)
        for trust, (start, end) in sorted(query.windows.items())
        if start <= end
    ]
    if not rows:
        return frozenset()
    postgres = conn.dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    # PostgreSQL types a VALUES list from its first row: cast the days there.
    first = f"({mark}, CAST({mark} AS DATE), CAST({mark} AS DATE))" if postgres else None
    row_marks = ", ".join(
        first if (first and i == 0) else f"({mark}, {mark}, {mark})" for i in range(len(rows))
    )
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"WITH win(trust, first_day, last_day) AS (VALUES {row_marks}) "  # noqa: S608
        f"SELECT win.trust FROM win WHERE EXISTS (SELECT 1 FROM {quote(_SHARING.name)} s "
        f"WHERE s.{quote('trust')} = win.trust AND s.{quote('audience')} = {mark} "
        f"AND s.{quote('day')} BETWEEN win.first_day AND win.last_day)"
    )
    params: list[Any] = []
    for code, start, end in rows:
        # Dates as the store writes them: ISO text on SQLite, dates on PostgreSQL.
        params.extend(
            (code, start, end) if postgres else (code, start.isoformat(), end.isoformat())
        )
    params.append(query.audience.value)
    return frozenset(OdsCode(trust) for (trust,) in conn.exec_driver_sql(sql, tuple(params)))

"""The e-mail of a publication: an :class:`~email.message.EmailMessage` with a plain-text part
(from this package's Jinja2 template) and an HTML part: the publication's page drawn by the
site's templates (:func:`collab_site.publication_html`), its style sheets moved into ``style``
attributes by ``css-inline``, for mail readers that drop style sheets. The subject is the
publication's title; no header carries anything about a person.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import css_inline
import jinja2

from collab_core import (
    SUPPRESSED_MARK,
    AssuranceBody,
    Count,
    Figure,
    FinancialYear,
    HeadlineTargetsBody,
    LearningBulletinBody,
    LfdBlock,
    LfdDashboardBody,
    MeasureChartBody,
    Month,
    Quarter,
    Share,
)
from collab_core.ports import Publication
from collab_site import publication_html

__all__ = ["DISCLOSURE_NOTE", "build_message", "html_of", "text_of"]

#: The footnote of a message in which a count is suppressed.
DISCLOSURE_NOTE = (
    "A count of 1 to 7 is not shown, so that no one can be recognised; other counts are "
    "rounded to the nearest 5 for this audience."
)

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("collab_mail", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def text_of(value: object) -> str:
    """A value of a body as a reader sees it: a count as its number or ``*``, a share as a
    percentage, a day as ``3 October 2018``, a period as its label."""
    if value is None:
        return "-"
    if isinstance(value, Count):
        return value.shown
    if isinstance(value, Share):
        return value.shown()
    if isinstance(value, Figure):
        if value.value is None:
            return SUPPRESSED_MARK if value.is_suppressed else "-"
        return f"{float(value.value):,.1f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, Month | Quarter | FinancialYear):
        return value.label
    if isinstance(value, enum.Enum):
        return str(value.value).replace("_", " ")
    return str(value)


def _table(title: str, headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    return {
        "title": title,
        "headings": list(headings),
        "rows": [[text_of(v) for v in row] for row in rows],
    }


def _tables(body: object) -> Iterator[dict[str, Any]]:
    if isinstance(body, LfdDashboardBody):
        rows = []
        for row in body.rows:
            for cell in row.blocks:
                if cell.block is LfdBlock.ALL_AGES:
                    shown = (cell.deaths, cell.reviewed, cell.reviewed_share, cell.judged)
                    rows.append((row.period, *shown))
        yield _table(
            "Deaths in scope, reviewed and judged (all ages)",
            ("Period", "Deaths", "Reviewed", "% reviewed", "Judged due to problems in care"),
            rows,
        )
    elif isinstance(body, HeadlineTargetsBody):
        c = body.coverage
        yield _table(
            "Sharing coverage",
            ("Member trusts", "Shared", "Coverage", "Goal met"),
            [(c.members, c.shared, Share.of(c.shared, c.members), c.met)],
        )
        if body.capability is not None:
            cap = body.capability
            yield _table(
                "Capability",
                ("Baseline", "Current", "Expected", "Goal", "On track"),
                [(cap.baseline, cap.current, cap.expected, cap.goal, cap.on_track)],
            )
    elif isinstance(body, AssuranceBody):
        yield _table(
            "Duty of Candour",
            ("Trust", "Due", "Met", "Late", "Overdue", "% met"),
            [
                (line.trust or "All trusts", line.due, line.met, line.late, line.overdue, share)
                for line in (*body.candour, body.candour_overall)
                for share in (line.met_share,)
            ],
        )
        yield _table(
            "Overdue actions",
            ("Trust", "Open", "Overdue", "% overdue"),
            [
                (line.trust or "All trusts", line.open, line.overdue, line.overdue_share)
                for line in (*body.actions, body.actions_overall)
            ],
        )
    elif isinstance(body, MeasureChartBody):
        yield _table(
            f"{body.name} ({body.unit})",
            ("Period", "Value", "Centre", "Label"),
            [(p.x, p.value, p.centre, p.label) for p in body.points],
        )


def _items(body: object) -> list[dict[str, Any]]:
    if not isinstance(body, LearningBulletinBody):
        return []
    names = {t.code: t.name for t in body.trusts}
    return [
        {
            "title": item.title,
            "trust": names.get(item.trust, str(item.trust)),
            "shared_on": text_of(item.shared_on),
            "channels": ", ".join(item.channels),
            "what_was_learnt": item.what_was_learnt,
            "themes": [t.label for t in item.themes],
            "actions": [
                {
                    "description": a.description,
                    "owner_role": a.owner_role,
                    "due_on": text_of(a.due_on),
                    "status": text_of(a.status),
                }
                for a in item.actions
            ],
        }
        for item in body.items
    ]


def _context(publication: Publication, sender_name: str) -> dict[str, Any]:
    body = publication.body
    items, tables = _items(body), list(_tables(body))
    shown = [v for t in tables for row in t["rows"] for v in row]
    period = getattr(body, "period", None)
    return {
        "title": publication.title,
        "sender_name": sender_name,
        "period": text_of(period) if period is not None else "",
        "audience": str(getattr(body, "audience", publication.audience.value)).replace("_", " "),
        "items": items,
        "tables": tables,
        "suppressed": SUPPRESSED_MARK in shown,
        "disclosure_note": DISCLOSURE_NOTE,
    }


def html_of(publication: Publication, sender_name: str) -> str:
    """The HTML part of ``publication``'s e-mail: its page as the site draws it, under
    ``sender_name``, with every style in a ``style`` attribute and no style sheet left. A
    measure's chart is told in words and by its data table: mail readers do not show SVG."""
    return css_inline.inline(publication_html(publication, title=sender_name, charts=False))


def build_message(
    publication: Publication,
    *,
    sender: Address,
    recipients: Sequence[Address],
    sender_name: str = "Mental Health Quality & Patient Safety Collaborative",
) -> EmailMessage:
    """The e-mail of ``publication``: a plain-text part and an HTML alternative, its subject the
    publication's title, from ``sender`` to ``recipients``."""
    context = _context(publication, sender_name)
    message = EmailMessage()
    message["Subject"] = publication.title
    message["From"] = sender
    message["To"] = list(recipients)
    message["Date"] = format_datetime(publication.created_at)
    message["Message-ID"] = make_msgid(domain=sender.domain or "localhost")
    message.set_content(_TEMPLATES.get_template("message.txt").render(context))
    message.add_alternative(html_of(publication, sender_name), subtype="html")
    return message

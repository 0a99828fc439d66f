"""The Atom feed publisher: one feed per audience, one entry per learning item shared with it
(and one entry for each other publication), each with a stable id, so that delivering again
updates entries in place instead of adding new ones.

The entries are kept beside the feed in a small JSON file; the feed is rewritten from it by
atomic replace after every delivery.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from collab_core import (
    SUPPRESSED_MARK,
    ConfigurationError,
    Count,
    FinancialYear,
    HeadlineTargetsBody,
    LearningBulletinBody,
    LfdBlock,
    LfdDashboardBody,
    MeasureChartBody,
    Month,
    Quarter,
)
from collab_core.ports import DeliveryReceipt, Publication

__all__ = ["FeedPublisher", "entry_id", "xml_text"]

#: The namespace of every entry id (a UUID derived from the item and the publication).
ENTRY_NAMESPACE = uuid.UUID("6f1c2a4e-0d1b-5c8e-9a7f-3b2d4e5f6a70")


def _slot(publication: Publication) -> str:
    """What identifies a publication across rebuilds: its kind, audience, period and trust."""
    body = publication.body
    period = getattr(body, "period", None)
    trust = getattr(body, "trust", None)
    audience = getattr(body, "audience", publication.audience.value)
    label = period.label if isinstance(period, Month | Quarter | FinancialYear) else ""
    return "|".join((publication.kind, str(audience), label, "" if trust is None else str(trust)))


def entry_id(publication: Publication, item: str = "") -> str:
    """The stable id of the entry for ``item`` (empty: the publication itself) of
    ``publication``: the same item in a rebuilt publication of the same kind, audience, period
    and trust gets the same id."""
    return f"urn:uuid:{uuid.uuid5(ENTRY_NAMESPACE, _slot(publication) + '#' + item)}"


# Characters XML 1.0 does not allow (C0 controls but tab and newlines, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters an XML document cannot hold."""
    return _NOT_XML.sub("", text)


def _day(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, Month | Quarter | FinancialYear):
        return value.start
    raise ConfigurationError(f"feed: cannot date an entry by a {type(value).__name__}")


def _stamp(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).isoformat()


def _summary(publication: Publication) -> str:
    """A line of text for a publication that is not a bulletin."""
    body = publication.body
    cell = None
    if isinstance(body, LfdDashboardBody) and body.rows:
        cell = next((c for c in body.rows[-1].blocks if c.block is LfdBlock.ALL_AGES), None)
    if isinstance(body, LfdDashboardBody) and cell is not None:
        return (
            f"{body.rows[-1].period.label}: {cell.deaths} deaths in scope, {cell.reviewed} "
            f"reviewed or investigated, {cell.judged} judged more likely than not due to "
            "problems in care."
        )
    if isinstance(body, HeadlineTargetsBody):
        c = body.coverage
        text = f"Sharing coverage: {c.shared} of {c.members} member trusts shared their learning."
        if body.capability is not None:
            text += f" Members who Learn, Live or Lead QI: {body.capability.current}."
        return text
    if isinstance(body, MeasureChartBody) and body.points:
        last = body.points[-1]
        if isinstance(last.value, Count):
            value = last.value.shown
        elif last.value is None:
            value = "no value"
        elif last.value.value is None:
            value = SUPPRESSED_MARK
        else:
            value = f"{float(last.value.value):.3g}"
        return f"{body.name}, {last.x}: {value} {body.unit}".strip()
    return publication.title


def _entries(publication: Publication) -> dict[str, dict[str, Any]]:
    body = publication.body
    if isinstance(body, LearningBulletinBody):
        names = {t.code: t.name for t in body.trusts}
        out = {}
        for item in body.items:
            key = f"{item.trust}|{_day(item.recorded_on).isoformat()}|{item.title}"
            out[entry_id(publication, key)] = {
                "title": item.title,
                "content": item.what_was_learnt,
                "published": _stamp(_day(item.recorded_on)),
                "updated": _stamp(_day(item.shared_on)),
                "author": names.get(item.trust, str(item.trust)),
                "categories": [[t.code, t.label] for t in item.themes],
            }
        return out
    day = _stamp(publication.created_at.date())
    return {
        entry_id(publication): {
            "title": publication.title,
            "content": _summary(publication),
            "published": day,
            "updated": day,
            "author": None,
            "categories": [],
        }
    }


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` by atomic replace: a reader sees the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FeedPublisher:
    """Writes ``<folder>/<audience>.atom``: the learning shared with each audience.

    Settings: ``folder`` (required), ``title`` (default ``"Shared learning"``), ``link`` (the
    address the feed is published at; default a ``file:`` address of the feed) and ``author``
    (default ``"Mental Health Quality & Patient Safety Collaborative"``).
    """

    def __init__(
        self,
        folder: Path,
        *,
        title: str = "Shared learning",
        link: str | None = None,
        author: str = "Mental Health Quality & Patient Safety Collaborative",
    ) -> None:
        self._folder = folder
        self._title = title
        self._link = link
        self._author = author

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> FeedPublisher:
        """Make the publisher from its settings (see the class)."""
        folder = settings.get("folder")
        if not isinstance(folder, str) or not folder.strip():
            raise ConfigurationError("folder: the feed publisher needs a folder path setting")
        extra = {k: settings[k] for k in ("title", "link", "author") if k in settings}
        for name, value in extra.items():
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"{name}: the feed's {name} must be non-blank text")
        unknown = sorted(set(settings) - {"folder", "title", "link", "author"})
        if unknown:
            raise ConfigurationError(
                f"feed: unknown setting(s) {', '.join(unknown)} (known: author, folder, link, "
                "title)"
            )
        return cls(Path(folder), **extra)

    @property
    def name(self) -> str:
        return "feed"

    @property
    def idempotent(self) -> bool:
        """Entries are upserted by their stable id: delivering again changes nothing."""
        return True

    def feed_path(self, audience: str) -> Path:
        """Where the feed of ``audience`` is written."""
        return self._folder / f"{audience}.atom"

    def _state_path(self, audience: str) -> Path:
        return self._folder / ".entries" / f"{audience}.json"

    def deliver(self, publication: Publication, *, key: str | None = None) -> DeliveryReceipt:
        """Upsert the publication's entries into its audience's feed and rewrite the feed."""
        audience = str(getattr(publication.body, "audience", publication.audience.value))
        state = self._state_path(audience)
        entries: dict[str, dict[str, Any]] = {}
        if state.is_file():
            entries = json.loads(state.read_text(encoding="utf-8"))
        entries.update(_entries(publication))
        text = json.dumps(entries, sort_keys=True, indent=1).encode()
        _replace(state, text)
        target = self.feed_path(audience)
        _replace(target, self._render(audience, entries, target))
        return DeliveryReceipt(
            publisher=self.name,
            publication_id=publication.id,
            delivered_at=dt.datetime.now(dt.UTC),
            location=str(target),
        )

    def _render(self, audience: str, entries: Mapping[str, Mapping[str, Any]], at: Path) -> bytes:
        feed = FeedGenerator()
        feed.id(f"urn:uuid:{uuid.uuid5(ENTRY_NAMESPACE, 'feed#' + audience)}")
        feed.title(f"{self._title} ({audience.replace('_', ' ')})")
        feed.author({"name": self._author})
        feed.link(href=self._link or at.resolve().as_uri(), rel="self")
        feed.language("en-GB")
        newest = max((e["updated"] for e in entries.values()), default=_stamp(dt.date(2000, 1, 1)))
        feed.updated(newest)
        order = sorted(entries.items(), key=lambda kv: (kv[1]["updated"], kv[0]), reverse=True)
        for eid, data in order:
            entry = feed.add_entry(order="append")
            entry.id(eid)
            # Atom requires a title: one of nothing but control characters becomes "Untitled"
            entry.title(xml_text(data["title"]).strip() or "Untitled")
            entry.content(xml_text(data["content"]), type="text")
            entry.published(data["published"])
            entry.updated(data["updated"])
            if data["author"] and xml_text(data["author"]).strip():
                entry.author({"name": xml_text(data["author"])})
            for term, label in data["categories"]:
                entry.category(term=xml_text(term), label=xml_text(label))
        atom: bytes = feed.atom_str(pretty=True)
        return atom

"""The ``site`` publisher: each publication it receives (already through the privacy gate)
becomes its own page, and the pages drawn from every publication the site holds (the overview,
the trusts, learning by theme, the dashboards, the measures) are drawn again.

Delivery is idempotent: every file is written by atomic replace, and only when its bytes
change, so delivering the same publication again changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2

from collab_core import ConfigurationError, MeasureChartBody, to_json
from collab_core.ports import DeliveryReceipt, Publication
from collab_site.charts import draw
from collab_site.files import copy_assets, write_atomic
from collab_site.formatting import dated, percent, plain, shown, slug, words
from collab_site.manifest import FOLDER, Manifest
from collab_site.pages import NAVIGATION, Page, action_rows, own_page, site_pages

__all__ = ["DEFAULT_TITLE", "SitePublisher"]

#: The site's name in its header, unless the settings give one.
DEFAULT_TITLE = "Learning from deaths collaborative"


def environment() -> jinja2.Environment:
    """The templates, autoescaped, with the site's filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("collab_site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters.update(
        shown=shown,
        plain=plain,
        dated=dated,
        percent=percent,
        words=words,
        slug=slug,
        action_rows=action_rows,
    )
    return env


class ChartStore:
    """The charts drawn before, kept as SVG files named by a hash of the body they show, so
    that a chart is drawn once however often the pages around it are drawn again."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._used: set[str] = set()

    def draw(self, body: MeasureChartBody) -> bytes:
        name = hashlib.sha256(to_json(body).encode()).hexdigest() + ".svg"
        self._used.add(name)
        path = self._folder / name
        try:
            return path.read_bytes()
        except FileNotFoundError:
            svg = draw(body)
            write_atomic(path, svg)
            return svg

    def prune(self) -> None:
        """Remove the charts no page showed this time."""
        if self._folder.is_dir():
            for path in self._folder.glob("*.svg"):
                if path.name not in self._used:
                    path.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One delivery at a time into a folder (where the platform can lock a file)."""
    lock = folder / FOLDER / ".lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a+b") as handle:
        try:
            import fcntl  # noqa: PLC0415 - POSIX only; elsewhere deliveries are not overlapped
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SitePublisher:
    """Writes a static site into ``folder``: open ``folder/index.html`` in a browser.

    :param folder: where the site goes (made if missing).
    :param title: the site's name, shown in its header and page titles.
    """

    def __init__(self, folder: Path, title: str = DEFAULT_TITLE) -> None:
        self._folder = folder
        self._title = title
        self._env = environment()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SitePublisher:
        """Make the publisher from its settings: ``{"folder": "site", "title": "..."}``
        (``title`` is optional)."""
        unknown = sorted(set(settings) - {"folder", "title"})
        if unknown:
            raise ConfigurationError(
                f"site: unknown setting(s) {', '.join(unknown)} (known: folder, title)"
            )
        folder = settings.get("folder")
        if not isinstance(folder, str) or not folder.strip():
            raise ConfigurationError("folder: the site publisher needs a folder path setting")
        title = settings.get("title", DEFAULT_TITLE)
        if not isinstance(title, str) or not title.strip():
            raise ConfigurationError("title: the site's title must be non-blank text")
        return cls(Path(folder), title.strip())

    @property
    def name(self) -> str:
        return "site"

    @property
    def idempotent(self) -> bool:
        """Delivering a publication again changes no file, so a retry is always safe."""
        return True

    @property
    def folder(self) -> Path:
        return self._folder

    def deliver(self, publication: Publication, *, key: str | None = None) -> DeliveryReceipt:
        """Put ``publication`` on its page and draw the site's other pages again.

        :param key: the delivery's key (the outbox's); the publication's id when ``None``. Of
            two publications for one page, the later one keeps it.
        """
        page = own_page(publication)
        with _locked(self._folder):
            manifest = Manifest.load(self._folder)
            manifest.hold(page, publication, key or str(publication.id))
            self.render(manifest)
        return DeliveryReceipt(
            publisher=self.name,
            publication_id=publication.id,
            delivered_at=dt.datetime.now(dt.UTC),
            location=str(self._folder / page),
        )

    def render(self, manifest: Manifest) -> list[Path]:
        """Draw every page of the site from ``manifest``'s publications, remove pages no
        publication holds any more, and save the manifest; the paths of the pages."""
        copy_assets(self._folder)
        charts = ChartStore(self._folder / FOLDER / "charts")
        pages = site_pages(manifest.publications(), self._title, charts.draw)
        charts.prune()
        paths = [path for page in pages for path in [self._write(page)]]
        current = {page.path for page in pages}
        for stale in set(manifest.pages) - current:
            (self._folder / stale).unlink(missing_ok=True)
        manifest.pages = sorted(current)
        manifest.save()
        return paths

    def _write(self, page: Page) -> Path:
        html = self._env.get_template(page.template).render(
            site_title=self._title,
            root=page.root,
            navigation=NAVIGATION,
            layout="base.html",
            linked=True,
            **page.context,
        )
        path = self._folder / page.path
        write_atomic(path, html.encode("utf-8"))
        return path

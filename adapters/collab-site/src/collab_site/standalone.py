"""A publication's page on its own, for a channel that is not the site (an e-mail above all):
the same templates and macros as the site's page, without its header, footer, navigation,
breadcrumbs or links to other pages, and with the site's style sheets in a ``<style>`` element
instead of ``<link>``, so that the document needs no file beside it."""

from __future__ import annotations

import functools
from importlib.resources import files

from markupsafe import Markup

from collab_core import MeasureChartBody
from collab_core.ports import Publication
from collab_site.charts import Draw, draw
from collab_site.pages import own_page, site_pages
from collab_site.publisher import DEFAULT_TITLE, environment

__all__ = ["STANDALONE_LAYOUT", "publication_html", "stylesheet"]

#: The template a standalone page extends in place of the site's ``base.html``.
STANDALONE_LAYOUT = "standalone.html"

#: What a standalone page leaves out: every link to another page of the site.
_UNLINKED: dict[str, object] = {
    "breadcrumbs": (),
    "themes": [],
    "bulletins": [],
    "sections": [],
    "history": [],
    "others": [],
}


@functools.cache
def stylesheet() -> str:
    """The site's style sheets as one text: the NHS.UK frontend's, then the site's own."""
    static = files("collab_site") / "static"
    parts = (static / "nhsuk-frontend" / "nhsuk-frontend.min.css", static / "collab-site.css")
    return "\n".join(part.read_text(encoding="utf-8") for part in parts)


def _undrawn(body: MeasureChartBody) -> bytes:
    return b""


def publication_html(
    publication: Publication, *, title: str = DEFAULT_TITLE, charts: bool = True, drawn: Draw = draw
) -> str:
    """The HTML document of ``publication``'s own page, as the site shows it but standing alone.

    :param title: the name of whoever publishes it, shown above the page's heading.
    :param charts: whether a measure's chart is drawn (inline SVG); without it, the chart is
        told in words and by its data table only (mail readers do not show inline SVG).
    :param drawn: how a measure's chart is drawn.
    """
    drawn = drawn if charts else _undrawn
    path = own_page(publication)
    (page,) = (p for p in site_pages([publication], title, drawn) if p.path == path)
    context = {**page.context, **{k: v for k, v in _UNLINKED.items() if k in page.context}}
    return (
        environment()
        .get_template(page.template)
        .render(
            site_title=title,
            root="",
            layout=STANDALONE_LAYOUT,
            linked=False,
            stylesheet=Markup(stylesheet()),  # noqa: S704 - the package's own style sheets
            **context,
        )
    )

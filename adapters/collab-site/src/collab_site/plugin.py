"""The site's plugin: registers the ``site`` publisher through the ``collab_core`` entry point."""

from __future__ import annotations

from collab_core import hookimpl
from collab_core.ports import PublisherSpec
from collab_site.publisher import SitePublisher


@hookimpl
def collab_register_publishers() -> list[PublisherSpec]:
    return [
        PublisherSpec(
            "site",
            SitePublisher.from_settings,
            "A static site in the NHS.UK look: overview, trusts, learning, dashboards, measures",
        )
    ]

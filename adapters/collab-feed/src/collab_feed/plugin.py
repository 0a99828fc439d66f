"""The feed's plugin: registers the ``feed`` publisher with collab_core through the
``collab_core`` entry point in pyproject.toml."""

from __future__ import annotations

from collab_core import hookimpl
from collab_core.ports import PublisherSpec
from collab_feed.publisher import FeedPublisher


@hookimpl
def collab_register_publishers() -> list[PublisherSpec]:
    return [
        PublisherSpec(
            "feed", FeedPublisher.from_settings, "An Atom feed of the learning shared, per audience"
        )
    ]

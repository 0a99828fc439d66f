"""The template's plugin: registers the ``template`` store scheme and the ``folder`` publisher.

collab_core imports this module through the ``collab_core`` entry point in pyproject.toml and
calls the functions marked ``@hookimpl``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from collab_core import ConfigurationError, hookimpl
from collab_core.ports import PublisherSpec, Store, StoreSpec
from collab_template.publisher import FolderPublisher
from collab_template.store import TemplateStore


def open_template_store(url: str) -> Store:
    """Open ``template://NAME``."""
    parts = urlsplit(url)
    if parts.scheme != "template" or not parts.netloc:
        raise ConfigurationError(
            f"url: a template store URL looks like template://name (got {url!r})"
        )
    return TemplateStore(parts.netloc)


@hookimpl
def collab_register_stores() -> list[StoreSpec]:
    return [StoreSpec("template", open_template_store, "The adapter template's store")]


@hookimpl
def collab_register_publishers() -> list[PublisherSpec]:
    return [
        PublisherSpec("folder", FolderPublisher.from_settings, "JSON files written to a folder")
    ]

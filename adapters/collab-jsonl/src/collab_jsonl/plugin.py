"""The plugin that hands collab_core the ``jsonl`` store (registered through the entry point)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from collab_core import ConfigurationError, hookimpl
from collab_core.ports import Store, StoreSpec
from collab_jsonl.store import JsonLinesStore


def open_jsonl(url: str) -> Store:
    """Open ``jsonl:///relative/file.jsonl`` or ``jsonl:////absolute/file.jsonl``."""
    parts = urlsplit(url)
    if parts.scheme != "jsonl" or parts.netloc or not parts.path.lstrip("/"):
        raise ConfigurationError(
            f"url: a jsonl store URL looks like jsonl:///path/to/collab.jsonl (got {url!r})"
        )
    return JsonLinesStore(unquote(parts.path[1:]))


@hookimpl
def collab_register_stores() -> list[StoreSpec]:
    return [StoreSpec("jsonl", open_jsonl, "One append-only JSON-lines file per collaborative")]

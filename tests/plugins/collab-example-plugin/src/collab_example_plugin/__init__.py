"""A collab_core plugin as a trust would write one: an ``example://`` store (the in-memory
store under its own scheme) and an ``example-log`` publisher that keeps what it delivers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import collab_core
from collab_core.ports import DeliveryReceipt, Publication, PublisherSpec, StoreSpec

SCHEME = "example"


class ExampleStore(collab_core.MemoryStore):
    """The memory store, opened as ``example://name``."""

    @classmethod
    def open(cls, url: str) -> ExampleStore:
        return cls(url.partition("://")[2] or None)

    @property
    def url(self) -> str:
        return super().url.replace("memory://", f"{SCHEME}://", 1)


class LogPublisher:
    """Keeps each publication it is handed, in memory."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.location = str(settings.get("location", "log"))
        self.delivered: list[Publication] = []

    @property
    def name(self) -> str:
        return "example-log"

    @property
    def idempotent(self) -> bool:
        return False

    def deliver(self, publication: Publication, *, key: str) -> DeliveryReceipt:
        self.delivered.append(publication)
        return DeliveryReceipt(
            self.name, publication.id, dt.datetime.now(dt.UTC), location=self.location
        )


@collab_core.hookimpl
def collab_register_stores() -> list[StoreSpec]:
    return [StoreSpec(SCHEME, ExampleStore.open, "the memory store, as example://name")]


@collab_core.hookimpl
def collab_register_publishers() -> list[PublisherSpec]:
    return [PublisherSpec("example-log", LogPublisher, "keeps publications in memory")]

"""A minimal publisher: writes each publication as a JSON file in a folder.

Replace :meth:`FolderPublisher.deliver` with a call to wherever your trust publishes (an
intranet page, a document store); raise on failure and the outbox will try again later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from collab_core import ConfigurationError, to_json
from collab_core.ports import DeliveryReceipt, Publication

__all__ = ["FolderPublisher"]


class FolderPublisher:
    """Delivers publications as ``<id>.json`` files into ``folder``."""

    name = "folder"

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> FolderPublisher:
        """Make the publisher from its settings: ``{"folder": "path/to/folder"}``."""
        folder = settings.get("folder")
        if not isinstance(folder, str) or not folder.strip():
            raise ConfigurationError("folder: the folder publisher needs a folder path setting")
        return cls(Path(folder))

    def deliver(self, publication: Publication) -> DeliveryReceipt:
        # YOUR SYSTEM: send the publication; its body has already passed the privacy gate.
        self._folder.mkdir(parents=True, exist_ok=True)
        target = self._folder / f"{publication.id}.json"
        target.write_text(to_json(publication), encoding="utf-8")
        return DeliveryReceipt(
            publisher=self.name,
            publication_id=publication.id,
            delivered_at=dt.datetime.now(dt.UTC),
            location=str(target),
        )

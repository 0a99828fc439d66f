"""A minimal publisher: writes each publication as a JSON file in a folder, named by the
outbox entry's idempotency key, so that delivering it again after a crash keeps one copy.

Replace :meth:`FolderPublisher.deliver` with a call to wherever your trust publishes (an
intranet page, a document store); raise on failure and the outbox will try again later. If
your system cannot write or upsert by the key (an e-mail, say), set ``idempotent = False``.
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
    """Delivers publications as ``<key>.json`` files into ``folder`` (idempotent: the same
    key overwrites the same file)."""

    name = "folder"
    idempotent = True

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> FolderPublisher:
        """Make the publisher from its settings: ``{"folder": "path/to/folder"}``."""
        folder = settings.get("folder")
        if not isinstance(folder, str) or not folder.strip():
            raise ConfigurationError("folder: the folder publisher needs a folder path setting")
        return cls(Path(folder))

    def deliver(self, publication: Publication, *, key: str) -> DeliveryReceipt:
        # YOUR SYSTEM: send the publication; its body has already passed the privacy gate.
        self._folder.mkdir(parents=True, exist_ok=True)
        target = self._folder / f"{key}.json"
        # Written aside, then renamed: a crash never leaves half a file under the key.
        partial = target.with_suffix(".partial")
        partial.write_text(to_json(publication), encoding="utf-8")
        partial.replace(target)
        return DeliveryReceipt(
            publisher=self.name,
            publication_id=publication.id,
            delivered_at=dt.datetime.now(dt.UTC),
            location=str(target),
        )

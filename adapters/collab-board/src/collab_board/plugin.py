"""The board pack's plugin: registers the ``board`` publisher with collab_core through the
``collab_core`` entry point in pyproject.toml."""

from __future__ import annotations

from collab_board.publisher import BoardPublisher
from collab_core import hookimpl
from collab_core.ports import PublisherSpec


@hookimpl
def collab_register_publishers() -> list[PublisherSpec]:
    return [
        PublisherSpec(
            "board", BoardPublisher.from_settings, "The board pack: an XLSX workbook and CSV files"
        )
    ]

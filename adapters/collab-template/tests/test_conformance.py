"""The template's store passes collab_core's conformance kit, and its publisher delivers."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from collab_core import Audience, ConfigurationError, MemoryStore
from collab_core.ports import OutboxEntry, Publication
from collab_core.testing.conformance import StoreOpener, StoreTests
from collab_template import FolderPublisher, TemplateStore


class TestTemplateStore(StoreTests):
    @pytest.fixture
    def open_store(self) -> Iterator[StoreOpener]:
        name = f"t{uuid.uuid4().hex}"
        yield lambda: TemplateStore(name)
        MemoryStore.drop(f"template-{name}")


def test_the_folder_publisher_writes_one_json_file_per_key_whatever_the_attempts(
    tmp_path: Path,
) -> None:
    publisher = FolderPublisher.from_settings({"folder": str(tmp_path / "out")})
    publication = Publication(
        id=uuid.uuid4(),
        kind="learning",
        audience=Audience.COLLABORATIVE,
        title="Seven-day follow-up",
        body={"summary": "Follow-up within seven days of discharge"},
        created_at=dt.datetime(2019, 1, 7, 9, 0, tzinfo=dt.UTC),
    )
    key = OutboxEntry(uuid.uuid4(), "folder", publication).key
    assert publisher.idempotent
    receipt = publisher.deliver(publication, key=key)
    again = publisher.deliver(publication, key=key)  # delivered again after a crash
    written = Path(str(receipt.location))
    assert again.location == receipt.location
    assert written == tmp_path / "out" / f"{key}.json"
    assert [p.name for p in (tmp_path / "out").iterdir()] == [written.name]
    assert json.loads(written.read_text(encoding="utf-8"))["data"]["title"] == "Seven-day follow-up"
    assert receipt.publication_id == publication.id


def test_the_folder_publisher_needs_a_folder() -> None:
    with pytest.raises(ConfigurationError, match="folder"):
        FolderPublisher.from_settings({})

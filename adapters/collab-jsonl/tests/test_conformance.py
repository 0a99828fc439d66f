"""The jsonl store passes collab_core's store conformance kit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from collab_core import OdsCode, Trust
from collab_core.ports import Store
from collab_core.testing.conformance import StoreOpener, StoreTests
from collab_jsonl import JsonLinesStore
from collab_jsonl.plugin import open_jsonl


class TestJsonLinesStore(StoreTests):
    @pytest.fixture
    def open_store(self, tmp_path: Path) -> StoreOpener:
        return lambda: JsonLinesStore(tmp_path / "collab.jsonl")

    def corrupt_record(self, store: Store, kind: str, key: str) -> None:
        # Rewrite the record's latest line with a payload that no longer structures, keeping
        # the line's length the same so that the index stays right.
        assert isinstance(store, JsonLinesStore)
        path = Path(store.url.removeprefix("jsonl:///"))
        lines = path.read_bytes().splitlines(keepends=True)
        for i in range(len(lines) - 1, -1, -1):
            line = json.loads(lines[i])
            if line.get("op") == "put" and line["kind"] == kind and line["key"] == key:
                line["payload"] = {"type": kind, "schema_version": 1, "data": {"oops": 1}}
                text = json.dumps(line).encode()
                lines[i] = text.ljust(len(lines[i]) - 1)[: len(lines[i]) - 1] + b"\n"
                break
        else:
            raise AssertionError(f"no {kind} {key} in {path}")
        path.write_bytes(b"".join(lines))


def test_the_url_of_a_store_opens_the_same_file_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    relative = open_jsonl("jsonl:///data/collab.jsonl")
    assert relative.url == f"jsonl:///{tmp_path / 'data' / 'collab.jsonl'}"
    assert relative.url.startswith("jsonl:////")
    with relative.unit_of_work() as uow:
        uow.put([Trust(OdsCode("RH8"), "Trust RH8", dt.date(2018, 4, 1))])
    relative.close()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    again = open_jsonl(relative.url)
    assert again.url == relative.url
    assert again.count(Trust) == 1
    again.close()

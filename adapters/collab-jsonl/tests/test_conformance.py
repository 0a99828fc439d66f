"""The jsonl store passes collab_core's store conformance kit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collab_core.ports import Store
from collab_core.testing.conformance import StoreOpener, StoreTests
from collab_jsonl import JsonLinesStore


class TestJsonLinesStore(StoreTests):
    @pytest.fixture
    def open_store(self, tmp_path: Path) -> StoreOpener:
        return lambda: JsonLinesStore(tmp_path / "collab.jsonl")

    def corrupt_record(self, store: Store, kind: str, key: str) -> None:
        # Rewrite the record's latest line with a payload that no longer structures, keeping
        # the line's length the same so that the index stays right.
        assert isinstance(store, JsonLinesStore)
        path = Path(store.url.removeprefix("jsonl://"))
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

"""Shared fixtures of the importing tests: a collaborative with one trust, and the exports."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from collab_core import Collaborative, OdsCode, Trust

sys.path.insert(0, str(Path(__file__).parent))

TRUST = Trust(OdsCode("RZZ"), "Example Mental Health NHS Trust", dt.date(2016, 4, 1))


@pytest.fixture
def collab() -> Iterator[Collaborative]:
    with Collaborative.open("memory://", load_entry_points=False) as c:
        c.record([TRUST])
        yield c

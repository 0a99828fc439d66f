"""In-memory scenarios: XmR charts of many series against NumPy's mean, moving range and
limits, and the serialisation round trip of learning items against orjson of plain dicts."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import orjson

from bench._common import Stopwatch
from collab_core import (
    ImprovementDirection,
    LearningItem,
    from_json,
    to_json,
    to_payload,
    xmr_summaries,
)
from collab_core.synthetic import SyntheticCollaborative

POINTS = 60


def _series(size: int) -> list[list[float]]:
    """``size // 60`` series of 60 floats (at least one): noise, with a shift or a trend in
    some, so that every rule fires somewhere."""
    rng = random.Random(2018)
    out = []
    for s in range(max(1, size // POINTS)):
        level = rng.uniform(10, 1000)
        noise = level * rng.uniform(0.02, 0.2)
        values = [rng.gauss(level, noise) for _ in range(POINTS)]
        if s % 3 == 0:
            at = rng.randrange(20, 50)
            values[at:] = [v + 2 * noise for v in values[at:]]
        elif s % 3 == 1:
            at = rng.randrange(0, 50)
            for k in range(at, min(POINTS, at + 9)):
                values[k] += (k - at) * noise
        out.append(values)
    return out


def xmr_scenario(size: int, _workdir: Path) -> Stopwatch:
    """``xmr_summaries`` of every series together, with every rule and both icons (each
    series' first value as its target)."""
    series = _series(size)
    targets = [values[0] for values in series]
    watch = Stopwatch()
    with watch.timing():
        xmr_summaries(series, improvement=ImprovementDirection.INCREASE, targets=targets)
    return watch


def xmr_floor(size: int, _workdir: Path) -> Stopwatch:
    """NumPy: every series' mean, mean moving range and limits, in one array."""
    series = np.array(_series(size))
    watch = Stopwatch()
    with watch.timing():
        mean = series.mean(axis=1)
        amr = np.abs(np.diff(series, axis=1)).mean(axis=1)
        lower, upper = mean - 2.66 * amr, mean + 2.66 * amr
        (series > upper[:, None]).sum()
        (series < lower[:, None]).sum()
    return watch


_BATCH = 10_000


def _learning_batches(size: int) -> Iterator[list[LearningItem]]:
    """``size`` learning items in batches: the synthetic collaborative's, under new ids."""
    found = [
        r
        for b in SyntheticCollaborative(trusts=8, deaths_per_trust_year=60).batches()
        for r in b.records
        if isinstance(r, LearningItem)
    ]
    made = 0
    while made < size:
        count = min(_BATCH, size - made)
        yield [
            attrs.evolve(found[(made + i) % len(found)], id=uuid.UUID(int=made + i + 1))
            for i in range(count)
        ]
        made += count


def serialisation_scenario(size: int, _workdir: Path) -> Stopwatch:
    """``to_json`` then ``from_json`` of every learning item."""
    watch = Stopwatch()
    for batch in _learning_batches(size):
        with watch.timing():
            texts = [to_json(item) for item in batch]
            back = [from_json(LearningItem, text) for text in texts]
        del texts, back
    return watch


def serialisation_floor(size: int, _workdir: Path) -> Stopwatch:
    """orjson ``dumps`` then ``loads`` of the same items' payloads as plain dicts."""
    watch = Stopwatch()
    for batch in _learning_batches(size):
        plain: list[dict[str, Any]] = [to_payload(item) for item in batch]
        with watch.timing():
            texts = [orjson.dumps(p).decode() for p in plain]
            back = [orjson.loads(text) for text in texts]
        del texts, back
    return watch

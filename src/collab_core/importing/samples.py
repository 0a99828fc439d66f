"""The sample exports that ship with collab_core, for the tutorial and for trying a mapping:
synthetic data only (made-up references, no NHS number, no name, no date of birth)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

__all__ = ["sample_path", "shipped_samples"]


def shipped_samples() -> dict[str, Path]:
    """The shipped sample exports, by file name."""
    folder = importlib.resources.files("collab_core.importing") / "samples_data"
    return {
        entry.name: Path(str(entry))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith((".csv", ".xlsx"))
    }


def sample_path(name: str = "datix-mortality-sample.csv") -> Path:
    """The path of a shipped sample export.

    :raises KeyError: no sample of that name ships.
    """
    samples = shipped_samples()
    if name not in samples:
        raise KeyError(f"no shipped sample {name!r} (samples: {', '.join(samples)})")
    return samples[name]

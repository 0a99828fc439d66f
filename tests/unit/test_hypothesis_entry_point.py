"""Hypothesis finds collab_core's strategies through its entry point, lazily; collab_core itself
never needs Hypothesis."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from collab_core import CandourCase, LearningItem, OdsCode
from collab_core.testing import strategies

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, *extra_paths: Path) -> subprocess.CompletedProcess[str]:
    paths = [*map(str, extra_paths), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    env.pop("HYPOTHESIS_NO_PLUGINS", None)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def _declared_entry_point() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    value: str = project["entry-points"]["hypothesis"]["collab_core"]
    return value


def _distribution_declaring(value: str, where: Path) -> Path:
    """A minimal installed-distribution record that declares ``value`` as the entry point, so
    that the check runs the same whether or not collab-core is installed."""
    info = where / "collab_core_entry_point_check-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: collab-core-entry-point-check\nVersion: 0\n",
        encoding="utf-8",
    )
    (info / "entry_points.txt").write_text(f"[hypothesis]\ncollab_core = {value}\n")
    return where


def test_importing_collab_core_does_not_import_hypothesis() -> None:
    result = _run(
        "import sys, collab_core, collab_core.ports, collab_core.serialization\n"
        "assert 'hypothesis' not in sys.modules, 'collab_core imported hypothesis'\n"
        "assert 'collab_core.testing' not in sys.modules\n"
    )
    assert result.returncode == 0, result.stderr


def test_from_type_resolves_through_the_entry_point_importing_strategies_only_then(
    tmp_path: Path,
) -> None:
    site = _distribution_declaring(_declared_entry_point(), tmp_path)
    result = _run(
        "import sys\n"
        "import hypothesis\n"
        "from hypothesis import given, settings, strategies as st\n"
        "from collab_core import CandourCase, LearningItem\n"
        "assert 'collab_core.testing.strategies' not in sys.modules, 'imported too early'\n"
        "seen = []\n"
        "@settings(max_examples=10, database=None)\n"
        "@given(st.from_type(LearningItem), st.from_type(CandourCase))\n"
        "def check(item, case):\n"
        "    assert isinstance(item, LearningItem) and isinstance(case, CandourCase)\n"
        "    seen.append(item)\n"
        "check()\n"
        "assert seen\n"
        "assert 'collab_core.testing.strategies' in sys.modules\n",
        site,
    )
    assert result.returncode == 0, result.stderr


def test_the_eager_hook_registers_every_strategy() -> None:
    strategies._hypothesis_setup_hook()

    @settings(max_examples=10)
    @given(st.from_type(LearningItem), st.from_type(CandourCase), st.from_type(OdsCode))
    def check(item: LearningItem, case: CandourCase, code: OdsCode) -> None:
        assert isinstance(item, LearningItem)
        assert isinstance(case, CandourCase)
        assert isinstance(code, OdsCode)

    check()

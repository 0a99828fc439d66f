"""The tutorial "From an export to the dashboard in 10 minutes" runs: every ``$ collab`` line
of its console blocks, in order, in an empty folder, through the installed console script."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from collab_core import from_json

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial-import.md"
_BLOCK = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _commands() -> list[list[str]]:
    lines = []
    for block in _BLOCK.findall(TUTORIAL.read_text(encoding="utf-8")):
        lines += [shlex.split(line[2:]) for line in block.splitlines() if line.startswith("$ ")]
    return lines


def _collab() -> list[str]:
    script = Path(sys.executable).parent / "collab"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "collab_core.cli"]


def test_the_tutorial_shows_the_whole_journey() -> None:
    verbs = [c[1] for c in _commands()]
    assert verbs[0] == "init"
    assert "import" in verbs
    assert "dashboard" in verbs


def test_the_tutorial_runs_from_init_to_the_dashboard(tmp_path: Path) -> None:
    if importlib.util.find_spec("collab_sql") is None:
        pytest.skip("the collab-sql adapter is not installed (nox -s tests installs it)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLAB_")}
    outputs = []
    for command in _commands():
        assert command[0] == "collab"
        done = subprocess.run(
            [*_collab(), *command[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        outputs.append((command, done.stdout))
    imports = [out for command, out in outputs if command[1] == "import"]
    assert "160" in imports[0]
    assert "unchanged" in imports[1]
    report = next(out for command, out in outputs if "--json" in command)
    board = from_json(None, report).dashboard
    assert board.years[0].label == "2018/19"

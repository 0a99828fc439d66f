"""Running the ``collab`` command as a user does: the installed console script, in a
subprocess, in a temporary folder, with no ``COLLAB_*`` settings from outside."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


def collab_command() -> list[str]:
    """The console script beside this Python, else ``python -m collab_core.cli``."""
    script = Path(sys.executable).parent / "collab"
    if script.is_file():
        return [str(script)]
    found = shutil.which("collab")
    return [found] if found else [sys.executable, "-m", "collab_core.cli"]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``collab`` in this process (``collab_core.cli.main``), in a temporary folder: quick, for
    the many checks of options and reports; :func:`shell` runs the real console script."""
    from collab_core.cli import main

    for key in list(os.environ):
        if key.startswith("COLLAB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)

    def go(
        *args: str, env_extra: Mapping[str, str] | None = None, code: int | None = 0
    ) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        with monkeypatch.context() as m:
            for key, value in (env_extra or {}).items():
                m.setenv(key, value)
            returned = main(list(args))
        out, err = capsys.readouterr()
        done = subprocess.CompletedProcess(["collab", *args], returned, out, err)
        if code is not None:
            assert returned == code, (returned, out, err)
        assert "Traceback" not in err or "--debug" in args
        return done

    return go


@pytest.fixture
def shell(tmp_path: Path) -> Run:
    """The installed ``collab`` console script in a subprocess, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLAB_")}
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"

    def go(
        *args: str, env_extra: Mapping[str, str] | None = None, code: int | None = 0
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*collab_command(), *args],
            cwd=tmp_path,
            env={**env, **(env_extra or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if code is not None:
            assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr or "--debug" in args
        return done

    return go


@pytest.fixture
def needs_sql() -> None:
    import importlib.util

    if importlib.util.find_spec("collab_sql") is None:
        pytest.skip("the collab-sql adapter is not installed (nox -s tests installs it)")

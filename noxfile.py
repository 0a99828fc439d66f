"""Sessions: tests, adapters, lint, typecheck, docs, demo, bench. ``nox -l`` lists them."""

from __future__ import annotations

import re
from pathlib import Path

import nox
from nox.project import dependency_groups, load_toml

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests", "lint", "typecheck", "docs"]

ROOT = Path(__file__).parent
PYPROJECT = load_toml(ROOT / "pyproject.toml")
ADAPTERS = sorted(
    str(p.relative_to(ROOT)) for p in ROOT.glob("adapters/*") if (p / "pyproject.toml").is_file()
)

TEST_PLUGINS = ("tests/plugins/collab-example-plugin", "tests/plugins/collab-broken-plugin")


def _with_tests(adapter: str) -> str:
    """The adapter with its own ``test`` extra, when it declares one."""
    project = load_toml(ROOT / adapter / "pyproject.toml")["project"]
    extras = project.get("optional-dependencies", {})
    return f"{adapter}[test]" if "test" in extras else adapter


def _local_requirements(adapter: str) -> list[str]:
    """The other adapters that ``adapter`` depends on, as editable installs (they are not on an
    index)."""
    names = {load_toml(ROOT / a / "pyproject.toml")["project"]["name"]: a for a in ADAPTERS}
    wanted = load_toml(ROOT / adapter / "pyproject.toml")["project"].get("dependencies", [])
    found = {re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0] for req in wanted}
    return [arg for name in sorted(found & names.keys()) for arg in ("-e", names[name])]


def _install_everything(session: nox.Session, *groups: str) -> None:
    """The core with its extras and every adapter, editable, plus the named dependency groups."""
    for group in groups:
        session.install(*dependency_groups(PYPROJECT, group))
    editable = [arg for path in ADAPTERS for arg in ("-e", _with_tests(path))]
    session.install("-e", ".[charts,testing]", *editable)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite: the core, every adapter, the docs examples; Hypothesis on."""
    _install_everything(session, "test")
    # Plugin distributions that the plugin tests discover through their entry points.
    session.install(*(arg for path in TEST_PLUGINS for arg in ("-e", path)))
    args = session.posargs or ["-n", "auto", "--dist", "loadgroup"]
    session.run("pytest", *args)


@nox.session
@nox.parametrize("adapter", ADAPTERS, ids=[Path(a).name for a in ADAPTERS])
def adapters(session: nox.Session, adapter: str) -> None:
    """Each adapter alone against the core, so a missing dependency cannot hide behind another's.

    The tests marked ``slow`` (crash, concurrency and browser runs) are left to ``tests``, which
    runs every adapter's tests too; ``nox -s adapters -- -n auto`` runs them here as well.
    """
    session.install(*dependency_groups(PYPROJECT, "test"))
    session.install("-e", ".[testing]", *_local_requirements(adapter), "-e", _with_tests(adapter))
    args = session.posargs or ["-n", "auto", "-m", "not slow"]
    session.run("pytest", adapter, "-p", "no:cacheprovider", *args)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check, ruff format --check, and the import-linter contracts (a pure domain)."""
    session.install(*dependency_groups(PYPROJECT, "lint"))
    session.install("-e", ".", *[arg for path in ADAPTERS for arg in ("-e", path)])
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over src/ and every adapter's package."""
    _install_everything(session, "typecheck")
    targets = ["src", *(f"{a}/src" for a in ADAPTERS)]
    session.run("mypy", "--strict", *targets)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the Sphinx docs with warnings as errors."""
    _install_everything(session, "docs")
    out = ROOT / "docs" / "_build" / "html"
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", str(out))


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: a synthetic collaborative in the embedded default store, and its figures."""
    session.install("-e", ".[charts]", *[arg for path in ADAPTERS for arg in ("-e", path)])
    session.run("collab", "demo", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Every scenario beside its raw floor, in the same run (``bench/README.md``).

    ``nox -s bench`` runs 10k, 100k and 1M records; ``nox -s bench -- --quick`` runs 10k only
    and writes nothing under ``bench/results/`` (CI runs it so the benchmark code keeps working;
    it never fails on time).
    """
    _install_everything(session, "bench")
    session.run("python", "-m", "bench", *session.posargs)

"""Every hook is documented and tested: docs/plugin_hooks.md has a section headed by its full
signature, with when it is called, an example and who uses it, and tests/unit/test_plugins.py
has a ``test_hook_<name>`` (datasette's meta-tests)."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from collab_core.plugins import hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS_PAGE = ROOT / "docs" / "plugin_hooks.md"
PLUGIN_TESTS = ROOT / "tests" / "unit" / "test_plugins.py"
HOOKS = sorted(n for n, f in vars(hookspecs).items() if n.startswith("collab_") and callable(f))


def _signature(name: str) -> str:
    sig = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"{name}({params}) -> {sig.return_annotation}"


def _sections() -> dict[str, str]:
    """Each ``###`` heading of the hooks page, with the text up to the next heading."""
    text = HOOKS_PAGE.read_text(encoding="utf-8")
    parts = re.split(r"^#{2,3} (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def test_the_hooks_page_documents_no_hook_that_does_not_exist() -> None:
    documented = {h.partition("(")[0] for h in _sections() if h.startswith("collab_")}
    assert documented == set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_under_its_full_signature(hook: str) -> None:
    sections = _sections()
    heading = _signature(hook)
    assert heading in sections, f"docs/plugin_hooks.md needs a heading '### {heading}'"
    body = sections[heading]
    assert "**When it is called**" in body
    assert "**Used by**" in body
    assert "```python" in body, "an example that the docs tests run"
    for param in inspect.signature(getattr(hookspecs, hook)).parameters:
        assert f"- **{param}**:" in body, f"argument {param} is described on one line"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test_of_its_own(hook: str) -> None:
    tree = ast.parse(PLUGIN_TESTS.read_text(encoding="utf-8"))
    tests = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert f"test_hook_{hook}" in tests, f"tests/unit/test_plugins.py needs test_hook_{hook}"

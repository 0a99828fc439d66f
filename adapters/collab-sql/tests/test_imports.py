"""The adapter uses only collab_core's public API: ``collab_core``, ``collab_core.ports`` and
``collab_core.testing`` (ARCHITECTURE rule 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _is_public(module: str) -> bool:
    return module in {"collab_core", "collab_core.ports"} or (
        module == "collab_core.testing" or module.startswith("collab_core.testing.")
    )


SOURCES = sorted([*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py")])


def test_the_rule_tells_public_from_private_modules() -> None:
    assert _is_public("collab_core.testing.conformance")
    assert not _is_public("collab_core.domain.facts")
    assert not _is_public("collab_core.testingx")


def _imported(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_only_the_public_api_of_collab_core_is_imported(path: Path) -> None:
    private = [
        name
        for name in _imported(path)
        if name.split(".")[0] == "collab_core" and not _is_public(name)
    ]
    assert private == [], f"{path.name} imports {private}"

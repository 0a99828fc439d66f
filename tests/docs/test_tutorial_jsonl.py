"""The jsonl tutorial shows its code in the Markdown itself, so that it reads on its own on a
code-hosting site; each block names where it comes from in the collab-jsonl adapter, and must
be exactly that code. A change to either side, the tutorial or the adapter, fails here."""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
TUTORIAL = ROOT / "docs" / "tutorial-jsonl-store.md"
_BLOCK = re.compile(
    r"<!-- from (?P<ref>\S+) -->\n```\{code-block\} python\n(?P<code>.*?)^```", re.M | re.S
)


def _node(tree: ast.Module, dotted: str) -> ast.AST:
    body: list[ast.stmt] = tree.body
    found: ast.AST | None = None
    for part in dotted.split("."):
        found = next(
            n
            for n in body
            if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.name == part
        )
        body = found.body  # type: ignore[attr-defined]
    assert found is not None
    return found


def source_of(root: Path, ref: str) -> str:
    """The source of the objects ``ref`` names, dedented, decorators included, separated by
    two blank lines, ending with a newline."""
    path, _, names = ref.partition("::")
    text = (root / path).read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    pieces = []
    for name in names.split(","):
        node = _node(tree, name)
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])  # type: ignore[attr-defined]
        chunk = lines[first - 1 : node.end_lineno]  # type: ignore[attr-defined]
        indent = min(len(line) - len(line.lstrip()) for line in chunk if line.strip())
        pieces.append("\n".join(line[indent:] for line in chunk))
    return "\n\n\n".join(pieces) + "\n"


def _blocks() -> list[tuple[str, str]]:
    return [(m["ref"], m["code"]) for m in _BLOCK.finditer(TUTORIAL.read_text("utf-8"))]


def test_the_tutorial_holds_its_code_itself() -> None:
    text = TUTORIAL.read_text("utf-8")
    assert "literalinclude" not in text
    assert len(_blocks()) >= 7
    assert text.count("```{code-block} python") == len(_blocks()), "a code block names no source"


@pytest.mark.parametrize(("ref", "code"), _blocks(), ids=[ref for ref, _ in _blocks()])
def test_each_block_of_the_tutorial_is_the_adapters_code(ref: str, code: str) -> None:
    adapter = source_of(ROOT, ref)
    diff = "".join(
        difflib.unified_diff(
            code.splitlines(keepends=True),
            adapter.splitlines(keepends=True),
            "tutorial",
            ref,
        )
    )
    assert code == adapter, f"the tutorial and the adapter differ:\n{diff}"

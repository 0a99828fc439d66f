"""Every ``python`` code block in ``docs/`` runs, page by page, in order, in one namespace per page.

Blocks fenced as ``python`` are executed; use ``text``, ``console`` or ``pycon``-free fences for
anything that must not run. A page whose examples need a fixture names it in a comment on the
first line of a block: ``# docs: tmp_path`` gives the block a fresh ``tmp_path``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
_FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)


def _blocks(page: Path) -> list[str]:
    return _FENCE.findall(page.read_text(encoding="utf-8"))


PAGES_WITH_EXAMPLES = [p for p in _pages() if _blocks(p)]


@pytest.mark.parametrize(
    "page", PAGES_WITH_EXAMPLES, ids=[str(p.relative_to(DOCS)) for p in PAGES_WITH_EXAMPLES]
)
def test_docs_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}", "tmp_path": tmp_path}
    for i, block in enumerate(_blocks(page)):
        code = compile(block, f"{page.relative_to(DOCS)}[block {i}]", "exec", dont_inherit=True)
        exec(code, namespace)  # noqa: S102 - running our own documentation is the point


def test_docs_have_examples() -> None:
    assert PAGES_WITH_EXAMPLES, "the docs should carry runnable examples"

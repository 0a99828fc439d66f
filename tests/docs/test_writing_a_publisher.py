"""The complete example of "Writing a publisher" stays short enough to read at a glance (it is
run with every other docs example by test_examples.py)."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "publishers" / "writing-a-publisher.md"


def test_the_complete_example_is_under_40_lines() -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.M | re.S)
    assert len(blocks) == 1, "the page has one complete example"
    lines = blocks[0].splitlines()
    assert "class TitlePublisher" in blocks[0]
    assert "deliver_pending()" in blocks[0]
    assert len(lines) < 40, f"the example has {len(lines)} lines"

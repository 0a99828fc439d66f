"""The scanner's shortcut for plain text of fewer than ten digits finds what the full scan
finds: nothing in such text can become a digit."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from collab_core.domain.scanning import _scan, find_nhs_numbers

ascii_text = st.text(
    alphabet=st.sampled_from(string.digits + " -./\\\t\n+()abcNHS%"), min_size=0, max_size=40
)


@given(ascii_text | st.text(max_size=30))
def test_the_shortcut_finds_what_the_full_scan_finds(text: str) -> None:
    assert find_nhs_numbers(text) == _scan(text)


@given(st.lists(st.sampled_from(["999", "000", "0018", " ", "-", "x", "12"]), max_size=12))
def test_numbers_split_across_groups_are_still_found(parts: list[str]) -> None:
    text = "".join(parts)
    assert find_nhs_numbers(text) == _scan(text)

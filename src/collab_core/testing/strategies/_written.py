"""NHS numbers as people and pasted text write them: groupings, separators, digit scripts,
invisible characters, percent-encoding and surrounding words, for testing that they are found.

Numbers come from the 999 test range only; use them only as input that must be refused.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

from collab_core.domain.identifiers import nhs_check_digit

#: Groupings the scanner reads as one number: ungrouped, or groups of three or more digits.
NHS_GROUPINGS: tuple[tuple[int, ...], ...] = (
    (10,),
    (3, 3, 4),
    (3, 4, 3),
    (4, 3, 3),
    (5, 5),
    (4, 6),
    (6, 4),
    (3, 7),
    (7, 3),
)

#: What may stand between two groups: whitespace of every kind, dashes, dots, slashes,
#: underscores, invisible characters, and their percent-encoded forms.
NHS_SEPARATORS: tuple[str, ...] = (
    " ",
    "  ",
    "\u00a0",  # no-break space
    "\u202f",  # narrow no-break space
    "\u2009",  # thin space
    "\u3000",  # ideographic space
    "\t",
    "\n",
    "\r\n",
    "-",
    " - ",
    "\u2010",  # hyphen
    "\u2013",  # en dash
    "\u2014",  # em dash
    "\u2212",  # minus sign
    "\uff0d",  # fullwidth hyphen-minus
    ".",
    ". ",
    "\u00b7",  # middle dot
    "/",
    "\\",
    "\u2044",  # fraction slash
    "_",
    "\u200b",  # zero-width space
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space
    "\u00ad",  # soft hyphen
    "%20",
    "%2D",
    "%2F",
    "%C2%A0",
)

#: The zero of each digit script a number may be written in.
DIGIT_ZEROS: tuple[str, ...] = (
    "0",
    "\uff10",  # fullwidth
    "\u0660",  # Arabic-Indic
    "\u06f0",  # extended Arabic-Indic (Persian, Urdu)
    "\u0966",  # Devanagari
    "\u09e6",  # Bengali
    "\u0a66",  # Gurmukhi
    "\u0ae6",  # Gujarati
    "\u0be6",  # Tamil
    "\u0e50",  # Thai
    "\U0001d7ce",  # mathematical bold
)

_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
# Text around a number: no digit, and no "+" or "%" that would make it a dialling code or an
# escape, so the number stays one number and the only one.
_AROUND = string.ascii_letters + " ,;:!?()[]'\"#*&\n"
_PHRASES = ("", "NHS no. ", "NHS number: ", "patient ", "(", "ref ", "nhs_no=", "\n")
_ENDINGS = ("", ".", ")", ", seen on the ward", " was reviewed", "\n", "abc")


def _numbers(valid: bool) -> st.SearchStrategy[str]:
    def build(n: int, wrong: int) -> str | None:
        first_nine = f"999{n:06d}"
        check = nhs_check_digit(first_nine)
        if valid:
            return None if check is None else f"{first_nine}{check}"
        # Any last digit but the right one (every last digit is wrong when none is right).
        digit = (wrong if check is None else (check + 1 + wrong % 9) % 10) % 10
        return f"{first_nine}{digit}"

    return (
        st.builds(build, st.integers(0, 999_999), st.integers(0, 9))
        .filter(lambda n: n is not None)
        .map(str)
    )


@st.composite
def _write(draw: st.DrawFn, number: str, surrounded: bool) -> str:
    grouping = draw(st.sampled_from(NHS_GROUPINGS))
    zero = draw(st.sampled_from(DIGIT_ZEROS))
    percent = zero == "0" and draw(st.booleans()) and draw(st.booleans())
    invisible = draw(st.booleans()) and draw(st.booleans())

    def digit(d: str) -> str:
        if percent:
            return f"%{ord(d):02X}"
        return chr(ord(zero) + int(d))

    parts: list[str] = []
    at = 0
    for g, size in enumerate(grouping):
        if g:
            parts.append(draw(st.sampled_from(NHS_SEPARATORS)))
        for k, d in enumerate(number[at : at + size]):
            if k and invisible and draw(st.integers(0, 4)) == 0:
                parts.append(draw(st.sampled_from(_INVISIBLE)))
            parts.append(digit(d))
        at += size
    written = "".join(parts)
    if not surrounded:
        return written
    before = draw(st.sampled_from(_PHRASES) | st.text(_AROUND, max_size=12))
    after = draw(st.sampled_from(_ENDINGS) | st.text(_AROUND, max_size=12))
    return f"{before}{written}{after}"


def written_nhs_numbers(*, surrounded: bool = True, valid: bool = True) -> st.SearchStrategy[str]:
    """Text holding one NHS number from the 999 test range, written in a random way.

    A drawn grouping (:data:`NHS_GROUPINGS`), separators between groups
    (:data:`NHS_SEPARATORS`), a digit script (:data:`DIGIT_ZEROS`) or percent-encoded ASCII
    digits, sometimes invisible characters inside groups, and, when ``surrounded``, words
    around it. With ``valid=False`` the last digit is a wrong check digit: text that holds no
    NHS number although it looks like one.
    """
    return _numbers(valid).flatmap(lambda n: _write(n, surrounded))

"""The one NHS number scanner: normalise text, find ten-digit candidates, test Modulus 11.

Every check and every redaction in collab_core goes through :func:`find_nhs_numbers`, which
returns spans of the *original* text so that callers can mask without ever quoting a number.
Pure functions over strings: no I/O, and nothing here imports the rest of the project.

How text is read, one choice per kind of character:

* **Percent-encoding** (``%20``, ``%C2%A0``) is decoded first, as UTF-8: a number pasted from a
  URL or a form reads the same as typed.
* **Backslash escapes** (``\\n``, ``\\t``, ``\\xa0``, ``\\u200b``, ``\\u0039``) are decoded too, so
  that a number quoted with ``repr()`` or written in JSON is still found where it is quoted.
* **Compatibility forms** are folded with NFKC: fullwidth ``９``, superscript ``⁹``, circled and
  mathematical digits read as ``9``; fullwidth dashes, dots and slashes as their ASCII forms.
* **Every Unicode decimal digit** (Arabic-Indic ``٩``, Devanagari ``९``, Bengali, Thai...) reads
  as its ASCII digit.
* **Zero-width and other invisible format characters** (zero-width space and joiners, word
  joiner, byte-order mark, soft hyphen) are dropped: the reader sees the digits either side as
  adjacent, so the scanner does too, even inside a group.
* **Separators** between groups of digits, up to four in a row (``" - "``, ``"\\r\\n"``):
  any whitespace (space, no-break space, tab, line feed, carriage return...), any dash
  (hyphen, en and em dashes, minus sign), dots (``.``, ``·``, ``。``), slashes (``/``, ``\\``,
  fraction and division slashes) and underscores (and the other connector punctuation).
* **Not separators**: commas, colons, brackets and plus signs. Lists (``12, 15``), times
  (``10:30``), money (``£1,234``) and dialling codes are not read as one number.

What is a candidate: ten digits written as one run, or in groups of **three or more** digits
(3-3-4, 3-4-3, 4-3-3, 5-5, 4-6, 6-4, 3-7, 7-3). Groups of one or two digits are not joined,
because dates (``12/03/2024 10``), counts and scores are written that way in free text.
A candidate is tested with the NHS Modulus 11 check; only a valid number is found.

What is not a candidate:

* ten digits inside a longer run of digits (``99900000181``): a longer number, not an NHS
  number;
* the digits of an international telephone number: a run of groups that starts with ``+``
  (``+44 113 496 0000``), or that follows ``+44 (0)``;
* digits inside a UUID (``…-8154-768534c29dcb``), whose hex groups may hold only digits.

A UK telephone number has eleven digits (``0113 496 0000``) and is never found. A ten-digit
freephone number or a reference written as ten digits in those groupings passes the check about
one time in eleven and is then refused: the scanner errs on the side of privacy.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

__all__ = [
    "NHS_NUMBER_MASK",
    "find_nhs_numbers",
    "is_valid_nhs_number",
    "mask_nhs_numbers",
    "normalise",
]

#: What :func:`mask_nhs_numbers` writes in place of each number found.
NHS_NUMBER_MASK = "<NHS number>"

_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_MAX_SEPARATORS = 4
_SEPARATOR_CHARS = " -./_"
_CHAIN = re.compile(rf"[0-9]+(?:[ \-./_]{{1,{_MAX_SEPARATORS}}}[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
_ENCODED = re.compile(
    r"(?:%[0-9A-Fa-f]{2})+|\\(?:[nrtvf]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "v": "\v", "f": "\f"}
# A dialling code just before a run of groups: "+44 " or "+44 (0)".
_DIALLING = re.compile(r"\+[0-9]{1,4}[ \-./_]{0,4}(?:\(0\)[ \-./_]{0,4})?\Z")
# A UUID's hex groups can hold digits only (8154-768534c2...): they are part of a UUID.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_EXTRA_DASHES = frozenset("\u2212\u2043\ufe63\uff0d")
_EXTRA_DOTS = frozenset("\u00b7\u2027\u2024\u3002\uff0e\uff61\u30fb")
_EXTRA_SLASHES = frozenset("\\\u2044\u2215\u29f8\uff0f")

# One character of the normalised text and the span of the original text it came from.
_Mapped = tuple[str, int, int]


@functools.lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """What one (non-ASCII or ASCII) character reads as: digits, one of ``" -./_"``, itself, or
    nothing (an invisible format character)."""
    out = []
    for c in unicodedata.normalize("NFKC", char):
        digit = unicodedata.decimal(c, None)
        category = unicodedata.category(c)
        if digit is not None:
            out.append(str(digit))
        elif category == "Cf":
            continue  # zero-width space, joiners, word joiner, BOM, soft hyphen
        elif c.isspace():
            out.append(" ")
        elif category == "Pd" or c in _EXTRA_DASHES:
            out.append("-")
        elif c == "." or c in _EXTRA_DOTS:
            out.append(".")
        elif c == "/" or c in _EXTRA_SLASHES:
            out.append("/")
        elif category == "Pc":
            out.append("_")
        else:
            out.append(c)
    return "".join(out)


def _utf8_length(lead: int) -> int:
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _unescaped(escape: str) -> str:
    """The character a backslash escape stands for, or the escape itself when it is none."""
    if escape[1] in _ESCAPES:
        return _ESCAPES[escape[1]]
    code = int(escape[2:], 16)
    return chr(code) if code <= 0x10FFFF else escape


def _decoded(text: str) -> Iterator[_Mapped]:
    """``text`` with percent-encoded UTF-8 and backslash escapes decoded, each character with
    the span of ``text`` it came from.

    A ``%`` that does not start valid UTF-8 (``%99``) is kept as written, so that it cannot
    swallow the digits after it.
    """
    pos = 0
    for match in _ENCODED.finditer(text):
        yield from ((text[i], i, i + 1) for i in range(pos, match.start()))
        pos = match.end()
        if match.group().startswith("\\"):
            for c in _unescaped(match.group()):
                yield c, match.start(), match.end()
            continue
        codes = [int(text[i + 1 : i + 3], 16) for i in range(match.start(), match.end(), 3)]
        k = 0
        while k < len(codes):
            at = match.start() + 3 * k
            size = _utf8_length(codes[k])
            try:
                char = bytes(codes[k : k + size]).decode() if size else ""
            except UnicodeDecodeError:
                char = ""
            if len(char) == 1:
                yield char, at, at + 3 * size
                k += size
            else:
                yield from ((text[i], i, i + 1) for i in range(at, at + 3))
                k += 1
    yield from ((text[i], i, i + 1) for i in range(pos, len(text)))


_ASCII_FOLD = str.maketrans(dict.fromkeys("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f", " ") | {"\\": "/"})


def normalise(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` as the scanner reads it, and for each of its characters the ``(start, end)``
    span of ``text`` it came from (see the module's documentation for each choice)."""
    if text.isascii() and "%" not in text and "\\" not in text:
        folded = text.translate(_ASCII_FOLD)
        return folded, [(i, i + 1) for i in range(len(text))]
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    for char, start, end in _decoded(text):
        for c in _fold(char):
            chars.append(c)
            spans.append((start, end))
    return "".join(chars), spans


def _valid(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=False))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _candidates(folded: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` in ``folded`` of every ten-digit candidate with a valid check digit."""
    uuids = [m.span() for m in _UUID.finditer(folded)] if "-" in folded else []
    for start, end in _chain_candidates(folded):
        if not any(u_start <= start and end <= u_end for u_start, u_end in uuids):
            yield start, end


def _chain_candidates(folded: str) -> Iterator[tuple[int, int]]:
    for chain in _CHAIN.finditer(folded):
        if chain.end() - chain.start() < 10:
            continue
        before = folded[max(0, chain.start() - 16) : chain.start()]
        if before.endswith("+") or _DIALLING.search(before):
            continue
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(folded, chain.start(), chain.end())]
        for first in range(len(groups)):
            digits = ""
            for last in range(first, len(groups)):
                start, end = groups[last]
                if end - start < 3:
                    break
                digits += folded[start:end]
                if len(digits) >= 10:
                    if len(digits) == 10 and _valid(digits):
                        yield groups[first][0], end
                    break


_ASCII_DIGITS = "0123456789"
#: Every byte but the ASCII digits: deleting them from ASCII text leaves its digits.
_NOT_ASCII_DIGITS = bytes(b for b in range(256) if chr(b) not in _ASCII_DIGITS)


def find_nhs_numbers(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of ``text`` that hold a valid NHS number, in order, merged
    where they overlap.

    Spans, not the numbers, are returned so that callers can mask without ever holding the
    identifier in a message. The spans are of the original text, whatever was decoded or
    folded to find them.

    >>> find_nhs_numbers("seen 2024-03-12, NHS no. 999 000 0018")
    [(25, 37)]
    >>> find_nhs_numbers("call 0113 496 0000 at 10:30")
    []
    """
    if text.isascii() and (
        len(text) < 10
        or ("%" not in text and len(text.encode("ascii").translate(None, _NOT_ASCII_DIGITS)) < 10)
    ):
        # ASCII text folds into nothing longer (NFKC expands only other characters), and
        # percent-decoding only shortens it, so fewer than ten characters cannot hold ten
        # digits; nor can plain ASCII text with fewer than ten: most free text ends here.
        return []
    return _scan(text)


def _scan(text: str) -> list[tuple[int, int]]:
    """:func:`find_nhs_numbers` without its shortcut for text of too few digits."""
    folded, spans = normalise(text)
    found: list[tuple[int, int]] = []
    for start, end in sorted(_candidates(folded)):
        span = (spans[start][0], spans[end - 1][1])
        if found and span[0] < found[-1][1]:
            found[-1] = (found[-1][0], max(found[-1][1], span[1]))
        else:
            found.append(span)
    return found


def is_valid_nhs_number(text: object) -> bool:
    """Whether ``text`` is one NHS number and nothing else, in any of the forms the scanner
    reads (``"999 000 0018"``, ``"999.000.0018"``, fullwidth digits...), with a valid check."""
    if not isinstance(text, str):
        return False
    folded, _ = normalise(text)
    digits = "".join(c for c in folded if c not in _SEPARATOR_CHARS)
    return len(digits) == 10 and digits.isascii() and digits.isdigit() and _valid(digits)


def mask_nhs_numbers(text: str, mask: str = NHS_NUMBER_MASK) -> str:
    """``text`` with every NHS number :func:`find_nhs_numbers` finds replaced by ``mask``.

    >>> mask_nhs_numbers("NHS no. 999-000-0018, seen 12/03/2024")
    'NHS no. <NHS number>, seen 12/03/2024'
    """
    for start, end in reversed(find_nhs_numbers(text)):
        text = text[:start] + mask + text[end:]
    return text

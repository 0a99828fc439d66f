"""Where identifying text sits in a publication: the walk over a serialised payload that reaches
every string (and every key and whole number) with its JSON path, and the finding that names a
path, a rule and a character position, never the text found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import attrs

from collab_core.domain._rules import optional_non_blank, text
from collab_core.domain.errors import DomainValidationError

__all__ = ["TITLE_FIELD", "PrivacyFinding", "TextLeaf", "key_path", "value_path", "walk_text"]

#: The field name a finding in a publication's title carries (body fields are ``$`` paths).
TITLE_FIELD = "title"

# A mapping key shown in a path as it is: a plain identifier, as in a typed body's fields.
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _position(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainValidationError(attr.name, "must be a character position of at least 0", value)


def _path(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not (value == TITLE_FIELD or value.startswith("$")):
        raise DomainValidationError(attr.name, "is 'title' or a JSON path from '$'", value)


@attrs.frozen
class PrivacyFinding:
    """Something the privacy gate found that must not reach the publication's audience.

    :param field: ``"title"``, or the JSON path of the body field, e.g.
        ``$.items[3].actions[0].description``.
    :param rule: the rule that found it: ``nhs_number``, ``postcode``, ``email``, ``phone``,
        ``date``, ``name``, a trust rule's name, or ``audience`` (a body built for another
        audience).
    :param start: the position of its first character in the field's text (0-based).
    :param end: the position just after its last character.
    :param plugin: the plugin whose rule or deny-list found it (``None``: a built-in rule).

    A finding never holds the text it found, so it may be logged, stored and shown.
    """

    field: str = attrs.field(validator=_path)
    rule: str = attrs.field(validator=text)
    start: int = attrs.field(validator=_position)
    end: int = attrs.field(validator=_position)
    plugin: str | None = attrs.field(default=None, validator=optional_non_blank)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise DomainValidationError("end", f"must not be before start ({self.start})", self.end)

    def __str__(self) -> str:
        by = "" if self.plugin is None else f" (plugin {self.plugin!r})"
        return f"{self.rule}{by} in {self.field} at character {self.start}"


class TextLeaf(NamedTuple):
    """One piece of text in a payload: a string value, a mapping key, or a whole number (an NHS
    number can hide in a number too), with the path to it."""

    path: str
    text: str
    number: bool = False
    key: bool = False


def key_path(parent: str, index: int) -> str:
    """The path of the text of the ``index``-th key of the mapping at ``parent``."""
    return f"{parent}[key {index}]"


def value_path(parent: str, key: str, index: int, *, clean: bool = True) -> str:
    """The path of the value under the ``index``-th key of the mapping at ``parent``:
    ``parent.key`` for a plain identifier that is ``clean`` (nothing was found in it), else
    ``parent[value index]``, so that a path never repeats a key that might identify someone."""
    if clean and _PLAIN_KEY.fullmatch(key):
        return f"{parent}.{key}"
    return f"{parent}[value {index}]"


def walk_text(
    data: object, root: str = "$", *, plain_key: Callable[[str], bool] | None = None
) -> Iterator[TextLeaf]:
    """Every string, mapping key and whole number in plain JSON ``data``, depth first, each
    with its path: ``$.items[3].actions[0].description``.

    A key's own text has the path ``...[key 2]`` (its position in the mapping). The value under
    it has ``.name`` when the key is a plain identifier that ``plain_key(key)`` accepts (by
    default, any plain identifier), and ``[value 2]`` otherwise, so that a path never repeats
    a key that might identify someone.
    """
    accept = plain_key or (lambda _k: True)

    def walk(value: object, path: str) -> Iterator[TextLeaf]:
        if isinstance(value, str):
            yield TextLeaf(path, value)
        elif isinstance(value, bool) or value is None or isinstance(value, float):
            return
        elif isinstance(value, int):
            yield TextLeaf(path, str(value), number=True)
        elif isinstance(value, Mapping):
            for index, (key, item) in enumerate(value.items()):
                text = str(key)
                yield TextLeaf(key_path(path, index), text, key=True)
                clean = bool(_PLAIN_KEY.fullmatch(text)) and accept(text)
                yield from walk(item, value_path(path, text, index, clean=clean))
        elif isinstance(value, Sequence):
            for index, item in enumerate(value):
                yield from walk(item, f"{path}[{index}]")

    yield from walk(data, root)

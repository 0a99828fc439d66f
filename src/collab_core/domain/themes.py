"""The collaborative's two cross-cutting themes and the items listed under each, word for word
from its founding text, as a taxonomy that learning items, actions and improvement work are
tagged with. Trusts may add local themes under their own ODS code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from collab_core.domain._rules import non_blank, optional_non_blank, optional_type
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.identifiers import OdsCode, refuse_nhs_numbers

__all__ = [
    "CONTINUOUS_LEARNING",
    "CROSS_CUTTING_THEMES",
    "PERSON_FAMILY_CENTRED",
    "Theme",
    "ThemeTaxonomy",
    "default_taxonomy",
]

_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*")


_CODE_RULE = "a theme code is lower-case words joined by - and nested with /"


def _code(_inst: object, attr: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise DomainValidationError(attr.name, _CODE_RULE, value)
    refuse_nhs_numbers(attr.name, value)


def theme_tags(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    """Validator for tags: a frozenset of theme codes (whether each is in a given taxonomy is
    checked where the taxonomy is known, with :meth:`ThemeTaxonomy.check_tags`)."""
    if not isinstance(value, frozenset):
        raise DomainValidationError(attr.name, "must be a set of theme codes", value)
    for tag in sorted(value, key=str):
        if not isinstance(tag, str) or not _CODE.fullmatch(tag):
            raise DomainValidationError(attr.name, _CODE_RULE, tag)
        refuse_nhs_numbers(attr.name, tag)


@attrs.frozen
class Theme:
    """One node of the taxonomy: a cross-cutting theme, an item under it, or a local theme.

    ``code`` is stable and used for tagging (``person-family-centred/honest-disclosure``);
    ``label`` is the text as the collaborative wrote it.
    """

    code: str = attrs.field(validator=_code)
    label: str = attrs.field(validator=non_blank)
    parent: str | None = attrs.field(default=None, validator=optional_non_blank)
    trust: OdsCode | None = attrs.field(default=None, validator=optional_type(OdsCode))

    @property
    def is_local(self) -> bool:
        return self.trust is not None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


PERSON_FAMILY_CENTRED = Theme(
    "person-family-centred", "Delivering and co-producing person and family centred care"
)
CONTINUOUS_LEARNING = Theme(
    "continuous-learning-safety", "Creating a culture for continuous learning and safety"
)

# The items, word for word from the collaborative's founding text.
_ITEMS: Mapping[Theme, tuple[str, ...]] = {
    PERSON_FAMILY_CENTRED: (
        "Honest disclosure and being open",
        "Family and carer involvement at every stage",
        "Family as care givers",
        "Patients as partners in their care",
        "Improving understanding of self-care",
        "Co-production in quality improvement, innovation and design of services",
    ),
    CONTINUOUS_LEARNING: (
        "Communication and team work",
        "Leadership and psychological safety",
        "Teamwork and communication",
        "Negotiation",
        "Accountability",
        "Transparency",
        "Continuous learning",
        "Reliable processes",
        "Improvement and measurement",
    ),
}

CROSS_CUTTING_THEMES: tuple[Theme, ...] = tuple(
    node
    for parent, labels in _ITEMS.items()
    for node in (
        parent,
        *(Theme(f"{parent.code}/{_slug(label)}", label, parent.code) for label in labels),
    )
)


def _copy_themes(value: Mapping[str, Theme]) -> Mapping[str, Theme]:
    # A private copy, so that changing the caller's dict cannot change a frozen taxonomy.
    try:
        return dict(value)
    except (TypeError, ValueError):
        return value  # not a mapping: left for the validator to refuse


@attrs.frozen
class ThemeTaxonomy:
    """The themes a collaborative tags with: the cross-cutting ones plus local additions."""

    themes: Mapping[str, Theme] = attrs.field(converter=_copy_themes)

    @themes.validator
    def _parents_exist(self, _attr: object, value: object) -> None:
        if not isinstance(value, Mapping):
            raise DomainValidationError("themes", "must be a mapping of code to theme", value)
        for code, theme in value.items():
            if not isinstance(theme, Theme):
                raise DomainValidationError(f"themes[{code!r}]", "must be a Theme", theme)
            if code != theme.code:
                raise DomainValidationError("themes", "keys must be theme codes", code)
            if theme.parent is not None and theme.parent not in value:
                raise DomainValidationError(
                    "parent", "must be a theme in the taxonomy", theme.parent
                )

    @classmethod
    def of(cls, themes: Iterable[Theme]) -> ThemeTaxonomy:
        out: dict[str, Theme] = {}
        for t in themes:
            if t.code in out:
                raise DomainValidationError("code", "theme codes are unique", t.code)
            out[t.code] = t
        return cls(out)

    def with_local(self, trust: OdsCode, label: str, parent: str | None = None) -> ThemeTaxonomy:
        """Add a trust's local theme, coded ``local/<ods>/<slug>``, optionally under ``parent``."""
        theme = Theme(f"local/{str(trust).lower()}/{_slug(label)}", label, parent, trust)
        return ThemeTaxonomy.of([*self.themes.values(), theme])

    def __contains__(self, code: object) -> bool:
        return code in self.themes

    def __iter__(self) -> Iterator[Theme]:
        return iter(self.themes.values())

    def __len__(self) -> int:
        return len(self.themes)

    def get(self, code: str) -> Theme:
        try:
            return self.themes[code]
        except KeyError:
            raise DomainValidationError("theme", "is not in the theme taxonomy", code) from None

    def children(self, code: str) -> tuple[Theme, ...]:
        return tuple(t for t in self.themes.values() if t.parent == code)

    def check_tags(self, field: str, tags: Iterable[str]) -> None:
        """Raise naming ``field`` if any tag is not a theme of this taxonomy."""
        unknown = sorted(t for t in tags if t not in self.themes)
        if unknown:
            raise DomainValidationError(field, "every tag must be a theme in the taxonomy", unknown)


def default_taxonomy() -> ThemeTaxonomy:
    """The two cross-cutting themes and their items."""
    return ThemeTaxonomy.of(CROSS_CUTTING_THEMES)

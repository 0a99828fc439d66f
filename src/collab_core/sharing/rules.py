"""The audiences a publication may be built for and what each may see, and the records of a
trust's own privacy rules: what plugins hand the privacy gate through hooks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from collab_core.domain.disclosure import NHS_DIGITAL, CountPolicy, DatePrecision, Span
from collab_core.domain.disclosure.counts import EXACT_FIGURES
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.learning import Audience

__all__ = ["DEFAULT_AUDIENCES", "AudienceSpec", "DenyLists", "PrivacyRule", "RuleSource"]

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _plain_name(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise DomainValidationError(
            attr.name, "is a lower_snake_case name of at most 64 characters", value
        )


def _instance(*types: type) -> Callable[[object, attrs.Attribute[Any], object], None]:
    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            names = " or ".join(t.__name__ for t in types)
            raise DomainValidationError(attr.name, f"must be a {names}", type(value).__name__)

    return check


@attrs.frozen
class AudienceSpec:
    """An audience and what it may see. The five audiences of :class:`~collab_core.Audience`
    are built in (:data:`DEFAULT_AUDIENCES`); a plugin may register more, or replace one of
    them, with ``collab_register_audiences``.

    :param name: the audience's name (``"public"``, ``"ics_partners"``).
    :param base: the :class:`~collab_core.Audience` a publication for it is delivered as; a
        publication's ``audience`` is always one of the five.
    :param counts: how counts of people are shown (:data:`~collab_core.NHS_DIGITAL`: 1-7
        suppressed, the rest rounded to 5; :data:`~collab_core.EXACT_FIGURES`).
    :param dates: the finest a date in a body is shown.
    :param dates_in_text: refuse exact dates written in text (a date of birth or death).
    :param description: one line for the docs and reports.

    The defaults are the strictest: an audience that says nothing is treated like the public.
    """

    name: str = attrs.field(validator=_plain_name)
    base: Audience = attrs.field(validator=_instance(Audience))
    counts: CountPolicy = attrs.field(default=NHS_DIGITAL, validator=_instance(CountPolicy))
    dates: DatePrecision = attrs.field(
        default=DatePrecision.QUARTER, validator=_instance(DatePrecision)
    )
    dates_in_text: bool = attrs.field(default=True, validator=_instance(bool))
    description: str = attrs.field(default="", validator=_instance(str))


#: The built-in audiences. A trust board and staff see exact figures and exact dates (trust
#: boards publish their learning from deaths figures unsuppressed); the collaborative sees
#: NHS Digital's disclosure control with dates to the month; the public and families see it
#: with dates to the quarter (a family audience reaches people outside the trust, so without a
#: narrower rule it is treated like the public).
DEFAULT_AUDIENCES: tuple[AudienceSpec, ...] = (
    AudienceSpec(
        "family",
        Audience.FAMILY,
        NHS_DIGITAL,
        DatePrecision.QUARTER,
        True,
        "bereaved families and carers: controlled like the public",
    ),
    AudienceSpec(
        "trust_board",
        Audience.TRUST_BOARD,
        EXACT_FIGURES,
        DatePrecision.DAY,
        False,
        "the trust board: exact figures and dates",
    ),
    AudienceSpec(
        "staff",
        Audience.STAFF,
        EXACT_FIGURES,
        DatePrecision.DAY,
        False,
        "the trust's own staff: exact figures and dates",
    ),
    AudienceSpec(
        "collaborative",
        Audience.COLLABORATIVE,
        NHS_DIGITAL,
        DatePrecision.MONTH,
        True,
        "the member trusts of the collaborative: NHS Digital disclosure control, dates by month",
    ),
    AudienceSpec(
        "public",
        Audience.PUBLIC,
        NHS_DIGITAL,
        DatePrecision.QUARTER,
        True,
        "the public: NHS Digital disclosure control, dates by quarter",
    ),
)


def _patterns(value: object) -> object:
    if isinstance(value, str | re.Pattern):
        value = (value,)
    if not isinstance(value, Iterable):
        return value
    out: list[object] = []
    for item in value:
        if not isinstance(item, str):
            out.append(item)
            continue
        try:
            out.append(re.compile(item))
        except re.error as exc:
            raise DomainValidationError(
                "patterns", f"is not a valid regular expression ({exc.msg})", sensitive=True
            ) from None
    return tuple(out)


def _each_pattern(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(p, re.Pattern) for p in value):
        raise DomainValidationError(attr.name, "must be regular expressions", sensitive=True)


def _names(value: object) -> object:
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, Iterable) else value


def _each_name(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(n, str) and n.strip() for n in value):
        # Never echo a deny-list: it is a list of people's names.
        raise DomainValidationError(attr.name, "must be non-blank names", sensitive=True)


def _threshold(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise DomainValidationError(attr.name, "must be a whole number of at least 1", value)


def _callable_or_none(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not callable(value):
        raise DomainValidationError(attr.name, "must be callable", type(value).__name__)


@attrs.frozen
class PrivacyRule:
    """A trust's own privacy rule, handed to the gate by ``collab_privacy_rules``.

    :param name: the rule's name, as findings report it (``"rh8_ward_names"``).
    :param patterns: regular expressions (text or compiled) whose matches are refused.
    :param names: names refused as whole words, in any case (a local deny-list).
    :param threshold: a stricter small-number threshold: counts below it are suppressed (and
        the rest rounded), even for an audience that otherwise sees exact figures.
    :param find: a function from text to the ``(start, end)`` spans it refuses.
    :param description: one line for the docs and reports.

    A rule whose ``find`` raises refuses the publication with a
    :class:`~collab_core.PluginError` naming the plugin: a rule that cannot run is never
    taken as passed.
    """

    name: str = attrs.field(validator=_plain_name)
    patterns: tuple[re.Pattern[str], ...] = attrs.field(
        default=(), converter=_patterns, validator=_each_pattern
    )
    names: tuple[str, ...] = attrs.field(default=(), converter=_names, validator=_each_name)
    threshold: int | None = attrs.field(default=None, validator=_threshold)
    find: Callable[[str], Iterable[Span]] | None = attrs.field(
        default=None, validator=_callable_or_none
    )
    description: str = attrs.field(default="", validator=_instance(str))


#: What the gate asks for the trust rules of an audience: ``(plugin name, rule)`` pairs.
RuleSource = Callable[[AudienceSpec], Sequence[tuple[str | None, PrivacyRule]]]
#: What the gate asks for the deny-listed names of an audience: ``(plugin name, names)`` pairs.
DenyLists = Callable[[AudienceSpec], Sequence[tuple[str | None, Sequence[str]]]]

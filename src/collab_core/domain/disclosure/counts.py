"""Counts of people in a publication, and the disclosure control that decides how each one is
shown to an audience: exactly, rounded, or suppressed (``*``).

The default for the collaborative and the public is NHS Digital's statistical disclosure control
for sub-national counts (the "secondary care" method of HES and ECDS from September 2018): 0 stays
0, 1-7 is shown as ``*``, 8 and above is rounded to the nearest 5, and a total is rounded from its
own exact value, never added up from rounded cells. Variants exist (see docs/sharing.md), so a
policy is anything that implements :class:`CountPolicy`.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol, runtime_checkable

import attrs

from collab_core.domain._rules import is_type, to_tuple
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.targets import as_percent

__all__ = [
    "EXACT_FIGURES",
    "NHS_DIGITAL",
    "SUPPRESSED_MARK",
    "Count",
    "CountPolicy",
    "Disclosure",
    "Figure",
    "PercentBasis",
    "Share",
    "SmallNumbers",
    "control_count",
    "control_figure",
    "control_share",
    "round_to",
]

#: How a suppressed count is shown.
SUPPRESSED_MARK = "*"


class Disclosure(enum.StrEnum):
    """How a count is shown: exactly, rounded, or suppressed (shown as ``*``)."""

    EXACT = "exact"
    ROUNDED = "rounded"
    SUPPRESSED = "suppressed"


class PercentBasis(enum.StrEnum):
    """What a percentage is computed from once its counts are controlled.

    ``EXACT``: from the exact numerator and denominator (the default here). ``ROUNDED``: from
    the numerator and denominator as shown (NHS Digital's HES practice), which keeps a
    percentage from giving a rounded count's exact value away.
    """

    EXACT = "exact"
    ROUNDED = "rounded"


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count_value(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not _whole(value) or value < 0):  # type: ignore[operator]
        raise DomainValidationError(attr.name, "must be a whole number of at least 0", value)


@attrs.frozen(order=True)
class Count:
    """A count of people, or of events about people (deaths, reviews, members), in a
    publication: the only kind of number the privacy gate suppresses or rounds.

    :param value: the count as shown; ``None`` when suppressed.
    :param disclosure: whether ``value`` is exact, rounded, or suppressed.

    Counts of organisations (trusts) relate to no individual and are plain integers (NHS
    Digital: no disclosure control is needed for a count of providers).
    """

    value: int | None = attrs.field(validator=_count_value)
    disclosure: Disclosure = attrs.field(default=Disclosure.EXACT, validator=is_type(Disclosure))

    def __attrs_post_init__(self) -> None:
        if (self.disclosure is Disclosure.SUPPRESSED) != (self.value is None):
            raise DomainValidationError(
                "value", "is None exactly when the count is suppressed", self.value
            )

    @classmethod
    def suppressed(cls) -> Count:
        """A count shown as ``*``."""
        return cls(None, Disclosure.SUPPRESSED)

    @property
    def is_suppressed(self) -> bool:
        return self.disclosure is Disclosure.SUPPRESSED

    @property
    def is_exact(self) -> bool:
        return self.disclosure is Disclosure.EXACT

    @property
    def shown(self) -> str:
        """The count as a reader sees it: the number, or ``*``."""
        return SUPPRESSED_MARK if self.value is None else str(self.value)

    def __str__(self) -> str:
        return self.shown


def _count(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    is_type(Count)(_inst, attr, value)


def _fraction_or_none(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, Fraction) or value < 0):
        raise DomainValidationError(attr.name, "must be a Fraction of at least 0, or None", value)


def _ratio(numerator: int, denominator: int) -> Fraction | None:
    return None if denominator == 0 else Fraction(numerator, denominator)


@attrs.frozen
class Share:
    """A proportion of two counts (a percentage when shown): reviewed deaths of deaths in scope.

    :param value: ``numerator / denominator`` from the exact counts, or ``None`` when the
        denominator is 0 or either count is suppressed.

    While both counts are exact, ``value`` must be their ratio; once they are controlled it
    keeps the value the policy gave it (see :class:`PercentBasis`).
    """

    numerator: Count = attrs.field(validator=_count)
    denominator: Count = attrs.field(validator=_count)
    value: Fraction | None = attrs.field(validator=_fraction_or_none)

    def __attrs_post_init__(self) -> None:
        n, d = self.numerator, self.denominator
        if n.is_exact and d.is_exact:
            expected = _ratio(n.value or 0, d.value or 0)
            if self.value != expected:
                raise DomainValidationError(
                    "value", f"must be numerator / denominator ({expected})", self.value
                )
        elif (n.is_suppressed or d.is_suppressed) and self.value is not None:
            raise DomainValidationError(
                "value", "is suppressed when its numerator or denominator is", self.value
            )

    @classmethod
    def of(cls, numerator: int, denominator: int) -> Share:
        """The share of two exact counts."""
        return cls(Count(numerator), Count(denominator), _ratio(numerator, denominator))

    def percent(self, places: int = 1) -> Decimal | None:
        """The share as a percentage (round half away from zero), or ``None``."""
        return as_percent(self.value, places)

    def shown(self, places: int = 1) -> str:
        """The percentage as a reader sees it: ``"12.5%"``, ``*`` when suppressed, or ``-``
        when there is nothing to take a share of."""
        if self.numerator.is_suppressed or self.denominator.is_suppressed:
            return SUPPRESSED_MARK
        percent = self.percent(places)
        return "-" if percent is None else f"{percent}%"


def _quantity_or_none(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, Fraction | float)):
        raise DomainValidationError(attr.name, "must be a Fraction, a float or None", value)


def _counts(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(c, Count) for c in value):
        raise DomainValidationError(attr.name, "must be a tuple of Count", value)


@attrs.frozen
class Figure:
    """A number computed from counts of people (a mean, a target's trajectory, a projection):
    suppressed whenever a count it is computed from is.

    :param value: the figure; ``None`` when suppressed or undefined.
    :param of: the counts it is computed from (``()`` for a figure that relates to no one).
    """

    value: Fraction | float | None = attrs.field(validator=_quantity_or_none)
    of: tuple[Count, ...] = attrs.field(default=(), converter=to_tuple, validator=_counts)

    def __attrs_post_init__(self) -> None:
        if self.value is not None and any(c.is_suppressed for c in self.of):
            raise DomainValidationError(
                "value", "is suppressed when a count it is computed from is", self.value
            )

    @property
    def is_suppressed(self) -> bool:
        return any(c.is_suppressed for c in self.of)


def round_to(value: int, base: int) -> int:
    """``value`` rounded to the nearest multiple of ``base``, halves up (exact integers)."""
    if not _whole(value) or not _whole(base) or base < 1:
        raise DomainValidationError("base", "must be a whole number of at least 1", base)
    return (value + base // 2) // base * base


@runtime_checkable
class CountPolicy(Protocol):
    """How an audience may see counts of people: a pluggable strategy (a trust may bring its
    own, e.g. one that shows 1-7 as 5)."""

    @property
    def name(self) -> str:
        """The policy in a few words, for reports and the docs."""
        ...

    @property
    def percentages(self) -> PercentBasis:
        """What a :class:`Share` is computed from once its counts are controlled."""
        ...

    def control(self, count: Count) -> Count:
        """The count as this policy shows it. Must be idempotent: controlling a controlled
        count again changes nothing."""
        ...

    def stricter(self, threshold: int) -> CountPolicy:
        """This policy with counts below ``threshold`` suppressed too (a trust's own rule)."""
        ...


def _at_least_one(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not _whole(value) or value < 1:  # type: ignore[operator]
        raise DomainValidationError(attr.name, "must be a whole number of at least 1", value)


@attrs.frozen
class SmallNumbers:
    """Suppress counts from 1 to ``threshold - 1`` and round the rest to the nearest
    ``rounding``; 0 always stays 0.

    ``SmallNumbers()`` is NHS Digital's rule (1-7 suppressed, 8 and above to the nearest 5);
    ``SmallNumbers(threshold=1, rounding=1)`` shows every count exactly. A policy that
    suppresses must also round: with exact figures beside a suppressed one, a total would
    give the suppressed count away.
    """

    threshold: int = attrs.field(default=8, validator=_at_least_one)
    rounding: int = attrs.field(default=5, validator=_at_least_one)
    percentages: PercentBasis = attrs.field(
        default=PercentBasis.EXACT, validator=is_type(PercentBasis)
    )

    def __attrs_post_init__(self) -> None:
        if self.threshold > 1 and self.rounding == 1:
            raise DomainValidationError(
                "rounding",
                "a policy that suppresses small counts must round the others too, or an exact "
                "total beside a suppressed count would give it away",
                self.rounding,
            )

    @property
    def is_exact(self) -> bool:
        return self.threshold == 1 and self.rounding == 1

    @property
    def name(self) -> str:
        if self.is_exact:
            return "exact figures"
        small = "nothing" if self.threshold == 1 else f"1-{self.threshold - 1}"
        return f"{small} suppressed, the rest rounded to the nearest {self.rounding}"

    def _shown(self, value: int) -> Count:
        if value == 0:
            return Count(0, Disclosure.EXACT)
        if value < self.threshold:
            return Count.suppressed()
        if self.rounding == 1:
            return Count(value, Disclosure.EXACT)
        rounded = round_to(value, self.rounding)
        # Never round down below the threshold: a shown count is never a small number.
        floor = -(-self.threshold // self.rounding) * self.rounding
        return Count(max(rounded, floor), Disclosure.ROUNDED)

    def control(self, count: Count) -> Count:
        if count.value is None:
            return count
        if count.disclosure is Disclosure.EXACT:
            return self._shown(count.value)
        shown = self._shown(count.value)  # a rounded count: re-checked, never made exact
        return shown if shown.value != count.value or shown.is_suppressed else count

    def stricter(self, threshold: int) -> SmallNumbers:
        if not _whole(threshold) or threshold < 1:
            raise DomainValidationError(
                "threshold", "must be a whole number of at least 1", threshold
            )
        if threshold <= self.threshold:
            return self
        return SmallNumbers(threshold, self.rounding if self.rounding > 1 else 5, self.percentages)


#: NHS Digital's disclosure control: 1-7 as ``*``, 8 and above to the nearest 5.
NHS_DIGITAL = SmallNumbers()
#: Every count shown exactly (a trust board, staff).
EXACT_FIGURES = SmallNumbers(threshold=1, rounding=1)


def control_count(count: Count, policy: CountPolicy) -> Count:
    """``count`` as ``policy`` shows it."""
    shown = policy.control(count)
    if not isinstance(shown, Count):
        raise DomainValidationError(
            "policy", f"{policy.name}: control() must return a Count", type(shown).__name__
        )
    return shown


def control_share(share: Share, policy: CountPolicy) -> Share:
    """``share`` with its counts controlled: suppressed when either count is, and otherwise
    computed from the exact counts or from the shown ones (``policy.percentages``)."""
    numerator = control_count(share.numerator, policy)
    denominator = control_count(share.denominator, policy)
    if numerator.is_suppressed or denominator.is_suppressed:
        return Share(numerator, denominator, None)
    value = share.value
    was_exact = share.numerator.is_exact and share.denominator.is_exact
    if was_exact and policy.percentages is PercentBasis.ROUNDED:
        value = _ratio(numerator.value or 0, denominator.value or 0)
    return Share(numerator, denominator, value)


def control_figure(figure: Figure, policy: CountPolicy) -> Figure:
    """``figure`` with the counts it is computed from controlled, and suppressed if any is."""
    of = tuple(control_count(c, policy) for c in figure.of)
    if any(c.is_suppressed for c in of):
        return Figure(None, of)
    return Figure(figure.value, of)

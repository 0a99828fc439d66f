"""How a plugin hands the host a measure with the way to read its value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction

import attrs

from collab_core.domain.targets import Measure
from collab_core.ports.store import Store


@attrs.frozen
class MeasureSpec:
    """A measure handed to the host by a plugin's ``collab_register_targets``, with how to read
    its value, so that targets set on it can be assessed.

    :param measure: the measure; targets name it by :attr:`~collab_core.Measure.id`.
    :param read: the measure's value on a day, read from a store: ``read(store, day)`` returns an
        ``int`` or a :class:`~fractions.Fraction`. ``None`` when values are supplied by hand.
    """

    measure: Measure
    read: Callable[[Store, dt.date], int | Fraction] | None = None

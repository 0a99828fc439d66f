"""When the outbox tries a failed delivery again: exponential backoff with jitter, and the
number of attempts after which an entry is dead. Pure: the random numbers come from the caller.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import attrs

from collab_core.domain.errors import DomainValidationError

__all__ = ["RetryPolicy"]


def _positive_delay(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dt.timedelta) or value <= dt.timedelta(0):
        raise DomainValidationError(attr.name, "must be a timedelta above zero", value)


def _factor(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 100:
        raise DomainValidationError(attr.name, "must be a number from 1 to 100", value)


def _jitter(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise DomainValidationError(attr.name, "must be a fraction from 0 to 1", value)


def _attempts(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise DomainValidationError(attr.name, "must be a whole number from 1 to 1000", value)


def _at_least_one(attempts: object) -> None:
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise DomainValidationError("attempts", "must be a whole number of 1 or more", attempts)


@attrs.frozen
class RetryPolicy:
    """How the outbox retries a failed delivery.

    After the ``n``-th failed attempt the entry waits ``min(cap, base * factor ** (n - 1))``,
    less a random share of up to ``jitter`` of it (so deliverers that failed together do not
    retry together); after ``max_attempts`` failed attempts it is dead and is not tried again
    until it is re-queued.

    :param base: the wait after the first failure (default 30 seconds).
    :param factor: how much longer each wait is than the one before (default 2).
    :param cap: the longest wait (default 6 hours).
    :param jitter: the largest share of a wait taken off at random, 0 to 1 (default 0.5).
    :param max_attempts: the failed attempts after which an entry is dead (default 8).

    >>> policy = RetryPolicy(jitter=0)
    >>> [policy.delay(n, random.Random(1)).total_seconds() for n in (1, 2, 3)]
    [30.0, 60.0, 120.0]
    >>> policy.dead_after(8), policy.dead_after(7)
    (True, False)
    """

    base: dt.timedelta = attrs.field(default=dt.timedelta(seconds=30), validator=_positive_delay)
    factor: float = attrs.field(default=2.0, validator=_factor)
    cap: dt.timedelta = attrs.field(default=dt.timedelta(hours=6), validator=_positive_delay)
    jitter: float = attrs.field(default=0.5, validator=_jitter)
    max_attempts: int = attrs.field(default=8, validator=_attempts)

    def __attrs_post_init__(self) -> None:
        if self.cap < self.base:
            raise DomainValidationError("cap", f"must be at least base ({self.base})", self.cap)

    def ceiling(self, attempts: int) -> dt.timedelta:
        """The wait after ``attempts`` failed attempts, before jitter."""
        _at_least_one(attempts)
        seconds = self.base.total_seconds()
        cap = self.cap.total_seconds()
        # Multiplied step by step and stopped at the cap: factor ** n overflows a float.
        for _ in range(attempts - 1):
            seconds *= self.factor
            if seconds >= cap:
                return self.cap
        return dt.timedelta(seconds=min(seconds, cap))

    def delay(self, attempts: int, rng: random.Random) -> dt.timedelta:
        """The wait after ``attempts`` failed attempts: :meth:`ceiling` less up to ``jitter``
        of it, drawn from ``rng`` (seed it for repeatable tests)."""
        ceiling = self.ceiling(attempts)
        return ceiling * (1 - self.jitter * rng.random())

    def dead_after(self, attempts: int) -> bool:
        """Whether an entry with ``attempts`` failed attempts is dead."""
        return attempts >= self.max_attempts

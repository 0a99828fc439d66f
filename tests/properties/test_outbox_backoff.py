"""Properties of the outbox's backoff: each wait lies between the jittered floor and the
ceiling, the ceilings grow by the factor until the cap, a seed repeats the waits exactly, and an
entry is dead exactly from its last attempt."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given
from hypothesis import strategies as st

from collab_core import RetryPolicy

policies = st.builds(
    lambda base, factor, extra, jitter, attempts: RetryPolicy(
        base=dt.timedelta(seconds=base),
        factor=factor,
        cap=dt.timedelta(seconds=base + extra),
        jitter=jitter,
        max_attempts=attempts,
    ),
    base=st.integers(1, 3600),
    factor=st.floats(1, 10),
    extra=st.integers(0, 7 * 24 * 3600),
    jitter=st.floats(0, 1),
    attempts=st.integers(1, 20),
)


@given(policies, st.integers(1, 200), st.integers(0, 2**32))
def test_every_wait_lies_between_the_jittered_floor_and_the_ceiling(
    policy: RetryPolicy, attempts: int, seed: int
) -> None:
    ceiling = policy.ceiling(attempts)
    wait = policy.delay(attempts, random.Random(seed))
    assert ceiling * (1 - policy.jitter) - dt.timedelta(microseconds=1) <= wait <= ceiling
    assert ceiling <= policy.cap


@given(policies, st.integers(1, 60))
def test_ceilings_grow_by_the_factor_until_the_cap(policy: RetryPolicy, attempts: int) -> None:
    now, after = policy.ceiling(attempts), policy.ceiling(attempts + 1)
    assert now <= after
    expected = min(now.total_seconds() * policy.factor, policy.cap.total_seconds())
    assert abs(after.total_seconds() - expected) <= 1e-6 * max(1.0, expected)
    assert policy.ceiling(1) == policy.base


@given(policies, st.lists(st.integers(1, 30), min_size=1, max_size=10), st.integers(0, 2**32))
def test_a_seed_repeats_the_waits_exactly(
    policy: RetryPolicy, attempts: list[int], seed: int
) -> None:
    first, second = random.Random(seed), random.Random(seed)
    assert [policy.delay(n, first) for n in attempts] == [policy.delay(n, second) for n in attempts]


@given(policies, st.integers(1, 100))
def test_an_entry_is_dead_exactly_from_its_last_attempt(policy: RetryPolicy, n: int) -> None:
    assert policy.dead_after(n) == (n >= policy.max_attempts)

"""The store conformance kit: the tests every :class:`~collab_core.ports.Store` passes, and a
Hypothesis state machine that holds a store against the in-memory reference store.

An adapter opts in with a subclass and one fixture::

    from collab_core.testing.conformance import StoreTests


    class TestMyStore(StoreTests):
        @pytest.fixture
        def open_store(self, tmp_path):
            return lambda: MyStore(tmp_path / "data")  # each call (re-)opens the same data

Tests of optional features skip, naming the capability, when the store does not declare it
(:class:`~collab_core.ports.Capability`). A store whose records can be damaged on purpose
implements :meth:`StoreTests.corrupt_record` to run the corruption tests.

The tests live in one module per concept (records and units of work, concurrency, scans and
counts, the outbox, the outbox's keys and claims, aggregates, the state machine);
:class:`StoreTests` gathers them all.
"""

from __future__ import annotations

# First: it has pytest rewrite the kit's assertions, which needs them not yet imported.
from collab_core.testing.conformance import _rewrite  # noqa: F401
from collab_core.testing.conformance._support import StoreOpener, requires
from collab_core.testing.conformance.aggregates import AggregateTests
from collab_core.testing.conformance.concurrency import ConcurrencyTests
from collab_core.testing.conformance.outbox import OutboxTests
from collab_core.testing.conformance.outbox_claims import OutboxClaimTests
from collab_core.testing.conformance.records import RecordTests
from collab_core.testing.conformance.scans import ScanTests
from collab_core.testing.conformance.state_machine import (
    STATE_MACHINE_EXAMPLES,
    STATE_MACHINE_STEPS,
    StateMachineTests,
    StoreStateMachine,
)

__all__ = [
    "STATE_MACHINE_EXAMPLES",
    "STATE_MACHINE_STEPS",
    "StoreOpener",
    "StoreStateMachine",
    "StoreTests",
    "requires",
]


class StoreTests(
    RecordTests,
    ConcurrencyTests,
    ScanTests,
    OutboxTests,
    OutboxClaimTests,
    AggregateTests,
    StateMachineTests,
):
    """The conformance tests of the :class:`~collab_core.ports.Store` port.

    Subclass it in a test module (the class name must start with ``Test``) and provide the
    :meth:`open_store` fixture. Every test opens its store through that fixture, writes and
    reads only through the port, and closes what it opened.

    Class attributes tune the Hypothesis tests:

    - :attr:`property_examples`: examples per property test (round trips, aggregates).
    - :attr:`state_machine_examples`, :attr:`state_machine_steps`: runs of
      :class:`StoreStateMachine` and operations per run.
    """

"""The conformance kit bites: every broken store in ``kit_mutant_stores`` fails the kit test
named beside it, the reference memory store passes them all, and the table of rules in
``docs/testing_adapters.md`` lists exactly these mutants."""

from __future__ import annotations

import inspect
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from kit_mutant_stores import MUTANTS, Mutant

from collab_core import ports

DOCS = Path(__file__).parents[2] / "docs" / "testing_adapters.md"

_KIT_RUN = """
import uuid

import pytest
from hypothesis import Phase, settings
from kit_mutant_stores import by_name, corrupt

from collab_core.plugins.memory import MemoryStore
from collab_core.testing.conformance import StoreTests


class TestKit(StoreTests):
    interleave_seconds = 30.0  # the memory store never makes one unit wait for another
    property_examples = 50

    def _settings(self):
        # Finding that the mutant fails is the point here, not shrinking what fails.
        return settings(super()._settings(), phases=[Phase.generate], database=None)

    @pytest.fixture
    def open_store(self):
        name = f"kit-run-{{uuid.uuid4()}}"
        opened = {store}
        yield lambda: opened(name)
        MemoryStore.drop(name)

    def corrupt_record(self, store, kind, key):
        corrupt(store, kind, key)
"""


class _Reports:
    """Collects the reports of a kit run."""

    def __init__(self) -> None:
        self.reports: list[pytest.TestReport] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.reports.append(report)


def run_kit(where: Path, mutant: Mutant | None, tests: list[str]) -> list[pytest.TestReport]:
    """Run the named kit tests against ``mutant``'s store (the reference store for ``None``),
    in this process, and return their reports."""
    store = "MemoryStore" if mutant is None else f"by_name({mutant.name!r}).store"
    # A module name of its own: pytest would otherwise reuse a module of an earlier run.
    name = f"test_kit_run_{uuid.uuid4().hex}"
    module = where / f"{name}.py"
    module.write_text(_KIT_RUN.format(store=store))
    (where / "pytest.ini").write_text("[pytest]\n")
    collected = _Reports()
    pytest.main(
        [
            *(f"{module}::TestKit::{test}" for test in tests),
            "-c",
            str(where / "pytest.ini"),
            "--rootdir",
            str(where),
            "--import-mode=importlib",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-q",
        ],
        plugins=[collected],
    )
    sys.modules.pop(name, None)
    return collected.reports


def _failed(reports: list[pytest.TestReport], test: str) -> list[pytest.TestReport]:
    return [
        r
        for r in reports
        if r.when == "call" and r.failed and re.search(rf"::{test}(\[|$)", r.nodeid)
    ]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_the_kit_fails_on_the_mutant(mutant: Mutant, tmp_path: Path) -> None:
    reports = run_kit(tmp_path, mutant, [mutant.kit_test])
    ran = [r for r in reports if r.when == "call"]
    assert ran, f"{mutant.kit_test} did not run: {[(r.nodeid, r.outcome) for r in reports]}"
    assert _failed(reports, mutant.kit_test), (
        f"the kit's {mutant.kit_test} passed on the mutant {mutant.name!r}, which breaks "
        f"{mutant.where}: {mutant.rule!r}"
    )


def test_the_reference_store_passes_every_kit_test_the_mutants_name(tmp_path: Path) -> None:
    tests = sorted({m.kit_test for m in MUTANTS})
    reports = run_kit(tmp_path, None, tests)
    failed = [r.nodeid for r in reports if r.failed]
    assert failed == []
    assert {r.nodeid.split("::")[2].split("[")[0] for r in reports if r.when == "call"} == set(
        tests
    )


def test_a_failing_kit_comparison_shows_its_difference(tmp_path: Path) -> None:
    mutant = next(m for m in MUTANTS if m.name == "idempotent-put-bumps-version")
    (failure,) = _failed(run_kit(tmp_path, mutant, [mutant.kit_test]), mutant.kit_test)
    text = str(failure.longrepr)
    assert "assert (2,) == (1,)" in text
    assert "At index 0 diff: 2 != 1" in text


# -- the table in the docs ----------------------------------------------------------------------


def _plain(rule: str) -> str:
    """A rule as the docs table shows it: roles become their target's name, in code."""
    rule = re.sub(r":\w+:`~?([\w.]+)`", lambda m: f"`{m[1].rsplit('.', 1)[-1]}`", rule)
    return rule.replace("``", "`")


def _table() -> list[tuple[str, str, str, str]]:
    """The rows of the table of rules in the testing page: port, rule, kit test, mutant."""
    rows = []
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2].startswith("`test_"):
            where, rule, test, name = cells
            rows.append((where.strip("`"), rule, test.strip("`"), name.strip("`")))
    return rows


def test_the_docs_table_lists_exactly_the_mutants() -> None:
    table = _table()
    assert table, f"no table of rules found in {DOCS.name}"
    mutants = [(m.where, _plain(m.rule), m.kit_test, m.name) for m in MUTANTS]
    assert sorted(table) == sorted(mutants)


def _docstring(where: str) -> str:
    target: Any = ports
    for part in where.split("."):
        target = getattr(target, part)
    if isinstance(target, ports.Capability):
        # A member's documentation is the ``#:`` comment just above it.
        lines = [line.strip() for line in inspect.getsource(ports.Capability).splitlines()]
        at = lines.index(f"{target.name} = {target.value!r}".replace("'", '"'))
        comment: list[str] = []
        while lines[at - 1 - len(comment)].startswith("#:"):
            comment.insert(0, lines[at - 1 - len(comment)].removeprefix("#:").strip())
        return " ".join(comment)
    return " ".join((inspect.getdoc(target) or "").split())


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_each_mutants_rule_is_in_the_ports_own_words(mutant: Mutant) -> None:
    assert mutant.rule in _docstring(mutant.where)


def test_every_method_of_the_store_port_has_a_mutant() -> None:
    methods = {
        f"{cls.__name__}.{name}"
        for cls in (ports.Store, ports.UnitOfWork)
        for name, _ in inspect.getmembers(cls)
        if not name.startswith("_")
    }
    covered = {m.where for m in MUTANTS}
    assert methods - covered == set()
    assert {"UnitOfWork", "RecordSpec", "Versioned"} <= covered


# -- a state machine failure pastes into a test -------------------------------------------------


def test_a_state_machine_failure_pasted_into_a_test_reproduces_it() -> None:
    """The steps below are the state machine's own report of a failing run on the mutant whose
    deliveries clear the last error, pasted as printed, with the imports they need."""
    import datetime
    from uuid import UUID

    from collab_core import Audience, MemberKind, OdsCode
    from collab_core.domain.people import Member
    from collab_core.ports import Publication
    from collab_core.testing._records import moved
    from collab_core.testing.conformance import StoreStateMachine

    broken = next(m for m in MUTANTS if m.name == "delivery-clears-errors").store
    name = f"pasted-{uuid.uuid4()}"
    StoreStateMachineRun = StoreStateMachine.bound_to(lambda: broken(name))  # noqa: N806

    with pytest.raises(AssertionError):  # noqa: PT012 - the pasted steps, as printed
        state = StoreStateMachineRun()
        state.store_agrees_with_reference()
        state.abandon_a_unit_by_exception(drawn=[moved(*(Member(id=UUID('e3e70682-c209-4cac-629f-6fbed82c07cd'), handle='0', kind=MemberKind.STAFF, trust=None, joined=datetime.date(2016, 4, 1), left=None), OdsCode(code='RH8')))])  # fmt: skip  # noqa: E501
        state.store_agrees_with_reference()
        (entries_0,) = state.enqueue(publications=[Publication(
             id=UUID('f728b4fa-4248-5e3a-0a5d-2f346baa9455'),
             kind='learning_bulletin',
             audience=Audience.FAMILY,
             title='0',
             body={},
             created_at=datetime.datetime(2016, 4, 1, 0, 0, tzinfo=datetime.UTC),
         )])  # fmt: skip
        state.store_agrees_with_reference()
        state.fail(at=datetime.datetime(2016, 4, 1, 0, 0, tzinfo=datetime.UTC), entry=entries_0, error='0')  # fmt: skip  # noqa: E501
        state.store_agrees_with_reference()
        state.deliver(at=datetime.datetime(2016, 4, 1, 0, 0, tzinfo=datetime.UTC), ids=[entries_0])  # fmt: skip  # noqa: E501
        state.store_agrees_with_reference()
    state.teardown()

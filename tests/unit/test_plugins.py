"""The plugin host: one test per hook (``test_hook_<name>``), loading and its failures, the
environment variables, and one plugin manager per collaborative."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import inspect
import logging
import os
import types
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pytest

import collab_core
from collab_core import (
    Audience,
    Collaborative,
    ConfigurationError,
    OdsCode,
    PluginError,
    Trust,
)
from collab_core.plugins import hookspecs, manager
from collab_core.plugins.manager import Plugins, PluginStatus
from collab_core.ports import (
    DeliveryReceipt,
    MeasureSpec,
    Publication,
    PublisherSpec,
    Store,
    StoreSpec,
    Versioned,
)
from collab_core.publications import PublicationKind
from collab_core.sharing import AudienceSpec, PrivacyRule

NO_ENV: dict[str, str] = {}
HOOKS = sorted(n for n, f in vars(hookspecs).items() if n.startswith("collab_") and callable(f))


def _trust(code: str = "RH8") -> Trust:
    return Trust(OdsCode(code), f"Trust {code}", dt.date(2018, 4, 1))


class _StorePlugin:
    """Registers a scheme that opens the memory store."""

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme

    @collab_core.hookimpl
    def collab_register_stores(self) -> list[StoreSpec]:
        return [StoreSpec(self.scheme, lambda url: collab_core.MemoryStore(), "memory again")]


class _Publisher:
    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        self.fail = bool(settings.get("fail", False))
        self.delivered: list[Publication] = []

    @property
    def name(self) -> str:
        return str(self.settings.get("name", "board"))

    @property
    def idempotent(self) -> bool:
        return False

    def deliver(self, publication: Publication, *, key: str) -> DeliveryReceipt:
        if self.fail:
            raise ConnectionError("the board pack share is offline")
        self.delivered.append(publication)
        return DeliveryReceipt(self.name, publication.id, _AT, location="board/2025-q1.xlsx")


class _PublisherPlugin:
    def __init__(self, *names: str) -> None:
        self.names = names

    @collab_core.hookimpl
    def collab_register_publishers(self) -> list[PublisherSpec]:
        return [PublisherSpec(n, _Publisher, "a publisher kept in memory") for n in self.names]


class _Listener:
    def __init__(self) -> None:
        self.committed: list[tuple[Store, Sequence[Versioned[Any]]]] = []
        self.receipts: list[DeliveryReceipt] = []

    @collab_core.hookimpl
    def collab_records_committed(self, store: Store, records: Sequence[Versioned[Any]]) -> None:
        self.committed.append((store, records))

    @collab_core.hookimpl
    def collab_publication_delivered(self, receipt: DeliveryReceipt) -> None:
        self.receipts.append(receipt)


_AT = dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC)


def _publication() -> Publication:
    return Publication(
        uuid.uuid4(), "board_pack", Audience.TRUST_BOARD, "Quarter 1 deaths", {"deaths": 3}, _AT
    )


def _open(*plugins: object, url: str = "memory://", **kwargs: Any) -> Collaborative:
    return Collaborative.open(
        url, plugins=plugins, load_entry_points=False, environ=NO_ENV, **kwargs
    )


# -- one test per hook ---------------------------------------------------------------------


def test_hook_collab_register_stores() -> None:
    with _open(_StorePlugin("trustdb"), url="trustdb://anything") as collab:
        assert collab.plugins.stores["trustdb"].description == "memory again"
        assert sorted(collab.plugins.stores) == ["memory", "trustdb"]
        collab.record([_trust()])
        assert [t.ods_code.code for t in collab.trusts()] == ["RH8"]


def test_hook_collab_register_publishers() -> None:
    with _open(_PublisherPlugin("board"), publishers={"board": {"name": "board"}}) as collab:
        publisher = collab.publishers["board"]
        assert isinstance(publisher, _Publisher)
        assert publisher.settings == {"name": "board"}


class _TargetPlugin:
    """Registers a measure read from the store and a target on it."""

    measure = collab_core.Measure("rh8.trusts", "Trusts recorded", "trusts")
    target = collab_core.Target(
        "rh8.trusts-2019", "rh8.trusts", 0, dt.date(2018, 4, 1), 4, dt.date(2019, 4, 1)
    )

    @collab_core.hookimpl
    def collab_register_targets(self) -> list[MeasureSpec | collab_core.Target]:
        return [MeasureSpec(self.measure, lambda store, day: store.count(Trust)), self.target]


def test_hook_collab_register_targets() -> None:
    with _open(_TargetPlugin()) as collab:
        assert collab.plugins.targets == {"rh8.trusts-2019": _TargetPlugin.target}
        assert sorted(collab.plugins.measures) == ["capability.members", "rh8.trusts"]
        assert collab.plugins.measure_spec("rh8.trusts").measure == _TargetPlugin.measure
        collab.record([_trust("RH8"), _trust("RV5")])
        progress = collab.target_progress("rh8.trusts-2019", dt.date(2018, 10, 1))
        assert progress.value == 2
        assert progress == _TargetPlugin.target.assess(2, dt.date(2018, 10, 1))


def test_hook_collab_records_committed() -> None:
    listener = _Listener()
    with _open(listener) as collab:
        first = collab.record([_trust("RH8"), _trust("RV5")])
        collab.record([_trust("RH8")])
        assert len(listener.committed) == 2, "once per unit of work, never per record"
        store, records = listener.committed[0]
        assert store is collab.store
        assert tuple(records) == first
        assert [v.version for v in listener.committed[1][1]] == [1]
        collab.record([])
        with pytest.raises(collab_core.DomainValidationError):
            collab.record([_trust("RX2"), _trust("RX2")])
        assert len(listener.committed) == 2, "an empty or refused batch commits nothing"


def test_hook_collab_publication_delivered() -> None:
    listener = _Listener()
    with _open(listener, _PublisherPlugin("board"), publishers={"board": {}}) as collab:
        publication = _publication()
        collab.publish(publication)
        report = collab.deliver_pending()
        assert listener.receipts == list(report.delivered)
        assert [r.publication_id for r in listener.receipts] == [publication.id]
        assert collab.deliver_pending().delivered == (), "a delivered entry is not sent again"
        assert len(listener.receipts) == 1


class _KindPlugin:
    """A plugin kind with a plain mapping body whose counts are typed."""

    @staticmethod
    def build(source: Any, request: Any) -> dict[str, Any]:
        trusts = list(source.trusts())
        return {"trusts": len(trusts), "deaths": collab_core.Count(3), "period": request.period}

    @collab_core.hookimpl
    def collab_register_publication_kinds(self) -> list[PublicationKind]:
        return [PublicationKind("ward_digest", "Ward digest", self.build, (), "a plugin's kind")]


def test_hook_collab_register_publication_kinds() -> None:
    with _open(_KindPlugin()) as collab:
        assert sorted(collab.publication_kinds) == [
            "assurance",
            "headline_targets",
            "learning_bulletin",
            "lfd_dashboard",
            "measure_chart",
            "ward_digest",
        ]
        collab.record([_trust()])
        quarter = collab_core.Quarter(collab_core.FinancialYear(2018), 1)
        public = collab.publication("ward_digest", Audience.PUBLIC, quarter, created_at=_AT)
        assert public.title == "Ward digest, 2018/19 Q1"
        # The body comes back as plain JSON, its count controlled for the public.
        assert public.body == {
            "deaths": {"value": None, "disclosure": "suppressed"},
            "period": "2018/19 Q1",
            "trusts": 1,
        }
        board = collab.publication("ward_digest", Audience.TRUST_BOARD, quarter, created_at=_AT)
        assert board.body["deaths"] == {"value": 3, "disclosure": "exact"}
    with pytest.raises(PluginError, match=r"publication kind 'ward_digest' .* two plugins"):
        _open(_KindPlugin(), _KindPlugin())


class _AudiencePlugin:
    def __init__(self, *specs: AudienceSpec) -> None:
        self.specs = specs

    @collab_core.hookimpl
    def collab_register_audiences(self) -> list[AudienceSpec]:
        return list(self.specs)


def test_hook_collab_register_audiences() -> None:
    partners = AudienceSpec(
        "ics_partners", Audience.COLLABORATIVE, collab_core.SmallNumbers(threshold=10)
    )
    stricter_board = AudienceSpec("trust_board", Audience.TRUST_BOARD, collab_core.NHS_DIGITAL)
    with _open(_AudiencePlugin(partners, stricter_board)) as collab:
        assert sorted(collab.audiences) == [
            "collaborative",
            "family",
            "ics_partners",
            "public",
            "staff",
            "trust_board",
        ]
        assert collab.audiences["trust_board"] is stricter_board, "a plugin replaces a built-in"
        assert collab.audiences["public"].counts == collab_core.NHS_DIGITAL
        collab.record([_trust()])
        year = collab_core.FinancialYear(2018)
        built = collab.publication("lfd_dashboard", "ics_partners", year, created_at=_AT)
        assert built.audience is Audience.COLLABORATIVE, "delivered as its base audience"
        assert built.body.audience == "ics_partners"
    with pytest.raises(PluginError, match=r"audience 'ics_partners' .* two plugins"):
        _open(_AudiencePlugin(partners), _AudiencePlugin(partners))
    wrong = AudienceSpec("public", Audience.STAFF)
    with pytest.raises(PluginError, match=r"'public' audience is delivered as 'public'"):
        _open(_AudiencePlugin(wrong))


class _DenyList:
    def __init__(self, *names: str, fail: bool = False) -> None:
        self.names = names
        self.fail = fail
        self.asked: list[str] = []

    @collab_core.hookimpl
    def collab_deny_list(self, audience: AudienceSpec) -> list[str]:
        self.asked.append(audience.name)
        if self.fail:
            raise RuntimeError("the names database for Jane Quillfeather is down")
        return list(self.names)


def test_hook_collab_deny_list() -> None:
    names = _DenyList("Jane Quillfeather", "Marlowe")
    with _open(names) as collab:
        refused = Publication(
            uuid.uuid4(),
            "board_pack",
            Audience.TRUST_BOARD,
            "Quarter 1",
            {"note": "Seen by Dr MARLOWE on the ward"},
            _AT,
        )
        with pytest.raises(collab_core.PrivacyError) as caught:
            collab.publish(refused)
        (finding,) = caught.value.findings
        assert (finding.field, finding.rule, finding.start) == ("$.note", "name", 11)
        assert finding.plugin is not None
        assert "_DenyList" in finding.plugin
        assert "marlowe" not in str(caught.value).lower()
        assert names.asked == ["trust_board"], "asked once per publication, with its audience"
        assert collab.store.outbox(status=None) == []
    with _open(_DenyList(fail=True)) as collab, pytest.raises(PluginError) as failed:
        collab.publish(_publication())
    assert "collab_deny_list raised RuntimeError" in str(failed.value)
    assert "Quillfeather" not in str(failed.value)


class _Rules:
    def __init__(self, *rules: PrivacyRule) -> None:
        self.rules = rules

    @collab_core.hookimpl
    def collab_privacy_rules(self, audience: AudienceSpec) -> list[PrivacyRule]:
        return list(self.rules) if audience.name == "trust_board" else []


def test_hook_collab_privacy_rules() -> None:
    wards = PrivacyRule("rh8_wards", patterns=[r"\b(?:Elm|Oak) ward\b"], threshold=5)
    with _open(_Rules(wards)) as collab:
        text = {"note": "Learning from Oak ward", "deaths": collab_core.Count(3)}
        board = Publication(uuid.uuid4(), "digest", Audience.TRUST_BOARD, "Q1", text, _AT)
        preview = collab.preview(board)
        assert [(f.field, f.rule, f.start) for f in preview.findings] == [
            ("$.note", "rh8_wards", 14)
        ]
        assert preview.publication.body["note"] == "Learning from ████████"
        # A stricter threshold: the board, which sees exact figures, now sees 3 suppressed.
        assert preview.publication.body["deaths"] == {"value": None, "disclosure": "suppressed"}
        staff = attrs.evolve(board, audience=Audience.STAFF)
        assert collab.preview(staff).passed, "the rule is for the board only"

    def broken(text: str) -> list[tuple[int, int]]:
        raise ValueError(f"cannot read {text}")

    with _open(_Rules(PrivacyRule("rh8_broken", find=broken))) as collab:
        board = Publication(uuid.uuid4(), "digest", Audience.TRUST_BOARD, "Q1", {"a": "x"}, _AT)
        with pytest.raises(PluginError, match="privacy rule 'rh8_broken' raised ValueError") as e:
            collab.publish(board)
        assert "cannot read" not in str(e.value)
        assert collab.store.outbox(status=None) == [], "a rule that fails refuses"


def test_every_hook_has_its_own_test() -> None:
    here = {name for name, f in globals().items() if callable(f)}
    missing = [h for h in HOOKS if f"test_hook_{h}" not in here]
    assert HOOKS, "hookspecs.py defines the hooks"
    assert missing == []


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hookspec_documents_its_parameters_return_and_an_example(hook: str) -> None:
    spec = getattr(hookspecs, hook)
    doc = inspect.getdoc(spec) or ""
    params = list(inspect.signature(spec).parameters)
    for param in params:
        assert f":param {param}:" in doc, f"{hook} documents {param}"
    assert ":return:" in doc
    assert "Example::" in doc
    assert "Called" in doc, f"{hook} says when it is called"
    hints = inspect.get_annotations(spec, eval_str=True)
    assert set(hints) == {*params, "return"}, f"{hook} is fully typed"


# -- registration: duplicates, misspellings, failures ------------------------------------------


def test_two_plugins_registering_one_scheme_are_refused_naming_both() -> None:
    first, second = _StorePlugin("trustdb"), _StorePlugin("trustdb")
    with pytest.raises(PluginError, match="store scheme 'trustdb'") as caught:
        Plugins([first, second], load_entry_points=False, environ=NO_ENV)
    assert str(caught.value).count("_StorePlugin") == 2


def test_a_plugin_cannot_take_over_the_memory_scheme() -> None:
    with pytest.raises(PluginError, match=r"'memory'.*collab_core\.plugins\.builtin"):
        Plugins([_StorePlugin("memory")], load_entry_points=False, environ=NO_ENV)


def test_two_plugins_registering_one_publisher_name_are_refused() -> None:
    plugins = [_PublisherPlugin("board"), _PublisherPlugin("site", "board")]
    with pytest.raises(PluginError, match="publisher name 'board' is registered by two"):
        Plugins(plugins, load_entry_points=False, environ=NO_ENV)


def test_a_misspelt_hook_fails_loudly_naming_plugin_and_hook() -> None:
    misspelt = types.ModuleType("collab_misspelt_plugin")

    @collab_core.hookimpl
    def collab_register_storez() -> list[StoreSpec]:
        return []

    misspelt.collab_register_storez = collab_register_storez  # type: ignore[attr-defined]
    with pytest.raises(PluginError) as caught:
        Plugins([misspelt], load_entry_points=False, environ=NO_ENV)
    assert "collab_misspelt_plugin" in str(caught.value)
    assert "collab_register_storez" in str(caught.value)
    assert "collab_register_stores" in str(caught.value), "the known hooks are listed"


class _WrongArgument:
    @collab_core.hookimpl
    def collab_publication_delivered(self, receipt: Any, extra: Any) -> None:
        """Asks for an argument the hook does not pass."""


def test_a_hook_with_an_unknown_argument_is_reported_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="collab_core.plugins"):
        host = Plugins([_WrongArgument()], load_entry_points=False, environ=NO_ENV)
    (failed,) = host.failed
    assert failed.name.endswith("_WrongArgument")
    assert "extra" in (failed.error or "")
    assert "_WrongArgument" in caplog.text


class _RaisingRegistration:
    @collab_core.hookimpl
    def collab_register_stores(self) -> list[StoreSpec]:
        raise RuntimeError("cannot reach the licence server")


def test_a_registration_hook_that_raises_is_reported_and_skipped() -> None:
    host = Plugins([_RaisingRegistration()], load_entry_points=False, environ=NO_ENV)
    assert [r.status for r in host.failed] == [PluginStatus.FAILED]
    assert "licence server" in (host.failed[0].error or "")
    assert list(host.stores) == ["memory"]


def test_a_registration_hook_that_raises_is_fatal_in_strict_mode() -> None:
    with pytest.raises(PluginError, match="licence server"):
        Plugins(
            [_RaisingRegistration()],
            load_entry_points=False,
            environ={"COLLAB_CORE_STRICT_PLUGINS": "1"},
        )


class _WrongReturn:
    @collab_core.hookimpl
    def collab_register_stores(self) -> StoreSpec:
        return StoreSpec("x", collab_core.MemoryStore.open)


def test_a_registration_hook_must_return_a_list_of_specs() -> None:
    with pytest.raises(PluginError, match="must return a list of StoreSpec"):
        Plugins([_WrongReturn()], load_entry_points=False, environ=NO_ENV)


# -- the host itself -------------------------------------------------------------------------


def test_each_collaborative_has_its_own_plugin_manager() -> None:
    listener = _Listener()
    with _open(listener) as one, _open() as other:
        assert one.plugins is not other.plugins
        other.record([_trust()])
        assert listener.committed == []
        one.record([_trust()])
        assert len(listener.committed) == 1


def test_the_builtin_memory_store_is_registered_last() -> None:
    host = Plugins([_Listener()], load_entry_points=False, environ=NO_ENV)
    assert host.names[-1] == "collab_core.plugins.builtin"
    assert host.report[-1].distribution is None
    assert host.store_spec("memory") is not None


def test_an_unknown_scheme_lists_the_known_ones_and_hides_the_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        _open(url="oracle://admin:hunter2@db.example/collab")
    message = str(caught.value)
    assert "'oracle'" in message
    assert "memory" in message
    assert "hunter2" not in message
    assert "admin" not in message
    assert "***@db.example" in message


def test_a_url_without_a_scheme_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="starts with a scheme"):
        _open(url="collab.db")


def test_a_store_that_fails_to_open_never_shows_the_password() -> None:
    def refuse(url: str) -> Store:
        raise OSError(f"could not connect to {url}")

    class Refusing:
        @collab_core.hookimpl
        def collab_register_stores(self) -> list[StoreSpec]:
            return [StoreSpec("refusing", refuse)]

    with pytest.raises(collab_core.StoreError) as caught:
        _open(Refusing(), url="refusing://admin:hunter2@db.example/collab")
    assert "hunter2" not in str(caught.value)
    assert "OSError" in str(caught.value)
    assert caught.value.__cause__ is None


def test_an_unknown_publisher_name_lists_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match=r"'mail'.*known: board"):
        _open(_PublisherPlugin("board"), publishers={"mail": {}})


# -- entry points and the environment --------------------------------------------------------


class _FakeDist:
    def __init__(self, name: str) -> None:
        self.name = name
        self.version = "1.2.3"


class _FakeEntryPoint:
    """What ``importlib.metadata`` yields for an installed plugin, without installing one."""

    def __init__(self, name: str, dist: str, plugin: object) -> None:
        self.name = name
        self.dist = _FakeDist(dist)
        self._plugin = plugin

    def load(self) -> object:
        if isinstance(self._plugin, BaseException):
            raise self._plugin
        return self._plugin


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> list[_FakeEntryPoint]:
    found: list[_FakeEntryPoint] = []
    monkeypatch.setattr(manager, "_entry_points", lambda: sorted(found, key=lambda e: e.name))
    return found


def test_entry_points_are_loaded_and_reported_by_distribution(
    installed: list[_FakeEntryPoint],
) -> None:
    installed.append(_FakeEntryPoint("trustdb", "collab-trustdb", _StorePlugin("trustdb")))
    host = Plugins(environ=NO_ENV)
    assert host.report[0].name == "trustdb"
    assert host.report[0].distribution == "collab-trustdb"
    assert host.report[0].version == "1.2.3"
    assert "trustdb" in host.stores


def test_a_broken_entry_point_is_reported_by_distribution_and_skipped(
    installed: list[_FakeEntryPoint], caplog: pytest.LogCaptureFixture
) -> None:
    installed.append(_FakeEntryPoint("broken", "collab-broken", ImportError("no module x")))
    installed.append(_FakeEntryPoint("trustdb", "collab-trustdb", _StorePlugin("trustdb")))
    with caplog.at_level(logging.WARNING, logger="collab_core.plugins"):
        host = Plugins(environ=NO_ENV)
    (failed,) = host.failed
    assert (failed.distribution, failed.status) == ("collab-broken", PluginStatus.FAILED)
    assert failed.error == "ImportError: no module x"
    assert "collab-broken" in caplog.text
    assert "trustdb" in host.stores, "the other plugins still load"


def test_a_broken_entry_point_is_fatal_in_strict_mode(installed: list[_FakeEntryPoint]) -> None:
    installed.append(_FakeEntryPoint("broken", "collab-broken", ImportError("no module x")))
    with pytest.raises(PluginError, match=r"'collab-broken'.*COLLAB_CORE_STRICT_PLUGINS"):
        Plugins(environ={"COLLAB_CORE_STRICT_PLUGINS": "1"})


def test_the_allow_list_loads_only_the_named_plugins(installed: list[_FakeEntryPoint]) -> None:
    installed.append(_FakeEntryPoint("alpha", "collab-alpha", _StorePlugin("alpha")))
    installed.append(_FakeEntryPoint("beta", "collab-beta", _StorePlugin("beta")))
    installed.append(_FakeEntryPoint("gamma", "collab-gamma", _StorePlugin("gamma")))
    host = Plugins(environ={"COLLAB_CORE_LOAD_PLUGINS": "collab_Alpha, gamma"})
    assert sorted(host.stores) == ["alpha", "gamma", "memory"]
    assert [r.name for r in host.report if r.status is PluginStatus.SKIPPED] == ["beta"]


def test_an_empty_allow_list_loads_no_installed_plugin(installed: list[_FakeEntryPoint]) -> None:
    installed.append(_FakeEntryPoint("alpha", "collab-alpha", _StorePlugin("alpha")))
    host = Plugins(environ={"COLLAB_CORE_LOAD_PLUGINS": ""})
    assert list(host.stores) == ["memory"]


def test_the_block_list_skips_the_named_plugins(installed: list[_FakeEntryPoint]) -> None:
    installed.append(_FakeEntryPoint("alpha", "collab-alpha", _StorePlugin("alpha")))
    installed.append(_FakeEntryPoint("broken", "collab-broken", ImportError("no module x")))
    host = Plugins(environ={"COLLAB_CORE_DISABLED_PLUGINS": "collab-broken"})
    assert host.failed == ()
    assert sorted(host.stores) == ["alpha", "memory"]


def test_tracing_writes_every_hook_call_to_standard_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Collaborative.open(
        plugins=[_Listener()],
        load_entry_points=False,
        environ={"COLLAB_CORE_TRACE_PLUGINS": "1"},
    ) as collab:
        collab.record([_trust()])
    err = capsys.readouterr().err
    assert "collab_register_stores" in err
    assert "collab_records_committed" in err


def test_without_tracing_nothing_is_written(capsys: pytest.CaptureFixture[str]) -> None:
    with _open(_Listener()) as collab:
        collab.record([_trust()])
    assert capsys.readouterr().err == ""


# -- real distributions, installed by the nox tests session ------------------------------------


def _require_distribution(name: str) -> None:
    """Skip when the test plugin is not installed (pytest run outside nox); fail under CI."""
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        reason = (
            f"the test plugin {name!r} is not installed; run the tests with `nox -s tests`, "
            f"which installs tests/plugins/{name} in editable mode"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def test_an_installed_plugin_is_found_through_its_entry_point() -> None:
    _require_distribution("collab-example-plugin")
    with Collaborative.open("example://kit", environ=NO_ENV) as collab:
        (report,) = [r for r in collab.plugins.report if r.name == "example"]
        assert (report.distribution, report.status) == ("collab-example-plugin", "loaded")
        assert collab.url == "example://kit"
        collab.record([_trust()])
        assert collab.count(Trust) == 1
        assert "example-log" in collab.plugins.publishers


def test_an_installed_broken_plugin_is_reported_by_distribution_and_skipped() -> None:
    _require_distribution("collab-broken-plugin")
    with Collaborative.open(environ=NO_ENV) as collab:
        (failed,) = [r for r in collab.plugins.failed if r.name == "broken"]
        assert failed.distribution == "collab-broken-plugin"
        assert "ImportError" in (failed.error or "")


def test_an_installed_broken_plugin_is_fatal_in_strict_mode() -> None:
    _require_distribution("collab-broken-plugin")
    with pytest.raises(PluginError, match="collab-broken-plugin"):
        Collaborative.open(environ={"COLLAB_CORE_STRICT_PLUGINS": "1"})


def test_installed_plugins_obey_the_block_list() -> None:
    _require_distribution("collab-example-plugin")
    env = {"COLLAB_CORE_DISABLED_PLUGINS": "collab-example-plugin,broken"}
    with Collaborative.open(environ=env) as collab:
        assert "example" not in collab.plugins.stores
        assert collab.plugins.failed == ()


def test_a_scheme_no_store_serves_names_the_plugin_that_failed_to_load(
    installed: list[_FakeEntryPoint],
) -> None:
    installed.append(
        _FakeEntryPoint("dirstore", "collab-dirstore", ImportError("No module named 'orjsonx'"))
    )
    with pytest.raises(ConfigurationError) as caught:
        Collaborative.open("dirstore:///srv/collab", environ=NO_ENV)
    assert "no store serves the scheme 'dirstore'" in str(caught.value)
    assert (
        "(the plugin 'collab-dirstore' failed to load: ImportError: No module named 'orjsonx')"
        in str(caught.value)
    )


def test_a_publisher_no_plugin_provides_names_the_plugin_that_failed_to_load(
    installed: list[_FakeEntryPoint],
) -> None:
    installed.append(_FakeEntryPoint("board", "collab-board", ImportError("no openpyxl")))
    with pytest.raises(ConfigurationError) as caught:
        Collaborative.open("memory://", publishers={"board": {}}, environ=NO_ENV)
    assert "no publisher is called 'board'" in str(caught.value)
    assert "the plugin 'collab-board' failed to load: ImportError: no openpyxl" in str(caught.value)


def test_without_failed_plugins_an_error_says_nothing_of_them(
    installed: list[_FakeEntryPoint],
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Collaborative.open("dirstore:///srv/collab", environ=NO_ENV)
    assert "failed to load" not in str(caught.value)
    assert Plugins(environ=NO_ENV).failures_note() == ""

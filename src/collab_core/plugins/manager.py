"""The plugin host: a typed facade over one pluggy ``PluginManager``, with one method per hook.

Each :class:`~collab_core.service.Collaborative` owns its own :class:`Plugins`; there is no
module-level manager. Loading follows pluggy's eggsample: add the hookspecs, load the entry
points of the ``collab_core`` group (each in its own ``try``), register the plugins given by
hand, register the built-in plugins last, then check that every hook implemented is known.

Environment variables (read when a :class:`Plugins` is made):

``COLLAB_CORE_LOAD_PLUGINS``
    Comma-separated allow-list of distribution or entry-point names; when set (even empty),
    only those entry points are loaded.
``COLLAB_CORE_DISABLED_PLUGINS``
    Comma-separated block-list of distribution or entry-point names never loaded.
``COLLAB_CORE_STRICT_PLUGINS=1``
    A plugin that fails to load raises :class:`~collab_core.PluginError` instead of being
    reported and skipped.
``COLLAB_CORE_TRACE_PLUGINS=1``
    Every hook call is traced (pluggy's tracer) to standard error.
"""

from __future__ import annotations

import enum
import importlib.metadata
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any, TypeVar

import attrs
import pluggy

from collab_core.domain.errors import PluginError
from collab_core.domain.learning import Audience
from collab_core.domain.targets import Target
from collab_core.plugins import builtin, hookspecs
from collab_core.ports import (
    DeliveryReceipt,
    MeasureSpec,
    PublisherSpec,
    Store,
    StoreSpec,
    Versioned,
)
from collab_core.publications.kinds import PublicationKind
from collab_core.sharing import AudienceSpec, PrivacyRule

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginReport",
    "PluginStatus",
    "Plugins",
]

logger = logging.getLogger("collab_core.plugins")

#: The entry-point group that plugins declare themselves in.
ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME

#: The plugins collab_core registers itself, after every other plugin (datasette's shape).
BUILTIN_PLUGINS: tuple[ModuleType, ...] = (builtin,)

LOAD_ENV = "COLLAB_CORE_LOAD_PLUGINS"
DISABLED_ENV = "COLLAB_CORE_DISABLED_PLUGINS"
STRICT_ENV = "COLLAB_CORE_STRICT_PLUGINS"
TRACE_ENV = "COLLAB_CORE_TRACE_PLUGINS"

_T = TypeVar("_T")


class PluginStatus(enum.StrEnum):
    """What happened to a plugin when the host loaded it."""

    LOADED = "loaded"
    FAILED = "failed"
    SKIPPED = "skipped"


@attrs.frozen
class PluginReport:
    """One line of the plugin report a host keeps, for ``collab plugins`` and for logs.

    :param name: the name the plugin is registered under (the entry-point name for an
        installed plugin, ``collab_core.plugins.builtin`` for a built-in one).
    :param distribution: the installed distribution that declared the entry point, or ``None``
        for a plugin registered by hand or built in.
    :param version: that distribution's version, or ``None``.
    :param status: ``"loaded"``, ``"failed"`` or ``"skipped"`` (by the allow- or block-list).
    :param error: why a plugin failed (the exception's type and message), else ``None``.
    """

    name: str
    distribution: str | None
    version: str | None
    status: PluginStatus
    error: str | None = None


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in {"1", "true", "yes", "on"}


def _canonical(name: str) -> str:
    # PEP 503 normalisation, so "Collab_Example.Plugin" matches "collab-example-plugin".
    return re.sub(r"[-_.]+", "-", name).lower()


def _name_list(value: str) -> frozenset[str]:
    return frozenset(_canonical(n.strip()) for n in value.split(",") if n.strip())


def _plugin_name(plugin: object) -> str:
    """A readable registration name for a plugin given by hand (pluggy would use ``id()``)."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    if isinstance(plugin, type):
        return f"{plugin.__module__}.{plugin.__qualname__}"
    cls = type(plugin)
    return f"{cls.__module__}.{cls.__qualname__}"


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    seen: set[tuple[str, str]] = set()
    found: list[importlib.metadata.EntryPoint] = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist is not None else ""
        # The same distribution can be on sys.path twice (an editable install and a checkout).
        if (dist, ep.name) in seen:
            continue
        seen.add((dist, ep.name))
        found.append(ep)
    return sorted(found, key=lambda ep: ep.name)


class Plugins:
    """The plugins of one collaborative, behind one typed method per hook.

    :param plugins: plugin objects (modules, classes or instances with ``@hookimpl``
        functions) to register by hand, after the entry points and before the built-ins.
    :param load_entry_points: load the installed plugins of the ``collab_core`` entry-point
        group (subject to the allow- and block-lists).
    :param environ: the environment to read the ``COLLAB_CORE_*`` variables from (default
        :data:`os.environ`).
    :raises PluginError: when a hook implementation names an unknown hook, two plugins
        register the same store scheme or publisher name, or (in strict mode) a plugin fails
        to load.
    """

    def __init__(
        self,
        plugins: Iterable[object] = (),
        *,
        load_entry_points: bool = True,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self._strict = _truthy(env.get(STRICT_ENV))
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        self._reports: list[PluginReport] = []
        self._undo_tracing: Callable[[], None] | None = None
        if _truthy(env.get(TRACE_ENV)):
            self._pm.trace.root.setwriter(sys.stderr.write)
            self._undo_tracing = self._pm.enable_tracing()
        if load_entry_points:
            allow = env.get(LOAD_ENV)
            self._load_entry_points(
                None if allow is None else _name_list(allow),
                _name_list(env.get(DISABLED_ENV, "")),
            )
        for plugin in plugins:
            self._register(plugin, _plugin_name(plugin), None, None)
        for plugin in BUILTIN_PLUGINS:
            self._register(plugin, plugin.__name__, None, None)
        self._check_pending()
        stores = self._collect(
            "collab_register_stores", StoreSpec, lambda s: s.scheme, "store scheme"
        )
        publishers = self._collect(
            "collab_register_publishers", PublisherSpec, lambda p: p.name, "publisher name"
        )
        measures, targets = self._collect_targets()
        kinds = self._collect(
            "collab_register_publication_kinds",
            PublicationKind,
            lambda k: k.name,
            "publication kind",
        )
        audiences = self._collect_audiences()
        # A plugin whose later registration hook raised is unloaded: forget all it registered.
        failed = {r.name for r in self.failed}
        self._origins: dict[tuple[str, str], str] = {}
        for what, found in (
            ("store", stores),
            ("publisher", publishers),
            ("measure", measures),
            ("target", targets),
        ):
            for key, (_, by) in found.items():
                if by not in failed:
                    self._origins[(what, key)] = by
        self._stores = {k: spec for k, (spec, by) in stores.items() if by not in failed}
        self._publishers = {k: spec for k, (spec, by) in publishers.items() if by not in failed}
        self._measures = {k: spec for k, (spec, by) in measures.items() if by not in failed}
        self._targets = {k: t for k, (t, by) in targets.items() if by not in failed}
        self._kinds = {k: kind for k, (kind, by) in kinds.items() if by not in failed}
        self._audiences = {k: a for k, (a, by) in audiences.items() if by not in failed}

    # -- loading ---------------------------------------------------------------------------

    def _load_entry_points(self, allow: frozenset[str] | None, block: frozenset[str]) -> None:
        for ep in _entry_points():
            dist = ep.dist.name if ep.dist is not None else None
            version = ep.dist.version if ep.dist is not None else None
            names = {_canonical(ep.name)} | ({_canonical(dist)} if dist else set())
            if (allow is not None and not names & allow) or names & block:
                self._reports.append(PluginReport(ep.name, dist, version, PluginStatus.SKIPPED))
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # any failure of third-party code is reported
                self._failed(ep.name, dist, version, exc)
                continue
            self._register(plugin, ep.name, dist, version)

    def _register(self, plugin: object, name: str, dist: str | None, version: str | None) -> None:
        # Two instances of one plugin class would share a name: number the later ones.
        base, n = name, 1
        while self._pm.has_plugin(name) or any(r.name == name for r in self._reports):
            n += 1
            name = f"{base}#{n}"
        try:
            self._pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            self._failed(name, dist, version, exc)
            return
        except ValueError as exc:
            # pluggy refuses a second plugin under a name already taken.
            raise PluginError(f"plugin {name!r}: is registered twice ({exc})") from exc
        self._reports.append(PluginReport(name, dist, version, PluginStatus.LOADED))

    def _failed(self, name: str, dist: str | None, version: str | None, exc: Exception) -> None:
        who = f"distribution {dist!r} (entry point {name!r})" if dist else f"plugin {name!r}"
        error = f"{type(exc).__name__}: {exc}"
        if self._strict:
            raise PluginError(
                f"{who} failed to load: {error} ({STRICT_ENV} is set, so this is fatal)"
            ) from exc
        logger.warning("collab_core: %s failed to load and is skipped: %s", who, error)
        self._reports.append(PluginReport(name, dist, version, PluginStatus.FAILED, error))

    def _check_pending(self) -> None:
        # pluggy's check_pending() names the plugin object; name the plugin and the hook.
        for hook_name, caller in vars(self._pm.hook).items():
            if hook_name.startswith("_") or caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if not impl.optionalhook:
                    known = ", ".join(sorted(_hook_names()))
                    raise PluginError(
                        f"plugin {impl.plugin_name!r}: implements {hook_name!r}, which is not a "
                        f"collab_core hook (known hooks: {known})"
                    )
        self._pm.check_pending()

    def _results(self, hook_name: str, kinds: str) -> Iterator[tuple[str, object]]:
        """Call a registration hook plugin by plugin, in load order, and yield each item it
        returns with the plugin's name. A plugin whose hook raises is reported (or, in strict
        mode, fatal) and unloaded."""
        caller = getattr(self._pm.hook, hook_name)
        # pluggy calls the last registered first; reversed, they run in load order.
        for impl in reversed(caller.get_hookimpls()):
            others = [p for p in self._pm.get_plugins() if p is not impl.plugin]
            try:
                results: list[object] = self._pm.subset_hook_caller(hook_name, others)()
            except Exception as exc:  # any failure of third-party code is reported
                self._unload(impl.plugin_name, exc)
                continue
            for specs in results:
                if not isinstance(specs, list | tuple):
                    raise PluginError(
                        f"plugin {impl.plugin_name!r}: {hook_name} must return a list of "
                        f"{kinds}, not {type(specs).__name__}"
                    )
                for spec in specs:
                    yield impl.plugin_name, spec

    def _collect(
        self, hook_name: str, kind: type[_T], key: Callable[[_T], str], what: str
    ) -> dict[str, tuple[_T, str]]:
        """Call a registration hook plugin by plugin, so that a duplicate names both plugins
        and a plugin whose hook raises is reported (or, in strict mode, fatal)."""
        found: dict[str, tuple[_T, str]] = {}
        for plugin_name, spec in self._results(hook_name, kind.__name__):
            if not isinstance(spec, kind):
                raise PluginError(
                    f"plugin {plugin_name!r}: {hook_name} returned a "
                    f"{type(spec).__name__}, not a {kind.__name__}"
                )
            _keep(found, key(spec), spec, plugin_name, what)
        return dict(sorted(found.items()))

    def _collect_targets(
        self,
    ) -> tuple[dict[str, tuple[MeasureSpec, str]], dict[str, tuple[Target, str]]]:
        """The measures and targets of ``collab_register_targets``, each target checked to name
        a registered measure."""
        measures: dict[str, tuple[MeasureSpec, str]] = {}
        targets: dict[str, tuple[Target, str]] = {}
        hook_name = "collab_register_targets"
        for plugin_name, spec in self._results(hook_name, "MeasureSpec or Target"):
            if isinstance(spec, MeasureSpec):
                _keep(measures, spec.measure.id, spec, plugin_name, "measure")
            elif isinstance(spec, Target):
                _keep(targets, spec.id, spec, plugin_name, "target")
            else:
                raise PluginError(
                    f"plugin {plugin_name!r}: {hook_name} returned a "
                    f"{type(spec).__name__}, not a MeasureSpec or Target"
                )
        for target_id, (target, plugin_name) in targets.items():
            if target.measure not in measures:
                known = ", ".join(sorted(measures)) or "none"
                raise PluginError(
                    f"plugin {plugin_name!r}: target {target_id!r} is set on measure "
                    f"{target.measure!r}, which no plugin registers (known measures: {known})"
                )
        return dict(sorted(measures.items())), dict(sorted(targets.items()))

    def _collect_audiences(self) -> dict[str, tuple[AudienceSpec, str]]:
        """The audiences of ``collab_register_audiences``. A plugin's audience may replace a
        built-in one of the same name (the built-ins come last), keeping its base audience."""
        found: dict[str, tuple[AudienceSpec, str]] = {}
        hook_name = "collab_register_audiences"
        for plugin_name, spec in self._results(hook_name, "AudienceSpec"):
            if not isinstance(spec, AudienceSpec):
                raise PluginError(
                    f"plugin {plugin_name!r}: {hook_name} returned a "
                    f"{type(spec).__name__}, not an AudienceSpec"
                )
            if spec.name in set(Audience) and spec.base is not Audience(spec.name):
                raise PluginError(
                    f"plugin {plugin_name!r}: the {spec.name!r} audience is delivered as "
                    f"{spec.name!r}, not {spec.base.value!r}"
                )
            held = found.get(spec.name)
            if held is not None and plugin_name == builtin.__name__:
                logger.info(
                    "collab_core: plugin %r replaces the built-in %r audience", held[1], spec.name
                )
                continue
            _keep(found, spec.name, spec, plugin_name, "audience")
        return dict(sorted(found.items()))

    def _each_plugin(
        self, hook_name: str, what: str, **kwargs: object
    ) -> Iterator[tuple[str, object]]:
        """Call a hook plugin by plugin, in load order, yielding each item each returns with the
        plugin's name. A hook that raises, or returns something other than a list, is a
        :class:`PluginError` naming the plugin (the exception's message is not repeated: it
        might hold what the hook was asked about)."""
        caller = getattr(self._pm.hook, hook_name)
        for impl in reversed(caller.get_hookimpls()):
            others = [p for p in self._pm.get_plugins() if p is not impl.plugin]
            try:
                results: list[object] = self._pm.subset_hook_caller(hook_name, others)(**kwargs)
            except Exception as exc:  # a plugin's failure refuses, never passes
                raise PluginError(
                    f"plugin {impl.plugin_name!r}: {hook_name} raised {type(exc).__name__}"
                ) from None
            for items in results:
                if not isinstance(items, list | tuple):
                    raise PluginError(
                        f"plugin {impl.plugin_name!r}: {hook_name} must return a list of "
                        f"{what}, not {type(items).__name__}"
                    )
                for item in items:
                    yield impl.plugin_name, item

    def _unload(self, name: str, exc: Exception) -> None:
        """Take back a registered plugin whose registration hook raised."""
        self._pm.unregister(name=name)
        i, entry = next((i, r) for i, r in enumerate(self._reports) if r.name == name)
        del self._reports[i]
        self._failed(name, entry.distribution, entry.version, exc)

    # -- what the host knows ---------------------------------------------------------------

    @property
    def report(self) -> tuple[PluginReport, ...]:
        """Every plugin considered, in load order: loaded, failed or skipped."""
        return tuple(self._reports)

    @property
    def failed(self) -> tuple[PluginReport, ...]:
        """The plugins that failed to load and were skipped."""
        return tuple(r for r in self._reports if r.status == PluginStatus.FAILED)

    def failures_note(self) -> str:
        """For an error that something no plugin provides may cause: the plugins that failed
        to load, named with why, as `` (the plugin 'collab-dirstore' failed to load:
        ImportError: ...)``; an empty string when none failed."""
        if not self.failed:
            return ""
        named = [
            f"the plugin {(r.distribution or r.name)!r} failed to load: {r.error}"
            for r in self.failed
        ]
        return f" ({'; '.join(named)})"

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the registered plugins, in load order."""
        return tuple(r.name for r in self._reports if r.status == PluginStatus.LOADED)

    def hooks_of(self, name: str) -> tuple[str, ...]:
        """The hooks the registered plugin ``name`` implements, sorted (empty if none is)."""
        plugin = self._pm.get_plugin(name)
        if plugin is None:
            return ()
        callers = self._pm.get_hookcallers(plugin) or []
        return tuple(sorted(c.name for c in callers))

    def provided_by(self, name: str) -> dict[str, tuple[str, ...]]:
        """What the plugin ``name`` registered: its store schemes, publisher names, measure
        ids and target ids, under ``"store"``, ``"publisher"``, ``"measure"``, ``"target"``."""
        out: dict[str, tuple[str, ...]] = {}
        for what in ("store", "publisher", "measure", "target"):
            out[what] = tuple(k for (w, k), by in self._origins.items() if w == what and by == name)
        return out

    @property
    def stores(self) -> Mapping[str, StoreSpec]:
        """Every store implementation, by URL scheme."""
        return dict(self._stores)

    @property
    def publishers(self) -> Mapping[str, PublisherSpec]:
        """Every publisher implementation, by name."""
        return dict(self._publishers)

    def store_spec(self, scheme: str) -> StoreSpec | None:
        """The store implementation serving ``scheme``, or ``None``."""
        return self._stores.get(scheme)

    def publisher_spec(self, name: str) -> PublisherSpec | None:
        """The publisher implementation called ``name``, or ``None``."""
        return self._publishers.get(name)

    @property
    def measures(self) -> Mapping[str, MeasureSpec]:
        """Every measure registered through ``collab_register_targets``, by measure id."""
        return dict(self._measures)

    @property
    def targets(self) -> Mapping[str, Target]:
        """Every target registered through ``collab_register_targets``, by target id."""
        return dict(self._targets)

    def measure_spec(self, measure_id: str) -> MeasureSpec | None:
        """The measure registered under ``measure_id``, or ``None``."""
        return self._measures.get(measure_id)

    def target(self, target_id: str) -> Target | None:
        """The target registered under ``target_id``, or ``None``."""
        return self._targets.get(target_id)

    @property
    def publication_kinds(self) -> Mapping[str, PublicationKind]:
        """Every publication kind registered through ``collab_register_publication_kinds``."""
        return dict(self._kinds)

    def publication_kind(self, name: str) -> PublicationKind | None:
        """The publication kind called ``name``, or ``None``."""
        return self._kinds.get(name)

    @property
    def audiences(self) -> Mapping[str, AudienceSpec]:
        """Every audience registered through ``collab_register_audiences``, by name."""
        return dict(self._audiences)

    # -- privacy hooks ---------------------------------------------------------------------

    def deny_lists(self, audience: AudienceSpec) -> list[tuple[str | None, list[str]]]:
        """Call :func:`~collab_core.plugins.hookspecs.collab_deny_list` plugin by plugin: each
        plugin's names for ``audience``.

        :raises PluginError: a plugin's hook raised or returned something other than names.
        """
        names: dict[str | None, list[str]] = {}
        for plugin, name in self._each_plugin("collab_deny_list", "names", audience=audience):
            if not isinstance(name, str):
                raise PluginError(
                    f"plugin {plugin!r}: collab_deny_list must return names (str), not "
                    f"{type(name).__name__}"
                )
            names.setdefault(plugin, []).append(name)
        return list(names.items())

    def privacy_rules(self, audience: AudienceSpec) -> list[tuple[str | None, PrivacyRule]]:
        """Call :func:`~collab_core.plugins.hookspecs.collab_privacy_rules` plugin by plugin:
        each plugin's rules for ``audience``.

        :raises PluginError: a plugin's hook raised or returned something other than rules.
        """
        rules: list[tuple[str | None, PrivacyRule]] = []
        for plugin, rule in self._each_plugin(
            "collab_privacy_rules", "PrivacyRule", audience=audience
        ):
            if not isinstance(rule, PrivacyRule):
                raise PluginError(
                    f"plugin {plugin!r}: collab_privacy_rules must return PrivacyRule objects, "
                    f"not {type(rule).__name__}"
                )
            rules.append((plugin, rule))
        return rules

    # -- notification hooks ----------------------------------------------------------------

    def records_committed(self, store: Store, records: Sequence[Versioned[Any]]) -> None:
        """Call :func:`~collab_core.plugins.hookspecs.collab_records_committed` once."""
        self._pm.hook.collab_records_committed(store=store, records=records)

    def publication_delivered(self, receipt: DeliveryReceipt) -> None:
        """Call :func:`~collab_core.plugins.hookspecs.collab_publication_delivered`."""
        self._pm.hook.collab_publication_delivered(receipt=receipt)

    def close(self) -> None:
        """Stop tracing hook calls, if tracing was on. Safe to call twice."""
        if self._undo_tracing is not None:
            self._undo_tracing()
            self._undo_tracing = None


def _keep(found: dict[str, tuple[_T, str]], name: str, spec: _T, plugin: str, what: str) -> None:
    """Add a registration, refusing a second one under the same name."""
    if name in found:
        raise PluginError(
            f"{what} {name!r} is registered by two plugins: {found[name][1]!r} and {plugin!r}"
        )
    found[name] = (spec, plugin)


def _hook_names() -> list[str]:
    return [n for n in vars(hookspecs) if n.startswith("collab_")]

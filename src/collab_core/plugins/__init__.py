"""Plugins: the hook specifications, the typed plugin host, and the built-in memory store.

Plugin authors need only :data:`hookimpl` (also exported as ``collab_core.hookimpl``) and the
records of :mod:`collab_core.ports`.
"""

from collab_core.plugins.hookspecs import PROJECT_NAME, hookimpl, hookspec
from collab_core.plugins.manager import ENTRY_POINT_GROUP, PluginReport, Plugins, PluginStatus
from collab_core.plugins.memory import MemoryStore

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "MemoryStore",
    "PluginReport",
    "PluginStatus",
    "Plugins",
    "hookimpl",
    "hookspec",
]

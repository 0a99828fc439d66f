"""The built-in plugin: the in-memory reference store under the ``memory`` scheme.

The host registers it after every installed plugin, and its hook implementation is marked
``trylast``, so that defaults are plugins like any other (pluggy's eggsample shape).
"""

from __future__ import annotations

from collab_core.plugins.hookspecs import hookimpl
from collab_core.plugins.memory import SCHEME, MemoryStore
from collab_core.ports import StoreSpec

__all__ = ["collab_register_stores"]


@hookimpl(trylast=True)
def collab_register_stores() -> list[StoreSpec]:
    """The ``memory`` scheme: ``memory://`` (private) and ``memory://name`` (shared by name)."""
    return [
        StoreSpec(
            SCHEME,
            MemoryStore.open,
            "in-process memory: memory:// is private, memory://name is shared by name",
        )
    ]

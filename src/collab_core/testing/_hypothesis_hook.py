"""The ``hypothesis`` entry point: it tells Hypothesis which collab_core types have strategies,
and imports :mod:`collab_core.testing.strategies` only when ``st.from_type`` first needs one.

Hypothesis runs entry points whenever it is imported, in every project of the environment, so
this stays cheap and never lets an error escape into someone else's ``import hypothesis``.
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from collections.abc import Iterator
from typing import Any

import attrs


def _types() -> Iterator[type[Any]]:
    """Every attrs class the domain and the ports export."""
    import collab_core.domain  # noqa: PLC0415 - imported when Hypothesis asks, not before
    from collab_core import ports  # noqa: PLC0415

    modules = [collab_core.domain, ports]
    for info in pkgutil.walk_packages(collab_core.domain.__path__, "collab_core.domain."):
        modules.append(importlib.import_module(info.name))
    seen: set[type[Any]] = set()
    for module in modules:
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name, None)
            if isinstance(value, type) and attrs.has(value) and value not in seen:
                seen.add(value)
                yield value


def _resolve(thing: Any) -> Any:
    from collab_core.testing import strategies  # noqa: PLC0415 - the whole point: only on use

    try:
        return strategies.for_type(thing)
    except LookupError:
        return NotImplemented  # Hypothesis then resolves the type its own way


def _hypothesis_setup_hook() -> None:
    """Register a lazy strategy for every collab_core type (called by Hypothesis on import)."""
    try:
        from hypothesis import strategies as st  # noqa: PLC0415

        for cls in _types():
            st.register_type_strategy(cls, _resolve)
    except Exception as exc:
        warnings.warn(
            f"collab_core could not register its Hypothesis strategies: {exc!r}",
            RuntimeWarning,
            stacklevel=2,
        )

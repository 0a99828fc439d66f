"""Every domain type round-trips through payloads and JSON text, and every attrs class the
domain exports has a strategy: a new type without one fails here."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import collab_core.domain
from collab_core import from_json, from_payload, structure, to_json, to_payload, unstructure
from collab_core.ports import DeliveryReceipt, OutboxEntry, Publication, Versioned
from collab_core.testing.strategies import STRATEGIES, for_type


def _exported_attrs_classes() -> list[type[Any]]:
    """The attrs classes in ``collab_core.domain.__all__`` and in each domain module's."""
    modules = [collab_core.domain]
    prefix = f"{collab_core.domain.__name__}."
    for info in pkgutil.walk_packages(collab_core.domain.__path__, prefix):
        modules.append(importlib.import_module(info.name))
    found: dict[str, type[Any]] = {}
    for module in modules:
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if isinstance(value, type) and attrs.has(value):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[k] for k in sorted(found)]


DOMAIN_TYPES = _exported_attrs_classes()
PORT_TYPES = [Versioned, Publication, OutboxEntry, DeliveryReceipt]
TYPES = DOMAIN_TYPES + PORT_TYPES


def test_the_walk_finds_the_domain_types() -> None:
    names = {cls.__name__ for cls in DOMAIN_TYPES}
    assert {"Death", "LearningItem", "CandourCase", "OdsCode", "LfdQuery"} <= names


def test_every_exported_attrs_class_has_a_strategy() -> None:
    missing = [cls.__qualname__ for cls in TYPES if cls not in STRATEGIES]
    assert not missing, f"add a strategy to collab_core.testing.strategies for {missing}"


@pytest.mark.parametrize("cls", TYPES, ids=lambda c: c.__name__)
@settings(max_examples=20)
@given(data=st.data())
def test_every_type_round_trips_through_payloads_and_json(
    cls: type[Any], data: st.DataObject
) -> None:
    obj = data.draw(for_type(cls), label=cls.__name__)
    assert from_payload(type(obj), to_payload(obj)) == obj
    text = to_json(obj)
    back = from_json(None, text)
    assert back == obj
    # Equal objects give identical text, so stores may compare or hash payloads.
    assert to_json(back) == text
    assert structure(type(obj), unstructure(obj)) == obj

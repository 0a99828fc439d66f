"""Payloads: the one private cattrs converter that turns domain objects into plain JSON data and
back, the versioned envelope every stored or sent object travels in, and the upcasters that bring
old payloads up to date. Errors come out as :class:`~collab_core.PayloadError`, one
``message @ $.path`` line per problem.

An envelope looks like ``{"type": "death", "schema_version": 1, "data": {...}}``. Nothing here
touches files, sockets or databases: adapters decide where the text goes.
"""

from collab_core.serialization._envelope import (
    ObjectData,
    from_json,
    from_payload,
    structure,
    to_json,
    to_payload,
    unstructure,
)
from collab_core.serialization._registry import (
    PayloadType,
    Upcaster,
    payload_type,
    register_type,
    registered_types,
)

__all__ = [
    "ObjectData",
    "PayloadType",
    "Upcaster",
    "from_json",
    "from_payload",
    "payload_type",
    "register_type",
    "registered_types",
    "structure",
    "to_json",
    "to_payload",
    "unstructure",
]

"""The keys of imported records, derived from who owns the source and the source's own
reference, so that importing the same export twice files every row under the same key.

A record's key is the name-based UUID (version 5, RFC 9562) of the text
``"<owner>/<kind>/<reference>"`` in the namespace :data:`IMPORT_NAMESPACE`:

- ``owner`` is the ODS code of the record's trust (deaths, reviews, learning items, sharing
  events, candour cases), or the import's owner for members and assessments (the trust's code,
  or ``collaborative``);
- ``kind`` is the record kind (``death``, ``review``...);
- ``reference`` is the source's reference, stripped and in upper case (``w12345`` and
  ``W12345`` are the same incident), as :class:`~collab_core.CaseReference` keeps it.

An action inside a learning item is keyed by ``"<owner>/learning_item/<item>/action/<ref>"``.
Anyone can recompute a key, e.g. ``uuid.uuid5(IMPORT_NAMESPACE, "RX2/death/W12345")``.

Name-based keys are not time-ordered like :func:`~collab_core.new_id`'s UUIDv7, so imported
rows land at random places in a store's key index; the key must not depend on anything a
corrected export may change (a date of death, say), and only the reference is stable.
"""

from __future__ import annotations

import uuid

__all__ = ["IMPORT_NAMESPACE", "child_key", "import_key", "normalise_reference"]

#: ``uuid5(NAMESPACE_URL, "https://collab-core.readthedocs.io/importing/keys")``.
IMPORT_NAMESPACE = uuid.UUID("4bced76d-e45d-50fe-8fff-ea9ed58951e9")


def normalise_reference(reference: str) -> str:
    """A source reference as keys use it: stripped of surrounding spaces, in upper case."""
    return reference.strip().upper()


def import_key(owner: str, kind: str, reference: str) -> uuid.UUID:
    """The key of the ``kind`` record that ``owner``'s source calls ``reference``."""
    name = f"{owner.strip().upper()}/{kind}/{normalise_reference(reference)}"
    return uuid.uuid5(IMPORT_NAMESPACE, name)


def child_key(owner: str, parent_kind: str, parent: str, reference: str) -> uuid.UUID:
    """The key of a record held inside another (an action inside a learning item)."""
    name = (
        f"{owner.strip().upper()}/{parent_kind}/{normalise_reference(parent)}/"
        f"action/{normalise_reference(reference)}"
    )
    return uuid.uuid5(IMPORT_NAMESPACE, name)

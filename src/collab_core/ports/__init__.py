"""The ports: typed Protocols that storage and publishing adapters implement, and the small
records they exchange with the core. Nothing here does I/O itself.

A :class:`Store` holds every kind of record in :data:`RECORD_SPECS`, each under a key and a
version. Writes go through a :class:`UnitOfWork` that commits all or nothing; a write that names
a stale version is refused with :class:`~collab_core.ConcurrencyError`. Reads stream in batches.
A store may declare optional :class:`Capability` flags, such as native aggregation.
"""

from collab_core.domain.facts import (
    CapabilityFact,
    CapabilityQuery,
    LfdFact,
    LfdQuery,
    SharingQuery,
    capability_facts,
    lfd_facts,
    sharing_trusts,
)
from collab_core.ports.measures import MeasureSpec
from collab_core.ports.publications import (
    DeliveryReceipt,
    OutboxEntry,
    OutboxStatus,
    Publication,
    PublicationBody,
    outbox_key,
)
from collab_core.ports.publisher import Publisher, PublisherSpec
from collab_core.ports.records import (
    RECORD_SPECS,
    Record,
    RecordSpec,
    Versioned,
    key_text,
    record_key,
    spec_for,
)
from collab_core.ports.records import (
    R as R,  # the record type variable, for stores and the service
)
from collab_core.ports.store import (
    Capability,
    NativeCapabilityFacts,
    OnCorrupt,
    Store,
    StoreSpec,
    StoreUpgrade,
    UnitOfWork,
)
from collab_core.ports.urls import redact_url, scrub_url_secrets

__all__ = [
    "RECORD_SPECS",
    "Capability",
    "CapabilityFact",
    "CapabilityQuery",
    "DeliveryReceipt",
    "LfdFact",
    "LfdQuery",
    "MeasureSpec",
    "NativeCapabilityFacts",
    "OnCorrupt",
    "OutboxEntry",
    "OutboxStatus",
    "Publication",
    "PublicationBody",
    "Publisher",
    "PublisherSpec",
    "Record",
    "RecordSpec",
    "SharingQuery",
    "Store",
    "StoreSpec",
    "StoreUpgrade",
    "UnitOfWork",
    "Versioned",
    "capability_facts",
    "key_text",
    "lfd_facts",
    "outbox_key",
    "record_key",
    "redact_url",
    "scrub_url_secrets",
    "sharing_trusts",
    "spec_for",
]

"""collab_core: the domain library of the South of England Mental Health Quality & Patient Safety
Collaborative, for sharing the learning from deaths and building QI capability.

This module only re-exports the public API; nothing else lives here.
"""

from collab_core.domain import *  # noqa: F403 - the domain's public names are the package's
from collab_core.domain import __all__ as _domain_all
from collab_core.plugins.hookspecs import hookimpl, hookspec
from collab_core.plugins.memory import MemoryStore
from collab_core.ports import PublicationBody
from collab_core.publications import (
    ActionsLine,
    AssuranceBody,
    BulletinAction,
    BulletinImpact,
    BulletinItem,
    BulletinTheme,
    BulletinTrust,
    CandourLine,
    CapabilityStatus,
    CapabilityStep,
    ChartKind,
    ChartPoint,
    CoverageStatus,
    CoverageStep,
    DashboardCell,
    DashboardLearning,
    DashboardLookBack,
    DashboardRow,
    HeadlineTargetsBody,
    LearningBulletinBody,
    LfdDashboardBody,
    MeasureChartBody,
    PublicationKind,
    PublicationRequest,
    PublicationSource,
    render_measure_chart,
)
from collab_core.serialization import (
    PayloadType,
    from_json,
    from_payload,
    payload_type,
    register_type,
    registered_types,
    structure,
    to_json,
    to_payload,
    unstructure,
)
from collab_core.service import Collaborative, DeliveryReport, RetryPolicy
from collab_core.sharing import (
    DEFAULT_AUDIENCES,
    AudienceSpec,
    Preview,
    PrivacyGate,
    PrivacyRule,
    scrub_error_text,
)

__all__ = [
    "DEFAULT_AUDIENCES",
    "ActionsLine",
    "AssuranceBody",
    "AudienceSpec",
    "BulletinAction",
    "BulletinImpact",
    "BulletinItem",
    "BulletinTheme",
    "BulletinTrust",
    "CandourLine",
    "CapabilityStatus",
    "CapabilityStep",
    "ChartKind",
    "ChartPoint",
    "Collaborative",
    "CoverageStatus",
    "CoverageStep",
    "DashboardCell",
    "DashboardLearning",
    "DashboardLookBack",
    "DashboardRow",
    "DeliveryReport",
    "HeadlineTargetsBody",
    "LearningBulletinBody",
    "LfdDashboardBody",
    "MeasureChartBody",
    "MemoryStore",
    "PayloadType",
    "Preview",
    "PrivacyGate",
    "PrivacyRule",
    "PublicationBody",
    "PublicationKind",
    "PublicationRequest",
    "PublicationSource",
    "RetryPolicy",
    "from_json",
    "from_payload",
    "hookimpl",
    "hookspec",
    "payload_type",
    "register_type",
    "registered_types",
    "render_measure_chart",
    "scrub_error_text",
    "structure",
    "to_json",
    "to_payload",
    "unstructure",
]
__all__.extend(_domain_all)

__version__ = "0.1.0"

"""Publications built from a collaborative's store: the kinds (a builder each), their typed
bodies, and the built-in kinds (learning bulletin, Learning from Deaths dashboard, headline
targets, a measure's chart, assurance).

:class:`~collab_core.service.Collaborative` is a thin facade over this package: it finds a
kind by name, builds it for an audience and a period, and passes the result through the
privacy gate (:mod:`collab_core.sharing`).
"""

from collab_core.publications.assurance import build_assurance
from collab_core.publications.bodies import (
    BODY_TYPES,
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
)
from collab_core.publications.builtin import BUILTIN_KINDS
from collab_core.publications.bulletin import build_learning_bulletin
from collab_core.publications.dashboard import build_lfd_dashboard
from collab_core.publications.headline import CAPABILITY_BASELINE_ON, build_headline_targets
from collab_core.publications.kinds import (
    PublicationBuilder,
    PublicationKind,
    PublicationRequest,
    PublicationSource,
)
from collab_core.publications.measure_chart import (
    DEFAULT_POINTS,
    build_measure_chart,
    render_measure_chart,
)

__all__ = [
    "BODY_TYPES",
    "BUILTIN_KINDS",
    "CAPABILITY_BASELINE_ON",
    "DEFAULT_POINTS",
    "ActionsLine",
    "AssuranceBody",
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
    "CoverageStatus",
    "CoverageStep",
    "DashboardCell",
    "DashboardLearning",
    "DashboardLookBack",
    "DashboardRow",
    "HeadlineTargetsBody",
    "LearningBulletinBody",
    "LfdDashboardBody",
    "MeasureChartBody",
    "PublicationBuilder",
    "PublicationKind",
    "PublicationRequest",
    "PublicationSource",
    "build_assurance",
    "build_headline_targets",
    "build_learning_bulletin",
    "build_lfd_dashboard",
    "build_measure_chart",
    "render_measure_chart",
]

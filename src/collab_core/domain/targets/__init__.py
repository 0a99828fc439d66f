"""The collaborative's targets and headline figures: sharing coverage (the 100% target),
capability growth (+30% by March 2019), the Learning from Deaths dashboard (Quality Account items
27.1-27.3 and 27.7-27.9), Duty of Candour compliance, overdue actions, and the generic
:class:`Target` that every growth or reduction target shares.

Every calculation streams over iterables of records. Counts are ``int`` and proportions are
:class:`fractions.Fraction`; a figure is rounded only when it is presented (``percent()``).
Memory grows with trusts x periods (and, for capability, with members x subject areas), never
with the number of deaths, reviews or sharing events.

One module per figure: :mod:`~collab_core.domain.targets.generic` (the generic target),
:mod:`~collab_core.domain.targets.coverage`, :mod:`~collab_core.domain.targets.capability`,
:mod:`~collab_core.domain.targets.dashboard`, :mod:`~collab_core.domain.targets.lookback`,
:mod:`~collab_core.domain.targets.candour`, :mod:`~collab_core.domain.targets.actions`, and
:mod:`~collab_core.domain.targets.periods`; every name is importable from this package.
"""

from collab_core.domain.targets._numbers import as_percent
from collab_core.domain.targets.actions import (
    ActionsRow,
    OverdueAction,
    OverdueActions,
    overdue_actions,
)
from collab_core.domain.targets.candour import CandourCompliance, CandourRow, candour_compliance
from collab_core.domain.targets.capability import (
    CAPABILITY_DEADLINE,
    CAPABILITY_GROWTH,
    CAPABILITY_MEASURE,
    CapabilityCensus,
    CapabilityGrowth,
    KindCount,
    LevelCount,
    TrustCount,
    capability_census,
    capability_census_of,
    capability_growth,
    capability_target,
    growth_goal,
)
from collab_core.domain.targets.coverage import SharingCoverage, sharing_coverage, sharing_query
from collab_core.domain.targets.dashboard import (
    LfdBlock,
    LfdCounts,
    LfdDashboard,
    LfdRow,
    lfd_dashboard,
    lfd_dashboard_query,
)
from collab_core.domain.targets.generic import (
    Direction,
    Measure,
    Target,
    TargetProgress,
    TrajectoryPoint,
)
from collab_core.domain.targets.lookback import (
    LfdLookBack,
    LfdLookBackRow,
    lfd_look_back,
    lfd_look_back_queries,
)
from collab_core.domain.targets.periods import ReportingPeriod

__all__ = [
    "CAPABILITY_DEADLINE",
    "CAPABILITY_GROWTH",
    "CAPABILITY_MEASURE",
    "ActionsRow",
    "CandourCompliance",
    "CandourRow",
    "CapabilityCensus",
    "CapabilityGrowth",
    "Direction",
    "KindCount",
    "LevelCount",
    "LfdBlock",
    "LfdCounts",
    "LfdDashboard",
    "LfdLookBack",
    "LfdLookBackRow",
    "LfdRow",
    "Measure",
    "OverdueAction",
    "OverdueActions",
    "ReportingPeriod",
    "SharingCoverage",
    "Target",
    "TargetProgress",
    "TrajectoryPoint",
    "TrustCount",
    "as_percent",
    "candour_compliance",
    "capability_census",
    "capability_census_of",
    "capability_growth",
    "capability_target",
    "growth_goal",
    "lfd_dashboard",
    "lfd_dashboard_query",
    "lfd_look_back",
    "lfd_look_back_queries",
    "overdue_actions",
    "sharing_coverage",
    "sharing_query",
]

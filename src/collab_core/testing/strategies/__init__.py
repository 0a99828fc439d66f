"""Hypothesis strategies for every collab_core domain type, and for a whole consistent
collaborative (:func:`collaboratives`), so that trust developers can property-test their
calculations against valid data.

Every strategy builds objects through their constructors and step methods, so it makes only
objects the domain accepts, and it shrinks towards short text, early dates and few records.
``st.from_type(LearningItem)`` finds these through the ``hypothesis`` entry point without
importing this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import strategies as st

from collab_core.domain.calendar import FinancialYear, Month, Quarter
from collab_core.domain.candour import (
    CandourCase,
    CandourPolicy,
    ContactAttempt,
)
from collab_core.domain.capability import (
    Assessment,
    Framework,
    JourneyStep,
    LearningJourney,
    Level,
    SubjectArea,
)
from collab_core.domain.deaths import (
    Death,
    Review,
    ReviewScale,
    ScaleRegistry,
    Score,
)
from collab_core.domain.facts import LfdFact, LfdQuery, SharingQuery
from collab_core.domain.identifiers import (
    CaseReference,
    OdsCode,
    SiteCode,
)
from collab_core.domain.improvement import Concern, PdsaCycle
from collab_core.domain.learning import (
    Action,
    FamilyInvolvement,
    FamilyQuestion,
    ImpactAssessment,
    LearningItem,
    SharingEvent,
)
from collab_core.domain.measures import (
    AnhojAnalysis,
    AttributePhase,
    AttributePoint,
    AttributeResult,
    FunnelLimits,
    FunnelResult,
    FunnelUnit,
    IhiAnalysis,
    IhiOptions,
    PointSpan,
    RunChartPoint,
    RunChartResult,
    SpcOptions,
    XmrPhase,
    XmrPoint,
    XmrResult,
)
from collab_core.domain.organisations import ScopePolicy, Site, Trust
from collab_core.domain.people import Member
from collab_core.domain.targets import (
    ActionsRow,
    CandourCompliance,
    CandourRow,
    CapabilityCensus,
    CapabilityGrowth,
    KindCount,
    LevelCount,
    LfdCounts,
    LfdDashboard,
    LfdLookBack,
    LfdLookBackRow,
    LfdRow,
    Measure,
    OverdueAction,
    OverdueActions,
    SharingCoverage,
    Target,
    TargetProgress,
    TrajectoryPoint,
    TrustCount,
)
from collab_core.domain.themes import Theme, ThemeTaxonomy
from collab_core.ports import (
    DeliveryReceipt,
    OutboxEntry,
    Publication,
    Versioned,
)
from collab_core.testing.strategies._base import (
    FIRST_DAY,
    LAST_DAY,
    NhsLayout,
    aware_datetimes,
    case_references,
    days,
    financial_years,
    free_text,
    months,
    nhs_numbers,
    ods_codes,
    quarters,
    site_codes,
)
from collab_core.testing.strategies._collaborative import (
    CollaborativeRecords,
    collaboratives,
)
from collab_core.testing.strategies._domain import (
    actions,
    assessments,
    candour_cases,
    candour_policies,
    concerns,
    contact_attempts,
    deaths,
    family_involvements,
    family_questions,
    frameworks,
    impact_assessments,
    journey_steps,
    learning_items,
    learning_journeys,
    levels,
    lfd_facts,
    lfd_queries,
    members,
    pdsa_cycles,
    review_scales,
    reviews,
    scale_registries,
    scope_policies,
    scores,
    sharing_events,
    sharing_queries,
    sites,
    subject_areas,
    theme_codes,
    theme_taxonomies,
    themes,
    trusts,
)
from collab_core.testing.strategies._measures import (
    anhoej_analyses,
    attribute_phases,
    attribute_points,
    attribute_results,
    funnel_limits,
    funnel_results,
    funnel_units,
    ihi_analyses,
    ihi_options,
    measure_values,
    point_spans,
    run_chart_points,
    run_chart_results,
    spc_options,
    xmr_phases,
    xmr_points,
    xmr_results,
)
from collab_core.testing.strategies._ports import (
    delivery_receipts,
    outbox_entries,
    publications,
    versioned,
)
from collab_core.testing.strategies._targets import (
    actions_rows,
    candour_compliances,
    candour_rows,
    capability_censuses,
    capability_growths,
    kind_counts,
    level_counts,
    lfd_counts,
    lfd_dashboards,
    lfd_look_back_rows,
    lfd_look_backs,
    lfd_rows,
    measures,
    overdue_action_reports,
    overdue_actions,
    sharing_coverages,
    target_progresses,
    targets,
    trajectory_points,
    trust_counts,
)

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "STRATEGIES",
    "CollaborativeRecords",
    "NhsLayout",
    "actions",
    "actions_rows",
    "anhoej_analyses",
    "assessments",
    "attribute_phases",
    "attribute_points",
    "attribute_results",
    "aware_datetimes",
    "candour_cases",
    "candour_compliances",
    "candour_policies",
    "candour_rows",
    "capability_censuses",
    "capability_growths",
    "case_references",
    "collaboratives",
    "concerns",
    "contact_attempts",
    "days",
    "deaths",
    "delivery_receipts",
    "family_involvements",
    "family_questions",
    "financial_years",
    "for_type",
    "frameworks",
    "free_text",
    "funnel_limits",
    "funnel_results",
    "funnel_units",
    "ihi_analyses",
    "ihi_options",
    "impact_assessments",
    "journey_steps",
    "kind_counts",
    "learning_items",
    "learning_journeys",
    "level_counts",
    "levels",
    "lfd_counts",
    "lfd_dashboards",
    "lfd_facts",
    "lfd_look_back_rows",
    "lfd_look_backs",
    "lfd_queries",
    "lfd_rows",
    "measure_values",
    "measures",
    "members",
    "months",
    "nhs_numbers",
    "ods_codes",
    "outbox_entries",
    "overdue_action_reports",
    "overdue_actions",
    "pdsa_cycles",
    "point_spans",
    "publications",
    "quarters",
    "review_scales",
    "reviews",
    "run_chart_points",
    "run_chart_results",
    "scale_registries",
    "scope_policies",
    "scores",
    "sharing_coverages",
    "sharing_events",
    "sharing_queries",
    "site_codes",
    "sites",
    "spc_options",
    "subject_areas",
    "target_progresses",
    "targets",
    "theme_codes",
    "theme_taxonomies",
    "themes",
    "trajectory_points",
    "trust_counts",
    "trusts",
    "versioned",
    "xmr_phases",
    "xmr_points",
    "xmr_results",
]

# --------------------------------------------------------------------------------------------
# Strategies by type, and their registration with Hypothesis.
# --------------------------------------------------------------------------------------------


STRATEGIES: Mapping[type[Any], Callable[[], st.SearchStrategy[Any]]] = {
    OdsCode: ods_codes,
    SiteCode: site_codes,
    CaseReference: case_references,
    FinancialYear: financial_years,
    Quarter: quarters,
    Month: months,
    ScopePolicy: scope_policies,
    Trust: trusts,
    Site: sites,
    Member: members,
    ReviewScale: review_scales,
    ScaleRegistry: scale_registries,
    Score: scores,
    Death: deaths,
    Review: reviews,
    ImpactAssessment: impact_assessments,
    Action: actions,
    LearningItem: learning_items,
    SharingEvent: sharing_events,
    FamilyQuestion: family_questions,
    FamilyInvolvement: family_involvements,
    ContactAttempt: contact_attempts,
    CandourPolicy: candour_policies,
    CandourCase: candour_cases,
    SubjectArea: subject_areas,
    Framework: frameworks,
    Level: levels,
    Assessment: assessments,
    JourneyStep: journey_steps,
    LearningJourney: learning_journeys,
    PdsaCycle: pdsa_cycles,
    Concern: concerns,
    Theme: themes,
    ThemeTaxonomy: theme_taxonomies,
    LfdQuery: lfd_queries,
    LfdFact: lfd_facts,
    SharingQuery: sharing_queries,
    Publication: publications,
    OutboxEntry: outbox_entries,
    DeliveryReceipt: delivery_receipts,
    Versioned: versioned,
    AnhojAnalysis: anhoej_analyses,
    AttributePhase: attribute_phases,
    AttributePoint: attribute_points,
    AttributeResult: attribute_results,
    FunnelLimits: funnel_limits,
    FunnelResult: funnel_results,
    FunnelUnit: funnel_units,
    IhiAnalysis: ihi_analyses,
    IhiOptions: ihi_options,
    PointSpan: point_spans,
    RunChartPoint: run_chart_points,
    RunChartResult: run_chart_results,
    SpcOptions: spc_options,
    XmrPhase: xmr_phases,
    XmrPoint: xmr_points,
    XmrResult: xmr_results,
    ActionsRow: actions_rows,
    CandourCompliance: candour_compliances,
    CandourRow: candour_rows,
    CapabilityCensus: capability_censuses,
    CapabilityGrowth: capability_growths,
    KindCount: kind_counts,
    LevelCount: level_counts,
    LfdCounts: lfd_counts,
    LfdDashboard: lfd_dashboards,
    LfdLookBack: lfd_look_backs,
    LfdLookBackRow: lfd_look_back_rows,
    LfdRow: lfd_rows,
    Measure: measures,
    OverdueAction: overdue_actions,
    OverdueActions: overdue_action_reports,
    SharingCoverage: sharing_coverages,
    Target: targets,
    TargetProgress: target_progresses,
    TrajectoryPoint: trajectory_points,
    TrustCount: trust_counts,
    CollaborativeRecords: collaboratives,
}
"""The strategy of every type, by type: what ``st.from_type`` resolves to."""


def for_type(cls: Any) -> st.SearchStrategy[Any]:
    """The strategy for ``cls`` (``Versioned[Death]`` is understood), as registered with
    Hypothesis; raises ``LookupError`` for a type collab_core has no strategy for."""
    origin = getattr(cls, "__origin__", None) or cls
    if origin is Versioned and getattr(cls, "__args__", None):
        (record_type,) = cls.__args__
        return versioned(st.from_type(record_type))
    make = STRATEGIES.get(origin)
    if make is None:
        raise LookupError(f"collab_core has no strategy for {cls!r}")
    return make()


def _hypothesis_setup_hook() -> None:
    """Register every type's strategy with Hypothesis right away (``from_type`` then finds them).

    The ``hypothesis`` entry point uses the lazy :mod:`collab_core.testing._hypothesis_hook`
    instead, so that importing Hypothesis does not import this module; call this to register
    eagerly, e.g. where entry points are disabled.
    """
    for cls in STRATEGIES:
        st.register_type_strategy(cls, for_type)


# Importing this module registers every strategy at once, for environments where Hypothesis's
# entry points are turned off (HYPOTHESIS_NO_PLUGINS) or collab-core is not installed.
_hypothesis_setup_hook()

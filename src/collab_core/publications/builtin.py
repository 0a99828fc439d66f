"""The built-in publication kinds, which the built-in plugin registers (``trylast``) like any
plugin's: the learning bulletin, the Learning from Deaths dashboard, the headline targets, a
measure's chart, and assurance (Duty of Candour and overdue actions).
"""

from __future__ import annotations

from collab_core.publications.assurance import build_assurance
from collab_core.publications.bulletin import build_learning_bulletin
from collab_core.publications.dashboard import build_lfd_dashboard
from collab_core.publications.headline import build_headline_targets
from collab_core.publications.kinds import PublicationKind
from collab_core.publications.measure_chart import build_measure_chart

__all__ = ["BUILTIN_KINDS"]

BUILTIN_KINDS: tuple[PublicationKind, ...] = (
    PublicationKind(
        "learning_bulletin",
        "Learning bulletin",
        build_learning_bulletin,
        ("trust",),
        "the learning shared with an audience in a period, with its themes and actions",
    ),
    PublicationKind(
        "lfd_dashboard",
        "Learning from Deaths dashboard",
        build_lfd_dashboard,
        ("trust", "scales"),
        "Quality Account items 27.1-27.9 for one trust or the collaborative",
    ),
    PublicationKind(
        "headline_targets",
        "Headline targets",
        build_headline_targets,
        ("coverage_audience", "baseline_on", "deadline", "growth", "goal"),
        "sharing coverage and capability growth against their goals, with trajectory",
    ),
    PublicationKind(
        "measure_chart",
        "Measure",
        build_measure_chart,
        ("measure", "chart", "by", "points", "improvement", "target", "people"),
        "a registered measure on a run chart or an XmR chart: points, limits, labels, icons",
    ),
    PublicationKind(
        "assurance",
        "Assurance",
        build_assurance,
        ("trust",),
        "Duty of Candour compliance and overdue actions, per trust and for every trust together",
    ),
)

"""Disclosure control, pure: counts of people and the policies that suppress and round them
(NHS Digital's by default), dates coarsened to a month or a quarter, the finders of identifying
text (postcodes, e-mail addresses, telephone numbers, exact dates, deny-listed names), the walk
over a serialised payload, and the findings that name where something sits but never what.

The privacy gate (:mod:`collab_core.sharing`) puts these together for an audience.
"""

from collab_core.domain.disclosure.control import apply_disclosure, counts_in
from collab_core.domain.disclosure.counts import (
    EXACT_FIGURES,
    NHS_DIGITAL,
    SUPPRESSED_MARK,
    Count,
    CountPolicy,
    Disclosure,
    Figure,
    PercentBasis,
    Share,
    SmallNumbers,
    control_count,
    control_figure,
    control_share,
    round_to,
)
from collab_core.domain.disclosure.dates import Dated, DatePrecision, coarsen
from collab_core.domain.disclosure.findings import (
    TITLE_FIELD,
    PrivacyFinding,
    TextLeaf,
    key_path,
    value_path,
    walk_text,
)
from collab_core.domain.disclosure.text import (
    MASK,
    Span,
    find_dates,
    find_emails,
    find_names,
    find_pattern,
    find_phone_numbers,
    find_postcodes,
    mask,
    merge_spans,
)

__all__ = [
    "EXACT_FIGURES",
    "MASK",
    "NHS_DIGITAL",
    "SUPPRESSED_MARK",
    "TITLE_FIELD",
    "Count",
    "CountPolicy",
    "DatePrecision",
    "Dated",
    "Disclosure",
    "Figure",
    "PercentBasis",
    "PrivacyFinding",
    "Share",
    "SmallNumbers",
    "Span",
    "TextLeaf",
    "apply_disclosure",
    "coarsen",
    "control_count",
    "control_figure",
    "control_share",
    "counts_in",
    "find_dates",
    "find_emails",
    "find_names",
    "find_pattern",
    "find_phone_numbers",
    "find_postcodes",
    "key_path",
    "mask",
    "merge_spans",
    "round_to",
    "value_path",
    "walk_text",
]

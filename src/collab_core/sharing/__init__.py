"""The privacy gate: every publication passes it, for its audience, before an outbox or a
publisher sees it.

The gate controls what may be shown (counts suppressed and rounded, dates coarsened, by the
audience's policy) and then scans every string of the serialised title and body: NHS numbers,
UK postcodes, e-mail addresses, UK telephone numbers, exact dates (for the audiences outside the
trust), deny-listed names, and each trust's own rules. Anything found refuses the publication
with a :class:`~collab_core.PrivacyError` that names the field, the rule and the position, never
the text. :meth:`PrivacyGate.preview` shows the same findings with each span masked.

The rules of the domain live in :mod:`collab_core.domain.disclosure`; plugins add audiences,
deny-lists and trust rules through hooks (see docs/plugin_hooks.md).
"""

from collab_core.sharing.gate import Preview, PrivacyGate
from collab_core.sharing.rules import (
    DEFAULT_AUDIENCES,
    AudienceSpec,
    DenyLists,
    PrivacyRule,
    RuleSource,
)
from collab_core.sharing.scrub import check_outbox_floor, scrub_error_text

__all__ = [
    "DEFAULT_AUDIENCES",
    "AudienceSpec",
    "DenyLists",
    "Preview",
    "PrivacyGate",
    "PrivacyRule",
    "RuleSource",
    "check_outbox_floor",
    "scrub_error_text",
]

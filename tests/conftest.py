"""Shared test configuration: Hypothesis profiles.

``CI=true`` selects the thorough ``ci`` profile; ``COLLAB_HYPOTHESIS_PROFILE`` (or Hypothesis's
own ``HYPOTHESIS_PROFILE``) names one outright. ``slow`` runs 2,000 examples of every property
that does not pin its own count: run it on chosen files, e.g. the privacy fuzz::

    COLLAB_HYPOTHESIS_PROFILE=slow nox -s tests -- tests/properties/test_privacy_fuzz.py -q
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "slow",
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(
    os.environ.get("COLLAB_HYPOTHESIS_PROFILE")
    or os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)

"""Tools for people who test collab_core or build on it: Hypothesis strategies for every domain
type (:mod:`collab_core.testing.strategies`) and the store conformance kit
(:mod:`collab_core.testing.conformance`). Importing this package needs ``collab-core[testing]``.
"""

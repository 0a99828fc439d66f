"""Hypothesis strategies for collab_core's domain types."""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Called by Hypothesis through the ``hypothesis`` entry point to register type strategies."""

"""The ``collab`` command: configuration in ``collab.toml``, one module per command group, each
thin over the public API (:mod:`collab_core`, :mod:`collab_core.importing`).

Run ``collab --help``; ``python -m collab_core.cli`` is the same command.
"""

from collab_core.cli import imports, reports, setup, sharing
from collab_core.cli.app import app, main

__all__ = ["app", "imports", "main", "reports", "setup", "sharing"]

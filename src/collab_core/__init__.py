"""collab_core: the domain library of the South of England Mental Health Quality & Patient Safety
Collaborative, for sharing the learning from deaths and building QI capability.

This module only re-exports the public API; nothing else lives here.
"""

from collab_core.domain import *  # noqa: F403 - the domain's public names are the package's
from collab_core.domain import __all__ as __all__

__version__ = "0.1.0"

"""``python -m collab_core.cli``: the ``collab`` command."""

from collab_core.cli import main

raise SystemExit(main())

"""Sphinx configuration for the collab_core documentation (furo theme, MyST Markdown)."""

from __future__ import annotations

import collab_core

project = "collab_core"
author = "collab_core developers"
copyright = "2026, collab_core developers"
release = collab_core.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

html_theme = "furo"
html_title = "collab_core"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

# No intersphinx: the docs build offline, with warnings as errors.
nitpicky = False
suppress_warnings = ["myst.header"]

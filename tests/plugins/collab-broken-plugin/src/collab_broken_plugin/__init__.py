"""A plugin whose import fails, as one with a missing dependency would."""

raise ImportError("collab_broken_plugin needs a module that is not installed (on purpose)")

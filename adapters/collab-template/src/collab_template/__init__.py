"""collab-template: the starting point of a trust's own collab_core adapter."""

from collab_template.publisher import FolderPublisher
from collab_template.store import TemplateStore

__all__ = ["FolderPublisher", "TemplateStore"]

"""collab-site: a static site of a collaborative's publications in the NHS.UK look."""

from collab_site.publisher import SitePublisher

__all__ = ["SitePublisher"]

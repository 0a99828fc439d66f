"""collab-site: a static site of a collaborative's publications in the NHS.UK look."""

from collab_site.publisher import SitePublisher
from collab_site.standalone import publication_html

__all__ = ["SitePublisher", "publication_html"]

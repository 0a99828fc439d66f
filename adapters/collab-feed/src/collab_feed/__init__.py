"""collab-feed: a collab_core publisher writing an Atom feed of the learning shared with an
audience, one entry per learning item."""

from collab_feed.publisher import FeedPublisher, entry_id, xml_text

__all__ = ["FeedPublisher", "entry_id", "xml_text"]

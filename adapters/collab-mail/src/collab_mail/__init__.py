"""collab-mail: a collab_core publisher sending each publication (the learning bulletin above
all) as an e-mail with an HTML and a plain-text part, over SMTP with STARTTLS."""

from collab_mail.message import build_message
from collab_mail.publisher import MailPublisher, MailSettings

__all__ = ["MailPublisher", "MailSettings", "build_message"]

"""The mail plugin: registers the ``mail`` publisher with collab_core through the
``collab_core`` entry point in pyproject.toml."""

from __future__ import annotations

from collab_core import hookimpl
from collab_core.ports import PublisherSpec
from collab_mail.publisher import MailPublisher


@hookimpl
def collab_register_publishers() -> list[PublisherSpec]:
    return [
        PublisherSpec(
            "mail", MailPublisher.from_settings, "Each publication by e-mail, over SMTP+STARTTLS"
        )
    ]

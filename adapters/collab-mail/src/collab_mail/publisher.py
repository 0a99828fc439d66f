"""The mail publisher: sends each publication as an e-mail over SMTP, upgraded to TLS with
STARTTLS and authenticated when a user is set.

An e-mail cannot be taken back, so the publisher is not idempotent: after a crash between
sending and the outbox recording the delivery, the message may be sent once more (the outbox's
at-most-once-more rule).
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

import attrs

from collab_core import ConfigurationError
from collab_core.ports import DeliveryReceipt, Publication
from collab_mail.message import build_message

__all__ = ["MailPublisher", "MailSettings"]

_KNOWN = (
    "host",
    "port",
    "sender",
    "sender_name",
    "recipients",
    "username",
    "password_env",
    "starttls",
    "cafile",
    "timeout",
)


def _address(setting: str, value: object) -> Address:
    if not isinstance(value, str) or value.count("@") != 1:
        raise ConfigurationError(f"{setting}: must be an e-mail address like name@example.nhs.uk")
    user, domain = value.strip().split("@")
    if not user or not domain:
        raise ConfigurationError(f"{setting}: must be an e-mail address like name@example.nhs.uk")
    return Address(addr_spec=f"{user}@{domain}")


@attrs.frozen
class MailSettings:
    """Where and how the mail publisher sends.

    :param host: the SMTP server.
    :param port: its submission port (587).
    :param sender: the address messages come from (a team's mailbox, never a person's name).
    :param recipients: the addresses (a distribution list) they go to.
    :param username: the user to log in as (``None``: no authentication).
    :param password: the password, read from the environment variable named by the
        ``password_env`` setting (never written in a settings file).
    :param starttls: upgrade the connection with STARTTLS before logging in (the default; a
        login without it is refused).
    :param cafile: a file of certificate authorities to trust instead of the system's.
    :param timeout: seconds to wait for the server.
    """

    host: str
    sender: Address
    recipients: tuple[Address, ...]
    port: int = 587
    sender_name: str = "Mental Health Quality & Patient Safety Collaborative"
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    starttls: bool = True
    cafile: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_mapping(
        cls, settings: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> MailSettings:
        """Read the settings, naming the first one that is wrong (never a password)."""
        env = os.environ if environ is None else environ
        unknown = sorted(set(settings) - set(_KNOWN))
        if unknown:
            raise ConfigurationError(
                f"mail: unknown setting(s) {', '.join(unknown)} (known: {', '.join(_KNOWN)})"
            )
        host = settings.get("host")
        if not isinstance(host, str) or not host.strip():
            raise ConfigurationError("host: the mail publisher needs the SMTP server's host name")
        port = settings.get("port", 587)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ConfigurationError(f"port: must be a port number from 1 to 65535 (got {port!r})")
        recipients = settings.get("recipients")
        if isinstance(recipients, str):
            recipients = [recipients]
        if not isinstance(recipients, Sequence) or not recipients:
            raise ConfigurationError("recipients: the mail publisher needs at least one address")
        username = settings.get("username")
        password = None
        if username is not None:
            variable = settings.get("password_env")
            if not isinstance(variable, str) or variable not in env:
                raise ConfigurationError(
                    "password_env: with a username, name the environment variable that holds "
                    "the password, and set it"
                )
            password = env[variable]
        starttls = settings.get("starttls", True)
        if not isinstance(starttls, bool):
            raise ConfigurationError("starttls: must be true or false")
        if username is not None and not starttls:
            raise ConfigurationError("starttls: a password is never sent without STARTTLS")
        timeout = settings.get("timeout", 30.0)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigurationError(f"timeout: must be a positive number of seconds ({timeout!r})")
        return cls(
            host=host,
            sender=_address("sender", settings.get("sender")),
            recipients=tuple(_address("recipients", r) for r in recipients),
            port=port,
            sender_name=str(settings.get("sender_name", cls.sender_name)),
            username=None if username is None else str(username),
            password=password,
            starttls=starttls,
            cafile=None if settings.get("cafile") is None else str(settings["cafile"]),
            timeout=float(timeout),
        )


class MailPublisher:
    """Sends each publication as an e-mail (settings: see :class:`MailSettings`)."""

    def __init__(self, settings: MailSettings) -> None:
        self._settings = settings

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> MailPublisher:
        """Make the publisher from its settings (see :class:`MailSettings`)."""
        return cls(MailSettings.from_mapping(settings))

    @property
    def name(self) -> str:
        return "mail"

    @property
    def idempotent(self) -> bool:
        """A sent e-mail cannot be taken back: after a crash it may be sent once more."""
        return False

    def message(self, publication: Publication) -> EmailMessage:
        """The e-mail that :meth:`deliver` sends for ``publication``."""
        s = self._settings
        return build_message(
            publication, sender=s.sender, recipients=s.recipients, sender_name=s.sender_name
        )

    def deliver(self, publication: Publication, *, key: str | None = None) -> DeliveryReceipt:
        """Send the publication's e-mail; raise (for the outbox to retry) if the server does
        not accept it."""
        s = self._settings
        message = self.message(publication)
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=s.cafile))
                smtp.ehlo()
            if s.username is not None and s.password is not None:
                smtp.login(s.username, s.password)
            smtp.send_message(message)
        return DeliveryReceipt(
            publisher=self.name,
            publication_id=publication.id,
            delivered_at=dt.datetime.now(dt.UTC),
            location=f"smtp://{s.host}:{s.port}/{str(message['Message-ID']).strip('<>')}",
        )

"""The mail publisher against a real SMTP server on loopback (aiosmtpd) that requires STARTTLS
(with a certificate made by trustme) and a login: the received message has the publication's
title as its subject, no personal data in its headers, and both parts."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import smtplib
import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from hypothesis import HealthCheck, given, settings

from collab_core import (
    Audience,
    Collaborative,
    ConfigurationError,
    Count,
    LearningBulletinBody,
)
from collab_core.ports import Publication
from collab_core.synthetic import SyntheticCollaborative
from collab_core.testing.strategies import counts, typed_publications
from collab_mail import MailPublisher
from collab_mail.message import text_of
from collab_site import publication_html

SYNTHETIC = SyntheticCollaborative(seed=3, trusts=3, years=2, deaths_per_trust_year=30)
YEAR = SYNTHETIC.financial_years[-1]
AT = dt.datetime.combine(YEAR.end + dt.timedelta(days=60), dt.time(9), tzinfo=dt.UTC)
USER, PASSWORD = "bulletin", "not-a-real-secret"
HEADERS = {"Subject", "From", "To", "Date", "Message-ID", "MIME-Version", "Content-Type"}


class _Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server(ca: trustme.CA) -> Iterator[tuple[_Inbox, int]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    inbox, port = _Inbox(), _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticate,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def collab() -> Iterator[Collaborative]:
    with Collaborative.open(load_entry_points=False, environ={}) as opened:
        for batch in SYNTHETIC.batches():
            opened.record(batch.records)  # type: ignore[arg-type]
        yield opened


def _publisher(port: int, cafile: Path, **extra: Any) -> MailPublisher:
    settings = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "learning@collaborative.example",
        "recipients": ["governance@trust.example", "board@trust.example"],
        "username": USER,
        "password_env": "COLLAB_TEST_SMTP_PASSWORD",
        "cafile": str(cafile),
        "timeout": 10,
        **extra,
    }
    return MailPublisher.from_settings(settings)


@pytest.fixture
def cafile(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def _bulletin(collab: Collaborative, audience: Audience) -> Publication:
    return collab.privacy_gate.check(
        collab.publication("learning_bulletin", audience, YEAR, created_at=AT)
    )


def test_the_bulletin_arrives_over_starttls_with_both_parts(
    collab: Collaborative,
    server: tuple[_Inbox, int],
    cafile: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLLAB_TEST_SMTP_PASSWORD", PASSWORD)
    inbox, port = server
    bulletin = _bulletin(collab, Audience.COLLABORATIVE)
    body = bulletin.body
    assert isinstance(body, LearningBulletinBody)
    assert body.items
    publisher = _publisher(port, cafile)
    receipt = publisher.deliver(bulletin, key="abc")
    assert publisher.idempotent is False
    assert receipt.publication_id == bulletin.id
    (message,) = inbox.received
    assert inbox.envelopes == [
        ("learning@collaborative.example", ["governance@trust.example", "board@trust.example"])
    ]
    assert message["Subject"] == bulletin.title
    assert set(message.keys()) <= HEADERS, "no header beyond the standard ones"
    assert str(receipt.location).endswith(str(message["Message-ID"]).strip("<>"))
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None
    assert html is not None
    text, page = plain.get_content(), html.get_content()
    names = {t.code: t.name for t in body.trusts}
    for item in body.items:
        assert item.title in text
        assert item.what_was_learnt in text
        assert names[item.trust] in text
        for theme in item.themes:
            assert theme.label in text
        for action in item.actions:
            assert action.description in text
        assert item.title.replace("&", "&amp;") in page
    assert 'style="' in page, "inline styles: mail readers drop style sheets"
    assert "<table" not in page or "scope=" in page


def test_every_kind_is_sent_and_the_public_sees_stars(
    collab: Collaborative,
    server: tuple[_Inbox, int],
    cafile: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLLAB_TEST_SMTP_PASSWORD", PASSWORD)
    inbox, port = server
    publisher = _publisher(port, cafile)
    kinds: dict[str, dict[str, Any]] = {
        "lfd_dashboard": {},
        "headline_targets": {},
        "measure_chart": {"measure": "capability.members"},
        "assurance": {},
    }
    for kind, options in kinds.items():
        built = collab.publication(kind, Audience.PUBLIC, YEAR, created_at=AT, **options)
        publisher.deliver(collab.privacy_gate.check(built))
    assert [m["Subject"] for m in inbox.received] == [
        collab.publication(k, Audience.PUBLIC, YEAR, created_at=AT, **o).title
        for k, o in kinds.items()
    ]
    dashboard = inbox.received[0].get_body(("plain",))
    assert dashboard is not None
    assert "not shown, so that no one can be recognised" in dashboard.get_content()


KINDS: dict[str, dict[str, Any]] = {
    "learning_bulletin": {},
    "lfd_dashboard": {},
    "headline_targets": {},
    "measure_chart": {"measure": "capability.members"},
    "assurance": {},
}
#: A class of the site's components that each kind's page shows.
SITE_MARKUP = {
    "learning_bulletin": ("nhsuk-card", "nhsuk-summary-list__key", "nhsuk-tag"),
    "lfd_dashboard": ("nhsuk-table__cell", "nhsuk-summary-list__value"),
    "headline_targets": ("nhsuk-summary-list__row", "nhsuk-table__header"),
    "measure_chart": ("collab-chart-figure", "nhsuk-table__cell"),
    "assurance": ("nhsuk-table__caption", "nhsuk-table__cell"),
}
_CLASSES = re.compile(r'class="([^"]*)"')


def test_the_html_part_is_the_site_page_with_its_styles_inline(
    collab: Collaborative,
    server: tuple[_Inbox, int],
    cafile: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLLAB_TEST_SMTP_PASSWORD", PASSWORD)
    inbox, port = server
    publisher = _publisher(port, cafile, sender_name="Learning team")
    sent = []
    for kind, options in KINDS.items():
        built = collab.publication(kind, Audience.PUBLIC, YEAR, created_at=AT, **options)
        sent.append((kind, collab.privacy_gate.check(built)))
        publisher.deliver(sent[-1][1])
    assert len(inbox.received) == len(KINDS)
    for (kind, publication), message in zip(sent, inbox.received, strict=True):
        part = message.get_body(("html",))
        assert part is not None
        page = part.get_content()
        site = publication_html(publication, title="Learning team", charts=False)
        # The site's markup, class by class and in the same order: the same templates drew it.
        assert _CLASSES.findall(page) == _CLASSES.findall(site), kind
        for name in SITE_MARKUP[kind]:
            assert f'class="{name}' in page or f" {name}" in page, (kind, name)
        # Every style is in an attribute: no style sheet, linked or embedded, is needed.
        assert "<link" not in page, kind
        assert "<style" not in page, kind
        assert "<style" in site, "the standalone page carried the style sheet to inline"
        tables = re.findall(r'<table class="nhsuk-table"[^>]*>', page)
        assert tables, kind
        assert all('style="' in tag for tag in tables), kind
        # Nothing of the site's chrome: no header, footer, navigation, breadcrumbs or links.
        for chrome in ("nhsuk-header", "nhsuk-footer", "nhsuk-breadcrumb", "<a "):
            assert chrome not in page, (kind, chrome)


def test_a_wrong_password_raises_for_the_outbox_to_retry(
    collab: Collaborative,
    server: tuple[_Inbox, int],
    cafile: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLLAB_TEST_SMTP_PASSWORD", "wrong")
    inbox, port = server
    with pytest.raises(smtplib.SMTPAuthenticationError):
        _publisher(port, cafile).deliver(_bulletin(collab, Audience.COLLABORATIVE))
    assert inbox.received == []


def test_a_certificate_the_publisher_does_not_trust_is_refused(
    collab: Collaborative, server: tuple[_Inbox, int], tmp_path: Path
) -> None:
    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    inbox, port = server
    publisher = _publisher(port, other, username=None, password_env=None)
    with pytest.raises(ssl.SSLCertVerificationError):
        publisher.deliver(_bulletin(collab, Audience.COLLABORATIVE))
    assert inbox.received == []


def test_settings_are_checked_and_a_password_never_travels_in_clear() -> None:
    good = {"host": "smtp.example", "sender": "a@b.example", "recipients": ["c@d.example"]}
    assert MailPublisher.from_settings(good).name == "mail"
    with pytest.raises(ConfigurationError, match="host"):
        MailPublisher.from_settings({**good, "host": ""})
    with pytest.raises(ConfigurationError, match="sender"):
        MailPublisher.from_settings({**good, "sender": "nobody"})
    with pytest.raises(ConfigurationError, match="password_env"):
        MailPublisher.from_settings({**good, "username": "u", "password_env": "UNSET_VARIABLE_X"})
    with pytest.raises(ConfigurationError, match="colour"):
        MailPublisher.from_settings({**good, "colour": "blue"})
    with pytest.raises(ConfigurationError, match="STARTTLS"):
        MailPublisher.from_settings(
            {**good, "username": "u", "password_env": "PATH", "starttls": False}
        )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed_publications())
def test_any_publication_makes_a_message_that_reads_back_with_both_parts(
    publication: Publication,
) -> None:
    mail = MailPublisher.from_settings(
        {"host": "smtp.example", "sender": "a@b.example", "recipients": ["c@d.example"]}
    )
    sent = mail.message(publication).as_bytes()
    message = email.message_from_bytes(sent, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == publication.title
    assert set(message.keys()) <= HEADERS
    assert message.get_body(("plain",)) is not None
    assert message.get_body(("html",)) is not None


@given(counts())
def test_a_count_reads_as_its_number_or_a_star(count: Count) -> None:
    assert text_of(count) == ("*" if count.is_suppressed else str(count.value))

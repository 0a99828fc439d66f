"""Store URLs as they may be shown: never a password, never what stands before the ``@``."""

from __future__ import annotations

import re
import urllib.parse


def redact_url(url: str) -> str:
    """``url`` with everything between ``://`` and the last ``@`` replaced by ``***``, for
    ``Store.url``, logs and errors.

    Nothing of the user and password part shows, whatever the password holds (``/``, ``#``,
    ``?`` or ``@`` all confuse URL parsers, which then find no password to hide):

    >>> redact_url("postgresql://collab:s3cret@db.example/collab")
    'postgresql://***@db.example/collab'
    >>> redact_url("postgresql://collab:s3/c#r?e@t@db.example/collab")
    'postgresql://***@db.example/collab'
    >>> redact_url("sqlite:///collab.db")
    'sqlite:///collab.db'
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, sep, rest = url.partition(":")
    at = rest.rfind("@")
    if not sep or at < 0:
        return url
    return f"{scheme}{sep}***{rest[at:]}"


def url_secrets(url: str) -> list[str]:
    """The pieces of ``url``'s authority (user, password, host, port; as written and decoded)
    that text quoting it must not repeat, longest first: what :func:`scrub_url_secrets`
    removes."""
    _, sep, rest = url.partition("://")
    if not sep:
        return []
    at = rest.rfind("@")
    end = rest.find("/", at + 1)
    authority = rest[: end if end >= 0 else len(rest)]
    pieces = {p for p in re.split(r"[:@]", authority) if len(p) >= 2}
    pieces |= {urllib.parse.unquote(p) for p in pieces}
    if at >= 0:
        # The whole credential part, whatever a parser made of it.
        credentials = rest[:at]
        pieces |= {credentials, urllib.parse.unquote(credentials)}
        pieces |= {p for p in credentials.split(":", 1) if len(p) >= 2}
    return sorted(pieces, key=len, reverse=True)


def scrub_url_secrets(text: str, url: str) -> str:
    """``text`` (a driver's message, say) with every piece of ``url``'s authority replaced by
    ``***``, so that a password typed where a port or a host goes is not repeated either."""
    for piece in url_secrets(url):
        text = text.replace(piece, "***")
    return text

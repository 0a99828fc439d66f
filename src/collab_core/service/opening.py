"""Opening a store by URL: the scheme that chooses the store, and errors that never show the
URL's password."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

from collab_core.domain.errors import CollabError, ConfigurationError, StoreError
from collab_core.ports import Store, redact_url

__all__ = ["open_store", "scheme_of"]


def scheme_of(url: str) -> str:
    """The scheme of a store URL (``"sqlite"`` for ``sqlite:///collab.db``).

    :raises ConfigurationError: when ``url`` has no scheme.
    """
    scheme, sep, _ = url.partition(":")
    if not sep or not scheme or not scheme.replace("+", "").replace("-", "").isalnum():
        raise ConfigurationError(
            f"url: a store URL starts with a scheme, e.g. sqlite:///collab.db or memory:// "
            f"(got {redact_url(url)!r})"
        )
    return scheme.lower()


def open_store(open_: Callable[[str], Store], url: str) -> Store:
    """Open a store, keeping the URL's password out of any error that escapes."""
    try:
        return open_(url)
    except CollabError:
        raise
    except Exception as exc:
        detail = _scrub(f"{type(exc).__name__}: {exc}", url)
        # The driver's own exception may quote the URL: it is summarised, not chained.
        raise StoreError(
            f"the store at {redact_url(url)!r} could not be opened: {detail}"
        ) from None


def _scrub(text: str, url: str) -> str:
    try:
        password = urllib.parse.urlsplit(url).password
    except ValueError:
        return "(details withheld: the URL could not be parsed)"
    if password:
        for form in {password, urllib.parse.unquote(password)}:
            text = text.replace(form, "***")
    return text

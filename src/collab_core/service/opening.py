"""Opening a store by URL: the scheme that chooses the store, and errors that never show the
URL's password."""

from __future__ import annotations

from collections.abc import Callable

from collab_core.domain.errors import CollabError, ConfigurationError, StoreError
from collab_core.ports import Store, redact_url, scrub_url_secrets

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
    """Open a store, keeping the URL's password out of any error that escapes.

    A ``ValueError`` from the store's own parsing is a malformed URL: it becomes a
    :class:`ConfigurationError` naming the ``url`` setting. Anything else that is not a
    :class:`CollabError` becomes a :class:`StoreError`. Either way the message shows the URL
    redacted and the original text with every piece of the URL's authority removed, and the
    original exception is not chained (its text may quote the URL).
    """
    try:
        return open_(url)
    except CollabError:
        raise
    except ValueError as exc:
        detail = scrub_url_secrets(str(exc), url)
        error: CollabError = ConfigurationError(
            f"url: {_scheme_only(url)} is not a URL the store can read ({detail})"
        )
    except Exception as exc:
        detail = scrub_url_secrets(f"{type(exc).__name__}: {exc}", url)
        error = StoreError(f"the store at {redact_url(url)!r} could not be opened: {detail}")
    raise error


def _scheme_only(url: str) -> str:
    scheme, sep, _ = url.partition(":")
    return f"{scheme}://…" if sep else "the URL"

"""Serving over a remote triple store: ``spine-evidence serve --backend SPARQL_URL [--backend-gsp URL]``.

The endpoint (protocol, safety, limits, linked-data pages, self-description,
query page) stays ours; the data is the store's. :class:`RemoteSparqlStore`
stands in for the embedded pyoxigraph store (:mod:`.store`); the graphs and
version served are those of the publication record ``publish`` wrote
(:mod:`.publication`); every call carries the query's deadline and its
failures are the errors of :mod:`.errors` (502, 504, 400 at the endpoint).
Credentials are ``publish``'s (:func:`spine_evidence.credentials.auth_from_environment`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..credentials import auth_from_environment
from .errors import BackendError, BackendRefused, BackendTimeout, deadline_at
from .store import RemoteSparqlStore

__all__ = ["BackendError", "BackendRefused", "BackendTimeout", "RemoteSparqlStore", "check_url", "deadline_at",
           "open_backend"]


def check_url(url: str) -> str:
    """``url`` when it is an http(s) URL with a host; ``ConfigError`` (one line) otherwise."""
    from ..web.config import ConfigError

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"the backend URL {url!r} is not an http(s) URL")
    return url


def open_backend(url: str, gsp_url: str | None, *, timeout: float, max_rows: int, max_bytes: int) -> RemoteSparqlStore:
    """The backend at ``url`` with the environment's credentials; its publication record is read at once.

    Raises :class:`BackendError` when it cannot be reached or holds no record.
    """
    store = RemoteSparqlStore(check_url(url), timeout=timeout, max_rows=max_rows, max_bytes=max_bytes,
                              auth=auth_from_environment(),
                              gsp_url=check_url(gsp_url) if gsp_url else None)
    store.publication  # noqa: B018  # read now: a missing record is an error at start, not at the first query
    return store

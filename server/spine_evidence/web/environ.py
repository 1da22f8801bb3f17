"""Reading a WSGI environ without building a request object: headers, the endpoint's URL, the body length.

Used by :mod:`.query_operation` (and so by :mod:`.fast_path`), which answer
queries at the WSGI level.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from werkzeug.sansio.utils import get_current_url, get_host

from .protocol import base_iri


class RequestHeaders(Mapping):
    """The request headers of a WSGI environ, read by name (case-insensitive) without copying."""

    def __init__(self, environ: Mapping) -> None:
        self.environ = environ

    @staticmethod
    @lru_cache(maxsize=64)
    def key(name: str) -> str:
        upper = name.upper().replace("-", "_")
        return upper if upper in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + upper

    def __getitem__(self, name: str) -> str:
        return self.environ[self.key(name)]

    def get(self, name: str, default=None):
        """The header ``name`` (``default`` when absent), read without raising ``KeyError``."""
        return self.environ.get(self.key(name), default)

    def __iter__(self):
        return (k for k in self.environ if k.startswith("HTTP_"))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@lru_cache(maxsize=256)
def endpoint_iri(scheme: str, host_header: str | None, server: tuple, root: str, path: str) -> str | None:
    """The endpoint's URL as werkzeug's ``request.base_url`` builds it, if it is a valid IRI."""
    host = get_host(scheme, host_header, server if server[0] else None)
    return base_iri(get_current_url(scheme, host, root, path))


def request_base_iri(environ: Mapping) -> str | None:
    """The URL of the endpoint this request was sent to (the query's base IRI)."""
    port = environ.get("SERVER_PORT")
    server = (environ.get("SERVER_NAME"), int(port) if port and port.isdigit() else None)
    return endpoint_iri(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST"), server,
                        environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""))


def content_length(environ: Mapping) -> int | None:
    """The declared body length (``None`` when absent or not a number)."""
    declared = environ.get("CONTENT_LENGTH")
    if not declared:
        return None
    try:
        length = int(declared)
    except ValueError:
        return None
    return length if length >= 0 else None

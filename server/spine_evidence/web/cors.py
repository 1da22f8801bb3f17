"""CORS for the whole endpoint: any origin, no credentials, preflights answered in full.

The data is public and requests carry no cookies, so every answer allows
``*``. :func:`add_headers` is the one place the headers are made: the WSGI
fast path adds them to its header list, Flask's ``after_request`` hook to
every other response.
"""

from __future__ import annotations

import re
from typing import Protocol

from flask import Flask, Response, request

METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Accept, Content-Type, X-SPARQL-Timeout, If-None-Match, Cache-Control"
EXPOSED_HEADERS = ("X-SPARQL-Truncated, X-SPARQL-Max-Rows, X-SPARQL-Max-Answer-Bytes, X-SPARQL-Rows, ETag, Vary, "
                   "X-Cache, Retry-After")
MAX_AGE = "86400"
_HEADER_LIST = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$")
SIMPLE = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED_HEADERS))


class HeaderList(Protocol):
    """A list of response headers: a list of pairs, or werkzeug's ``Headers``."""

    def extend(self, pairs: list[tuple[str, str]], /) -> None: ...


def add_headers(headers: HeaderList, method: str | None, requested: str | None = None) -> None:
    """Add the ``Access-Control-*`` headers of an answer to ``method`` to ``headers``.

    A preflight (``OPTIONS``) also gets the allowed methods and headers:
    ``requested`` (its ``Access-Control-Request-Headers``) when it is a
    well-formed list, else the headers the endpoint reads.
    """
    pairs = list(SIMPLE)
    if method == "OPTIONS":
        asked = requested or ""
        pairs += [("Access-Control-Allow-Methods", METHODS),
                  ("Access-Control-Allow-Headers", asked if _HEADER_LIST.match(asked) else ALLOWED_HEADERS),
                  ("Access-Control-Max-Age", MAX_AGE)]
    headers.extend(pairs)


def add_cors_headers(response: Response) -> Response:
    """Flask ``after_request`` hook: :func:`add_headers` on ``response``."""
    add_headers(response.headers, request.method, request.headers.get("Access-Control-Request-Headers"))
    return response


def register_cors(app: Flask) -> None:
    """Install the CORS hook on ``app``."""
    app.after_request(add_cors_headers)

"""The front door of query operations: SPARQL queries answered at the WSGI level, before Flask.

Flask's request and response objects, routing and hooks cost more than
answering a small query from the store or the cache. :class:`QueryFastPath`
wraps the Flask app and answers every query operation on ``/sparql`` (a GET
or HEAD with a query string, any POST) with :func:`.query_operation.query_reply`,
adding the CORS headers of :mod:`.cors`; a HEAD gets the headers of the GET,
without its body. Everything else (the bare ``GET /sparql``, which asks for
the service description, preflights, other routes) goes to Flask unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.http import HTTP_STATUS_CODES

from . import cors
from .environ import Environ, RequestHeaders
from .http_errors import internal_error
from .query_operation import RUNAWAY_KEY, error_reply, query_reply
from .state import EndpointState

PATHS = frozenset({"/sparql", "/sparql/"})
STATUS_LINES = {code: f"{code} {phrase}" for code, phrase in HTTP_STATUS_CODES.items()}

StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def is_query_operation(environ: Environ) -> bool:
    """Whether this request is a query operation: a POST, or a GET/HEAD with a query string, on ``/sparql``."""
    if environ.get("PATH_INFO") not in PATHS:
        return False
    method = environ.get("REQUEST_METHOD")
    return method == "POST" or (method in ("GET", "HEAD") and bool(environ.get("QUERY_STRING")))


class QueryFastPath:
    """WSGI middleware answering every query operation on ``/sparql`` without Flask."""

    def __init__(self, app: WSGIApp, state: EndpointState) -> None:
        self.app = app
        self.state = state

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if not is_query_operation(environ):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD")
        head = method == "HEAD"
        seen = {**environ, "REQUEST_METHOD": "GET"} if head else environ
        try:
            reply = query_reply(self.state, seen)
        except Exception as error:  # unforeseen: logged, answered 500 with one line, as Flask would
            reply = error_reply(internal_error(error, method, environ.get("PATH_INFO")), RequestHeaders(environ))
        if RUNAWAY_KEY in seen:  # gunicorn's post_request hook reads the server's own environ
            environ[RUNAWAY_KEY] = seen[RUNAWAY_KEY]
        headers = list(reply.headers)
        cors.add_headers(headers, method)
        if reply.status != 304:
            headers.append(("Content-Length", str(len(reply.body))))
        start_response(STATUS_LINES.get(reply.status, str(reply.status)), headers)
        return [reply.body] if reply.status != 304 and not head else []

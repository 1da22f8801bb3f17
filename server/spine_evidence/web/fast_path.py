"""The fast path: SPARQL query operations answered at the WSGI level, before Flask.

Flask's request and response objects, routing and hooks cost more than
answering a small query from the store or the cache. :class:`QueryFastPath`
wraps the Flask app: a GET or HEAD of ``/sparql`` with a query string, or a
POST to it, is answered by :func:`.query_operation.query_reply` (the code
the ``/sparql`` view runs too) with the CORS headers Flask would add; a HEAD
gets the headers of the GET, without its body. Everything else (the service
description, preflights, other routes) goes to Flask unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from werkzeug.http import HTTP_STATUS_CODES

from .errors import CORS_EXPOSE
from .query_operation import RUNAWAY_KEY, Reply, error_reply, query_reply
from .state import EndpointState

PATHS = frozenset({"/sparql", "/sparql/"})
CORS = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", CORS_EXPOSE)]
STATUS_LINES = {code: f"{code} {phrase}" for code, phrase in HTTP_STATUS_CODES.items()}

log = logging.getLogger(__name__)
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class QueryFastPath:
    """WSGI middleware answering query operations on ``/sparql`` without Flask."""

    def __init__(self, app: WSGIApp, state: EndpointState) -> None:
        self.app = app
        self.state = state

    def handles(self, environ: dict) -> bool:
        """Whether this request is a query operation (not a bare GET, which asks for the description)."""
        if environ.get("PATH_INFO") not in PATHS:
            return False
        method = environ.get("REQUEST_METHOD")
        return method == "POST" or (method in ("GET", "HEAD") and bool(environ.get("QUERY_STRING")))

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.handles(environ):
            return self.app(environ, start_response)
        head = environ.get("REQUEST_METHOD") == "HEAD"
        seen = {**environ, "REQUEST_METHOD": "GET"} if head else environ
        try:
            reply = query_reply(self.state, seen)
        except Exception as error:  # unforeseen: logged, answered 500 with one line, as Flask would
            log.exception("unexpected error on %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            reply = unexpected(error)
        if RUNAWAY_KEY in seen:  # gunicorn's post_request hook reads the server's own environ
            environ[RUNAWAY_KEY] = seen[RUNAWAY_KEY]
        headers = [*reply.headers, *CORS]
        if reply.status != 304:
            headers.append(("Content-Length", str(len(reply.body))))
        start_response(STATUS_LINES.get(reply.status, str(reply.status)), headers)
        return [reply.body] if reply.status != 304 and not head else []


def unexpected(error: Exception) -> Reply:
    """The 500 reply for an unforeseen error (its traceback is logged, never sent)."""
    return error_reply(500, f"internal error ({type(error).__name__}); it has been logged", {})

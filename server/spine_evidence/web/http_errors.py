"""The endpoint's one HTTP error type, its bodies, and the handlers Flask uses for it.

:class:`HttpError` carries a status, a one-line message and extra headers;
its constructors are named after the status, as Oxigraph server's are
(``bad_request``, ``forbidden``, ``not_acceptable`` …); the 429 and 503 of
admission and deadlines are its subclasses ``query_runner.Overloaded`` (with
``Retry-After``) and ``query_runner.DeadlineExceeded``, and a query over an
input bound is ``query_bounds.QueryTooLarge`` (400). A remote store's
failures (``serve --backend``, :mod:`spine_evidence.backend.errors`) become
502, 504 or 400 in :func:`from_backend`. Every error is a short
plain-text body (JSON ``{"status", "error", "message"}`` when the client
prefers ``application/json``); never a traceback. :func:`internal_error`
is the one 500: the WSGI fast path and Flask's handler both use it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from functools import lru_cache

from flask import Flask, Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES, parse_accept_header

log = logging.getLogger(__name__)
Headers = Sequence[tuple[str, str]]


class HttpError(Exception):
    """An HTTP error answer: ``status``, a readable one-line ``message`` and extra ``headers``."""

    def __init__(self, status: int, message: str, headers: Headers = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers: list[tuple[str, str]] = list(headers)

    @classmethod
    def bad_request(cls, message: str) -> HttpError:
        """400: the request (or its query) is malformed."""
        return cls(400, message)

    @classmethod
    def forbidden(cls, message: str) -> HttpError:
        """403: refused by policy (updates, SERVICE outside the allow-list)."""
        return cls(403, message)

    @classmethod
    def not_found(cls, message: str) -> HttpError:
        """404: nothing here."""
        return cls(404, message)

    @classmethod
    def not_acceptable(cls, message: str) -> HttpError:
        """406: no offered format is acceptable; the answer varies with ``Accept``."""
        return cls(406, message, [("Vary", "Accept")])

    @classmethod
    def request_timeout(cls, message: str) -> HttpError:
        """408: the request body did not arrive in time."""
        return cls(408, message)

    @classmethod
    def payload_too_large(cls, message: str) -> HttpError:
        """413: the request body is over the limit."""
        return cls(413, message)

    @classmethod
    def unsupported_media_type(cls, message: str) -> HttpError:
        """415: a body type or charset the endpoint does not read."""
        return cls(415, message)

    @classmethod
    def bad_gateway(cls, message: str) -> HttpError:
        """502: the backend store is down, refused the connection, failed, or answered garbage."""
        return cls(502, message)

    @classmethod
    def gateway_timeout(cls, message: str) -> HttpError:
        """504: the backend store did not answer within the query's deadline (the call was cancelled)."""
        return cls(504, message)

    def body(self, accept: str | None) -> tuple[bytes, str]:
        """The body and Content-Type of this error for a client sending ``accept``."""
        return error_body(self.status, self.message, accept_prefers_json(accept))


def from_backend(error: Exception) -> HttpError:
    """A backend's error as its answer: 504 past the deadline, 400 for a query it refused, else 502."""
    from ..backend.errors import BackendRefused, BackendTimeout

    if isinstance(error, BackendTimeout):
        return HttpError.gateway_timeout(str(error))
    if isinstance(error, BackendRefused):
        return HttpError.bad_request(str(error))
    return HttpError.bad_gateway(str(error))


def internal_error(error: BaseException, method: str | None, path: str | None) -> HttpError:
    """The one 500: ``error`` is logged with its traceback; the client gets one line naming its type."""
    log.error("unexpected error on %s %s", method, path, exc_info=error)
    return HttpError(500, f"internal error ({type(error).__name__}); it has been logged")


@lru_cache(maxsize=256)
def accept_prefers_json(accept: str | None) -> bool:
    """Whether an ``Accept`` header prefers JSON to text (only then are errors JSON)."""
    if not accept:
        return False
    try:
        parsed = parse_accept_header(accept, MIMEAccept)
        return bool(parsed.best_match(["text/plain", "application/json"]) == "application/json"
                    and parsed.quality("application/json") > parsed.quality("text/plain"))
    except Exception:  # a header too broken to read gets text
        return False


def error_body(status: int, message: str, as_json: bool) -> tuple[bytes, str]:
    """The body and Content-Type of an error: ``STATUS Phrase: message`` as text, or as JSON."""
    phrase = HTTP_STATUS_CODES.get(status, "Error")
    if as_json:
        body = json.dumps({"status": status, "error": phrase, "message": message}) + "\n"
        return body.encode("utf-8"), "application/json"
    return f"{status} {phrase}: {message}\n".encode(), "text/plain; charset=utf-8"


def request_accept() -> str | None:
    """The ``Accept`` header of the Flask request being handled (``None`` when unreadable)."""
    try:
        return request.headers.get("Accept")
    except Exception:  # a request too broken to read its headers gets text
        return None


def error_response(error: HttpError) -> Response:
    """``error`` as a Flask response (text, or JSON when the client prefers it), with its headers."""
    body, content_type = error.body(request_accept())
    response = Response(body, status=error.status, content_type=content_type)
    for name, value in error.headers:
        response.headers[name] = value
    return response


def werkzeug_error(error: HTTPException) -> Response:
    """Werkzeug's HTTP errors (404, 405, 413 …) as :func:`error_response`, keeping their headers."""
    headers = [(n, v) for n, v in error.get_headers() if n.lower() not in ("content-type", "content-length")]
    return error_response(HttpError(error.code or 500, error.description or error.name, headers))


def unexpected_error(error: Exception) -> Response:
    """Anything unforeseen in a Flask view: :func:`internal_error`."""
    return error_response(internal_error(error, request.method, request.path))


def register_errors(app: Flask) -> None:
    """Install the error handlers on ``app``: :class:`HttpError`, werkzeug's, and the 500."""
    from ..backend.errors import BackendError

    app.register_error_handler(HttpError, error_response)
    app.register_error_handler(BackendError, lambda error: error_response(from_backend(error)))
    app.register_error_handler(HTTPException, werkzeug_error)
    app.register_error_handler(Exception, unexpected_error)

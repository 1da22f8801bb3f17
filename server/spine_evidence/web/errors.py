"""Error responses and CORS headers for the whole app.

Every error is a short plain-text message (JSON ``{"status", "error", "message"}``
when the client prefers ``application/json``); never a traceback. CORS is
``*`` without credentials: the data is public and requests carry no cookies.
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import HTTP_STATUS_CODES, parse_accept_header

log = logging.getLogger(__name__)

CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Accept, Content-Type, X-SPARQL-Timeout, If-None-Match, Cache-Control"
CORS_EXPOSE = ("X-SPARQL-Truncated, X-SPARQL-Max-Rows, X-SPARQL-Max-Answer-Bytes, X-SPARQL-Rows, ETag, Vary, "
               "X-Cache, Retry-After")
CORS_MAX_AGE = "86400"
_HEADER_LIST = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$")


@lru_cache(maxsize=256)
def accept_prefers_json(accept: str | None) -> bool:
    """Whether an ``Accept`` header prefers JSON to text (only then are errors JSON)."""
    if not accept:
        return False
    try:
        parsed = parse_accept_header(accept, MIMEAccept)
        return parsed.best_match(["text/plain", "application/json"]) == "application/json" and parsed.quality(
            "application/json"
        ) > parsed.quality("text/plain")
    except Exception:  # a header too broken to read gets text
        return False


def prefers_json() -> bool:
    """Whether the client of this request asked for JSON rather than text."""
    try:
        return accept_prefers_json(request.headers.get("Accept"))
    except Exception:  # a request too broken to read its headers gets text
        return False


def error_body(status: int, message: str, as_json: bool) -> tuple[bytes, str]:
    """The body and Content-Type of an error: ``STATUS Phrase: message`` as text, or as JSON."""
    phrase = HTTP_STATUS_CODES.get(status, "Error")
    if as_json:
        body = json.dumps({"status": status, "error": phrase, "message": message}) + "\n"
        return body.encode("utf-8"), "application/json"
    return f"{status} {phrase}: {message}\n".encode("utf-8"), "text/plain; charset=utf-8"


def error_response(status: int, message: str) -> Response:
    """A plain-text (or JSON) error response with ``status`` and a one-line ``message``."""
    body, content_type = error_body(status, message, prefers_json())
    return Response(body, status=status, content_type=content_type)


def http_error(error: HTTPException) -> Response:
    """Werkzeug's HTTP errors (404, 405, 413 …) as :func:`error_response`, keeping their headers."""
    response = error_response(error.code or 500, error.description or error.name)
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def unexpected_error(error: Exception) -> Response:
    """Anything unforeseen: logged with its traceback, answered 500 with one line."""
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500, f"internal error ({type(error).__name__}); it has been logged")


def add_cors_headers(response: Response) -> Response:
    """``Access-Control-*`` headers: any origin, no credentials; preflights answered in full."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE
    if request.method == "OPTIONS":
        asked = request.headers.get("Access-Control-Request-Headers", "")
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = asked if _HEADER_LIST.match(asked) else CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    return response


def register_errors(app: Flask) -> None:
    """Install the error handlers and the CORS hook on ``app``."""
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)
    app.after_request(add_cors_headers)

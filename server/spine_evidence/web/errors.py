"""Error responses and CORS headers for the whole app.

Every error is a short plain-text message (JSON ``{"status", "error", "message"}``
when the client prefers ``application/json``); never a traceback. CORS is
``*`` without credentials: the data is public and requests carry no cookies.
"""

from __future__ import annotations

import json
import logging
import re

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)

CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Accept, Content-Type, X-SPARQL-Timeout, If-None-Match, Cache-Control"
CORS_EXPOSE = "X-SPARQL-Truncated, X-SPARQL-Max-Rows, X-SPARQL-Rows, ETag, Vary"
CORS_MAX_AGE = "86400"
_HEADER_LIST = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$")


def prefers_json() -> bool:
    """Whether the client asked for JSON rather than text (only then are errors JSON)."""
    try:
        accept = request.accept_mimetypes
        return accept.best_match(["text/plain", "application/json"]) == "application/json" and accept.quality(
            "application/json"
        ) > accept.quality("text/plain")
    except Exception:  # a request too broken to read its headers gets text
        return False


def error_response(status: int, message: str) -> Response:
    """A plain-text (or JSON) error response with ``status`` and a one-line ``message``."""
    phrase = HTTP_STATUS_CODES.get(status, "Error")
    if prefers_json():
        body = json.dumps({"status": status, "error": phrase, "message": message})
        return Response(body + "\n", status=status, content_type="application/json")
    return Response(f"{status} {phrase}: {message}\n", status=status, content_type="text/plain; charset=utf-8")


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

"""The query operation end to end: WSGI environ → checks → cache or deadline-bound answer → reply.

Works on the WSGI environ alone, so that :mod:`.fast_path` can answer
queries without building Flask request and response objects; the ``/sparql``
view wraps the same :class:`Reply` in a Flask response.

A query that misses its deadline gets a 503; then ``AppConfig.runaway``
says what really stops it: ``exit`` marks the environ so that gunicorn's
``post_request`` hook ends the worker (see ``server.py``); ``retire`` sends
this worker SIGTERM, which granian takes as a graceful stop (the worker
finishes its other requests, then exits, killing the runaway thread) and
respawns it (see ``granian_server.py``); ``abandon`` leaves the thread.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from werkzeug.sansio.utils import get_current_url, get_host
from werkzeug.wsgi import get_input_stream

from .bounded import INLINE_ROWS, bounded
from .cache import MAX_RAW_QUERY_STRING, AnswerKey, Entry, answer_key
from .errors import accept_prefers_json, error_body
from .execution import Answer, DeadlineExceeded, QueryEvaluationError, QuerySyntaxError, answer, first_rows
from .negotiation import NotAcceptable, UnknownFormat, content_type, negotiated_types
from .protocol import ProtocolError, QueryRequest, base_iri, parse_query_request
from .safety import Refused, check_query, update_operation
from .state import EndpointState

RUNAWAY_KEY = "spine_evidence.runaway"
BODY_READ_SECONDS = 10
READ_CHUNK = 64 * 1024
RETIRE_DELAY = 0.05  # seconds between a runaway's 503 and this worker's graceful stop
RETIRE_MARGIN = 5.0  # seconds past the deadline after which a retiring worker ends without waiting
_retiring = threading.Event()
# The environ entries a GET's answer depends on (query string, negotiation, deadline, endpoint URL).
RAW_REQUEST_FIELDS = ("QUERY_STRING", "HTTP_ACCEPT", "HTTP_X_SPARQL_TIMEOUT", "wsgi.url_scheme", "HTTP_HOST",
                      "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME", "PATH_INFO")

# Exception type → HTTP status (a table, not an if-chain).
STATUS_OF_ERROR: dict[type, int] = {
    QuerySyntaxError: 400,
    QueryEvaluationError: 400,
    UnknownFormat: 400,
    NotAcceptable: 406,
    DeadlineExceeded: 503,
}


@dataclass
class Reply:
    """An HTTP answer: status, headers (without CORS and Content-Length) and body."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


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


def read_query_request(state: EndpointState, environ: Mapping, headers: Mapping) -> QueryRequest:
    """The :class:`QueryRequest` of a request (``ProtocolError`` for a bad one; 413 when too big)."""
    method, limit = environ.get("REQUEST_METHOD", "GET"), state.config.max_body
    length = content_length(environ)
    if method == "POST" and length is not None and length > limit:
        raise ProtocolError(413, f"the request body ({length} bytes) is over the limit of {limit} bytes")
    return parse_query_request(method, environ, headers, lambda: read_body(environ, limit), state.config.timeout,
                               request_base_iri(environ))


def read_at_most(stream, limit: int) -> bytes:
    """Read ``stream`` to its end, or raise 413 as soon as it holds more than ``limit`` bytes."""
    chunks, size = [], 0
    while chunk := stream.read(min(READ_CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body is over the limit of {limit} bytes")
    return b"".join(chunks)


def read_body(environ: Mapping, limit: int) -> bytes:
    """The request body (at most ``limit`` bytes, else 413), read within ``BODY_READ_SECONDS``.

    A body that stops arriving gets 408; one that cannot be decoded (bad
    chunked framing, a client gone) gets 400, never a 500.
    """
    client = environ.get("gunicorn.socket")
    if client is not None:
        client.settimeout(BODY_READ_SECONDS)
    try:
        return read_at_most(get_input_stream(environ, max_content_length=None), limit)
    except ProtocolError:
        raise
    except TimeoutError:
        raise ProtocolError(408, f"the request body did not arrive within {BODY_READ_SECONDS} s") from None
    except Exception as error:  # the WSGI servers' body readers raise their own exception types
        raise ProtocolError(400, f"the request body could not be read: {error}") from None


def validators(state: EndpointState, etag: str | None, method: str) -> list[tuple[str, str]]:
    """``ETag`` and (for GET) ``Cache-Control`` of a cacheable answer, with ``Vary``."""
    headers = [("Vary", "Accept")]
    if etag is not None:
        headers.append(("ETag", etag))
        if method == "GET" and state.config.cache_max_age:
            headers.append(("Cache-Control", f"public, max-age={state.config.cache_max_age}"))
    return headers


def answer_reply(state: EndpointState, result: Answer, headers: list[tuple[str, str]]) -> Reply:
    """The reply for a serialised answer, with its negotiation, row-limit and cache headers."""
    headers = [("Content-Type", content_type(result.media_type)), *headers]
    if result.rows is not None:
        headers += [("X-SPARQL-Rows", str(result.rows)), ("X-SPARQL-Max-Rows", str(state.config.max_rows)),
                    ("X-SPARQL-Truncated", "true" if result.truncated else "false")]
    return Reply(200, headers, result.body)


def run_query(state: EndpointState, query: QueryRequest, inline: bool = False) -> Answer:
    """Answer ``query`` (already checked for safety) on a query thread within its deadline.

    ``inline``: the query's cost is bounded (see ``bounded``); it is answered
    on the request thread when it has at most ``INLINE_ROWS`` rows.
    """
    try:
        found = first_rows(state.store, query, state.config.max_rows, INLINE_ROWS) if inline else None
        if found is not None:
            return found
        return state.runner.run(lambda: answer(state.store, query, state.config.max_rows), query.timeout)
    except QuerySyntaxError:
        if update_operation(query.query):
            raise Refused(403, "this endpoint is read-only: SPARQL Update is refused") from None
        raise


def cache_key(state: EndpointState, query: QueryRequest) -> AnswerKey | None:
    """The cache key and ETag source of ``query`` (``None``: not cacheable, e.g. an unknown format)."""
    try:
        formats = negotiated_types(query.accept, query.format)
    except UnknownFormat:
        return None
    return answer_key(query, state.graph_version, formats, state.config.max_rows)


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (or is ``*``)."""
    if not if_none_match:
        return False
    return if_none_match.strip() == "*" or etag in (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))


def raw_request(environ: Mapping) -> tuple | None:
    """What a GET's answer depends on, straight from the environ (``None`` for other requests)."""
    if environ.get("REQUEST_METHOD") != "GET" or len(environ.get("QUERY_STRING", "")) > MAX_RAW_QUERY_STRING:
        return None
    return tuple(environ.get(name) for name in RAW_REQUEST_FIELDS)


def remembered(state: EndpointState, environ: Mapping, headers: Mapping) -> Reply | None:
    """The reply to a GET seen before whose answer is cached: 304 or the cached answer; else ``None``."""
    raw = raw_request(environ)
    key = state.cache.key_for(raw) if raw is not None else None
    entry = state.cache.get(key) if key is not None else None
    if entry is None:
        return None
    cached = validators(state, entry.etag, "GET")
    if matches(headers.get("If-None-Match"), entry.etag):
        return Reply(304, cached)
    return answer_reply(state, entry.answer, [*cached, ("X-Cache", "hit")])


def answered(state: EndpointState, environ: Mapping, headers: Mapping) -> Reply:
    """The reply to a well-formed, safe query: 304, a cached answer, or a fresh one."""
    caching = state.config.cache_bytes > 0
    if caching and (reply := remembered(state, environ, headers)) is not None:
        return reply
    query = read_query_request(state, environ, headers)
    inline = bounded(query)
    if not inline:  # a bounded query holds no update and no SERVICE
        check_query(query.query, state.config.service_allow)
    key = cache_key(state, query)
    entry = state.cache.get(key) if caching and key is not None else None
    etag = entry.etag if entry is not None else key.etag if key is not None else None
    cached = validators(state, etag, environ.get("REQUEST_METHOD", "GET"))
    if etag is not None and matches(headers.get("If-None-Match"), etag):
        return Reply(304, cached)
    if not caching or key is None:
        return answer_reply(state, run_query(state, query, inline), cached)
    if entry is None:
        entry = Entry(run_query(state, query, inline), etag)
        state.cache.put(key, entry)
        if (raw := raw_request(environ)) is not None:
            state.cache.remember(raw, key)
        return answer_reply(state, entry.answer, [*cached, ("X-Cache", "miss")])
    return answer_reply(state, entry.answer, [*cached, ("X-Cache", "hit")])


def query_reply(state: EndpointState, environ: Mapping) -> Reply:
    """Answer one SPARQL Protocol query operation; errors become 4xx/503 with a message."""
    headers = RequestHeaders(environ)
    try:
        return answered(state, environ, headers)
    except (ProtocolError, Refused) as error:
        return error_reply(error.status, error.message, headers)
    except tuple(STATUS_OF_ERROR) as error:
        if isinstance(error, DeadlineExceeded):
            stop_runaway(state, environ)
        reply = error_reply(STATUS_OF_ERROR[type(error)], str(error), headers)
        reply.headers.append(("Vary", "Accept"))
        return reply


def error_reply(status: int, message: str, headers: Mapping) -> Reply:
    """A plain-text (or, when the client prefers it, JSON) error reply."""
    body, kind = error_body(status, message, accept_prefers_json(headers.get("Accept")))
    return Reply(status, [("Content-Type", kind)], body)


def stop_runaway(state: EndpointState, environ: dict) -> None:
    """Arrange for the runaway query's process to end after its 503 (see the module docstring).

    A retiring worker that is still alive once every other query it holds has
    met its own deadline ends at once (exit status 0, so it is respawned).
    """
    action = state.config.runaway
    if action == "exit":
        environ[RUNAWAY_KEY] = True
    elif action == "retire" and not _retiring.is_set():
        _retiring.set()
        for delay, call, args in ((RETIRE_DELAY, os.kill, (os.getpid(), signal.SIGTERM)),
                                  (state.config.timeout + RETIRE_MARGIN, os._exit, (0,))):
            timer = threading.Timer(delay, call, args)
            timer.daemon = True
            timer.start()

"""The query operation end to end: WSGI environ → checks → cache or deadline-bound answer → reply.

Works on the WSGI environ alone, so that :mod:`.fast_path` can answer
queries without building Flask request and response objects; the ``/sparql``
view wraps the same :class:`Reply` in a Flask response.

Order of the checks: the input bounds (:mod:`.query_bounds`, one linear
scan) and the update screen on the request thread; then, for a query not
answered inline, admission (:mod:`.query_runner`) and, on a query thread
within the deadline counted from the request's arrival, the SERVICE screen
(rdflib's parser), pyoxigraph's parse, evaluation and serialisation. A query
that misses its deadline gets a 503; :mod:`.retirement` then stops it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from werkzeug.wsgi import get_input_stream

from .bounded import INLINE_ROWS, bounded
from .environ import RequestHeaders, content_length, request_base_iri
from .cache import MAX_RAW_QUERY_STRING, AnswerKey, Entry, answer_key
from .errors import accept_prefers_json, error_body
from .execution import Answer, QueryEvaluationError, QuerySyntaxError, answer, first_rows
from .negotiation import (RDF_FORMAT_NAMES, RDF_FORMATS, RESULTS_FORMAT_NAMES, RESULTS_FORMATS, NotAcceptable,
                          UnknownFormat, choose, content_type, negotiated_types)
from .protocol import ProtocolError, QueryRequest, parse_query_request
from .query_bounds import QueryTooLarge, check_bounds, query_form
from .query_runner import DeadlineExceeded, Overloaded
from .retirement import RUNAWAY_KEY, watch_runaway
from .safety import Refused, check_services, refuse_update, update_operation
from .state import EndpointState

__all__ = ["RUNAWAY_KEY", "Reply", "error_reply", "query_reply"]
BODY_READ_SECONDS = 10
READ_CHUNK = 64 * 1024
VARY = ("Vary", "Accept, Host")  # the answer depends on Accept, and on Host through the query's base IRI
# The environ entries a GET's answer depends on (query string, negotiation, deadline, endpoint URL).
RAW_REQUEST_FIELDS = ("QUERY_STRING", "HTTP_ACCEPT", "HTTP_X_SPARQL_TIMEOUT", "wsgi.url_scheme", "HTTP_HOST",
                      "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME", "PATH_INFO")

# Exception type → HTTP status (a table, not an if-chain).
STATUS_OF_ERROR: dict[type, int] = {
    QuerySyntaxError: 400,
    QueryEvaluationError: 400,
    UnknownFormat: 400,
    NotAcceptable: 406,
    QueryTooLarge: 400,
    DeadlineExceeded: 503,
}


@dataclass
class Reply:
    """An HTTP answer: status, headers (without CORS and Content-Length) and body."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


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
    headers = [VARY]
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
                    ("X-SPARQL-Max-Answer-Bytes", str(state.config.max_answer_bytes)),
                    ("X-SPARQL-Truncated", "true" if result.truncated else "false")]
    return Reply(200, headers, result.body)


def run_query(state: EndpointState, query: QueryRequest, inline: bool, arrival: float, client: str | None) -> Answer:
    """Answer ``query`` inline, or on a query thread within its deadline counted from ``arrival``.

    ``inline``: the query's cost is bounded (see ``bounded``); it is answered
    on the request thread when it has at most ``INLINE_ROWS`` rows.
    """
    config = state.config
    try:
        found = None
        if inline:
            found = first_rows(state.store, query, config.max_rows, INLINE_ROWS, config.max_answer_bytes)
        if found is not None:
            return found
        return state.runner.run(lambda: screened_answer(state, query), arrival + query.timeout, client)
    except QuerySyntaxError:
        if update_operation(query.query):
            raise Refused(403, "this endpoint is read-only: SPARQL Update is refused") from None
        raise
    except DeadlineExceeded as error:
        message = f"the query did not finish within its deadline of {query.timeout:g} s"
        if query.timeout < config.timeout:
            message += (f"; it runs on until it ends or reaches the server's deadline of {config.timeout:g} s, "
                        "and counts against this client's limit of queries until then")
        else:
            message += " and was stopped"
        raise DeadlineExceeded(message, error.job) from None


def screened_answer(state: EndpointState, query: QueryRequest) -> Answer:
    """On a query thread: the SERVICE screen (it parses the query), then the answer."""
    check_services(query.query, state.config.service_allow)
    return answer(state.store, query, state.config.max_rows, state.config.max_answer_bytes)


def refuse_unacceptable(query: QueryRequest, formats: tuple[str | None, str | None]) -> None:
    """406 before anything runs when no acceptable format is offered for this query's kind of answer."""
    form = query_form(query.query)
    if form is None:
        return
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if formats[1 if graph else 0] is None:
        names, table = (RDF_FORMAT_NAMES, RDF_FORMATS) if graph else (RESULTS_FORMAT_NAMES, RESULTS_FORMATS)
        choose(query.accept, query.format, names, table)  # raises NotAcceptable with its message


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


def answered(state: EndpointState, environ: Mapping, headers: Mapping, arrival: float) -> Reply:
    """The reply to a well-formed, safe query: 304, a cached answer, or a fresh one."""
    client = environ.get("REMOTE_ADDR")
    caching = state.config.cache_bytes > 0
    if caching and (reply := remembered(state, environ, headers)) is not None:
        return reply
    query = read_query_request(state, environ, headers)
    inline = bounded(query)
    if not inline:  # a bounded query is short, flat, and holds no update and no SERVICE
        check_bounds(query.query, state.config.bounds)
        refuse_update(query.query)
        refuse_unacceptable(query, negotiated_types(query.accept, query.format))
    key = cache_key(state, query)
    entry = state.cache.get(key) if caching and key is not None else None
    etag = entry.etag if entry is not None else key.etag if key is not None else None
    cached = validators(state, etag, environ.get("REQUEST_METHOD", "GET"))
    if etag is not None and matches(headers.get("If-None-Match"), etag):
        return Reply(304, cached)
    if not caching or key is None:
        return answer_reply(state, run_query(state, query, inline, arrival, client), cached)
    if entry is None:
        entry = Entry(run_query(state, query, inline, arrival, client), etag)
        state.cache.put(key, entry)
        if (raw := raw_request(environ)) is not None:
            state.cache.remember(raw, key)
        return answer_reply(state, entry.answer, [*cached, ("X-Cache", "miss")])
    return answer_reply(state, entry.answer, [*cached, ("X-Cache", "hit")])


def query_reply(state: EndpointState, environ: dict) -> Reply:
    """Answer one SPARQL Protocol query operation; errors become 4xx/503 with a message."""
    arrival = time.monotonic()
    headers = RequestHeaders(environ)
    try:
        return answered(state, environ, headers, arrival)
    except (ProtocolError, Refused) as error:
        return error_reply(error.status, error.message, headers)
    except Overloaded as error:
        reply = error_reply(error.status, error.message, headers)
        reply.headers.append(("Retry-After", str(error.retry_after)))
        return reply
    except tuple(STATUS_OF_ERROR) as error:
        if isinstance(error, DeadlineExceeded):
            watch_runaway(state, environ, error.job)
        reply = error_reply(STATUS_OF_ERROR[type(error)], str(error), headers)
        reply.headers.append(VARY)
        return reply


def error_reply(status: int, message: str, headers: Mapping) -> Reply:
    """A plain-text (or, when the client prefers it, JSON) error reply."""
    body, kind = error_body(status, message, accept_prefers_json(headers.get("Accept")))
    return Reply(status, [("Content-Type", kind)], body)

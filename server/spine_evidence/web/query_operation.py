"""The query operation end to end: WSGI environ → checks → cache or deadline-bound answer → reply.

Works on the WSGI environ alone: :class:`.fast_path.QueryFastPath` answers
every query operation with :func:`query_reply`, before Flask. The request is
read by :mod:`.environ`, validators come from :mod:`.conditional`, the answer
from :mod:`.execution` (the SPARQL core).

Order of the checks: the input bounds (:mod:`.query_bounds`, one linear
scan), the update screen and the SERVICE screen (:mod:`.safety`, a token
scan) on the request thread; then the media types are negotiated, once (they
are part of the ``ETag``); then, for a query not answered inline, admission
(:mod:`.query_runner`) and, on a query thread within the deadline counted
from the request's arrival, pyoxigraph's parse, evaluation and
serialisation. A query that misses its deadline gets a 503;
:mod:`.retirement` then stops it.
Every error is an :class:`~.http_errors.HttpError`; the core's errors
(and a backend's, ``serve --backend``) become one in :func:`query_reply`,
the one place that maps them.

Over a backend (``state.backend``) nothing is answered inline: every query
goes through the bounds, the update screen and the SERVICE screen, then to a
query thread, where each backend call carries the query's deadline and is
cancelled at it (504); the runner waits ``BACKEND_GRACE`` seconds longer, so
the backend's own 504 comes first.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..backend.errors import BackendError, deadline_at
from ..sparql import SparqlError
from .bounded import bounded, inline_answer
from .cache import AnswerKey, Entry, answer_key, raw_request
from .conditional import VARY_ANSWER, answer_etag, answer_validators, etag_matches
from .environ import Environ, RequestHeaders, read_query_request
from .execution import Answer, MediaTypes, answer
from .http_errors import HttpError, from_backend
from .negotiation import MEDIA_TYPE_RDF, MEDIA_TYPE_RESULTS, content_type, negotiated_types, not_acceptable
from .protocol import QueryRequest
from .query_bounds import check_bounds, query_form
from .query_runner import DeadlineExceeded
from .retirement import RUNAWAY_KEY, watch_runaway
from .safety import check_services, refuse_update
from .state import EndpointState

__all__ = ["RUNAWAY_KEY", "Reply", "error_reply", "query_reply"]

BACKEND_GRACE = 1.0  # seconds the runner waits past the deadline for a backend call (cancelled at the deadline)


@dataclass
class Reply:
    """An HTTP answer: status, headers (without CORS and Content-Length) and body."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def query_reply(state: EndpointState, environ: Environ) -> Reply:
    """Answer one SPARQL Protocol query operation; errors become 4xx/503 with a message."""
    arrival = time.monotonic()
    headers = RequestHeaders(environ)
    try:
        return reply_for(state, environ, headers, arrival)
    except SparqlError as error:  # the core's errors: the query is at fault
        return error_reply(HttpError.bad_request(str(error)), headers)
    except BackendError as error:  # serve --backend: the remote store failed (502), timed out (504), refused (400)
        return error_reply(from_backend(error), headers)
    except HttpError as error:
        if isinstance(error, DeadlineExceeded):
            watch_runaway(state, environ, error.job)
        return error_reply(error, headers)


def error_reply(error: HttpError, headers: Mapping[str, str]) -> Reply:
    """``error`` as a reply: text (or JSON when preferred), its headers, and ``Vary`` (the body follows Accept)."""
    body, kind = error.body(headers.get("Accept"))
    extra = [h for h in error.headers if h[0] != "Vary"]
    return Reply(error.status, [("Content-Type", kind), *extra, VARY_ANSWER], body)


def reply_for(state: EndpointState, environ: Environ, headers: Mapping[str, str], arrival: float) -> Reply:
    """The reply to a query operation: 304, a cached answer, or a fresh one (``HttpError`` when refused)."""
    config = state.config
    caching = config.cache_bytes > 0
    if caching and (reply := cached_reply(state, environ, headers)) is not None:
        return reply
    query = read_query_request(environ, headers, config.max_body, config.timeout)
    inline = bounded(query) and state.backend is None
    if not inline:  # a bounded query is short, flat, and holds no update and no SERVICE
        check_bounds(query.query, config.bounds)
        refuse_update(query.query)
        check_services(query.query, config.service_allow)
    media_types = negotiated_types(query.accept, query.format)
    if not inline:
        refuse_unacceptable(query, media_types)
    key = answer_key(query, state.graph_version, media_types, config.max_rows)
    entry = state.cache.get(key) if caching and key is not None else None
    etag = entry.etag if entry is not None else answer_etag(key) if key is not None else None
    validators = answer_validators(config.cache_max_age, etag, environ.get("REQUEST_METHOD", "GET"))
    if etag is not None and etag_matches(headers.get("If-None-Match"), etag):
        return Reply(304, validators)
    if entry is not None:
        return answer_reply(state, entry.answer, [*validators, ("X-Cache", "hit")])
    found = run_query(state, query, media_types, inline, arrival, environ.get("REMOTE_ADDR"))
    if not caching or key is None or etag is None:
        return answer_reply(state, found, validators)
    remember(state, environ, key, Entry(found, etag))
    return answer_reply(state, found, [*validators, ("X-Cache", "miss")])


def cached_reply(state: EndpointState, environ: Environ, headers: Mapping[str, str]) -> Reply | None:
    """The reply to a GET seen before whose answer is cached: 304 or the cached answer; else ``None``."""
    raw = raw_request(environ)
    key = state.cache.key_for(raw) if raw is not None else None
    live = key is not None and key.graph_version == state.graph_version  # a backend's version changes live
    entry = state.cache.get(key) if key is not None and live else None
    if entry is None:
        return None
    validators = answer_validators(state.config.cache_max_age, entry.etag, "GET")
    if etag_matches(headers.get("If-None-Match"), entry.etag):
        return Reply(304, validators)
    return answer_reply(state, entry.answer, [*validators, ("X-Cache", "hit")])


def remember(state: EndpointState, environ: Environ, key: AnswerKey, entry: Entry) -> None:
    """Cache ``entry`` under ``key``, and remember the raw GET that asked for it."""
    state.cache.put(key, entry)
    if (raw := raw_request(environ)) is not None:
        state.cache.remember(raw, key)


def refuse_unacceptable(query: QueryRequest, media_types: MediaTypes) -> None:
    """406 before anything runs when no acceptable format is offered for this query's kind of answer."""
    form = query_form(query.query)
    if form is None:
        return
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if media_types[1 if graph else 0] is None:
        raise not_acceptable(query.accept, query.format, MEDIA_TYPE_RDF if graph else MEDIA_TYPE_RESULTS)


def answer_reply(state: EndpointState, result: Answer, headers: list[tuple[str, str]]) -> Reply:
    """The reply for a serialised answer, with its negotiation, row-limit and cache headers."""
    config = state.config
    headers = [("Content-Type", content_type(result.media_type)), *headers]
    if result.rows is not None:
        headers += [("X-SPARQL-Rows", str(result.rows)), ("X-SPARQL-Max-Rows", str(config.max_rows)),
                    ("X-SPARQL-Max-Answer-Bytes", str(config.max_answer_bytes)),
                    ("X-SPARQL-Truncated", "true" if result.truncated else "false")]
    return Reply(200, headers, result.body)


def run_query(state: EndpointState, query: QueryRequest, media_types: MediaTypes, inline: bool, arrival: float,
              client: str | None) -> Answer:
    """Answer ``query`` inline, or on a query thread within its deadline counted from ``arrival``.

    ``inline``: the query's cost is bounded (see ``bounded``); it is answered
    on the request thread when it has at most ``bounded.INLINE_ROWS`` rows. Updates
    never get here: a bounded query is a SELECT or DESCRIBE, and every other
    one has been through the update screen.
    """
    config = state.config
    try:
        if state.backend is not None:
            return state.runner.run(lambda: remote_answer(state, query, media_types, arrival + query.timeout),
                                    arrival + query.timeout + BACKEND_GRACE, client)
        if inline and (found := inline_answer(state.store, query, media_types, config.max_rows,
                                              config.max_answer_bytes)) is not None:
            return found
        return state.runner.run(lambda: answer(state.store, query, media_types, config.max_rows,
                                               config.max_answer_bytes), arrival + query.timeout, client)
    except DeadlineExceeded as error:
        raise DeadlineExceeded(deadline_message(query.timeout, config.timeout), error.job) from None


def remote_answer(state: EndpointState, query: QueryRequest, media_types: MediaTypes, deadline: float) -> Answer:
    """The answer of ``query`` from the backend, every call of it ending by ``deadline``."""
    with deadline_at(deadline):
        return answer(state.store, query, media_types, state.config.max_rows, state.config.max_answer_bytes)


def deadline_message(timeout: float, server_timeout: float) -> str:
    """What happened to a query that missed its deadline of ``timeout`` seconds."""
    message = f"the query did not finish within its deadline of {timeout:g} s"
    if timeout < server_timeout:
        return message + (f"; it runs on until it ends or reaches the server's deadline of {server_timeout:g} s, "
                          "and counts against this client's limit of queries until then")
    return message + " and was stopped"

"""The query operation end to end: request → checks → deadline-bound answer → HTTP response.

The ``/sparql`` view is a one-line call to :func:`query_response`; everything
else (parsing, safety, execution, negotiation) lives in plain modules.
"""

from __future__ import annotations

from flask import Request, Response
from werkzeug.wsgi import get_input_stream

from .errors import error_response
from .execution import Answer, DeadlineExceeded, QueryEvaluationError, QuerySyntaxError, answer
from .negotiation import NotAcceptable, UnknownFormat, content_type
from .protocol import ProtocolError, QueryRequest, parse_query_request
from .safety import Refused, check_query, update_operation
from .state import EndpointState

RUNAWAY_KEY = "spine_evidence.runaway"
BODY_READ_SECONDS = 10
READ_CHUNK = 64 * 1024

# Exception type → HTTP status (a table, not an if-chain).
STATUS_OF_ERROR: dict[type, int] = {
    QuerySyntaxError: 400,
    QueryEvaluationError: 400,
    UnknownFormat: 400,
    NotAcceptable: 406,
    DeadlineExceeded: 503,
}


def read_query_request(state: EndpointState, request: Request) -> QueryRequest:
    """The :class:`QueryRequest` of ``request`` (``ProtocolError`` for a bad one; 413 when too big)."""
    length = request.content_length
    if request.method == "POST" and length is not None and length > state.config.max_body:
        raise ProtocolError(413, f"the request body ({length} bytes) is over the limit of {state.config.max_body} bytes")
    limit = state.config.max_body
    return parse_query_request(
        request.method, request.environ, request.headers, lambda: read_body(request, limit), state.config.timeout,
        request.base_url,
    )


def read_at_most(stream, limit: int) -> bytes:
    """Read ``stream`` to its end, or raise 413 as soon as it holds more than ``limit`` bytes."""
    chunks, size = [], 0
    while chunk := stream.read(min(READ_CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body is over the limit of {limit} bytes")
    return b"".join(chunks)


def read_body(request: Request, limit: int) -> bytes:
    """The request body (at most ``limit`` bytes, else 413), read within ``BODY_READ_SECONDS``.

    A body that stops arriving gets 408; one that cannot be decoded (bad
    chunked framing, a client gone) gets 400, never a 500.
    """
    client = request.environ.get("gunicorn.socket")
    if client is not None:
        client.settimeout(BODY_READ_SECONDS)
    try:
        return read_at_most(get_input_stream(request.environ, max_content_length=None), limit)
    except ProtocolError:
        raise
    except TimeoutError:
        raise ProtocolError(408, f"the request body did not arrive within {BODY_READ_SECONDS} s") from None
    except Exception as error:  # gunicorn's body parser raises its own exception types
        raise ProtocolError(400, f"the request body could not be read: {error}") from None


def answer_response(state: EndpointState, result: Answer) -> Response:
    """The HTTP response for a serialised answer, with its negotiation and row-limit headers."""
    response = Response(result.body, content_type=content_type(result.media_type))
    response.headers["Vary"] = "Accept"
    if result.rows is not None:
        response.headers["X-SPARQL-Rows"] = str(result.rows)
        response.headers["X-SPARQL-Max-Rows"] = str(state.config.max_rows)
        response.headers["X-SPARQL-Truncated"] = "true" if result.truncated else "false"
    return response


def run_query(state: EndpointState, query: QueryRequest) -> Answer:
    """Check ``query`` for safety and answer it on the query thread within its deadline."""
    check_query(query.query, state.config.service_allow)
    try:
        return state.runner.run(lambda: answer(state.store, query, state.config.max_rows), query.timeout)
    except QuerySyntaxError:
        if update_operation(query.query):
            raise Refused(403, "this endpoint is read-only: SPARQL Update is refused") from None
        raise


def query_response(state: EndpointState, request: Request) -> Response:
    """Answer one SPARQL Protocol query operation; errors become 4xx/503 with a message."""
    try:
        query = read_query_request(state, request)
        result = run_query(state, query)
    except (ProtocolError, Refused) as error:
        return error_response(error.status, error.message)
    except tuple(STATUS_OF_ERROR) as error:
        if isinstance(error, DeadlineExceeded) and state.runner.cancel_by_exit:
            request.environ[RUNAWAY_KEY] = True
        response = error_response(STATUS_OF_ERROR[type(error)], str(error))
        response.headers["Vary"] = "Accept"
        return response
    return answer_response(state, result)

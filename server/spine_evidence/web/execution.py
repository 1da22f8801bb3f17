"""Running a query on the store: deadline, row limit, negotiation and serialisation.

pyoxigraph evaluates lazily and cannot be interrupted, so the whole answer
(evaluation and serialisation) is computed on one of the worker's query
threads while the request thread waits with the deadline. Past it the
request gets a 503 and the worker process is ended (gunicorn) or retired
(granian), which really stops the runaway query; see ``query_operation``.
The one exception is a query whose cost is bounded whatever the data (one
triple pattern, see ``bounded``): :func:`first_rows` answers it on the
request thread, saving the two thread switches of the hand-off.

Row and byte limits: SELECT solutions are first serialised by pyoxigraph as
TSV (one line per solution), cut after ``max_rows`` lines or at the last whole
line within ``max_bytes`` (the writer stops the evaluation there, so memory
stays near that bound; a line over ``MAX_ROW_BYTES``, which pyoxigraph could
not read back, also ends the answer), parsed back by pyoxigraph
and serialised in the negotiated format; CONSTRUCT/DESCRIBE triples are
taken up to the limits (bytes counted as N-Triples text) and serialised by
pyoxigraph. Nothing is written by hand.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import NamedTuple

import pyoxigraph as ox

from ..namespaces import PREFIXES
from ..sparql import evaluate as evaluate_query
from .negotiation import (
    RDF_FORMAT_NAMES,
    RDF_FORMATS,
    RESULTS_FORMAT_NAMES,
    RESULTS_FORMATS,
    choose,
    negotiated_types,
)
from .protocol import QueryRequest

TSV = ox.QueryResultsFormat.TSV
UNKNOWN_FUNCTION = re.compile(r"custom function <([^>]*)> is not supported")
MAX_UNKNOWN_FUNCTIONS = 16
DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024
MAX_ROW_BYTES = 16 * 1024 * 1024 - 1024  # pyoxigraph reads TSV lines of at most 16 MiB back
PREFIXED_FORMATS = frozenset({ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG})


class QuerySyntaxError(Exception):
    """pyoxigraph could not parse the query; the message is the parser's."""


class QueryEvaluationError(Exception):
    """pyoxigraph parsed the query but could not evaluate it."""


class Answer(NamedTuple):
    """A serialised answer: bytes, media type, and whether the row limit cut it."""

    body: bytes
    media_type: str
    rows: int | None = None
    truncated: bool = False


def evaluate(store: ox.Store, request: QueryRequest):
    """Parse ``request.query`` (prefixes predeclared, see ``spine_evidence.sparql``) and start evaluating it.

    The protocol dataset of ``request`` is the query's default and named graphs.

    A function pyoxigraph does not know is, as SPARQL says, an expression
    error (unbound value, false filter), not a failed query: each one it
    names is given an implementation that returns no value, and it retries.
    """
    options: dict = {"base_iri": request.base_iri}
    if request.default_graphs is not None:
        options["default_graph"] = [ox.NamedNode(iri) for iri in request.default_graphs]
    if request.named_graphs is not None:
        options["named_graphs"] = [ox.NamedNode(iri) for iri in request.named_graphs]
    for _ in range(MAX_UNKNOWN_FUNCTIONS + 1):
        try:
            return evaluate_query(store, request.query, **options)
        except SyntaxError as error:
            raise QuerySyntaxError(f"the query is not valid SPARQL 1.1: {error}") from None
        except (RuntimeError, ValueError, OSError) as error:
            unknown = UNKNOWN_FUNCTION.search(str(error))
            if unknown is None:
                raise QueryEvaluationError(f"the query could not be evaluated: {error}") from None
            options.setdefault("custom_functions", {})[ox.NamedNode(unknown.group(1))] = no_value
    raise QueryEvaluationError(f"the query calls more than {MAX_UNKNOWN_FUNCTIONS} unknown functions")


def no_value(*_terms: object) -> None:
    """The value of a function this endpoint does not know: none (an expression error)."""
    return None


def serialize_solutions(solutions: ox.QuerySolutions, fmt: ox.QueryResultsFormat, max_rows: int,
                        max_bytes: int = DEFAULT_MAX_ANSWER_BYTES) -> tuple[bytes, int, bool]:
    """Serialise the solutions that fit ``max_rows`` and ``max_bytes`` as ``fmt``; also the row count and the cut.

    The bytes counted are those of the TSV form; a row longer than
    ``MAX_ROW_BYTES`` (pyoxigraph's limit when reading TSV back) also ends the answer.
    """
    writer = _LineLimit(max_rows + 2, max_bytes)  # header, max_rows solutions, one more to detect the cut
    try:
        solutions.serialize(writer, format=TSV)
    except Exception:  # _LimitReached, possibly wrapped by pyoxigraph
        if not writer.stopped:
            raise
    lines, rows, truncated = writer.kept(max_rows + 1)
    if fmt == TSV and not truncated:
        return lines, rows, False
    return ox.parse_query_results(lines, format=TSV).serialize(format=fmt), rows, truncated


class _LimitReached(Exception):
    """Raised by :class:`_LineLimit` to stop a serialiser (and the evaluation feeding it)."""


class _LineLimit:
    """A binary writer that keeps what it is given and stops the writer after ``limit`` lines or ``max_bytes``."""

    def __init__(self, limit: int, max_bytes: int) -> None:
        self.limit = limit
        self.max_bytes = max_bytes
        self.count = 0
        self.size = 0
        self.stopped = False
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.count += data.count(b"\n")
        self.size += len(data)
        if self.count >= self.limit or self.size > self.max_bytes:
            self.stopped = True
            raise _LimitReached()
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: everything is kept in memory."""

    def kept(self, lines: int) -> tuple[bytes, int, bool]:
        """The first complete lines (at most ``lines``, header included) within the byte bound; rows; cut or not."""
        data = b"".join(self.chunks)
        self.chunks = []
        end, count = 0, 0
        while count < lines:
            found = data.find(b"\n", end)
            if found < 0 or found + 1 > max(self.max_bytes, 0) and count > 0 or found + 1 - end > MAX_ROW_BYTES:
                break
            end, count = found + 1, count + 1
        if count == 0:  # not even the header line: a variable name cannot be that long
            return data, 0, False
        return data[:end], count - 1, end < len(data)


def serialize_triples(triples: ox.QueryTriples, fmt: ox.RdfFormat, max_rows: int,
                      max_bytes: int = DEFAULT_MAX_ANSWER_BYTES) -> tuple[bytes, int, bool]:
    """Serialise the triples that fit ``max_rows`` and ``max_bytes`` (counted as N-Triples text) as ``fmt``.

    Also returns the count and whether the answer was cut.
    """
    kept, size, truncated = [], 0, False
    for found in islice(triples, max_rows + 1):
        size += len(str(found)) + 3
        if len(kept) == max_rows or size > max_bytes:
            truncated = True
            break
        kept.append(found)
    prefixes = used_prefixes(kept) if fmt in PREFIXED_FORMATS else None
    body = ox.serialize(kept, format=fmt, prefixes=prefixes)
    return body or b"", len(kept), truncated


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The prefixes of ``namespaces.PREFIXES`` whose namespace occurs in ``triples``."""
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return {prefix: iri for prefix, iri in PREFIXES.items() if f"<{iri}".encode() in text}


def answer(store: ox.Store, request: QueryRequest, max_rows: int, max_bytes: int = DEFAULT_MAX_ANSWER_BYTES) -> Answer:
    """Evaluate ``request`` on ``store`` and serialise it in the negotiated format.

    Raises :class:`QuerySyntaxError`, :class:`QueryEvaluationError`, or the
    negotiation errors (``NotAcceptable``, ``UnknownFormat``).
    """
    return serialized(evaluate(store, request), request, max_rows, max_bytes)


def first_rows(store: ox.Store, request: QueryRequest, max_rows: int, rows: int,
               max_bytes: int = DEFAULT_MAX_ANSWER_BYTES) -> Answer | None:
    """:func:`answer`, when it has at most ``rows`` rows (else ``None``: the evaluation is cut there).

    For a query answered on the request thread (see ``bounded``): its
    evaluation stops with the serialisation, once ``rows`` rows are written.
    """
    limit = min(rows, max_rows)
    found = serialized(evaluate(store, request), request, limit, max_bytes)
    return None if found.truncated and limit < max_rows and found.rows == limit else found


def serialized(result, request: QueryRequest, max_rows: int, max_bytes: int = DEFAULT_MAX_ANSWER_BYTES) -> Answer:
    """The evaluated ``result`` of ``request`` in the negotiated format, cut after ``max_rows`` or ``max_bytes``."""
    results_type, rdf_type = negotiated_types(request.accept, request.format)
    if isinstance(result, ox.QueryTriples):
        media_type, table, names, serialize = rdf_type, RDF_FORMATS, RDF_FORMAT_NAMES, serialize_triples
    else:
        media_type, table, names, serialize = results_type, RESULTS_FORMATS, RESULTS_FORMAT_NAMES, serialize_solutions
    if media_type is None:
        choose(request.accept, request.format, names, table)  # raises NotAcceptable with its message
    fmt = table[media_type]
    try:
        if isinstance(result, ox.QueryBoolean):
            return Answer(result.serialize(format=fmt), media_type)
        body, rows, truncated = serialize(result, fmt, max_rows, max_bytes)
    except (RuntimeError, ValueError, OSError) as error:  # e.g. an allowed SERVICE that failed
        raise QueryEvaluationError(f"the query could not be evaluated: {error}") from None
    return Answer(body, media_type, rows, truncated)

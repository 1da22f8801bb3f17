"""Running a query on the store: deadline, row limit, negotiation and serialisation.

pyoxigraph evaluates lazily and cannot be interrupted, so the whole answer
(evaluation and serialisation) is computed on one of the worker's query
threads while the request thread waits with the deadline. Past it the
request gets a 503 and the worker process is ended (gunicorn) or retired
(granian), which really stops the runaway query; see ``query_operation``.
The one exception is a query whose cost is bounded whatever the data (one
triple pattern, see ``bounded``): :func:`first_rows` answers it on the
request thread, saving the two thread switches of the hand-off.

Row limit: SELECT solutions are first serialised by pyoxigraph as TSV (one
line per solution), cut after ``max_rows`` lines, parsed back by pyoxigraph
and serialised in the negotiated format; CONSTRUCT/DESCRIBE triples are
taken up to the limit and serialised by pyoxigraph. Nothing is written by hand.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable
from itertools import islice
from typing import Generic, NamedTuple, TypeVar

import pyoxigraph as ox

from ..namespaces import PREFIXES
from .negotiation import (
    RDF_FORMAT_NAMES,
    RDF_FORMATS,
    RESULTS_FORMAT_NAMES,
    RESULTS_FORMATS,
    choose,
    negotiated_types,
)
from .protocol import QueryRequest

T = TypeVar("T")
TSV = ox.QueryResultsFormat.TSV
UNKNOWN_FUNCTION = re.compile(r"custom function <([^>]*)> is not supported")
MAX_UNKNOWN_FUNCTIONS = 16
PREFIXED_FORMATS = frozenset({ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG})


class DeadlineExceeded(Exception):
    """The query did not finish before its deadline."""


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


class _Job(Generic[T]):
    """One call handed to a query thread, with its outcome.

    ``done`` is a lock held until the call has finished (cheaper than an Event).
    """

    __slots__ = ("call", "done", "value", "error", "abandoned")

    def __init__(self, call: Callable[[], T]) -> None:
        self.call = call
        self.done = threading.Lock()
        self.done.acquire()
        self.value: T | None = None
        self.error: BaseException | None = None
        self.abandoned = False

    def run(self) -> None:
        try:
            self.value = self.call()
        except BaseException as error:  # handed back to the waiting request thread
            self.error = without_tracebacks(error)
        finally:
            self.done.release()


class QueryRunner:
    """Runs calls on a pool of ``threads`` daemon query threads and waits for each with a deadline.

    pyoxigraph releases the GIL while it evaluates, so the threads run queries
    side by side. A call that misses its deadline is abandoned: its thread
    ends once the call returns, and a fresh thread takes its place at once.
    What really stops the runaway call (ending the process) is the caller's
    choice (``AppConfig.runaway``).
    """

    def __init__(self, threads: int = 4) -> None:
        self.threads = threads
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._started = False

    def _start(self, count: int) -> None:
        for _ in range(count):
            threading.Thread(target=_serve_jobs, args=(self._jobs,), name="sparql-query", daemon=True).start()

    def run(self, call: Callable[[], T], timeout: float) -> T:
        """The value of ``call()``, run on a query thread; :class:`DeadlineExceeded` after ``timeout`` s."""
        if not self._started:
            with self._lock:
                if not self._started:
                    self._start(self.threads)
                    self._started = True
        job = _Job(call)
        self._jobs.put(job)
        if not job.done.acquire(timeout=timeout):
            job.abandoned = True
            self._start(1)  # replaces the thread held by the runaway call
            raise DeadlineExceeded(f"the query did not finish within its deadline of {timeout:g} s and was stopped")
        if job.error is not None:
            raise job.error
        return job.value  # type: ignore[return-value]


def without_tracebacks(error: BaseException) -> BaseException:
    """``error`` and the exceptions chained to it with their tracebacks dropped.

    pyoxigraph objects may only be released on the thread that made them; a
    traceback would keep the query thread's frames (and their results) alive
    and release them on the request thread.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return error


def _serve_jobs(jobs: queue.SimpleQueue) -> None:
    """A query thread: run jobs until one of them is abandoned (a fresh thread replaced this one)."""
    while True:
        job = jobs.get()
        job.run()
        if job.abandoned:
            return


def evaluate(store: ox.Store, request: QueryRequest):
    """Parse ``request.query`` and start evaluating it on ``store`` with the protocol dataset.

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
            return store.query(request.query, **options)
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


def serialize_solutions(solutions: ox.QuerySolutions, fmt: ox.QueryResultsFormat, max_rows: int) -> tuple[bytes, int, bool]:
    """Serialise at most ``max_rows`` solutions as ``fmt``; also the row count and whether it was cut."""
    writer = _LineLimit(max_rows + 2)  # header line, max_rows solutions, one more to detect the cut
    try:
        solutions.serialize(writer, format=TSV)
    except Exception:  # _LimitReached, possibly wrapped by pyoxigraph
        if writer.count < writer.limit:
            raise
    truncated = writer.count > max_rows + 1
    lines = writer.lines(max_rows + 1) if truncated else b"".join(writer.chunks)
    rows = min(writer.count, max_rows + 1) - 1
    if fmt == TSV and not truncated:
        return lines, rows, False
    return ox.parse_query_results(lines, format=TSV).serialize(format=fmt), rows, truncated


class _LimitReached(Exception):
    """Raised by :class:`_LineLimit` to stop a serialiser (and the evaluation feeding it)."""


class _LineLimit:
    """A binary writer that keeps what it is given and stops the writer after ``limit`` lines."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.count += data.count(b"\n")
        if self.count >= self.limit:
            raise _LimitReached()
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: everything is kept in memory."""

    def lines(self, n: int) -> bytes:
        """The first ``n`` lines written (each with its newline)."""
        data = b"".join(self.chunks)
        end = -1
        for _ in range(n):
            end = data.find(b"\n", end + 1)
            if end < 0:
                return data
        return data[: end + 1]


def serialize_triples(triples: ox.QueryTriples, fmt: ox.RdfFormat, max_rows: int) -> tuple[bytes, int, bool]:
    """Serialise at most ``max_rows`` triples as ``fmt``; also the count and whether it was cut."""
    kept = list(islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows
    kept = kept[:max_rows]
    prefixes = used_prefixes(kept) if fmt in PREFIXED_FORMATS else None
    body = ox.serialize(kept, format=fmt, prefixes=prefixes)
    return body or b"", len(kept), truncated


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The prefixes of ``namespaces.PREFIXES`` whose namespace occurs in ``triples``."""
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return {prefix: iri for prefix, iri in PREFIXES.items() if f"<{iri}".encode() in text}


def answer(store: ox.Store, request: QueryRequest, max_rows: int) -> Answer:
    """Evaluate ``request`` on ``store`` and serialise it in the negotiated format.

    Raises :class:`QuerySyntaxError`, :class:`QueryEvaluationError`, or the
    negotiation errors (``NotAcceptable``, ``UnknownFormat``).
    """
    return serialized(evaluate(store, request), request, max_rows)


def first_rows(store: ox.Store, request: QueryRequest, max_rows: int, rows: int) -> Answer | None:
    """:func:`answer`, when it has at most ``rows`` rows (else ``None``: the evaluation is cut there).

    For a query answered on the request thread (see ``bounded``): its
    evaluation stops with the serialisation, once ``rows`` rows are written.
    """
    limit = min(rows, max_rows)
    found = serialized(evaluate(store, request), request, limit)
    return None if found.truncated and limit < max_rows else found


def serialized(result, request: QueryRequest, max_rows: int) -> Answer:
    """The evaluated ``result`` of ``request`` serialised in the negotiated format, cut after ``max_rows``."""
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
        body, rows, truncated = serialize(result, fmt, max_rows)
    except (RuntimeError, ValueError, OSError) as error:  # e.g. an allowed SERVICE that failed
        raise QueryEvaluationError(f"the query could not be evaluated: {error}") from None
    return Answer(body, media_type, rows, truncated)

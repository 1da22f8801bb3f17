"""Queries whose evaluation is bounded: a SELECT of one triple pattern or a DESCRIBE of IRIs, answered inline.

Handing a query to a killable query thread (see ``execution.QueryRunner``)
costs two thread switches and two GIL hand-offs, as much as parsing and
answering a small query. It is skipped only for queries whose cost has a
bound that does not depend on the data:

- the text is short and matches :data:`SINGLE_PATTERN` in full: a prologue
  (``BASE``, ``PREFIX``), ``SELECT`` of plain variables or ``*``, one triple
  pattern whose terms are IRIs, prefixed names, variables or ``a``, and at
  most a ``LIMIT``; no property path, ``FILTER``, ``OPTIONAL``, ``DISTINCT``,
  ``ORDER BY``, ``OFFSET``, ``FROM``, ``GRAPH``, ``SERVICE`` or function can
  match it; no backslash (so no ``\\u`` escape can hide a token), comments
  only end at a line break (as in SPARQL);
- its variables are all different (a repeated one is a filter on a scan);
- or the text matches :data:`DESCRIBE_IRIS` in full: a prologue, then
  ``DESCRIBE`` and IRIs or prefixed names only (no variable, no ``WHERE``,
  no ``FROM``);
- the request names no protocol dataset;
- the endpoint serves its embedded store: over a remote store (``serve
  --backend``) every query goes to a query thread, whose backend calls carry
  the deadline (``query_operation``), never network I/O on the request thread.

A single pattern is one index range scan in which every entry is a
solution. A DESCRIBE of IRIs is, in pyoxigraph 0.5, a lazy scan of each
IRI's triples, then of each blank node object's (its concise bounded
description): one lookup per IRI and per triple written, measured lazy (the
first of a million triples of one subject comes after 0.3 ms). pyoxigraph
streams the serialisation in chunks of about 8 KB, and the answer is cut
after ``INLINE_ROWS`` rows (then the query is answered again on a query
thread, within its deadline). So parsing and evaluation on the request
thread are bounded by the text's length and one chunk of rows: a few
milliseconds, never a runaway.

:func:`inline_answer` writes a bounded SELECT's solutions straight in the
negotiated format when its rows can be counted there (SPARQL JSON, XML and
TSV), instead of writing TSV, reading it back and writing it again, as the
general path (``sparql.serialization``) does to cut answers at the row
limit: under granian those two extra pyoxigraph calls cost about 50 µs of
CPU per request (tiny query: 180 µs against 131 µs for a minimal app, see
``bench/NOTES.md``). An answer over ``INLINE_ROWS`` rows or ``INLINE_BYTES``
bytes is dropped and the query is answered again on a query thread, within
its deadline, where the limits cut it as always. A written answer within
those bounds is one the general path would not have cut: its TSV form is no
longer than its JSON or XML form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pyoxigraph as ox

from ..sparql import QueryEvaluationError
from .execution import Answer, MediaTypes, evaluate_request, serialized
from .negotiation import MEDIA_TYPE_RESULTS
from .protocol import QueryRequest

INLINE_ROWS = 1000  # solutions answered on the request thread before handing the query to a query thread
INLINE_BYTES = 256 * 1024  # bytes of an answer written on the request thread before handing the query over
MAX_TEXT = 2000  # characters of a query answered on the request thread
MIN_DEADLINE = 1.0  # seconds: a request with a shorter deadline always goes to a query thread

# SPARQL white space and comments; a comment ends only at a line end (the lookahead), so the
# regex cannot split "###…" into many comments and backtrack exponentially on a failed match.
_WS = r"(?:[ \t\r\n]|\#[^\r\n]*(?=[\r\n]|\Z))*"
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_PREFIX = r"(?:[A-Za-z][A-Za-z0-9_-]*)?:"
_PNAME = _PREFIX + r"[A-Za-z_][A-Za-z0-9_-]*"
_VAR = r"[?$][A-Za-z_][A-Za-z0-9_]*"
_TERM = rf"(?:{_IRI}|{_PNAME}|{_VAR})"
SINGLE_PATTERN = re.compile(
    rf"(?:{_WS}(?:BASE{_WS}{_IRI}|PREFIX{_WS}{_PREFIX}{_WS}{_IRI}))*"
    rf"{_WS}SELECT{_WS}(?:\*{_WS}|(?:{_VAR}{_WS})+)(?:WHERE{_WS})?\{{{_WS}"
    rf"(?P<s>{_TERM}){_WS}(?P<p>{_TERM}|a){_WS}(?P<o>{_TERM}){_WS}\.?{_WS}\}}"
    rf"{_WS}(?:LIMIT{_WS}[0-9]+{_WS})?",
    re.IGNORECASE | re.ASCII,
)
# Atomic terms, possessive repetition: a failed match never backtracks into the list of IRIs.
DESCRIBE_IRIS = re.compile(
    rf"(?:{_WS}(?:BASE{_WS}{_IRI}|PREFIX{_WS}{_PREFIX}{_WS}{_IRI}))*"
    rf"{_WS}DESCRIBE(?:{_WS}(?>{_IRI}|{_PNAME}(?![A-Za-z0-9_:.-])))++{_WS}",
    re.IGNORECASE | re.ASCII,
)


def bounded(request: QueryRequest) -> bool:
    """Whether ``request`` may be answered on the request thread (see the module docstring)."""
    text = request.query
    if len(text) > MAX_TEXT or "\\" in text or request.timeout < MIN_DEADLINE:
        return False
    if request.default_graphs is not None or request.named_graphs is not None:
        return False
    match = SINGLE_PATTERN.fullmatch(text)
    if match is None:
        return DESCRIBE_IRIS.fullmatch(text) is not None
    names = [term[1:] for term in match.group("s", "p", "o") if term[0] in "?$"]
    return len(names) == len(set(names))


def json_rows(body: bytes) -> int:
    """Solutions in a SPARQL JSON results document."""
    return len(json.loads(body)["results"]["bindings"])


# How to count the solutions of a results document in each format it is written in directly.
ROW_COUNTERS: dict[ox.QueryResultsFormat, Callable[[bytes], int]] = {
    ox.QueryResultsFormat.JSON: json_rows,
    ox.QueryResultsFormat.XML: lambda body: body.count(b"<result>"),  # markup in values is escaped (&lt;)
    ox.QueryResultsFormat.TSV: lambda body: body.count(b"\n") - 1,  # a header line, then one line per solution
}


class _Over(Exception):
    """Raised by :class:`_Capped` to stop a serialiser (and the evaluation feeding it)."""


class _Capped:
    """A binary writer that keeps at most ``limit`` bytes and stops the serialiser beyond."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.over = False
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        """Keep ``data``; raise ``_Over`` past ``limit`` bytes."""
        self.size += len(data)
        if self.size > self.limit:
            self.over = True
            raise _Over()
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: everything is kept in memory."""


def written_directly(solutions: ox.QuerySolutions, fmt: ox.QueryResultsFormat, limit: int) -> bytes | None:
    """``solutions`` written as ``fmt`` when that takes at most ``limit`` bytes (else ``None``)."""
    writer = _Capped(limit)
    try:
        solutions.serialize(writer, format=fmt)  # type: ignore[arg-type]  # a binary writer, as pyoxigraph reads it
    except Exception as error:  # _Over, possibly wrapped by pyoxigraph; or an evaluation error
        if writer.over:
            return None
        raise QueryEvaluationError(f"the query could not be evaluated: {error}") from None
    return b"".join(writer.chunks)


def inline_answer(store: ox.Store, request: QueryRequest, media_types: MediaTypes, max_rows: int,
                  max_bytes: int) -> Answer | None:
    """The answer of a bounded query on the request thread, or ``None``: answer it on a query thread.

    A SELECT negotiated as JSON, XML or TSV is written directly (module
    docstring); any other answer through the general path, cut after
    ``INLINE_ROWS`` rows (then ``None`` as well, unless ``max_rows`` is lower).
    """
    limit = min(INLINE_ROWS, max_rows)
    results = evaluate_request(store, request)
    fmt = MEDIA_TYPE_RESULTS.get(media_types[0]) if media_types[0] is not None else None
    if isinstance(results, ox.QuerySolutions) and fmt in ROW_COUNTERS and media_types[0] is not None:
        body = written_directly(results, fmt, min(INLINE_BYTES, max_bytes))
        if body is None or (rows := ROW_COUNTERS[fmt](body)) > limit:
            return None
        return Answer(body, media_types[0], rows, False)
    found = serialized(results, request, media_types, limit, max_bytes)
    return None if found.truncated and limit < max_rows and found.rows == limit else found

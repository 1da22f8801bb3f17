"""Writing query results: pyoxigraph's serialisers, optionally cut after a number of rows or bytes.

With limits (the endpoint): SELECT solutions are first serialised by
pyoxigraph as TSV (one line per solution), cut after ``max_rows`` lines or at
the last whole line within ``max_bytes`` (the writer stops the evaluation
there, so memory stays near that bound; a line over ``MAX_ROW_BYTES``, which
pyoxigraph could not read back, also ends the answer), parsed back by
pyoxigraph and serialised in the wanted format; CONSTRUCT/DESCRIBE triples
are taken up to the limits (bytes counted as N-Triples text). Without limits
(the CLI) everything is written. Nothing is written by hand. Solutions read
from another store's answer (``relayed``, see
:class:`spine_evidence.backend.store.Relayed`) are written as that answer's
own bytes when it is in the wanted format and the counting pass read all of
it (so pyoxigraph's parser has checked it to its end).

Graph answers in a format that abbreviates IRIs (:data:`PREFIXED_RDF_FORMATS`)
declare the predeclared prefixes their IRIs use (:func:`used_prefixes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice
from typing import NamedTuple, Protocol

import pyoxigraph as ox

from . import PREDECLARED_PREFIXES, QueryEvaluationError, Results

TSV = ox.QueryResultsFormat.TSV
MAX_ROW_BYTES = 16 * 1024 * 1024 - 1024  # pyoxigraph reads TSV lines of at most 16 MiB back
# The RDF formats pyoxigraph writes prefixes into (the others ignore them).
PREFIXED_RDF_FORMATS = frozenset({ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML})


class Written(NamedTuple):
    """Serialised results: the bytes, the rows written (``None`` for a boolean) and whether a limit cut them."""

    body: bytes
    rows: int | None = None
    truncated: bool = False


class Relayed(Protocol):
    """Another store's answer that solutions were parsed from (module docstring)."""

    def verbatim(self, fmt: ox.QueryResultsFormat) -> bytes | None:
        """Its bytes, when they are in ``fmt`` and were read whole."""


def serialize(results: Results, fmt: ox.QueryResultsFormat | ox.RdfFormat,
              max_rows: int | None = None, max_bytes: int | None = None, relayed: Relayed | None = None) -> Written:
    """``results`` written as ``fmt`` (a results format for SELECT/ASK, an RDF format for CONSTRUCT/DESCRIBE).

    ``max_rows``/``max_bytes`` cut the answer (``None``: no limit). An error
    met while evaluating (evaluation is lazy) raises ``QueryEvaluationError``.
    ``relayed``: the answer the solutions were parsed from (module docstring).
    """
    try:
        if isinstance(results, ox.QueryTriples):
            if not isinstance(fmt, ox.RdfFormat):
                raise TypeError(f"graph results need an RDF format, not {fmt}")
            return serialize_triples(results, fmt, max_rows, max_bytes)
        if not isinstance(fmt, ox.QueryResultsFormat):
            raise TypeError(f"SELECT/ASK results need a results format, not {fmt}")
        if isinstance(results, ox.QueryBoolean):
            return Written(results.serialize(format=fmt) or b"")
        return serialize_solutions(results, fmt, max_rows, max_bytes, relayed)
    except (RuntimeError, ValueError, OSError) as error:  # e.g. an allowed SERVICE that failed
        raise QueryEvaluationError(f"the query could not be evaluated: {error}") from None


def serialize_solutions(solutions: ox.QuerySolutions, fmt: ox.QueryResultsFormat, max_rows: int | None = None,
                        max_bytes: int | None = None, relayed: Relayed | None = None) -> Written:
    """The solutions that fit ``max_rows`` and ``max_bytes`` (counted as TSV) written as ``fmt``."""
    if max_rows is None and max_bytes is None:
        return Written(solutions.serialize(format=fmt) or b"")
    rows_limit = max_rows if max_rows is not None else 2**62
    writer = _LineLimit(rows_limit + 2, max_bytes if max_bytes is not None else 2**62)  # header, rows, one more
    try:
        solutions.serialize(writer, format=TSV)  # type: ignore[arg-type]  # a binary writer, as pyoxigraph reads it
    except Exception:  # _LimitReached, possibly wrapped by pyoxigraph
        if not writer.stopped:
            raise
    lines, rows, truncated = writer.kept(rows_limit + 1)
    if fmt == TSV and not truncated:
        return Written(lines, rows, False)
    if not truncated and relayed is not None and (verbatim := relayed.verbatim(fmt)) is not None:
        return Written(verbatim, rows, False)
    return Written(ox.parse_query_results(lines, format=TSV).serialize(format=fmt) or b"", rows, truncated)


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
        """Keep ``data``; raise ``_LimitReached`` once the line or byte limit is reached."""
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
        if len(data) <= MAX_ROW_BYTES:  # no line can be too long: found in C, not line by line
            return _first_lines(data, lines, max(self.max_bytes, 0))
        end, count = 0, 0
        while count < lines:
            found = data.find(b"\n", end)
            if found < 0 or found + 1 > max(self.max_bytes, 0) and count > 0 or found + 1 - end > MAX_ROW_BYTES:
                break
            end, count = found + 1, count + 1
        if count == 0:  # not even the header line: a variable name cannot be that long
            return data, 0, False
        return data[:end], count - 1, end < len(data)


def _first_lines(data: bytes, lines: int, max_bytes: int) -> tuple[bytes, int, bool]:
    """:meth:`_LineLimit.kept` for ``data`` of lines no longer than ``MAX_ROW_BYTES``."""
    if data.count(b"\n") <= lines:
        end = data.rfind(b"\n") + 1
    else:  # just after the ``lines``-th newline
        end = len(data) - len(data.split(b"\n", lines)[-1]) if lines > 0 else 0
    if end > max_bytes:  # the last whole line within the byte bound, the header line kept in any case
        end = max(data.rfind(b"\n", 0, max_bytes) + 1, data.find(b"\n") + 1)
    count = data.count(b"\n", 0, end)
    if count == 0:  # not even the header line: a variable name cannot be that long
        return data, 0, False
    return data[:end], count - 1, end < len(data)


def serialize_triples(triples: Iterable[ox.Triple], fmt: ox.RdfFormat, max_rows: int | None = None,
                      max_bytes: int | None = None) -> Written:
    """The triples that fit ``max_rows`` and ``max_bytes`` (counted as N-Triples text) written as ``fmt``."""
    kept: list[ox.Triple] = []
    size, truncated = 0, False
    for found in triples if max_rows is None else islice(triples, max_rows + 1):
        size += len(str(found)) + 3
        if len(kept) == max_rows or max_bytes is not None and size > max_bytes:
            truncated = True
            break
        kept.append(found)
    prefixes = used_prefixes(kept) if fmt in PREFIXED_RDF_FORMATS else None
    return Written(ox.serialize(kept, format=fmt, prefixes=prefixes) or b"", len(kept), truncated)


def used_prefixes(triples: list[ox.Triple], prefixes: Mapping[str, str] = PREDECLARED_PREFIXES) -> dict[str, str]:
    """The entries of ``prefixes`` whose namespace occurs in ``triples`` (as the start of an IRI)."""
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return {prefix: iri for prefix, iri in prefixes.items() if f"<{iri}".encode() in text}

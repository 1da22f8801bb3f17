"""A query operation's answer: the SPARQL core's evaluation, written in the negotiated media type.

The media types are negotiated once per request by :mod:`.query_operation`
(``(results type, RDF type)``, needed before for the ``ETag``) and passed
here; this module only picks the one that fits the kind of answer, and the
core (:mod:`spine_evidence.sparql`) evaluates and writes it within the row
and byte limits. pyoxigraph evaluates lazily, so the evaluation happens while
the answer is written, on whichever thread calls :func:`answer` (a query
thread within the deadline; the request thread for a bounded query, see
:func:`.bounded.inline_answer`).
"""

from __future__ import annotations

from typing import NamedTuple

import pyoxigraph as ox

from ..sparql import Results, evaluate
from ..sparql.serialization import Relayed, serialize
from .negotiation import MEDIA_TYPE_RDF, MEDIA_TYPE_RESULTS, not_acceptable
from .protocol import QueryRequest

MediaTypes = tuple[str | None, str | None]  # (SPARQL results type, RDF type); None: nothing acceptable


class Answer(NamedTuple):
    """A serialised answer: bytes, media type, and the rows written and whether the row limit cut them."""

    body: bytes
    media_type: str
    rows: int | None = None
    truncated: bool = False


def evaluate_request(store: ox.Store, request: QueryRequest) -> Results:
    """Start evaluating ``request``'s query on ``store`` with its protocol dataset and base IRI."""
    return evaluate(store, request.query, default_graphs=request.default_graphs,
                    named_graphs=request.named_graphs, base_iri=request.base_iri)


def answer(store: ox.Store, request: QueryRequest, media_types: MediaTypes, max_rows: int, max_bytes: int) -> Answer:
    """Evaluate ``request`` on ``store`` and write it in its negotiated media type.

    Raises the core's ``QuerySyntaxError`` / ``QueryEvaluationError``, or
    ``HttpError`` (406) when nothing acceptable fits this kind of answer. Over
    a backend (``serve --backend``), its errors; an answer of it that breaks
    off into garbage while it streams is its ``BackendError`` (502).
    """
    try:
        result = evaluate_request(store, request)
        relayed = getattr(store, "relayed", None)  # over a backend: the answer the solutions are read from
        return serialized(result, request, media_types, max_rows, max_bytes, relayed and relayed(result))
    except SyntaxError as error:  # only a backend's answer is parsed while it is written
        unreadable = getattr(store, "unreadable", None)
        if unreadable is None:
            raise
        raise unreadable(str(error)) from None


def serialized(result: Results, request: QueryRequest, media_types: MediaTypes, max_rows: int,
               max_bytes: int, relayed: Relayed | None = None) -> Answer:
    """The evaluated ``result`` in the media type negotiated for its kind, cut after ``max_rows`` or ``max_bytes``."""
    fmt: ox.RdfFormat | ox.QueryResultsFormat
    if isinstance(result, ox.QueryTriples):
        media_type = media_types[1]
        if media_type is None:
            raise not_acceptable(request.accept, request.format, MEDIA_TYPE_RDF)
        fmt = MEDIA_TYPE_RDF[media_type]
    else:
        media_type = media_types[0]
        if media_type is None:
            raise not_acceptable(request.accept, request.format, MEDIA_TYPE_RESULTS)
        fmt = MEDIA_TYPE_RESULTS[media_type]
    written = serialize(result, fmt, max_rows, max_bytes, relayed)
    return Answer(written.body, media_type, written.rows, written.truncated)

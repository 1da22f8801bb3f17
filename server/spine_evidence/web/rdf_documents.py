"""RDF documents over HTTP: triples → negotiated, pyoxigraph-serialised response.

Used by the self-description, Graph Store and Linked Data blueprints. The
format comes from a ``format`` parameter or the ``Accept`` header, chosen by
:func:`.negotiation.choose` over a table of media types (``MEDIA_TYPE_RDF`` by
default); quad formats (N-Quads, TriG) carry the triples in the default graph.
A format that cannot be chosen raises :class:`~.http_errors.HttpError` (406,
or 400 for an unknown ``format``) with ``Vary: Accept``, answered by the app's
error handler.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar

import pyoxigraph as ox
from flask import Response, request

from ..iris import DCAT, PREFIXES, SD, VOID, XSD
from ..sparql.serialization import PREFIXED_RDF_FORMATS
from .http_errors import HttpError
from .negotiation import FORMAT_NAME_RDF, MEDIA_TYPE_RDF, choose, content_type

F = TypeVar("F")
Triples = Iterator[ox.Triple]
XSD_INTEGER = ox.NamedNode(str(XSD.integer))
# The model's prefixes plus those of the self-description vocabularies, for Turtle, TriG and RDF/XML.
DOCUMENT_PREFIXES = {
    **PREFIXES,
    "sd": str(SD),
    "void": str(VOID),
    "dcat": str(DCAT),
    "formats": "http://www.w3.org/ns/formats/",
}


def iri(value: object) -> ox.NamedNode:
    """A pyoxigraph named node for an IRI given as a string (or rdflib ``URIRef``) or a node."""
    return value if isinstance(value, ox.NamedNode) else ox.NamedNode(str(value))


def typed(number: int) -> ox.Literal:
    """An ``xsd:integer`` literal."""
    return ox.Literal(str(int(number)), datatype=XSD_INTEGER)


def serialize(triples: Iterable[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """``triples`` in ``fmt`` by pyoxigraph (quad formats: in the default graph; prefixes where supported)."""
    prefixes = DOCUMENT_PREFIXES if fmt in PREFIXED_RDF_FORMATS else None
    if fmt.supports_datasets:
        quads = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        return ox.serialize(quads, format=fmt, prefixes=prefixes) or b""
    return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""


def negotiate(table: Mapping[str, F]) -> tuple[str, F]:
    """The media type and serialiser the request asks for among ``table``; ``HttpError`` (406, 400) on failure."""
    try:
        return choose(request.headers.get("Accept"), request.args.get("format"), FORMAT_NAME_RDF, table)
    except HttpError as error:
        error.headers = [*(h for h in error.headers if h[0] != "Vary"), ("Vary", "Accept")]
        raise


def rdf_body(triples: Iterable[ox.Triple], media_type: str, fmt: ox.RdfFormat, status: int = 200) -> Response:
    """A response with ``triples`` serialised as ``fmt``, labelled ``media_type``."""
    response = Response(serialize(triples, fmt), status=status, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response


def rdf_response(triples: Iterable[ox.Triple]) -> Response:
    """``triples`` as the RDF format the client negotiates; ``HttpError`` (406, 400) when it cannot be chosen."""
    media_type, fmt = negotiate(MEDIA_TYPE_RDF)
    return rdf_body(triples, media_type, fmt)

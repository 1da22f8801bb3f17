"""RDF documents over HTTP: triples → negotiated, pyoxigraph-serialised response.

Used by the self-description, Graph Store and Linked Data blueprints. The
format comes from a ``format`` parameter or the ``Accept`` header, chosen by
:func:`.negotiation.choose` over a table of media types (``RDF_FORMATS`` by
default); quad formats (N-Quads, TriG) carry the triples in the default graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox
from flask import Response, request
from rdflib.namespace import XSD

from ..namespaces import DCAT, PREFIXES, SD, VOID
from .errors import error_response
from .negotiation import RDF_FORMAT_NAMES, RDF_FORMATS, NotAcceptable, UnknownFormat, choose, content_type

Triples = Iterator[ox.Triple]
PREFIXED_FORMATS = frozenset({ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML})
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
    if fmt.supports_datasets:
        triples = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    prefixes = DOCUMENT_PREFIXES if fmt in PREFIXED_FORMATS else None
    return ox.serialize(triples, format=fmt, prefixes=prefixes)


def negotiate(table: Mapping[str, object] = RDF_FORMATS) -> tuple[str, object]:
    """The media type and serialiser the request asks for among ``table`` (raises on failure)."""
    return choose(request.headers.get("Accept"), request.args.get("format"), RDF_FORMAT_NAMES, table)


def negotiation_error(error: Exception) -> Response:
    """406 for :class:`NotAcceptable`, 400 for :class:`UnknownFormat`, with the message."""
    response = error_response(406 if isinstance(error, NotAcceptable) else 400, str(error))
    response.headers["Vary"] = "Accept"
    return response


def rdf_body(triples: Iterable[ox.Triple], media_type: str, fmt: ox.RdfFormat, status: int = 200) -> Response:
    """A response with ``triples`` serialised as ``fmt``, labelled ``media_type``."""
    response = Response(serialize(triples, fmt), status=status, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response


def rdf_response(triples: Iterable[ox.Triple]) -> Response:
    """``triples`` as the RDF format the client negotiates; 406/400 when it cannot be chosen."""
    try:
        media_type, fmt = negotiate()
    except (NotAcceptable, UnknownFormat) as error:
        return negotiation_error(error)
    return rdf_body(triples, media_type, fmt)

"""Self-description: the SPARQL Service Description and the VoID/DCAT description of the dataset.

The Service Description (https://www.w3.org/TR/sparql11-service-description/)
answers a GET of ``/sparql`` without a query (this blueprint's route; every
query operation on ``/sparql`` is answered before Flask, by :mod:`.fast_path`).
The VoID (https://www.w3.org/TR/void/) and DCAT description of the dataset is served at ``/.well-known/void``.
The service description also lists the prefixes every query gets predeclared
(:func:`prefix_declarations`). Both are built from :class:`~.dataset_statistics.Statistics`, computed from the store
with SPARQL once per graph version, and serialised by pyoxigraph in the
format the client negotiates (``negotiation.MEDIA_TYPE_RDF``).
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from ..iris import BASE, DCAT, DCTERMS, DOCUMENT_IRI, OWL, RDF, RDFS, SD, SH, VOID, XSD
from ..sparql import PREDECLARED_PREFIXES
from .config import AppConfig
from .dataset_statistics import Statistics, statistics_for
from .negotiation import MEDIA_TYPE_RDF, MEDIA_TYPE_RESULTS, canonical_types
from .protocol import MIN_TIMEOUT
from .query_bounds import camel
from .rdf_documents import Triples, iri, rdf_response, typed
from .state import current_state

blueprint = Blueprint("description", __name__)

FORMATS = "http://www.w3.org/ns/formats/"
# The endpoint's own limits, as properties of its sd:Service (documented in the README, "The SPARQL endpoint").
LIMITS = BASE + "service#"
# Media type → W3C format IRI (https://www.w3.org/ns/formats/), for sd:resultFormat and dct:format.
FORMAT_IRIS: dict[str, str] = {
    "application/sparql-results+json": FORMATS + "SPARQL_Results_JSON",
    "application/sparql-results+xml": FORMATS + "SPARQL_Results_XML",
    "text/csv": FORMATS + "SPARQL_Results_CSV",
    "text/tab-separated-values": FORMATS + "SPARQL_Results_TSV",
    "text/turtle": FORMATS + "Turtle",
    "application/n-triples": FORMATS + "N-Triples",
    "application/ld+json": FORMATS + "JSON-LD",
    "application/rdf+xml": FORMATS + "RDF_XML",
    "application/n-quads": FORMATS + "N-Quads",
    "application/trig": FORMATS + "TriG",
}
# Short ``format`` names of the graph-store dumps announced as DCAT distributions.
DUMP_FORMATS: dict[str, str] = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
DATASET_TITLE = "Spine Evidence Graph"
DATASET_DESCRIPTION = (
    "The Spine Intervention Society FactFinder 'Ultrasound Imaging for Cervical Injections' as "
    "linked data: every claim, evidence line, study, quantitative result, evidence gap and "
    "recommendation of the document, each tied to the exact words of the source that state it."
)


def served_media_types() -> list[str]:
    """The main media type of every answer format the endpoint serves (results, then RDF)."""
    return canonical_types(MEDIA_TYPE_RESULTS) + canonical_types(MEDIA_TYPE_RDF)


def triple(s: ox.NamedNode | ox.BlankNode, p: object, o: str | ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.Triple:
    """A pyoxigraph triple from terms or IRI strings (for predicate and object)."""
    return ox.Triple(s, iri(p), iri(o) if isinstance(o, str) else o)


def limits(config: AppConfig) -> dict[str, int | float]:
    """The endpoint's limits by local name in ``LIMITS`` (camel case of the config and bound names)."""
    named = {**config.bounds.as_dict(), "max_rows": config.max_rows, "max_answer_bytes": config.max_answer_bytes,
             "max_request_bytes": config.max_body, "max_worker_memory_bytes": config.max_memory,
             "queue": config.queue, "per_client": config.per_client, "timeout_seconds": config.timeout,
             "min_client_timeout_seconds": MIN_TIMEOUT}
    return {camel(name): value for name, value in named.items()}


def limit_property(name: str, service: ox.NamedNode) -> Triples:
    """The declaration of the limit property ``LIMITS + name``, so the description explains its own terms."""
    prop = ox.NamedNode(LIMITS + name)
    words = "".join(f" {char.lower()}" if char.isupper() else char for char in name)
    yield triple(prop, RDF.type, OWL.DatatypeProperty)
    yield triple(prop, RDFS.label, ox.Literal(words, language="en"))
    yield triple(prop, RDFS.domain, SD.Service)
    yield triple(prop, RDFS.isDefinedBy, service)


def limit_literal(value: int | float) -> ox.Literal:
    """An ``xsd:integer``, or an ``xsd:decimal`` for seconds."""
    if isinstance(value, int):
        return typed(value)
    return ox.Literal(f"{value:.3f}".rstrip("0").rstrip("."), datatype=ox.NamedNode(str(XSD.decimal)))


def service_description(endpoint: str, stats: Statistics, service_allowed: bool,
                        config: AppConfig | None = None) -> Triples:
    """The ``sd:Service`` of the endpoint at ``endpoint`` (an absolute URL), as triples, with its limits."""
    service = ox.NamedNode(endpoint + "#service")
    yield triple(service, RDF.type, SD.Service)
    yield triple(service, SD.endpoint, endpoint)
    yield triple(service, SD.supportedLanguage, SD.SPARQL11Query)
    for media_type in served_media_types():
        if media_type in FORMAT_IRIS:
            yield triple(service, SD.resultFormat, FORMAT_IRIS[media_type])
    if service_allowed:
        yield triple(service, SD.feature, SD.BasicFederatedQuery)
    if stats.union_default_graph:
        yield triple(service, SD.feature, SD.UnionDefaultGraph)
    for name, value in limits(config or AppConfig()).items():
        yield triple(service, LIMITS + name, limit_literal(value))
        yield from limit_property(name, service)
    yield from default_dataset(service, stats)
    yield from prefix_declarations(service, endpoint)


def prefix_declarations(service: ox.NamedNode, endpoint: str) -> Triples:
    """The predeclared prefixes as SHACL prefix declarations, linked from the service.

    The Service Description vocabulary has no term for them; SHACL does
    (https://www.w3.org/TR/shacl/#sparql-prefixes): an ``owl:Ontology`` whose
    ``sh:declare`` values are ``sh:PrefixDeclaration`` s with ``sh:prefix``
    and ``sh:namespace`` (an ``xsd:anyURI`` literal), the node SHACL-SPARQL's
    ``sh:prefixes`` points to, and the way published query collections (the
    SIB's SPARQL examples) list an endpoint's prefixes. Declared on a node of
    its own (``<endpoint#prefixes>``), as SHACL types it, and linked from the
    ``sd:Service`` with ``rdfs:seeAlso``.
    """
    declarations = ox.NamedNode(endpoint + "#prefixes")
    any_uri = ox.NamedNode(str(XSD.anyURI))
    yield triple(service, RDFS.seeAlso, declarations)
    yield triple(declarations, RDF.type, OWL.Ontology)
    for prefix, namespace in PREDECLARED_PREFIXES.items():
        declaration = ox.BlankNode()
        yield triple(declarations, SH.declare, declaration)
        yield triple(declaration, RDF.type, SH.PrefixDeclaration)
        yield triple(declaration, SH.prefix, ox.Literal(prefix))
        yield triple(declaration, SH.namespace, ox.Literal(namespace, datatype=any_uri))


def default_dataset(service: ox.NamedNode, stats: Statistics) -> Triples:
    """``sd:defaultDataset``: the default graph and each named graph, with its VoID triple count."""
    dataset, default = ox.BlankNode(), ox.BlankNode()
    yield triple(service, SD.defaultDataset, dataset)
    yield triple(dataset, RDF.type, SD.Dataset)
    yield triple(dataset, SD.defaultGraph, default)
    yield triple(default, RDF.type, SD.Graph)
    yield triple(default, VOID.triples, typed(stats.triples))
    for name, count in stats.named_graphs:
        named, graph = ox.BlankNode(), ox.BlankNode()
        yield triple(dataset, SD.namedGraph, named)
        yield triple(named, RDF.type, SD.NamedGraph)
        yield triple(named, SD.name, name)
        yield triple(named, SD.graph, graph)
        yield triple(graph, RDF.type, SD.Graph)
        yield triple(graph, VOID.triples, typed(count))


def void_description(root: str, stats: Statistics) -> Triples:
    """The ``void:Dataset`` / ``dcat:Dataset`` served at ``root`` (the server's base URL, ending in ``/``)."""
    dataset = ox.NamedNode(root + ".well-known/void#dataset")
    for kind in (VOID.Dataset, DCAT.Dataset):
        yield triple(dataset, RDF.type, kind)
    yield triple(dataset, DCTERMS.title, ox.Literal(DATASET_TITLE, language="en"))
    yield triple(dataset, DCTERMS.description, ox.Literal(DATASET_DESCRIPTION, language="en"))
    for licence in stats.licences:
        yield triple(dataset, DCTERMS.license, licence)
    for creator in stats.creators:
        yield triple(dataset, DCTERMS.creator, creator if creator.startswith("http") else ox.Literal(creator))
    yield triple(dataset, DCTERMS.source, DOCUMENT_IRI)
    yield triple(dataset, VOID.rootResource, DOCUMENT_IRI)
    yield triple(dataset, VOID.uriSpace, ox.Literal(BASE))
    yield triple(dataset, DCAT.landingPage, root)
    yield from void_statistics(dataset, stats)
    yield from distributions(dataset, root)
    yield from data_service(dataset, root)


def void_statistics(dataset: ox.NamedNode, stats: Statistics) -> Triples:
    """The VoID counts, vocabularies, example resources and class and property partitions."""
    for name in ("triples", "entities", "distinctSubjects", "distinctObjects", "properties", "classes"):
        yield triple(dataset, VOID[name], typed(getattr(stats, name)))
    for vocabulary in stats.vocabularies:
        yield triple(dataset, VOID.vocabulary, vocabulary)
    for example in stats.examples:
        yield triple(dataset, VOID.exampleResource, example)
    for cls, entities in stats.class_partitions:
        partition = ox.BlankNode()
        yield triple(dataset, VOID.classPartition, partition)
        yield triple(partition, VOID["class"], cls)
        yield triple(partition, VOID.entities, typed(entities))
    for prop, count in stats.property_partitions:
        partition = ox.BlankNode()
        yield triple(dataset, VOID.propertyPartition, partition)
        yield triple(partition, VOID.property, prop)
        yield triple(partition, VOID.triples, typed(count))


def distributions(dataset: ox.NamedNode, root: str) -> Triples:
    """One ``dcat:Distribution`` per dump format: the default graph from the Graph Store."""
    for name, media_type in DUMP_FORMATS.items():
        url = f"{root}graph-store?default&format={name}"
        distribution = ox.NamedNode(f"{root}.well-known/void#dump-{name}")
        yield triple(dataset, DCAT.distribution, distribution)
        yield triple(dataset, VOID.dataDump, url)
        yield triple(distribution, RDF.type, DCAT.Distribution)
        yield triple(distribution, DCAT.downloadURL, url)
        yield triple(distribution, DCAT.accessURL, url)
        yield triple(distribution, DCAT.mediaType, MEDIA_TYPES + media_type)
        yield triple(distribution, DCTERMS["format"], FORMAT_IRIS[media_type])


def data_service(dataset: ox.NamedNode, root: str) -> Triples:
    """The SPARQL endpoint, as ``void:sparqlEndpoint`` and as a ``dcat:DataService``."""
    endpoint = root + "sparql"
    service = ox.NamedNode(endpoint + "#service")
    yield triple(dataset, VOID.sparqlEndpoint, endpoint)
    yield triple(dataset, DCAT.accessService, service)
    yield triple(service, RDF.type, DCAT.DataService)
    yield triple(service, DCAT.endpointURL, endpoint)
    yield triple(service, DCAT.endpointDescription, endpoint)
    yield triple(service, DCAT.servesDataset, dataset)
    yield triple(service, DCTERMS.conformsTo, "https://www.w3.org/TR/sparql11-protocol/")


def current_statistics() -> Statistics:
    """The statistics of the dataset of the app handling this request (cached per graph version)."""
    state = current_state()
    return statistics_for(state.store, state.dataset)


def prefers_html() -> bool:
    """Whether the client prefers HTML to every RDF format (a browser)."""
    accept = request.accept_mimetypes
    best = accept.best_match([*MEDIA_TYPE_RDF, "text/html"])
    return best == "text/html" and accept["text/html"] > max(accept[m] for m in MEDIA_TYPE_RDF)


# POST is listed so that a 405 on /sparql names it in ``Allow``; every POST is a query operation, answered before
# Flask by the fast path, so only GET and HEAD (the bare URL: no query string) ever reach this view.
@blueprint.route("/sparql", methods=["GET", "POST"], endpoint="service_description")
@blueprint.route("/sparql/", methods=["GET", "POST"], endpoint="service_description")
def service_description_response() -> Response | WerkzeugResponse:
    """The HTTP answer to a GET of the endpoint without a query: its Service Description.

    Negotiated over ``MEDIA_TYPE_RDF`` (Turtle when there is no Accept); 406 when
    none is acceptable. A browser (HTML preferred to every RDF format) is sent
    to the query page with 303 See Other.
    """
    if prefers_html():
        return redirect(url_for("query_page.query_page"), code=303)
    endpoint = request.base_url
    config = current_state().config
    return rdf_response(list(service_description(endpoint, current_statistics(), bool(config.service_allow), config)))


@blueprint.get("/.well-known/void")
def void() -> Response:
    """VoID and DCAT description of the dataset, by content negotiation."""
    root = url_for("description.void", _external=True).removesuffix(".well-known/void")
    return rdf_response(list(void_description(root, current_statistics())))


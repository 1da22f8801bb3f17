"""Self-description: SPARQL Service Description, VoID/DCAT, Graph Store read access, health.

Every RDF answer is parsed back into an rdflib graph and its figures are
compared with counts the SPARQL endpoint itself computes.
"""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from spine_evidence.namespaces import DOCUMENT_IRI, GRAPH_ONTOLOGY, ONTOLOGY_IRI, SE
from spine_evidence.web import AppConfig, create_app
from spine_evidence.web.dataset_statistics import CACHE
from spine_evidence.web.description import current_statistics
from spine_evidence.web.negotiation import MEDIA_TYPE_RDF, MEDIA_TYPE_RESULTS, canonical_types

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = "http://www.w3.org/ns/formats/"
# The W3C format IRIs (https://www.w3.org/ns/formats/) of the media types the endpoint may serve.
W3C_FORMAT = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
    "application/n-quads": "N-Quads",
    "application/trig": "TriG",
}
RDFLIB_FORMAT = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def count(client, query: str) -> int:
    """The single integer a SELECT (?n) query returns from ``/sparql``."""
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def rdf(response, media_type: str = "text/turtle") -> Graph:
    """The response body parsed as ``media_type``."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == media_type
    return Graph().parse(data=response.get_data(), format=RDFLIB_FORMAT[media_type])


def service(graph: Graph) -> URIRef:
    """The one ``sd:Service`` of a Service Description."""
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    return services[0]


# ---------------------------------------------------------------- Service Description


def test_service_description_states_endpoint_language_and_every_served_format(client):
    graph = rdf(client.get("/sparql", headers={"Accept": "text/turtle"}))
    node = service(graph)
    assert graph.value(node, SD.endpoint) == URIRef("http://localhost/sparql")
    assert graph.value(node, SD.supportedLanguage) == SD.SPARQL11Query
    served = canonical_types(MEDIA_TYPE_RESULTS) + canonical_types(MEDIA_TYPE_RDF)
    assert {str(f) for f in graph.objects(node, SD.resultFormat)} == {FORMATS + W3C_FORMAT[m] for m in served}


def test_every_limit_of_the_service_is_a_declared_labelled_property(client):
    from rdflib.namespace import OWL, RDFS, XSD

    graph = rdf(client.get("/sparql", headers={"Accept": "text/turtle"}))
    node = service(graph)
    limits = {p: o for p, o in graph.predicate_objects(node) if str(p).startswith("https://w3id.org/spine-evidence/service#")}
    assert {"maxDepth", "maxRows", "timeoutSeconds"} <= {str(p).split("#")[1] for p in limits}
    for prop, value in limits.items():
        assert (prop, RDF.type, OWL.DatatypeProperty) in graph
        assert graph.value(prop, RDFS.label).language == "en"
        assert graph.value(prop, RDFS.isDefinedBy) == node
        assert value.datatype in (XSD.integer, XSD.decimal)


def test_service_description_counts_agree_with_sparql(client):
    graph = rdf(client.get("/sparql"))  # no Accept: Turtle
    dataset = graph.value(service(graph), SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    assert graph.value(default, VOID.triples).toPython() == count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    named = {graph.value(n, SD.name): graph.value(graph.value(n, SD.graph), VOID.triples)
             for n in graph.objects(dataset, SD.namedGraph)}
    assert URIRef(str(GRAPH_ONTOLOGY)) in named
    assert len(named) == count(client, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    for name, triples in named.items():
        assert triples.toPython() == count(client, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")


def test_union_default_graph_feature_only_when_true(client, tmp_path):
    graph = rdf(client.get("/sparql"))
    distinct_named = count(client, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }")
    default = count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert (SD.UnionDefaultGraph in set(graph.objects(service(graph), SD.feature))) == (distinct_named == default)
    data = tmp_path / "only-default.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")
    plain = create_app(AppConfig(sources=[(None, data)])).test_client()
    plain_graph = rdf(plain.get("/sparql"))
    assert SD.UnionDefaultGraph not in set(plain_graph.objects(service(plain_graph), SD.feature))
    assert list(plain_graph.objects(None, SD.namedGraph)) == []


def test_basic_federated_query_feature_follows_the_allow_list(client, store_dir):
    graph = rdf(client.get("/sparql"))
    assert SD.BasicFederatedQuery not in set(graph.objects(service(graph), SD.feature))
    allowing = create_app(AppConfig(store_path=store_dir, service_allow=("http://127.0.0.1:9/sparql",)))
    allowed = rdf(allowing.test_client().get("/sparql"))
    assert SD.BasicFederatedQuery in set(allowed.objects(service(allowed), SD.feature))


@pytest.mark.parametrize("media_type", ["application/n-triples", "application/ld+json", "application/rdf+xml"])
def test_service_description_in_every_rdf_format_is_the_same_graph(client, media_type):
    turtle = rdf(client.get("/sparql", headers={"Accept": "text/turtle"}))
    other = rdf(client.get("/sparql", headers={"Accept": media_type}), media_type)
    assert isomorphic(turtle, other)


def test_service_description_over_real_http(endpoint):
    response = requests.get(endpoint.url, headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert graph.value(service(graph), SD.endpoint) == URIRef(endpoint.url)
    void = requests.get(f"{endpoint.base}/.well-known/void", headers={"Accept": "application/ld+json"}, timeout=10)
    described = Graph().parse(data=void.text, format="json-ld")
    assert URIRef(endpoint.url) in set(described.objects(None, VOID.sparqlEndpoint))


def test_service_description_negotiation_edges(client):
    browser = client.get("/sparql", headers={"Accept": BROWSER})
    assert browser.status_code == 303 and browser.headers["Location"].endswith("/")
    refused = client.get("/sparql", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.get_data(as_text=True)


# ---------------------------------------------------------------- VoID and DCAT


@pytest.fixture(scope="module")
def void(app) -> Graph:
    """The VoID description of the session store, as Turtle."""
    return rdf(app.test_client().get("/.well-known/void"))


def dataset_node(graph: Graph) -> URIRef:
    """The one ``void:Dataset`` (which must also be a ``dcat:Dataset``)."""
    nodes = list(graph.subjects(RDF.type, VOID.Dataset))
    assert len(nodes) == 1 and (nodes[0], RDF.type, DCAT.Dataset) in graph
    return nodes[0]


def test_void_counts_agree_with_sparql(client, void):
    node = dataset_node(void)
    expected = {
        VOID.triples: "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
        VOID.distinctSubjects: "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }",
        VOID.properties: "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }",
        VOID.classes: "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c FILTER(isIRI(?c)) }",
        VOID.entities: 'SELECT (COUNT(DISTINCT ?s) AS ?n) '
                       '{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://w3id.org/spine-evidence/")) }',
    }
    for prop, query in expected.items():
        assert void.value(node, prop).toPython() == count(client, query), prop
    assert void.value(node, VOID.uriSpace) == Literal("https://w3id.org/spine-evidence/")


def test_void_partitions_agree_with_sparql(client, void):
    node = dataset_node(void)
    classes = {void.value(p, VOID["class"]): void.value(p, VOID.entities).toPython()
               for p in void.objects(node, VOID.classPartition)}
    properties = {void.value(p, VOID.property): void.value(p, VOID.triples).toPython()
                  for p in void.objects(node, VOID.propertyPartition)}
    assert len(classes) == void.value(node, VOID.classes).toPython()
    assert sum(properties.values()) == void.value(node, VOID.triples).toPython()
    assert classes[URIRef(SE.Study)] == count(client, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s a <{SE.Study}> }}") > 0
    assert properties[RDF.type] == count(client, "SELECT (COUNT(*) AS ?n) { ?s a ?o }")


def test_void_metadata_and_example_resources(client, void):
    node = dataset_node(void)
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator):
        assert void.value(node, prop) is not None, prop
    assert void.value(node, DCTERMS.source) == URIRef(DOCUMENT_IRI)
    assert URIRef(ONTOLOGY_IRI) in set(void.objects(node, VOID.vocabulary))
    examples = set(void.objects(node, VOID.exampleResource))
    assert len(examples) == 4
    for kind in (SE.Claim, SE.Study, SE.Result, SE.Recommendation):
        asks = {e: f"ASK {{ <{e}> a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{kind}> }}" for e in examples}
        typed = [e for e in examples if client.get("/sparql", query_string={"query": asks[e]}).get_json()["boolean"]]
        assert len(typed) >= 1, kind
    for example in examples:
        path = str(example).removeprefix("https://w3id.org/spine-evidence")
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 200


def test_void_endpoint_and_distributions_work(client, void):
    node = dataset_node(void)
    endpoint = str(void.value(node, VOID.sparqlEndpoint)).removeprefix("http://localhost")
    assert client.get(endpoint, query_string={"query": "ASK {}"}).get_json()["boolean"] is True
    triples = void.value(node, VOID.triples).toPython()
    distributions = list(void.objects(node, DCAT.distribution))
    assert len(distributions) == len(RDFLIB_FORMAT)
    for distribution in distributions:
        media_type = str(void.value(distribution, DCAT.mediaType)).rsplit("media-types/", 1)[1]
        url = str(void.value(distribution, DCAT.downloadURL)).removeprefix("http://localhost")
        assert len(rdf(client.get(url), media_type)) == triples


def test_void_negotiates_and_is_computed_once_per_graph_version(app, client, void):
    as_xml = rdf(client.get("/.well-known/void", headers={"Accept": "application/rdf+xml"}), "application/rdf+xml")
    assert isomorphic(as_xml, void)
    version = client.get("/health").get_json()["graph_version"]
    assert CACHE[version].triples == void.value(dataset_node(void), VOID.triples).toPython()
    with app.app_context():
        assert current_statistics() is current_statistics() is CACHE[version]
    assert client.get("/.well-known/void", headers={"Accept": "text/csv"}).status_code == 406


# ---------------------------------------------------------------- Graph Store (read)


def test_graph_store_default_and_named_graphs(client):
    default = rdf(client.get("/graph-store?default"))
    assert len(default) == count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    iri = str(GRAPH_ONTOLOGY)
    named = rdf(client.get("/graph-store", query_string={"graph": iri}, headers={"Accept": "application/n-triples"}),
                "application/n-triples")
    assert len(named) == count(client, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}") > 0
    by_format = rdf(client.get("/graph-store", query_string={"graph": iri, "format": "rdf"}), "application/rdf+xml")
    assert isomorphic(named, by_format)


def test_graph_store_head_has_headers_and_no_body(client):
    head = client.head("/graph-store?default", headers={"Accept": "application/ld+json"})
    assert head.status_code == 200 and head.mimetype == "application/ld+json" and head.get_data() == b""


@pytest.mark.parametrize(
    ("query", "status"),
    [("", 400), ("default&graph=http://example.org/g", 400),
     ("graph=http://example.org/a&graph=http://example.org/b", 400),
     ("graph=not%20an%20iri", 400), ("graph=http://example.org/no-such-graph", 404), ("graph=%FF", 400)],
)
def test_graph_store_bad_requests(client, query, status):
    response = client.get(f"/graph-store?{query}")
    assert response.status_code == status
    assert response.mimetype == "text/plain" and response.get_data(as_text=True).strip()


def test_graph_store_is_read_only(client):
    before = count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    body = "<http://example.org/a> <http://example.org/p> 1 ."
    for method in ("put", "post", "delete"):
        response = getattr(client, method)("/graph-store?default", data=body, content_type="text/turtle")
        assert response.status_code == 403, method
        assert "read-only" in response.get_data(as_text=True)
    patch = client.patch("/graph-store?default", data=body, content_type="text/turtle")
    assert patch.status_code == 405 and "GET" in patch.headers["Allow"]
    assert count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == before


# ---------------------------------------------------------------- health


def test_health_reports_status_triples_and_version(client):
    first = client.get("/health")
    assert first.status_code == 200 and first.mimetype == "application/json"
    record = first.get_json()
    assert record["status"] == "ok"
    assert record["triples"] == count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert isinstance(record["graph_version"], str) and record["graph_version"]
    assert client.get("/health").get_json()["graph_version"] == record["graph_version"]
